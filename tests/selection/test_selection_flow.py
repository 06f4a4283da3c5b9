import datetime

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from applications import services as application_services
from applications import signals as application_signals
from applications.enums import ApplicationStatus
from applications.models import Application
from core.models import AuditEntry
from notifications.enums import EmailStatus
from notifications.models import EmailMessage
from selection import selectors
from selection import services as selection_services
from selection import signals as selection_signals
from selection.enums import OfferStatus, RunStatus
from selection.models import Offer, Participant, Quota, SelectionRun
from tests.factories import ApplicationFactory, CohortFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(programme):
    return CohortFactory(
        programme=programme, slug="main", name="Main intake", capacity=3, offer_validity_days=7
    )


def commit_now(*, run, actor):
    """Ask for the commit and run the background part at once, as a worker would."""
    selection_services.selection_run_commit(run=run, actor=actor)
    counts = selection_services.selection_commit_execute(run_id=run.pk)
    if counts is None:
        run = SelectionRun.objects.get(pk=run.pk)
        if run.status != RunStatus.COMMITTED:  # not already done by the eager task
            raise selection_services.SelectionError(run.error or "commit did nothing")
    return counts


def _pool(cohort, specs):
    """specs: (name, score, job_level)"""
    return [
        ApplicationFactory(
            cohort=cohort,
            full_name=name,
            raw_score=score,
            normalized_score=score,
            review_count=2,
            job_level=level,
            status=ApplicationStatus.IN_REVIEW,
        )
        for name, score, level in specs
    ]


SPECS = [
    ("A", 4.9, "manager"),
    ("B", 4.8, "manager"),
    ("C", 4.7, "manager"),
    ("D", 3.0, "frontline"),
    ("E", 2.5, "frontline"),
    ("F", 2.0, "manager"),
]


def _run(cohort, admin, seats=3, django_capture_on_commit_callbacks=None):
    run = selection_services.selection_run_start(
        cohort=cohort, author=admin, score_kind="raw", seats=seats, min_reviews=1
    )
    return selection_services.selection_run_execute(run_id=run.pk) or SelectionRun.objects.get(
        pk=run.pk
    )


def test_run_without_quotas_takes_the_top_scores(cohort, programme_admin):
    apps = _pool(cohort, SPECS)
    run = _run(cohort, programme_admin)
    assert run.status == RunStatus.DONE and run.result_status == "optimal"
    assert run.selected == [apps[0].pk, apps[1].pk, apps[2].pk]
    assert run.waitlist[:2] == [apps[3].pk, apps[4].pk]
    assert selectors.run_summary(run)["cutoff"] == pytest.approx(4.7)


def test_quota_changes_the_choice_and_is_explained(cohort, programme_admin):
    apps = _pool(cohort, SPECS)
    Quota.objects.create(
        cohort=cohort, name="Frontline", attribute="job_level", values=["frontline"], min_percent=60
    )
    run = _run(cohort, programme_admin)
    assert set(run.selected) == {apps[0].pk, apps[3].pk, apps[4].pk}
    assert run.binding == ["Frontline"]
    assert "to meet the minimum of “Frontline”" in selectors.explain(run, apps[4])
    assert "Selected on score: rank 1" in selectors.explain(run, apps[0])
    assert "Waitlisted at position 1" in selectors.explain(run, apps[1])
    outsider = ApplicationFactory(cohort=cohort, status=ApplicationStatus.IN_REVIEW, raw_score=None)
    assert selectors.explain(run, outsider).startswith("Not considered")


def test_infeasible_quota_is_reported_with_numbers(cohort, programme_admin):
    _pool(cohort, SPECS)
    Quota.objects.create(
        cohort=cohort, name="Union", attribute="is_union_member", values=["no"], min_percent=100
    )
    run = _run(cohort, programme_admin)
    assert run.result_status == "infeasible"
    assert "Union" in run.conflict


def test_compare_runs(cohort, programme_admin):
    apps = _pool(cohort, SPECS)
    first = _run(cohort, programme_admin)
    Quota.objects.create(
        cohort=cohort, name="Frontline", attribute="job_level", values=["frontline"], min_percent=60
    )
    second = _run(cohort, programme_admin)
    diff = selectors.compare_runs(first, second)
    assert {pk for pk, _, _ in diff["ins"]} == {apps[3].pk, apps[4].pk}
    assert {pk for pk, _, _ in diff["outs"]} == {apps[1].pk, apps[2].pk}
    assert diff["same"] == 1


