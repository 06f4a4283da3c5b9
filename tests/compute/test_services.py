"""Compute services: grants when people join and leave, adjustments and their ledger, bulk
changes, top-ups, pools, integration tokens, usage ingestion with its thresholds, and the pool's
counter under twenty concurrent admins."""

import datetime
import hashlib
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from applications import services as application_services
from compute import services
from compute.enums import AllocationStatus, ChangeKind, RequestStatus, UsageOutcome
from compute.models import (
    Allocation,
    AllocationChange,
    AllocationRequest,
    IntegrationToken,
    ResourcePool,
    UsageRecord,
)
from core.models import AuditEntry
from notifications.models import Notification
from selection import services as selection_services
from tests.factories import (
    AllocationFactory,
    AllocationRequestFactory,
    CohortFactory,
    OfferFactory,
    ParticipantFactory,
    ResourcePoolFactory,
    ResourceTypeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def cohort(programme):
    return CohortFactory(
        programme=programme,
        slug="main",
        name="Main intake",
        decisions_released_at=timezone.now() - datetime.timedelta(days=1),
    )


@pytest.fixture
def gpu(cohort):
    """1,000 H100 GPU hours, 100 granted to each participant."""
    return ResourcePoolFactory(
        cohort=cohort,
        resource__slug="gpu-h100",
        resource__name="H100 GPU hours",
        total=D(1000),
        default_grant=D(100),
    )


@pytest.fixture
def llm(cohort):
    """50 million Qwen-Max tokens, 20 million each."""
    return ResourcePoolFactory(
        cohort=cohort,
        resource__slug="qwen-max",
        resource__name="Qwen-Max tokens",
        resource__unit="tokens",
        total=D(50_000_000),
        default_grant=D(20_000_000),
    )


@pytest.fixture
def storage(cohort):
    """Storage is a level: each reading is what is in use now."""
    return ResourcePoolFactory(
        cohort=cohort,
        resource__slug="storage",
        resource__name="Project storage",
        resource__unit="gb",
        resource__metering="level",
        total=D(2000),
        default_grant=D(200),
    )


def _join(cohort):
    """An applicant accepts their offer through selection's real flow (participant_joined)."""
    offer = OfferFactory(application__cohort=cohort)
    return selection_services.offer_accept(offer=offer, user=offer.application.applicant)


def _pool(pool):
    return ResourcePool.objects.get(pk=pool.pk)


def _fresh(allocation):
    return Allocation.objects.get(pk=allocation.pk)


def _ledger(allocation):
    return list(
        AllocationChange.objects.filter(allocation=allocation)
        .order_by("id")
        .values_list("kind", "delta", "limit_after")
    )


# --- grants when people join and leave -----------------------------------------------------


def test_accepting_an_offer_grants_each_pools_default(cohort, gpu, llm):
    participant = _join(cohort)

    allocations = {
        a.pool_id: a for a in Allocation.objects.filter(user=participant.user).order_by("id")
    }
    assert {pool_id: a.limit for pool_id, a in allocations.items()} == {
        gpu.pk: D(100),
        llm.pk: D(20_000_000),
    }
    assert all(a.participant_id == participant.pk for a in allocations.values())
    assert all(a.status == AllocationStatus.ACTIVE for a in allocations.values())
    assert (_pool(gpu).allocated, _pool(llm).allocated) == (D(100), D(20_000_000))
    grant = AllocationChange.objects.get(allocation=allocations[gpu.pk])
    assert (grant.kind, grant.delta, grant.limit_after, grant.actor) == (
        ChangeKind.GRANT,
        D(100),
        D(100),
        None,
    )
    assert grant.reason == "Default grant on joining the cohort"


def test_grant_defaults_touches_only_the_participants_cohort(programme, cohort, gpu):
    elsewhere = ResourcePoolFactory(cohort=CohortFactory(programme=programme))
    _join(cohort)
    assert _pool(elsewhere).allocated == 0
    assert not Allocation.objects.filter(pool=elsewhere).exists()


def test_grant_defaults_twice_grants_once(cohort, gpu):
    participant = _join(cohort)
    services.allocations_grant_defaults(participant=participant)
    assert Allocation.objects.get(user=participant.user).limit == D(100)
    assert _pool(gpu).allocated == D(100)
    assert AllocationChange.objects.count() == 1


def test_grant_from_a_short_pool_gives_what_is_left_with_a_note(cohort, gpu):
    gpu.total = D(250)
    gpu.save()
    first, second, third = _join(cohort), _join(cohort), _join(cohort)

    limits = [Allocation.objects.get(user=p.user).limit for p in (first, second, third)]
    assert limits == [D(100), D(100), D(50)]
    assert _pool(gpu).allocated == D(250)
    short = AllocationChange.objects.get(allocation__user=third.user)
    assert (short.kind, short.delta) == (ChangeKind.GRANT, D(50))
    assert short.reason == "Default grant on joining the cohort (the pool had only 50 left)"

    # An empty pool still lets people join: with nothing, and saying so.
    fourth = _join(cohort)
    empty = Allocation.objects.get(user=fourth.user)
    assert empty.limit == 0
    assert AllocationChange.objects.get(allocation=empty).reason.endswith("had only 0 left)")
    assert _pool(gpu).allocated == D(250)


def _seated(cohort, n):
    """n participants who joined before the pools existed (so hold no allocation yet)."""
    return [ParticipantFactory(application__cohort=cohort) for _ in range(n)]


def test_grant_defaults_bulk_grants_like_joining(cohort):
    participants = _seated(cohort, 3)
    gpu = ResourcePoolFactory(cohort=cohort, total=D(1000), default_grant=D(100))
    llm = ResourcePoolFactory(cohort=cohort, total=D(10**8), default_grant=D(20_000_000))
    # One already holds a GPU allocation: left alone there, granted the tokens.
    services.allocations_grant_defaults(participant=participants[0])
    Allocation.objects.filter(pool=llm).delete()
    ResourcePool.objects.filter(pk=llm.pk).update(allocated=0)

    made = services.allocations_grant_defaults_bulk(cohort_id=cohort.pk, participants=participants)

    assert made == 5
    assert sorted(Allocation.objects.values_list("pool_id", "user_id", "limit")) == sorted(
        [(gpu.pk, p.user_id, D(100)) for p in participants]
        + [(llm.pk, p.user_id, D(20_000_000)) for p in participants]
    )
    assert (_pool(gpu).allocated, _pool(llm).allocated) == (D(300), D(60_000_000))
    assert all(a.participant_id for a in Allocation.objects.all())
    grants = AllocationChange.objects.filter(kind=ChangeKind.GRANT)
    assert grants.count() == 6
    assert set(grants.values_list("reason", flat=True)) == {"Default grant on joining the cohort"}
    assert (
        services.allocations_grant_defaults_bulk(cohort_id=cohort.pk, participants=participants)
        == 0
    )


def test_grant_defaults_bulk_from_a_short_pool_gives_what_is_left(cohort):
    participants = _seated(cohort, 3)
    gpu = ResourcePoolFactory(cohort=cohort, total=D(250), default_grant=D(100))
    services.allocations_grant_defaults_bulk(cohort_id=cohort.pk, participants=participants)
    limits = [Allocation.objects.get(user_id=p.user_id).limit for p in participants]
    assert limits == [D(100), D(100), D(50)]
    assert _pool(gpu).allocated == D(250)
    assert AllocationChange.objects.get(delta=D(50)).reason.endswith("(the pool had only 50 left)")


def test_withdrawal_releases_what_was_not_used_and_suspends(cohort, gpu, llm):
    participant = _join(cohort)
    allocation = Allocation.objects.get(user=participant.user, pool=gpu)
    Allocation.objects.filter(pk=allocation.pk).update(used=D(30))

    application_services.application_withdraw(
        application=participant.application, actor=participant.user, reason="New job"
    )

    allocation = _fresh(allocation)
    assert (allocation.limit, allocation.used, allocation.status) == (
        D(30),
        D(30),
        AllocationStatus.SUSPENDED,
    )
    # The seat's row is gone; the allocation still says whose it was.
    assert allocation.participant_id is None and allocation.user_id == participant.user_id
    assert _pool(gpu).allocated == D(30)
    assert _pool(llm).allocated == 0
    assert _ledger(allocation) == [
        (ChangeKind.GRANT, D(100), D(100)),
        (ChangeKind.RELEASE, D(-70), D(30)),
    ]
    release = AllocationChange.objects.filter(kind=ChangeKind.RELEASE)
    assert release.count() == 2  # one per pool
    assert release.first().reason == "Left the cohort: unused units went back to the pool"
    # In the programme's audit log, made by no one (the participant's leaving did it).
    entry = AuditEntry.objects.get(action="compute.allocations_released")
    assert (entry.actor, entry.programme_id) == (None, cohort.programme_id)
    assert entry.data == {"cohort": cohort.pk, "user": participant.user_id, "allocations": 2}


def test_release_of_an_overused_allocation_gives_nothing_back(cohort, gpu):
    participant = _join(cohort)
    Allocation.objects.filter(user=participant.user).update(used=D(130))
    assert services.allocations_release(cohort_id=cohort.pk, user_id=participant.user_id) == 1
    allocation = Allocation.objects.get(user=participant.user)
    assert (allocation.limit, allocation.status) == (D(100), AllocationStatus.SUSPENDED)
    assert _pool(gpu).allocated == D(100)
    assert _ledger(allocation)[-1] == (ChangeKind.RELEASE, D(0), D(100))


def test_release_of_someone_without_allocations_does_nothing(cohort, gpu):
    user = UserFactory()
    assert services.allocations_release(cohort_id=cohort.pk, user_id=user.pk) == 0
    assert not AllocationChange.objects.exists()


# --- adjustments -----------------------------------------------------------------------------


@pytest.fixture
def allocation(gpu):
    return AllocationFactory(pool=gpu, limit=D(100))


def test_allocation_adjust_set_reserves_the_difference(allocation, gpu, programme_admin):
    services.allocation_adjust(
        allocation=allocation, mode="set", amount=D(150), reason="Capstone", actor=programme_admin
    )
    assert _fresh(allocation).limit == D(150)
    assert _pool(gpu).allocated == D(150)
    change = AllocationChange.objects.get(allocation=allocation)
    assert (change.kind, change.delta, change.limit_after, change.reason, change.actor) == (
        ChangeKind.SET,
        D(50),
        D(150),
        "Capstone",
        programme_admin,
    )


def test_allocation_adjust_set_lower_gives_back(allocation, gpu, programme_admin):
    services.allocation_adjust(
        allocation=allocation, mode="set", amount=D(40), reason="Less", actor=programme_admin
    )
    assert (_fresh(allocation).limit, _pool(gpu).allocated) == (D(40), D(40))
    assert _ledger(allocation) == [(ChangeKind.SET, D(-60), D(40))]


def test_allocation_adjust_add_and_take_away(allocation, gpu, programme_admin):
    services.allocation_adjust(
        allocation=allocation, mode="add", amount=D(20), reason="More", actor=programme_admin
    )
    services.allocation_adjust(
        allocation=allocation, mode="add", amount=D(-70), reason="Less", actor=programme_admin
    )
    assert (_fresh(allocation).limit, _pool(gpu).allocated) == (D(50), D(50))
    assert _ledger(allocation) == [
        (ChangeKind.ADD, D(20), D(120)),
        (ChangeKind.ADD, D(-70), D(50)),
    ]


@pytest.mark.parametrize(("mode", "amount"), [("set", D(-1)), ("add", D(-101))])
def test_allocation_adjust_refuses_a_negative_limit(allocation, gpu, programme_admin, mode, amount):
    with pytest.raises(services.ComputeError, match="A limit cannot be negative"):
        services.allocation_adjust(
            allocation=allocation, mode=mode, amount=amount, reason="Oops", actor=programme_admin
        )
    assert (_fresh(allocation).limit, _pool(gpu).allocated) == (D(100), D(100))
    assert not AllocationChange.objects.exists()


def test_allocation_adjust_beyond_the_pool_says_how_much_is_left(allocation, gpu, programme_admin):
    AllocationFactory(pool=gpu, limit=D(850))  # 950 of 1,000 allocated
    with pytest.raises(services.ComputeError) as caught:
        services.allocation_adjust(
            allocation=allocation, mode="add", amount=D(60), reason="More", actor=programme_admin
        )
    assert str(caught.value) == "The pool has only 50 GPU hours left; 60 were asked for."
    assert (_fresh(allocation).limit, _pool(gpu).allocated) == (D(100), D(950))
    assert not AllocationChange.objects.filter(allocation=allocation).exists()
    # Exactly what is left is fine.
    services.allocation_adjust(
        allocation=allocation, mode="add", amount=D(50), reason="More", actor=programme_admin
    )
    assert _pool(gpu).allocated == gpu.total


def test_allocation_adjust_needs_a_reason(allocation, gpu, programme_admin):
    with pytest.raises(services.ComputeError, match="Say why"):
        services.allocation_adjust(
            allocation=allocation, mode="add", amount=D(1), reason="  ", actor=programme_admin
        )
    assert _fresh(allocation).limit == D(100)


def test_allocation_suspend_and_resume_write_the_ledger_once_each(allocation, programme_admin):
    services.allocation_set_status(
        allocation=allocation, suspended=True, reason="Misuse", actor=programme_admin
    )
    services.allocation_set_status(
        allocation=allocation, suspended=True, reason="Again", actor=programme_admin
    )
    assert _fresh(allocation).status == AllocationStatus.SUSPENDED
    services.allocation_set_status(
        allocation=allocation, suspended=False, reason="Cleared", actor=programme_admin
    )
    assert _fresh(allocation).status == AllocationStatus.ACTIVE
    assert list(
        AllocationChange.objects.order_by("id").values_list("kind", "delta", "reason", "actor")
    ) == [
        (ChangeKind.SUSPEND, D(0), "Misuse", programme_admin.pk),
        (ChangeKind.RESUME, D(0), "Cleared", programme_admin.pk),
    ]
    # Suspending keeps the limit reserved: it can be resumed.
    assert _fresh(allocation).limit == D(100)


# --- bulk changes ----------------------------------------------------------------------------


def test_parse_allocation_csv_with_and_without_header():
    with_header = (
        "email,resource,amount\r\na@example.com,gpu-h100,10\n\nb@example.com,gpu-h100, 5 \n"
    )
    assert services.parse_allocation_csv(with_header.encode()) == (
        [(2, "a@example.com", "gpu-h100", "10"), (4, "b@example.com", "gpu-h100", "5")],
        [],
    )
    assert services.parse_allocation_csv("a@example.com,gpu-h100,10\n") == (
        [(1, "a@example.com", "gpu-h100", "10")],
        [],
    )
    # A byte-order mark from a spreadsheet does not hide the header.
    assert services.parse_allocation_csv("\ufeffEmail,Resource,Amount\nx@example.com,g,1".encode())[
        0
    ] == [(2, "x@example.com", "g", "1")]


def test_parse_allocation_csv_reports_rows_with_the_wrong_number_of_columns():
    rows, errors = services.parse_allocation_csv(
        "email,resource,amount\na@example.com,gpu-h100\nb@example.com,gpu-h100,5\nc,d,1,2\n"
    )
    assert rows == [(3, "b@example.com", "gpu-h100", "5")]
    assert errors == [
        "Line 2: expected email,resource,amount.",
        "Line 4: expected email,resource,amount.",
    ]


def test_parse_allocation_csv_of_an_empty_file():
    assert services.parse_allocation_csv(b"email,resource,amount\n\n") == (
        [],
        ["The file holds no rows."],
    )


@pytest.fixture
def two(gpu, llm):
    first = AllocationFactory(
        pool=gpu, limit=D(100), participant__application__applicant__email="ana@example.com"
    )
    second = AllocationFactory(
        pool=gpu, limit=D(100), participant__application__applicant__email="ben@example.com"
    )
    return first, second


def test_allocations_bulk_adjust_applies_every_row(programme, two, gpu, programme_admin):
    rows, errors = services.parse_allocation_csv(
        "email,resource,amount\nANA@example.com,gpu-h100,20\nben@example.com,gpu-h100,30\n"
    )
    assert errors == []
    result = services.allocations_bulk_adjust(
        programme=programme, rows=rows, mode="add", reason="Hackathon", actor=programme_admin
    )
    assert (result.applied, result.errors) == (2, [])
    assert [_fresh(a).limit for a in two] == [D(120), D(130)]
    assert _pool(gpu).allocated == D(250)
    assert set(AllocationChange.objects.values_list("kind", "reason")) == {
        (ChangeKind.ADD, "Hackathon")
    }
    assert AllocationChange.objects.count() == 2


def test_allocations_bulk_adjust_with_bad_rows_changes_nothing(
    programme, two, gpu, programme_admin
):
    rows = [
        (2, "ana@example.com", "gpu-h100", "20"),
        (3, "nobody@example.com", "gpu-h100", "5"),
        (4, "ben@example.com", "gpu-h100", "lots"),
        (5, "ben@example.com", "tpu", "5"),
    ]
    result = services.allocations_bulk_adjust(
        programme=programme, rows=rows, mode="add", reason="Hackathon", actor=programme_admin
    )
    assert result.applied == 0
    assert result.errors == [
        "Line 3: nobody@example.com has no allocation of gpu-h100.",
        "Line 4: lots is not a number.",
        "Line 5: ben@example.com has no allocation of tpu.",
    ]
    assert [_fresh(a).limit for a in two] == [D(100), D(100)]
    assert _pool(gpu).allocated == D(200)
    assert not AllocationChange.objects.exists()


def test_allocations_bulk_adjust_rolls_back_when_one_row_fails_on_apply(
    programme, two, gpu, programme_admin
):
    # Ana's row (applied first) fits; Ben's would take the pool past its total: neither stays.
    rows = [(2, "ana@example.com", "gpu-h100", "300"), (3, "ben@example.com", "gpu-h100", "900")]
    result = services.allocations_bulk_adjust(
        programme=programme, rows=rows, mode="set", reason="Re-plan", actor=programme_admin
    )
    assert result.applied == 0
    assert result.errors == ["Line 3: The pool has only 600 GPU hours left; 800 were asked for."]
    assert [_fresh(a).limit for a in two] == [D(100), D(100)]
    assert _pool(gpu).allocated == D(200)
    assert not AllocationChange.objects.exists()


def test_allocations_bulk_adjust_needs_a_reason(programme, two, programme_admin):
    result = services.allocations_bulk_adjust(
        programme=programme,
        rows=[(1, "ana@example.com", "gpu-h100", "1")],
        mode="add",
        reason="",
        actor=programme_admin,
    )
    assert (result.applied, result.errors) == (0, ["Say why the allocations change."])


def test_allocations_bulk_adjust_never_reaches_another_programme(
    other_programme, two, programme_admin
):
    result = services.allocations_bulk_adjust(
        programme=other_programme,
        rows=[(1, "ana@example.com", "gpu-h100", "1")],
        mode="add",
        reason="Sneaky",
        actor=programme_admin,
    )
    assert result.errors == ["Line 1: ana@example.com has no allocation of gpu-h100."]
    assert _fresh(two[0]).limit == D(100)


# --- top-ups ---------------------------------------------------------------------------------


def test_topup_request_of_own_allocation(allocation):
    request = services.topup_request(
        allocation=allocation,
        user=allocation.user,
        amount=D(40),
        justification="  Fine-tuning for my capstone.  ",
    )
    assert (request.status, request.amount, request.justification) == (
        RequestStatus.PENDING,
        D(40),
        "Fine-tuning for my capstone.",
    )


@pytest.mark.parametrize(
    ("amount", "justification", "message"),
    [
        (D(0), "Capstone", "Ask for more than zero."),
        (D(-5), "Capstone", "Ask for more than zero."),
        (None, "Capstone", "Ask for more than zero."),
        (D(10), "   ", "Say what you need it for."),
    ],
)
def test_topup_request_refuses_bad_input(allocation, amount, justification, message):
    with pytest.raises(services.ComputeError) as caught:
        services.topup_request(
            allocation=allocation, user=allocation.user, amount=amount, justification=justification
        )
    assert str(caught.value) == message
    assert not AllocationRequest.objects.exists()


def test_topup_request_of_someone_elses_allocation_is_refused(allocation, gpu):
    other = AllocationFactory(pool=gpu)
    with pytest.raises(services.ComputeError, match="only of your own allocation"):
        services.topup_request(
            allocation=allocation, user=other.user, amount=D(10), justification="Mine now"
        )
    assert not AllocationRequest.objects.exists()


def test_topup_request_one_pending_at_a_time(allocation, programme_admin):
    first = services.topup_request(
        allocation=allocation, user=allocation.user, amount=D(10), justification="One"
    )
    with pytest.raises(services.ComputeError, match="already have a request waiting"):
        services.topup_request(
            allocation=allocation, user=allocation.user, amount=D(10), justification="Two"
        )
    services.topup_decide(request=first, granted=D(10), reason="", actor=programme_admin)
    second = services.topup_request(
        allocation=allocation, user=allocation.user, amount=D(10), justification="Two"
    )
    assert second.status == RequestStatus.PENDING


def _topup_notes(user):
    return list(
        Notification.objects.filter(recipient=user, kind="compute.topup_decided").values_list(
            "text", flat=True
        )
    )


def test_topup_decide_full(allocation, gpu, programme_admin):
    request = AllocationRequestFactory(allocation=allocation, amount=D(40))
    decided = services.topup_decide(
        request=request, granted=D(40), reason="Go ahead", actor=programme_admin
    )
    assert (decided.status, decided.granted, decided.decided_by) == (
        RequestStatus.APPROVED,
        D(40),
        programme_admin,
    )
    assert decided.decided_at is not None
    assert (_fresh(allocation).limit, _pool(gpu).allocated) == (D(140), D(140))
    assert _ledger(allocation) == [(ChangeKind.TOP_UP, D(40), D(140))]
    assert len(_topup_notes(allocation.user)) == 1
    entry = AuditEntry.objects.get(action="compute.topup_decide")
    assert (entry.actor, entry.programme_id) == (programme_admin, gpu.cohort.programme_id)
    assert (entry.data["asked"], entry.data["granted"], entry.data["status"]) == (
        "40",
        "40",
        RequestStatus.APPROVED,
    )


def test_topup_decide_partly(allocation, gpu, programme_admin):
    request = AllocationRequestFactory(allocation=allocation, amount=D(40))
    decided = services.topup_decide(
        request=request, granted=D(15), reason="Half now", actor=programme_admin
    )
    assert (decided.status, decided.granted, decided.decision_reason) == (
        RequestStatus.PARTLY_APPROVED,
        D(15),
        "Half now",
    )
    assert (_fresh(allocation).limit, _pool(gpu).allocated) == (D(115), D(115))
    assert len(_topup_notes(allocation.user)) == 1


def test_topup_reject_needs_a_reason_and_notifies(allocation, gpu, programme_admin):
    request = AllocationRequestFactory(allocation=allocation, amount=D(40))
    with pytest.raises(services.ComputeError, match="Say why the request is rejected"):
        services.topup_decide(request=request, granted=D(0), reason=" ", actor=programme_admin)
    assert AllocationRequest.objects.get(pk=request.pk).status == RequestStatus.PENDING
    assert _topup_notes(allocation.user) == []

    decided = services.topup_decide(
        request=request, granted=D(0), reason="Use what you have first", actor=programme_admin
    )
    assert (decided.status, decided.granted) == (RequestStatus.REJECTED, D(0))
    assert (_fresh(allocation).limit, _pool(gpu).allocated) == (D(100), D(100))
    assert not AllocationChange.objects.exists()
    assert len(_topup_notes(allocation.user)) == 1


@pytest.mark.parametrize("granted", [D(-1), D(41)])
def test_topup_decide_grants_between_zero_and_what_was_asked(allocation, programme_admin, granted):
    request = AllocationRequestFactory(allocation=allocation, amount=D(40))
    with pytest.raises(services.ComputeError, match="Grant between 0 and the 40 asked for"):
        services.topup_decide(request=request, granted=granted, reason="x", actor=programme_admin)
    assert _fresh(allocation).limit == D(100)


def test_topup_decide_beyond_the_pool_changes_nothing(allocation, gpu, programme_admin):
    AllocationFactory(pool=gpu, limit=D(890))  # 10 left
    request = AllocationRequestFactory(allocation=allocation, amount=D(40))
    with pytest.raises(services.ComputeError) as caught:
        services.topup_decide(request=request, granted=D(40), reason="Yes", actor=programme_admin)
    assert str(caught.value) == "The pool has only 10 GPU hours left; 40 were asked for."
    request.refresh_from_db()
    assert (request.status, request.granted, request.decided_at) == (
        RequestStatus.PENDING,
        D(0),
        None,
    )
    assert (_fresh(allocation).limit, _pool(gpu).allocated) == (D(100), D(990))
    assert not AllocationChange.objects.exists()
    assert _topup_notes(allocation.user) == []


def test_topup_decided_twice_is_refused(allocation, programme_admin):
    request = AllocationRequestFactory(allocation=allocation, amount=D(40))
    services.topup_decide(request=request, granted=D(40), reason="", actor=programme_admin)
    with pytest.raises(services.ComputeError, match="decided already"):
        services.topup_decide(request=request, granted=D(0), reason="No", actor=programme_admin)
    assert _fresh(allocation).limit == D(140)
    assert len(_topup_notes(allocation.user)) == 1


# --- pools -----------------------------------------------------------------------------------


def test_pool_save_refuses_a_total_below_what_is_allocated(allocation, gpu, programme_admin):
    AllocationFactory(pool=gpu, limit=D(500))  # 600 allocated
    pool = _pool(gpu)
    pool.total = D(599)
    with pytest.raises(services.ComputeError) as caught:
        services.pool_save(pool=pool, actor=programme_admin)
    assert str(caught.value) == "600 are already allocated; the total cannot be less."
    assert _pool(gpu).total == D(1000)
    pool.total = D(600)
    services.pool_save(pool=pool, actor=programme_admin)
    assert (_pool(gpu).total, _pool(gpu).allocated) == (D(600), D(600))


def test_pool_save_keeps_the_counter_of_a_stale_instance(allocation, gpu, programme_admin):
    stale = ResourcePool.objects.get(pk=gpu.pk)
    AllocationFactory(pool=gpu, limit=D(50))  # allocated moves on behind the form's back
    stale.default_grant = D(80)
    services.pool_save(pool=stale, actor=programme_admin)
    assert (_pool(gpu).allocated, _pool(gpu).default_grant) == (D(150), D(80))


def test_pool_save_refuses_a_second_pool_of_a_resource(cohort, gpu, programme_admin):
    duplicate = ResourcePool(
        cohort=cohort,
        resource=gpu.resource,
        total=D(10),
        valid_from=gpu.valid_from,
        valid_until=gpu.valid_until,
    )
    with pytest.raises(services.ComputeError, match="already has a pool of that resource"):
        services.pool_save(pool=duplicate, actor=programme_admin)
    assert ResourcePool.objects.filter(cohort=cohort).count() == 1


def test_a_new_pool_grants_its_default_to_those_who_joined_before(cohort, programme_admin):
    early = [_join(cohort) for _ in range(3)]
    resource = ResourceTypeFactory(programme=cohort.programme, slug="a100")
    pool = ResourcePool(
        cohort=cohort,
        resource=resource,
        total=D(250),
        default_grant=D(100),
        valid_from=timezone.localdate(),
        valid_until=timezone.localdate() + datetime.timedelta(days=90),
    )
    services.pool_save(pool=pool, actor=programme_admin)
    limits = dict(Allocation.objects.filter(pool=pool).values_list("user_id", "limit"))
    # The total covers two and a half: the last to have joined gets what is left.
    assert sorted(limits.values()) == [D(50), D(100), D(100)]
    assert set(limits) == {p.user_id for p in early}
    assert _pool(pool).allocated == D(250)
    change = AllocationChange.objects.filter(allocation__pool=pool).first()
    assert change.actor == programme_admin
    assert change.reason.startswith("Default grant of the new pool")
    # Editing the pool later grants nothing twice.
    pool.total = D(400)
    services.pool_save(pool=pool, actor=programme_admin)
    assert Allocation.objects.filter(pool=pool).count() == 3
    assert _pool(pool).allocated == D(250)


def test_a_new_pool_of_a_cohort_without_participants_grants_nothing(cohort, programme_admin):
    resource = ResourceTypeFactory(programme=cohort.programme, slug="a100")
    pool = ResourcePool(
        cohort=cohort,
        resource=resource,
        total=D(250),
        default_grant=D(100),
        valid_from=timezone.localdate(),
        valid_until=timezone.localdate() + datetime.timedelta(days=90),
    )
    services.pool_save(pool=pool, actor=programme_admin)
    assert not Allocation.objects.filter(pool=pool).exists()
    assert _pool(pool).allocated == D(0)


# --- integration tokens ----------------------------------------------------------------------


def test_token_create_stores_only_a_hash(programme, gpu, programme_admin):
    token, secret = services.token_create(
        programme=programme, name=" Meridian ", resources=[gpu.resource], actor=programme_admin
    )
    assert secret.startswith(f"clk_{token.prefix}_")
    assert len(secret) > 40
    stored = IntegrationToken.objects.filter(pk=token.pk).values().get()
    assert stored["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert all(secret not in str(value) for value in stored.values())
    assert stored["name"] == "Meridian"
    assert list(token.resources.all()) == [gpu.resource]
    assert AuditEntry.objects.filter(action="compute.token_create").count() == 1


def test_token_authenticate(programme, gpu, programme_admin):
    token, secret = services.token_create(
        programme=programme, name="Meridian", resources=[gpu.resource], actor=programme_admin
    )
    assert services.token_authenticate(secret) == token
    assert IntegrationToken.objects.get(pk=token.pk).last_used_at is not None
    wrong = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    for attempt in (wrong, "", "clk_", f"clk_{token.prefix}", "Bearer " + secret, secret + "x"):
        assert services.token_authenticate(attempt) is None, attempt


def test_token_revoked_no_longer_authenticates(programme, gpu, programme_admin):
    token, secret = services.token_create(
        programme=programme, name="Meridian", resources=[gpu.resource], actor=programme_admin
    )
    services.token_revoke(token=token, actor=programme_admin)
    services.token_revoke(token=IntegrationToken.objects.get(pk=token.pk), actor=programme_admin)
    assert services.token_authenticate(secret) is None
    assert IntegrationToken.objects.get(pk=token.pk).revoked_at is not None
    assert AuditEntry.objects.filter(action="compute.token_revoke").count() == 1


# --- usage ingestion -------------------------------------------------------------------------


def _token(programme, *pools):
    token, _secret = services.token_create(
        programme=programme,
        name="Provider",
        resources=[pool.resource for pool in pools],
        actor=None,
    )
    return token


def _record(event_id, who, resource="gpu-h100", amount="1", at=None):
    at = at or timezone.now() - datetime.timedelta(hours=1)
    return {
        "event_id": event_id,
        "participant": who,
        "resource": resource,
        "amount": amount,
        "occurred_at": at.isoformat(),
    }


def _outcomes(result):
    return [(r.event_id, r.outcome, r.reason) for r in result.results]


def test_usage_ingest_accepts_and_adds_up(programme, gpu, allocation):
    token = _token(programme, gpu)
    result = services.usage_ingest(
        token=token,
        records=[
            _record("e1", allocation.user.email.upper(), amount="2.5"),
            _record("e2", str(allocation.participant_id), amount=4),
        ],
    )
    assert _outcomes(result) == [
        ("e1", UsageOutcome.ACCEPTED, ""),
        ("e2", UsageOutcome.ACCEPTED, ""),
    ]
    assert result.count(UsageOutcome.ACCEPTED) == 2
    assert _fresh(allocation).used == D("6.5")
    assert list(UsageRecord.objects.values_list("event_id", "amount", "source", "token")) == [
        ("e1", D("2.5"), "api", token.pk),
        ("e2", D(4), "api", token.pk),
    ]


def test_usage_ingest_counts_an_event_once(programme, gpu, allocation):
    token = _token(programme, gpu)
    email = allocation.user.email
    first = services.usage_ingest(
        token=token, records=[_record("e1", email, amount=3), _record("e1", email, amount=3)]
    )
    assert [r.outcome for r in first.results] == [UsageOutcome.ACCEPTED, UsageOutcome.DUPLICATE]
    again = services.usage_ingest(
        token=token, records=[_record("e1", email, amount=3), _record("e2", email, amount=1)]
    )
    assert [r.outcome for r in again.results] == [UsageOutcome.DUPLICATE, UsageOutcome.ACCEPTED]
    assert _fresh(allocation).used == D(4)
    # Event ids are the integration's own: another integration may use the same one.
    other = _token(programme, gpu)
    assert (
        services.usage_ingest(token=other, records=[_record("e1", email)]).count(
            UsageOutcome.ACCEPTED
        )
        == 1
    )
    assert _fresh(allocation).used == D(5)


def test_usage_ingest_rejects_each_bad_record_with_its_reason(
    programme, other_programme, cohort, gpu, llm, allocation
):
    token = _token(programme, gpu)  # not llm
    email = allocation.user.email
    stranger = AllocationFactory(pool=ResourcePoolFactory(cohort__programme=other_programme))
    late_pool = ResourcePoolFactory(
        cohort=cohort,
        resource__slug="a100",
        valid_from=timezone.localdate() + datetime.timedelta(days=10),
        valid_until=timezone.localdate() + datetime.timedelta(days=100),
    )
    late = AllocationFactory(pool=late_pool, participant=allocation.participant)
    token.resources.add(late_pool.resource)
    long_ago = timezone.now() - datetime.timedelta(days=2)
    records = [
        "not a record",
        _record("", email),
        _record("x" * 201, email),
        _record("r3", ""),
        _record("r4", email, resource="qwen-max"),
        _record("r5", email, resource="nope"),
        _record("r6", email, amount="lots"),
        _record("r7", email, amount="NaN"),
        _record("r8", email, amount="-1"),
        {**_record("r9", email), "occurred_at": "yesterday"},
        _record("r10", email, at=timezone.now() + datetime.timedelta(hours=1)),
        _record("r11", "nobody@example.com"),
        _record("r12", stranger.user.email),
        _record("r13", late.user.email, resource="a100", at=long_ago),
        _record("r14\x00", email),
        _record("r15", email, amount=str(services.MAX_USAGE_AMOUNT + 1)),
        _record("ok", email, amount="2"),
    ]
    result = services.usage_ingest(token=token, records=records)
    assert [(r.index, r.outcome, r.reason) for r in result.results] == [
        (0, "rejected", "not an object"),
        (1, "rejected", "event_id is missing or longer than 200 characters"),
        (2, "rejected", "event_id is missing or longer than 200 characters"),
        (3, "rejected", "participant is missing"),
        (4, "rejected", "resource outside this token's scope"),
        (5, "rejected", "unknown resource"),
        (6, "rejected", "amount is not a number"),
        (7, "rejected", "amount is not a number"),
        (8, "rejected", "amount is negative"),
        (9, "rejected", "occurred_at is not an ISO 8601 time"),
        (10, "rejected", "occurred_at is in the future"),
        (11, "rejected", "unknown participant for this resource"),
        (12, "rejected", "unknown participant for this resource"),
        (13, "rejected", "occurred_at is before the pool starts"),
        (14, "rejected", "a field contains a NUL character"),
        (15, "rejected", "amount is larger than 100,000,000,000"),
        (16, "accepted", ""),
    ]
    assert list(UsageRecord.objects.values_list("event_id", flat=True)) == ["ok"]
    assert _fresh(allocation).used == D(2)
    assert _fresh(stranger).used == 0


@pytest.mark.parametrize(
    ("cohort_tz", "utc_day", "utc_time", "outcome"),
    [
        # 23:30 UTC on the eve is 07:30 on the first day in Singapore: in the pool.
        ("Asia/Singapore", -1, datetime.time(23, 30), UsageOutcome.ACCEPTED),
        # 15:30 UTC on the eve is 23:30 on the eve in Singapore: before it.
        ("Asia/Singapore", -1, datetime.time(15, 30), UsageOutcome.REJECTED),
        # 03:00 UTC on the first day is 22:00 on the eve in New York; 06:00 is 01:00.
        ("America/New_York", 0, datetime.time(3, 0), UsageOutcome.REJECTED),
        ("America/New_York", 0, datetime.time(6, 0), UsageOutcome.ACCEPTED),
    ],
)
def test_usage_ingest_judges_the_pool_start_on_the_cohorts_clock(
    programme, cohort, allocation, cohort_tz, utc_day, utc_time, outcome
):
    cohort.timezone = cohort_tz
    cohort.save(update_fields=["timezone"])
    pool = allocation.pool
    # In December: Singapore is UTC+8, New York UTC-5.
    pool.valid_from = datetime.date(timezone.localdate().year - 1, 12, 7)
    pool.save(update_fields=["valid_from"])
    day = pool.valid_from + datetime.timedelta(days=utc_day)
    at = datetime.datetime.combine(day, utc_time, tzinfo=datetime.UTC)
    result = services.usage_ingest(
        token=_token(programme, pool), records=[_record("edge", allocation.user.email, at=at)]
    )
    assert [(r.outcome, r.reason) for r in result.results] == [
        (
            outcome,
            "" if outcome == UsageOutcome.ACCEPTED else "occurred_at is before the pool starts",
        )
    ]


def test_usage_ingest_of_a_level_keeps_the_latest_reading(programme, storage):
    allocation = AllocationFactory(pool=storage, limit=D(200))
    token = _token(programme, storage)
    now = timezone.now()
    email = allocation.user.email
    services.usage_ingest(
        token=token,
        records=[
            _record("s2", email, "storage", "120", now - datetime.timedelta(hours=1)),
            _record("s1", email, "storage", "90", now - datetime.timedelta(hours=3)),
        ],
    )
    allocation = _fresh(allocation)
    assert allocation.used == D(120)
    assert allocation.level_at == now - datetime.timedelta(hours=1)
    # A reading older than the one held is recorded but does not replace it.
    older = services.usage_ingest(
        token=token,
        records=[_record("s0", email, "storage", "10", now - datetime.timedelta(hours=2))],
    )
    assert older.count(UsageOutcome.ACCEPTED) == 1
    assert _fresh(allocation).used == D(120)
    newer = _record("s3", email, "storage", "60", now - datetime.timedelta(minutes=5))
    services.usage_ingest(token=token, records=[newer])
    assert _fresh(allocation).used == D(60)
    assert UsageRecord.objects.filter(allocation=allocation).count() == 4


def _threshold_notes(user):
    return list(
        Notification.objects.filter(recipient=user, kind="compute.threshold")
        .order_by("id")
        .values_list("text", flat=True)
    )


def test_usage_thresholds_notify_once_each(programme, gpu, allocation):
    token = _token(programme, gpu)
    email = allocation.user.email

    def send(event_id, amount):
        services.usage_ingest(token=token, records=[_record(event_id, email, amount=amount)])

    send("a", "79.99")
    assert _threshold_notes(allocation.user) == []
    send("b", "0.01")  # exactly 80 %
    assert _threshold_notes(allocation.user) == [
        "You have used 80 of your 100 GPU hours of H100 GPU hours (80 %)."
    ]
    assert _fresh(allocation).notified_80_at is not None
    send("c", "5")
    send("d", "14.99")
    assert len(_threshold_notes(allocation.user)) == 1
    send("e", "0.01")  # exactly 100 %
    send("f", "30")
    assert _threshold_notes(allocation.user) == [
        "You have used 80 of your 100 GPU hours of H100 GPU hours (80 %).",
        "You have used 100 of your 100 GPU hours of H100 GPU hours (100 %).",
    ]
    assert _fresh(allocation).used == D(130)


def test_usage_reaching_100_at_once_sends_one_message(programme, gpu, allocation):
    token = _token(programme, gpu)
    services.usage_ingest(
        token=token, records=[_record("big", allocation.user.email, amount="120")]
    )
    assert _threshold_notes(allocation.user) == [
        "You have used 120 of your 100 GPU hours of H100 GPU hours (100 %)."
    ]
    allocation = _fresh(allocation)
    assert allocation.notified_80_at is not None and allocation.notified_100_at is not None
    services.usage_ingest(token=token, records=[_record("more", allocation.user.email)])
    assert len(_threshold_notes(allocation.user)) == 1


def test_usage_of_a_level_notifies_once_even_when_it_goes_down_and_up(programme, storage):
    allocation = AllocationFactory(pool=storage, limit=D(200))
    token = _token(programme, storage)
    now = timezone.now()
    for n, gb in enumerate(["170", "20", "180"]):
        at = now - datetime.timedelta(hours=3 - n)
        services.usage_ingest(
            token=token, records=[_record(f"s{n}", allocation.user.email, "storage", gb, at)]
        )
    assert len(_threshold_notes(allocation.user)) == 1


def test_usage_record_manual_counts_like_the_api(gpu, allocation):
    services.usage_record_manual(
        allocation=allocation,
        amount=D(85),
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
        event_id="manual-1",
    )
    assert _fresh(allocation).used == D(85)
    assert UsageRecord.objects.get().source == "manual"
    assert len(_threshold_notes(allocation.user)) == 1


def test_usage_record_bulk_writes_many_and_notifies_thresholds(gpu, storage):
    hours = AllocationFactory(pool=gpu, limit=D(100))
    level = AllocationFactory(pool=storage, limit=D(200), participant=hours.participant)
    now = timezone.now()
    rows = [
        UsageRecord(
            allocation=hours,
            event_id=f"h{n}",
            amount=D(30),
            occurred_at=now - datetime.timedelta(days=n),
            source="demo",
        )
        for n in range(1, 4)
    ] + [
        UsageRecord(
            allocation=level,
            event_id=f"g{n}",
            amount=D(50 * n),
            occurred_at=now - datetime.timedelta(days=5 - n),
            source="demo",
        )
        for n in range(1, 4)
    ]
    assert services.usage_record_bulk(rows=rows) == 6
    assert (_fresh(hours).used, _fresh(level).used) == (D(90), D(150))
    assert UsageRecord.objects.count() == 6
    assert _threshold_notes(hours.user) == [
        "You have used 90 of your 100 GPU hours of H100 GPU hours (80 %)."
    ]


def test_parse_usage_csv_needs_every_column():
    text = "event_id,participant,resource,amount,occurred_at\ne1,a@example.com,gpu,1,2026-01-01\n"
    assert services.parse_usage_csv(text) == [
        {
            "event_id": "e1",
            "participant": "a@example.com",
            "resource": "gpu",
            "amount": "1",
            "occurred_at": "2026-01-01",
        }
    ]
    with pytest.raises(ValueError, match="needs the columns"):
        services.parse_usage_csv("event_id,participant,amount\ne1,a,1\n")


# --- the pool's counter under concurrency ----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_admins_racing_for_the_last_units_never_overallocate(programme_admin):
    """20 allocations hold 800 of 1,000; twenty admins each add 15 at the same moment. 195 of
    the 200 left can be given: exactly 13 succeed, 7 are told what is left, nothing more."""
    pool = ResourcePoolFactory(total=D(1000), default_grant=D(0), resource__slug="gpu-h100")
    allocations = [AllocationFactory(pool=pool, limit=D(40)) for _ in range(20)]
    assert _pool(pool).allocated == D(800)
    barrier = threading.Barrier(len(allocations))
    outcomes: list[str] = []
    lock = threading.Lock()

    def adjust(allocation):
        try:
            barrier.wait()
            services.allocation_adjust(
                allocation=allocation,
                mode="add",
                amount=D(15),
                reason="Hackathon",
                actor=programme_admin,
            )
            outcome = "ok"
        except services.ComputeError as exc:
            outcome = str(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=adjust, args=(a,)) for a in allocations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (
        sorted(outcomes)
        == ["The pool has only 5 GPU hours left; 15 were asked for."] * 7 + ["ok"] * 13
    )
    pool = _pool(pool)
    assert pool.allocated == D(995) <= pool.total
    limits = sorted(Allocation.objects.filter(pool=pool).values_list("limit", flat=True))
    assert limits == [D(40)] * 7 + [D(55)] * 13
    assert sum(limits) == pool.allocated
    assert AllocationChange.objects.filter(kind=ChangeKind.ADD).count() == 13
