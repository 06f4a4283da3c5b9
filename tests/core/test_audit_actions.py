"""Every sensitive change is audited where it is written, filed under its programme.

One test per action added to the trail: set-up edits (questions, eligibility rules, rubric,
quotas), compute allocation changes, outbox releases, role changes, staff opening an
application, and exports.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from applications import services as application_services
from cohorts import services as cohort_services
from cohorts.enums import QuestionType, RuleOperator
from compute import services as compute_services
from core.models import AuditEntry
from exports import services as export_services
from notifications import services as notification_services
from programmes import services as programme_services
from reviews import services as review_services
from reviews.models import ReviewCriterion
from selection import services as selection_services
from selection.models import Quota
from tests.factories import (
    AllocationFactory,
    ApplicationFactory,
    CohortFactory,
    EligibilityRuleFactory,
    QuestionFactory,
    QuotaFactory,
    ReviewCriterionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, slug="main", name="Main intake")


def _trail(**filters) -> list[tuple]:
    """(action, actor email, programme id, target type) of matching entries, oldest first."""
    return [
        (e.action, e.actor.email if e.actor else None, e.programme_id, e.target_type)
        for e in AuditEntry.objects.filter(**filters).select_related("actor").order_by("id")
    ]


def _data(action: str) -> list[dict]:
    return list(
        AuditEntry.objects.filter(action=action).order_by("id").values_list("data", flat=True)
    )


# --- application questions and eligibility rules --------------------------------------------


def test_question_edits_are_audited(cohort, programme_admin):
    question = cohort_services.question_save(
        question=QuestionFactory.build(cohort=cohort, key="motivation", position=0),
        choices=[],
        show_when=[],
        actor=programme_admin,
    )
    question.label = "Why now?"
    cohort_services.question_save(
        question=question, choices=[], show_when=[], actor=programme_admin
    )
    QuestionFactory(cohort=cohort, key="second")
    cohort_services.question_move(question=question, direction="down", actor=programme_admin)
    cohort_services.question_delete(question=question, actor=programme_admin)

    pid = cohort.programme_id
    who = "programme.admin@example.com"
    kind = "cohorts.applicationquestion"
    assert _trail(target_type=kind) == [
        ("cohorts.question_create", who, pid, kind),
        ("cohorts.question_update", who, pid, kind),
        ("cohorts.question_move", who, pid, kind),
        ("cohorts.question_delete", who, pid, kind),
    ]
    assert _data("cohorts.question_create") == [
        {"cohort": cohort.pk, "key": "motivation", "type": QuestionType.SHORT_TEXT}
    ]
    assert _data("cohorts.question_move") == [
        {"cohort": cohort.pk, "key": "motivation", "direction": "down"}
    ]


def test_question_move_that_moves_nothing_is_not_audited(cohort, programme_admin):
    only = QuestionFactory(cohort=cohort)
    cohort_services.question_move(question=only, direction="up", actor=programme_admin)
    assert not AuditEntry.objects.filter(action="cohorts.question_move").exists()


def test_eligibility_rule_edits_are_audited(cohort, programme_admin):
    rule = cohort_services.rule_create(
        cohort=cohort,
        attribute="residency",
        operator=RuleOperator.IN,
        values=["citizen"],
        message="Citizens only.",
        actor=programme_admin,
    )
    cohort_services.rule_delete(rule=rule, actor=programme_admin)

    pid = cohort.programme_id
    assert _trail(target_type="cohorts.eligibilityrule") == [
        ("cohorts.rule_create", "programme.admin@example.com", pid, "cohorts.eligibilityrule"),
        ("cohorts.rule_delete", "programme.admin@example.com", pid, "cohorts.eligibilityrule"),
    ]
    expected = {
        "cohort": cohort.pk,
        "attribute": "residency",
        "operator": RuleOperator.IN,
        "values": ["citizen"],
    }
    assert _data("cohorts.rule_create") == [expected]
    assert _data("cohorts.rule_delete") == [expected]


def test_rule_deleted_through_the_page_is_audited_with_its_actor(client, cohort, programme_admin):
    rule = EligibilityRuleFactory(cohort=cohort)
    client.force_login(programme_admin)
    client.post(reverse("cohorts:rule_delete", args=[cohort.programme.slug, cohort.slug, rule.pk]))
    entry = AuditEntry.objects.get(action="cohorts.rule_delete")
    assert (entry.actor, entry.target_id, entry.programme_id) == (
        programme_admin,
        str(rule.pk),
        cohort.programme_id,
    )
    assert entry.request_id  # written during the request


# --- rubric and quotas -------------------------------------------------------------------------


def test_rubric_edits_are_audited(cohort, programme_admin):
    criterion = review_services.criterion_save(
        criterion=ReviewCriterion(cohort=cohort, name="Motivation", weight=Decimal(2)),
        actor=programme_admin,
    )
    criterion.weight = Decimal(3)
    review_services.criterion_save(criterion=criterion, actor=programme_admin)
    review_services.criterion_delete(criterion=criterion, actor=programme_admin)

    pid = cohort.programme_id
    kind = "reviews.reviewcriterion"
    assert _trail(target_type=kind) == [
        ("reviews.criterion_create", "programme.admin@example.com", pid, kind),
        ("reviews.criterion_update", "programme.admin@example.com", pid, kind),
        ("reviews.criterion_delete", "programme.admin@example.com", pid, kind),
    ]
    assert [d["weight"] for d in _data("reviews.criterion_update")] == ["3"]


def test_refused_rubric_delete_leaves_no_entry(cohort, programme_admin):
    from tests.factories import ReviewAssignmentFactory, ReviewFactory

    criterion = ReviewCriterionFactory(cohort=cohort)
    assignment = ReviewAssignmentFactory(application__cohort=cohort)
    ReviewFactory(assignment=assignment, is_submitted=True)
    with pytest.raises(review_services.ReviewError):
        review_services.criterion_delete(criterion=criterion, actor=programme_admin)
    assert not AuditEntry.objects.filter(action="reviews.criterion_delete").exists()


def test_quota_edits_are_audited(cohort, programme_admin):
    quota = selection_services.quota_save(
        quota=Quota(
            cohort=cohort,
            name="Women",
            attribute="gender",
            values=["woman"],
            min_percent=Decimal(40),
        ),
        actor=programme_admin,
    )
    quota.max_percent = Decimal(60)
    selection_services.quota_save(quota=quota, actor=programme_admin)
    selection_services.quota_delete(quota=QuotaFactory(cohort=cohort), actor=programme_admin)

    pid = cohort.programme_id
    assert _trail(target_type="selection.quota") == [
        ("selection.quota_create", "programme.admin@example.com", pid, "selection.quota"),
        ("selection.quota_update", "programme.admin@example.com", pid, "selection.quota"),
        ("selection.quota_delete", "programme.admin@example.com", pid, "selection.quota"),
    ]
    assert _data("selection.quota_update") == [
        {
            "cohort": cohort.pk,
            "name": "Women",
            "attribute": "gender",
            "values": ["woman"],
            "min_percent": "40",
            "max_percent": "60",
        }
    ]


# --- compute allocations -------------------------------------------------------------------


def test_allocation_changes_are_audited(cohort, programme_admin):
    allocation = AllocationFactory(pool__cohort=cohort, limit=Decimal(100))
    compute_services.allocation_adjust(
        allocation=allocation,
        mode="add",
        amount=Decimal(50),
        reason="Capstone",
        actor=programme_admin,
    )
    compute_services.allocation_set_status(
        allocation=allocation, suspended=True, reason="Misuse", actor=programme_admin
    )
    # Suspending what is suspended changes nothing, and records nothing.
    compute_services.allocation_set_status(
        allocation=allocation, suspended=True, reason="Again", actor=programme_admin
    )
    compute_services.allocation_set_status(
        allocation=allocation, suspended=False, reason="Cleared", actor=programme_admin
    )

    pid = cohort.programme_id
    kind = "compute.allocation"
    assert _trail(target_type=kind) == [
        ("compute.allocation_adjust", "programme.admin@example.com", pid, kind),
        ("compute.allocation_suspend", "programme.admin@example.com", pid, kind),
        ("compute.allocation_resume", "programme.admin@example.com", pid, kind),
    ]
    slug = allocation.pool.resource.slug
    assert _data("compute.allocation_adjust") == [
        {
            "user": allocation.user_id,
            "resource": slug,
            "mode": "add",
            "delta": "50",
            "limit": "150",
            "reason": "Capstone",
        }
    ]
    assert _data("compute.allocation_suspend") == [
        {"user": allocation.user_id, "resource": slug, "reason": "Misuse"}
    ]


def test_refused_allocation_change_leaves_no_entry(cohort, programme_admin):
    allocation = AllocationFactory(
        pool__cohort=cohort, pool__total=Decimal(100), limit=Decimal(100)
    )
    with pytest.raises(compute_services.ComputeError):
        compute_services.allocation_adjust(
            allocation=allocation,
            mode="add",
            amount=Decimal(5000),
            reason="More",
            actor=programme_admin,
        )
    assert not AuditEntry.objects.filter(action="compute.allocation_adjust").exists()


# --- the programme: roles and outbox -------------------------------------------------------


def test_role_changes_are_filed_in_the_programme(programme, programme_admin):
    newcomer = UserFactory(email="newcomer@example.com")
    grant = programme_services.programme_role_grant(
        programme=programme, user=newcomer, role="reviewer", granted_by=programme_admin
    )
    programme_services.programme_role_revoke(grant=grant, revoked_by=programme_admin)

    pid = programme.pk
    assert _trail(action__startswith="programme_role.") == [
        ("programme_role.grant", "programme.admin@example.com", pid, "programmes.programme"),
        ("programme_role.revoke", "programme.admin@example.com", pid, "programmes.programme"),
    ]
    assert _data("programme_role.revoke") == [{"user": "newcomer@example.com", "role": "reviewer"}]


def test_outbox_release_is_audited(client, programme, programme_admin, staff):
    programme_services.programme_announcement_stage(
        programme=programme,
        sender=programme_admin,
        audience="team",
        subject="Kick-off",
        message="See you Monday.",
    )
    client.force_login(programme_admin)
    response = client.post(reverse("programmes:programme_outbox_release", args=[programme.slug]))

    assert response.status_code == 302
    [entry] = AuditEntry.objects.filter(action="programme.outbox_release")
    assert (entry.actor, entry.programme_id, entry.data) == (
        programme_admin,
        programme.pk,
        {"kind": "", "released": 2},
    )


def test_refused_outbox_release_leaves_no_entry(programme, programme_admin):
    with pytest.raises(notification_services.StagedReleaseError):
        programme_services.programme_outbox_release(
            programme=programme, actor=programme_admin, kind="selection.offer"
        )
    assert not AuditEntry.objects.filter(action="programme.outbox_release").exists()


# --- people's data: opening an application, exports ------------------------------------------


def test_staff_opening_an_application_is_audited(client, cohort, staff):
    application = ApplicationFactory(cohort=cohort)
    client.force_login(staff)
    url = reverse(
        "applications:cohort_application_detail",
        args=[cohort.programme.slug, cohort.slug, application.pk],
    )
    assert client.get(url).status_code == 200

    entry = AuditEntry.objects.get(action="applications.view")
    assert (entry.actor, entry.target_type, entry.target_id, entry.programme_id) == (
        staff,
        "applications.application",
        str(application.pk),
        cohort.programme_id,
    )


def test_applicant_reading_their_own_application_is_not_audited(cohort):
    application = ApplicationFactory(cohort=cohort)
    application_services.application_viewed(application=application, actor=application.applicant)
    assert not AuditEntry.objects.filter(action="applications.view").exists()


def test_outsider_refused_an_application_leaves_no_entry(client, cohort, outsider):
    application = ApplicationFactory(cohort=cohort)
    client.force_login(outsider)
    url = reverse(
        "applications:cohort_application_detail",
        args=[cohort.programme.slug, cohort.slug, application.pk],
    )
    assert client.get(url).status_code == 404
    assert not AuditEntry.objects.filter(action="applications.view").exists()


def test_large_export_is_audited_when_requested_and_when_downloaded(programme, staff):
    export = export_services.export_start(
        programme=programme,
        requested_by=staff,
        kind="applications",
        params={"cohort": "main", "filters": {}},
        fmt="csv",
        download_name="main.csv",
        rows_total=12,
    )
    export_services.export_downloaded(export=export, actor=staff)

    assert _trail(target_type="exports.export") == [
        ("exports.start", "staff@example.com", programme.pk, "exports.export"),
        ("exports.download", "staff@example.com", programme.pk, "exports.export"),
    ]
    assert _data("exports.start") == [{"kind": "applications", "format": "csv", "rows": 12}]


def test_every_export_is_filed_in_its_programme(programme, cohort, staff):
    application_services.applications_exported(cohort=cohort, actor=staff, fmt="xlsx", rows=3)
    compute_services.allocations_exported(programme=programme, actor=staff, rows=4)

    from courses import services as course_services
    from mentoring import services as mentoring_services

    mentoring_services.pairings_exported(programme=programme, actor=staff, rows=5)
    course_services.progress_exported(programme=programme, cohort=cohort, actor=staff, rows=6)

    assert [
        (action, programme_id)
        for action, _who, programme_id, _kind in _trail(action__endswith="export")
    ] == [
        ("applications.export", programme.pk),
        ("compute.allocations_export", programme.pk),
        ("mentoring.pairings_export", programme.pk),
        ("courses.progress_export", programme.pk),
    ]


def test_staff_reading_an_application_through_the_api_is_audited(client, cohort, staff):
    application = ApplicationFactory(cohort=cohort)
    client.force_login(staff)
    url = (
        f"/api/v1/programmes/{cohort.programme.slug}/cohorts/{cohort.slug}"
        f"/applications/{application.pk}"
    )
    assert client.get(url).status_code == 200

    entry = AuditEntry.objects.get(action="applications.view")
    assert (entry.actor, entry.target_id, entry.programme_id, entry.data) == (
        staff,
        str(application.pk),
        cohort.programme_id,
        {"via": "api"},
    )