def test_commit_makes_offers_waitlist_and_staged_letters(cohort, programme_admin):
    apps = _pool(cohort, SPECS)
    other = ApplicationFactory(cohort=cohort, status=ApplicationStatus.SUBMITTED, raw_score=None)
    run = _run(cohort, programme_admin)
    counts = commit_now(run=run, actor=programme_admin)
    assert counts == {"offered": 3, "waitlisted": 3, "not_selected": 1}
    assert Offer.objects.filter(status=OfferStatus.OPEN).count() == 3
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses[apps[0].pk] == ApplicationStatus.OFFERED
    assert statuses[apps[3].pk] == ApplicationStatus.WAITLISTED
    assert statuses[other.pk] == ApplicationStatus.NOT_SELECTED
    assert Application.objects.get(pk=apps[3].pk).waitlist_rank == 1
    letters = EmailMessage.objects.filter(scope=cohort.programme.notification_scope)
    assert letters.filter(status=EmailStatus.STAGED).count() == 7
    assert sorted(set(letters.values_list("kind", flat=True))) == [
        "selection.not_selected",
        "selection.offer",
        "selection.waitlisted",
    ]
    run.refresh_from_db()
    assert run.status == RunStatus.COMMITTED
    with pytest.raises(selection_services.SelectionError, match="already been committed"):
        commit_now(run=_run(cohort, programme_admin), actor=programme_admin)


def _committed(cohort, admin, specs=SPECS, quota=None):
    apps = _pool(cohort, specs)
    if quota:
        Quota.objects.create(cohort=cohort, **quota)
    commit_now(run=_run(cohort, admin, seats=min(3, cohort.capacity)), actor=admin)
    selection_services.decisions_release(cohort=cohort, actor=admin)
    cohort.refresh_from_db()
    return apps


def test_accept_makes_a_participant(cohort, programme_admin):
    apps = _committed(cohort, programme_admin)
    offer = Offer.objects.get(application=apps[0])
    participant = selection_services.offer_accept(offer=offer, user=apps[0].applicant)
    assert isinstance(participant, Participant)
    assert Application.objects.get(pk=apps[0].pk).status == ApplicationStatus.ACCEPTED
    with pytest.raises(selection_services.SelectionError, match="accepted"):
        selection_services.offer_accept(offer=offer, user=apps[0].applicant)


def test_decline_promotes_the_best_waitlisted(
    cohort, programme_admin, django_capture_on_commit_callbacks
):
    apps = _committed(cohort, programme_admin)
    selection_services.offer_decline(
        offer=Offer.objects.get(application=apps[1]), user=apps[1].applicant, reason="New job"
    )
    promoted = Offer.objects.get(application=apps[3])
    assert promoted.is_promotion and promoted.status == OfferStatus.OPEN
    assert selection_services.seats_taken(cohort) == 3


def test_promotion_respects_quota_maximum(cohort, programme_admin):
    quota = {"name": "Managers", "attribute": "job_level", "values": ["manager"], "max_percent": 67}
    specs = [
        ("A", 4.9, "manager"),
        ("B", 4.8, "manager"),
        ("D", 4.0, "frontline"),
        ("F", 3.9, "manager"),
        ("E", 2.0, "frontline"),
    ]
    apps = _committed(cohort, programme_admin, specs, quota)
    selection_services.offer_decline(
        offer=Offer.objects.get(application=apps[2]), user=apps[2].applicant
    )
    # F is first on the waitlist but a third manager would break the maximum: E gets the seat.
    assert Offer.objects.filter(application=apps[4], status=OfferStatus.OPEN).exists()
    assert not Offer.objects.filter(application=apps[3]).exists()


def test_paused_waitlist_does_not_promote_but_manual_does(cohort, programme_admin):
    apps = _committed(cohort, programme_admin)
    selection_services.waitlist_set_paused(cohort=cohort, paused=True, actor=programme_admin)
    cohort.refresh_from_db()
    selection_services.offer_decline(
        offer=Offer.objects.get(application=apps[0]), user=apps[0].applicant
    )
    assert selection_services.seats_taken(cohort) == 2
    selection_services.waitlist_promote(
        cohort=cohort, actor=programme_admin, application=Application.objects.get(pk=apps[4].pk)
    )
    assert Offer.objects.filter(application=apps[4], status=OfferStatus.OPEN).exists()
    with pytest.raises(selection_services.SelectionError, match="Every seat is taken"):
        selection_services.waitlist_promote(
            cohort=cohort, actor=programme_admin, application=Application.objects.get(pk=apps[3].pk)
        )


def test_expiry_and_reminder(cohort, programme_admin):
    apps = _committed(cohort, programme_admin)
    offer = Offer.objects.get(application=apps[0])
    with time_machine.travel(offer.expires_at - datetime.timedelta(hours=47)):
        assert selection_services.offer_reminders() == 3
        assert selection_services.offer_reminders() == 0
    with time_machine.travel(offer.expires_at + datetime.timedelta(minutes=1)):
        assert selection_services.offers_expire() == 3
        with pytest.raises(selection_services.SelectionError):
            selection_services.offer_accept(
                offer=Offer.objects.get(application=apps[3]), user=apps[3].applicant
            ) if False else selection_services.offer_accept(offer=offer, user=apps[0].applicant)
    assert Application.objects.get(pk=apps[0].pk).status == ApplicationStatus.EXPIRED
    assert Offer.objects.filter(status=OfferStatus.OPEN, is_promotion=True).count() == 3


def test_someone_elses_offer_cannot_be_accepted(cohort, programme_admin, outsider):
    apps = _committed(cohort, programme_admin)
    with pytest.raises(selection_services.SelectionError, match="not yours"):
        selection_services.offer_accept(offer=Offer.objects.get(application=apps[0]), user=outsider)


# --- views --------------------------------------------------------------------------------------


def test_selection_pages_for_admin(
    client, cohort, programme_admin, programme, django_capture_on_commit_callbacks
):
    _pool(cohort, SPECS)
    client.force_login(programme_admin)
    home = reverse("selection:selection_home", args=[programme.slug, cohort.slug])
    assert client.get(home).status_code == 200
    response = client.post(
        home,
        {
            "quota": "",
            "name": "Frontline",
            "attribute": "job_level",
            "values": ["job_level:frontline"],
            "min_percent": "30",
        },
    )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            home, {"run": "", "score_kind": "raw", "seats": "3", "min_reviews": "1"}
        )
    run = SelectionRun.objects.get()
    assert run.number == 1
    assert response["Location"] == reverse(
        "selection:selection_run", args=[programme.slug, cohort.slug, 1]
    )
    page = client.get(response["Location"], {"applicant": "D"}).content.decode()
    assert "Composition against the quotas" in page and "D</span> (#" in page
    assert 'id="quota-chart"' in page and '"labels": ["Frontline"]' in page
    assert f"lottery seed {run.seed}" in page
    with django_capture_on_commit_callbacks(execute=True):
        commit = client.post(
            reverse("selection:selection_commit", args=[programme.slug, cohort.slug, 1])
        )
    body = client.get(commit["Location"]).content.decode()
    assert "Committing run 1" in body
    assert (
        '<span class="badge text-bg-success align-middle" data-testid="run-status">Committed</span>'
        in body
    )
    assert Offer.objects.filter(application__cohort=cohort).count() == 3
    assert (
        client.get(
            reverse("selection:selection_offers", args=[programme.slug, cohort.slug])
        ).status_code
        == 200
    )


def test_quota_form_bad_input(client, cohort, programme_admin, programme):
    client.force_login(programme_admin)
    home = reverse("selection:selection_home", args=[programme.slug, cohort.slug])
    response = client.post(
        home,
        {
            "quota": "",
            "name": "Odd",
            "attribute": "job_level",
            "values": ["sector:ict"],
            "min_percent": "50",
            "max_percent": "10",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Tick only values of the chosen attribute." in body
    assert "The maximum must not be below the minimum." in body
    assert 'value="Odd"' in body


def test_staff_see_offers_and_participants_but_change_nothing(
    client, cohort, programme, programme_admin, staff
):
    apps = _committed(cohort, programme_admin)
    client.force_login(staff)
    url = reverse("selection:selection_offers", args=[programme.slug, cohort.slug])
    body = client.get(url).content.decode()
    assert apps[0].full_name in body and "Offer a seat" not in body
    assert client.post(url, {"pause": ""}).status_code == 403


@pytest.mark.parametrize("persona", ["staff", "reviewer", "mentor"])
def test_selection_is_403_for_members(client, request, cohort, programme, persona):
    client.force_login(request.getfixturevalue(persona))
    assert (
        client.get(
            reverse("selection:selection_home", args=[programme.slug, cohort.slug])
        ).status_code
        == 403
    )


@pytest.mark.parametrize("persona", ["outsider", "applicant", "other_programme_admin"])
def test_selection_is_404_outside(client, request, cohort, programme, persona):
    client.force_login(request.getfixturevalue(persona))
    assert (
        client.get(
            reverse("selection:selection_offers", args=[programme.slug, cohort.slug])
        ).status_code
        == 404
    )


def test_applicant_accepts_and_declines_through_pages(client, cohort, programme_admin):
    apps = _committed(cohort, programme_admin)
    client.force_login(apps[0].applicant)
    detail = reverse("applications:detail", args=[apps[0].pk])
    assert "Accept the seat" in client.get(detail).content.decode()
    page = client.post(
        reverse("selection:offer_accept", args=[apps[0].pk]), follow=True
    ).content.decode()
    assert "You are now a participant" in page
    client.force_login(apps[1].applicant)
    client.post(reverse("selection:offer_decline", args=[apps[1].pk]), {"reason": "Moving abroad"})
    assert Offer.objects.get(application=apps[1]).decline_reason == "Moving abroad"
    client.force_login(apps[2].applicant)
    assert client.post(reverse("selection:offer_accept", args=[apps[0].pk])).status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_offers_page_query_count(
    client, cohort, programme_admin, programme, django_assert_num_queries, count
):
    specs = [(f"P{i}", 5 - i * 0.1, "manager") for i in range(count + 3)]
    cohort.capacity = count
    cohort.save()
    _committed(cohort, programme_admin, specs)
    client.force_login(programme_admin)
    # session, user, roles (with the authenticator), cohort, refresh, offers count + page, counts,
    # waitlist, participants + count, seats, committed run, navigation and bell
    with django_assert_num_queries(15):
        client.get(reverse("selection:selection_offers", args=[programme.slug, cohort.slug]))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_promotions_never_oversell(cohort, programme_admin):
    """Several workers promoting at once with one free seat: exactly one offer is made."""
    import threading

    from django.db import connection

    apps = _committed(cohort, programme_admin)
    selection_services.waitlist_set_paused(cohort=cohort, paused=True, actor=programme_admin)
    selection_services.offer_decline(
        offer=Offer.objects.get(application=apps[0]), user=apps[0].applicant
    )
    selection_services.waitlist_set_paused(cohort=cohort, paused=False, actor=programme_admin)
    barrier = threading.Barrier(4)

    def promote():
        try:
            barrier.wait()
            selection_services.waitlist_promote_all()
        finally:
            connection.close()

    threads = [threading.Thread(target=promote) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert selection_services.seats_taken(cohort) == cohort.capacity
    assert Offer.objects.filter(is_promotion=True).count() == 1
    # The one automatic promotion is in the programme's audit log, made by no one.
    promoted = AuditEntry.objects.filter(action="selection.promote", actor=None)
    assert [(e.programme_id, e.data) for e in promoted] == [
        (cohort.programme_id, {"offers": 1, "automatic": True})
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_keep_seats(cohort, programme_admin):
    import threading

    from django.db import connection

    apps = _committed(cohort, programme_admin)
    offers = list(Offer.objects.select_related("application__applicant"))
    barrier = threading.Barrier(len(offers))
    errors = []

    def accept(offer):
        try:
            barrier.wait()
            selection_services.offer_accept(offer=offer, user=offer.application.applicant)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(offer,)) for offer in offers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Participant.objects.filter(cohort=cohort).count() == 3
    assert selection_services.seats_taken(cohort) == cohort.capacity == 3
    assert len(apps) == 6


# --- defects found in review ---------------------------------------------------------------------


def test_withdrawing_an_offer_frees_the_seat_and_promotes(cohort, programme_admin):
    apps = _committed(cohort, programme_admin)
    application_services.application_withdraw(
        application=apps[0], actor=apps[0].applicant, reason="Moved abroad"
    )
    assert Offer.objects.get(application=apps[0]).status == OfferStatus.WITHDRAWN
    assert Offer.objects.filter(application=apps[3], status=OfferStatus.OPEN).exists()
    assert selection_services.seats_taken(cohort) == 3


def test_withdrawing_after_accepting_ends_the_participation(cohort, programme_admin):
    apps = _committed(cohort, programme_admin)
    selection_services.offer_accept(
        offer=Offer.objects.get(application=apps[0]), user=apps[0].applicant
    )
    application_services.application_withdraw(
        application=apps[0], actor=apps[0].applicant, reason=""
    )
    assert not Participant.objects.filter(application=apps[0]).exists()
    assert selection_services.seats_taken(cohort) == 3


def test_answering_a_withdrawn_offer_is_a_message_not_a_500(client, cohort, programme_admin):
    apps = _committed(cohort, programme_admin)
    Application.objects.filter(pk=apps[0].pk).update(status=ApplicationStatus.WITHDRAWN)
    client.force_login(apps[0].applicant)
    response = client.post(reverse("selection:offer_accept", args=[apps[0].pk]), follow=True)
    assert response.status_code == 200
    assert "no longer waiting for an answer" in response.content.decode()


def test_expiry_survives_a_withdrawn_application(cohort, programme_admin):
    apps = _committed(cohort, programme_admin)
    Application.objects.filter(pk=apps[0].pk).update(status=ApplicationStatus.WITHDRAWN)
    offer = Offer.objects.get(application=apps[0])
    with time_machine.travel(offer.expires_at + datetime.timedelta(minutes=1)):
        assert selection_services.offers_expire() == 2


def test_more_seats_than_free_is_refused(client, cohort, programme_admin, programme):
    _pool(cohort, SPECS)
    client.force_login(programme_admin)
    home = reverse("selection:selection_home", args=[programme.slug, cohort.slug])
    response = client.post(
        home, {"run": "", "score_kind": "raw", "seats": "50", "min_reviews": "1"}
    )
    assert response.status_code == 400
    assert "less than or equal to 3" in response.content.decode()
    run = selection_services.selection_run_start(
        cohort=cohort, author=programme_admin, score_kind="raw", seats=5, min_reviews=1
    )
    run = selection_services.selection_run_execute(run_id=run.pk)
    with pytest.raises(selection_services.SelectionError, match="only 3 are free"):
        commit_now(run=run, actor=programme_admin)


def test_promotion_never_exceeds_the_runs_seats(cohort, programme_admin):
    cohort.capacity = 5
    cohort.save()
    apps = _pool(cohort, SPECS)
    run = _run(cohort, programme_admin, seats=3)
    commit_now(run=run, actor=programme_admin)
    assert selection_services.waitlist_promote_all() == 0
    assert selection_services.seats_taken(cohort) == 3
    assert len(apps) == 6


def test_finished_run_progress_poll_refreshes_the_page(client, cohort, programme_admin, programme):
    _pool(cohort, SPECS)
    run = _run(cohort, programme_admin)
    client.force_login(programme_admin)
    url = reverse("selection:selection_run", args=[programme.slug, cohort.slug, run.number])
    response = client.get(url, {"part": "progress"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Refresh"] == "true"


def test_odd_digits_in_promote_are_not_a_500(client, cohort, programme_admin, programme):
    _committed(cohort, programme_admin)
    client.force_login(programme_admin)
    url = reverse("selection:selection_offers", args=[programme.slug, cohort.slug])
    assert client.post(url, {"promote": "²"}).status_code == 302


def test_decisions_stay_hidden_until_released(client, cohort, programme_admin, programme):
    apps = _pool(cohort, SPECS)
    commit_now(run=_run(cohort, programme_admin), actor=programme_admin)
    winner = apps[0]
    client.force_login(winner.applicant)
    body = client.get(reverse("applications:detail", args=[winner.pk])).content.decode()
    assert "In review" in body and "Accept the seat" not in body and "Offered" not in body
    with pytest.raises(selection_services.SelectionError, match="not open yet"):
        selection_services.offer_accept(
            offer=Offer.objects.get(application=winner), user=winner.applicant
        )
    client.force_login(programme_admin)
    offers_url = reverse("selection:selection_offers", args=[programme.slug, cohort.slug])
    page = client.post(offers_url, {"release": ""}, follow=True).content.decode()
    assert "6 decision letters are on their way" in page
    assert not EmailMessage.objects.filter(
        scope=programme.notification_scope, status=EmailStatus.STAGED
    ).exists()
    offer = Offer.objects.get(application=winner)
    assert offer.expires_at > timezone.now() + datetime.timedelta(days=6)
    client.force_login(winner.applicant)
    assert (
        "Accept the seat"
        in client.get(reverse("applications:detail", args=[winner.pk])).content.decode()
    )
    with pytest.raises(selection_services.SelectionError, match="already been released"):
        selection_services.decisions_release(cohort=cohort, actor=programme_admin)


# --- signals: upward news without imports --------------------------------------------------------


@pytest.fixture
def heard():
    """Connect a recording receiver to a signal for the test; returns what each sending said."""
    connected = []

    def listen(signal):
        calls = []

        def receiver(sender, **kwargs):
            calls.append({**kwargs, "in_transaction": connection.in_atomic_block})

        signal.connect(receiver, weak=False)
        connected.append((signal, receiver))
        return calls

    yield listen
    for signal, receiver in connected:
        signal.disconnect(receiver)


def test_accepting_an_offer_sends_participant_joined_once(cohort, programme_admin, heard):
    apps = _committed(cohort, programme_admin)
    joined, left = (
        heard(selection_signals.participant_joined),
        heard(selection_signals.participant_left),
    )

    participant = selection_services.offer_accept(
        offer=Offer.objects.get(application=apps[0]), user=apps[0].applicant
    )

    assert [call["participant"] for call in joined] == [participant]
    assert joined[0]["participant"].pk is not None
    assert joined[0]["participant"].user == apps[0].applicant
    assert joined[0]["in_transaction"]
    assert left == []


def test_withdrawing_an_accepted_application_sends_participant_left_once(
    cohort, programme_admin, heard
):
    apps = _committed(cohort, programme_admin)
    participant = selection_services.offer_accept(
        offer=Offer.objects.get(application=apps[0]), user=apps[0].applicant
    )
    joined, left = (
        heard(selection_signals.participant_joined),
        heard(selection_signals.participant_left),
    )
    withdrawn = heard(application_signals.application_withdrawn)

    application_services.application_withdraw(
        application=apps[0], actor=apps[0].applicant, reason=""
    )

    assert len(left) == 1
    assert left[0]["participant"].pk == participant.pk
    assert left[0]["participant"].application_id == apps[0].pk
    assert left[0]["in_transaction"]
    assert not Participant.objects.filter(pk=participant.pk).exists()
    # The freed seat went to the waitlist: an offer, not a participant.
    assert joined == []
    assert Offer.objects.filter(application=apps[3], status=OfferStatus.OPEN).exists()
    assert len(withdrawn) == 1
    assert withdrawn[0]["application"].pk == apps[0].pk
    assert withdrawn[0]["application"].status == ApplicationStatus.WITHDRAWN
    assert withdrawn[0]["previous_status"] == ApplicationStatus.ACCEPTED
    assert withdrawn[0]["cohort"] == cohort
    assert withdrawn[0]["in_transaction"]


def test_withdrawing_an_open_offer_sends_application_withdrawn_but_no_participant_left(
    cohort, programme_admin, heard
):
    apps = _committed(cohort, programme_admin)
    left, withdrawn = (
        heard(selection_signals.participant_left),
        heard(application_signals.application_withdrawn),
    )

    application_services.application_withdraw(
        application=apps[0], actor=apps[0].applicant, reason=""
    )

    assert left == []
    assert [(call["application"].pk, call["previous_status"]) for call in withdrawn] == [
        (apps[0].pk, ApplicationStatus.OFFERED)
    ]


def test_withdrawing_an_undecided_application_sends_application_withdrawn(cohort, heard):
    application = ApplicationFactory(cohort=cohort, status=ApplicationStatus.SUBMITTED)
    withdrawn = heard(application_signals.application_withdrawn)

    application_services.application_withdraw(
        application=application, actor=application.applicant, reason="Changed my mind"
    )

    assert [(call["application"].pk, call["previous_status"]) for call in withdrawn] == [
        (application.pk, ApplicationStatus.SUBMITTED)
    ]
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.WITHDRAWN
