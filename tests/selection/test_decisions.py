"""Decisions that cannot go wrong: letters reach the right cohort with the right deadline, the
commit is set-based and runs in the background, stranded runs are taken up again, promotions
decide the quotas jointly, hidden decisions answer alike, and accept/withdraw cannot deadlock."""

import datetime
import re
import threading

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from applications import services as application_services
from applications.enums import ApplicationStatus
from applications.models import Application, ApplicationEvent
from notifications.enums import EmailStatus
from notifications.models import EmailMessage, Notification
from selection import selectors
from selection import services as selection_services
from selection.enums import OfferStatus, RunStatus
from selection.models import Offer, Quota, SelectionRun
from tests.factories import ApplicationFactory, CohortFactory

pytestmark = pytest.mark.django_db

SPECS = [
    ("A", 4.9, "manager"),
    ("B", 4.8, "manager"),
    ("C", 4.7, "manager"),
    ("D", 3.0, "frontline"),
    ("E", 2.5, "frontline"),
    ("F", 2.0, "manager"),
]


def _cohort(programme, slug, capacity=3, **extra):
    return CohortFactory(
        programme=programme,
        slug=slug,
        name=f"Intake {slug}",
        capacity=capacity,
        offer_validity_days=7,
        **extra,
    )


def _pool(cohort, specs=SPECS, status=ApplicationStatus.IN_REVIEW):
    return [
        ApplicationFactory(
            cohort=cohort,
            full_name=f"{name} {cohort.slug}",
            raw_score=score,
            normalized_score=score,
            review_count=2,
            job_level=level,
            status=status,
        )
        for name, score, level in specs
    ]


def _run(cohort, admin, seats=None, seed=None):
    run = selection_services.selection_run_start(
        cohort=cohort,
        author=admin,
        score_kind="raw",
        seats=seats or cohort.capacity,
        min_reviews=1,
        seed=seed,
    )
    return selection_services.selection_run_execute(run_id=run.pk) or SelectionRun.objects.get(
        pk=run.pk
    )


def _commit(cohort, admin, **run_args):
    run = _run(cohort, admin, **run_args)
    selection_services.selection_run_commit(run=run, actor=admin)
    selection_services.selection_commit_execute(run_id=run.pk)  # already done when on_commit ran it
    run.refresh_from_db()
    assert run.status == RunStatus.COMMITTED, run.error
    return run


def _letters(cohort, **filters):
    return EmailMessage.objects.filter(
        recipient__applications__cohort=cohort, kind__startswith="selection.", **filters
    )


# --- 1. Releasing one cohort sends only that cohort's letters ---------------------------------


def test_release_of_one_cohort_sends_only_its_letters(programme, programme_admin):
    a, b = _cohort(programme, "a"), _cohort(programme, "b")
    _pool(a), _pool(b)
    _commit(a, programme_admin)
    _commit(b, programme_admin)
    assert _letters(b, status=EmailStatus.STAGED).count() == 6

    selection_services.decisions_release(cohort=a, actor=programme_admin)

    assert _letters(a, status=EmailStatus.STAGED).count() == 0
    assert _letters(a).exclude(status=EmailStatus.STAGED).count() == 6
    assert _letters(b, status=EmailStatus.STAGED).count() == 6
    assert _letters(b).exclude(status=EmailStatus.STAGED).count() == 0
    assert not Notification.objects.filter(
        recipient__applications__cohort=b, kind__startswith="selection.", is_staged=False
    ).exists()


# --- 2. The letter states the deadline the offer really has -----------------------------------


def test_offer_letter_states_the_deadline_set_at_release(programme, programme_admin):
    cohort = _cohort(programme, "main", timezone="UTC")
    _pool(cohort)
    with time_machine.travel(datetime.datetime(2027, 3, 1, 9, tzinfo=datetime.UTC), tick=False):
        _commit(cohort, programme_admin)
    with time_machine.travel(datetime.datetime(2027, 3, 5, 9, tzinfo=datetime.UTC), tick=False):
        selection_services.decisions_release(cohort=cohort, actor=programme_admin)
    offers = Offer.objects.filter(application__cohort=cohort)
    assert {o.expires_at for o in offers} == {
        datetime.datetime(2027, 3, 12, 9, tzinfo=datetime.UTC)
    }
    letters = _letters(cohort, kind="selection.offer")
    assert letters.count() == 3
    for letter in letters:
        assert "12 March 2027, 09:00" in letter.body_text
        assert "8 March" not in letter.body_text
        assert letter.status != EmailStatus.STAGED


# --- 3. The outbox releases announcements only ---------------------------------------------------


def test_outbox_release_leaves_decision_letters_alone(client, programme, programme_admin):
    cohort = _cohort(programme, "main")
    _pool(cohort)
    _commit(cohort, programme_admin)
    client.force_login(programme_admin)
    response = client.post(reverse("programmes:programme_outbox_release", args=[programme.slug]))
    assert response.status_code == 302
    assert _letters(cohort, status=EmailStatus.STAGED).count() == 6
    cohort.refresh_from_db()
    assert cohort.decisions_released_at is None
    page = client.get(
        reverse("programmes:programme_outbox", args=[programme.slug])
    ).content.decode()
    assert 'data-testid="release"' not in page


def test_outbox_release_refuses_a_decision_kind(client, programme, programme_admin):
    cohort = _cohort(programme, "main")
    _pool(cohort)
    _commit(cohort, programme_admin)
    client.force_login(programme_admin)
    response = client.post(
        reverse("programmes:programme_outbox_release", args=[programme.slug]),
        {"kind": "selection.offer"},
        follow=True,
    )
    assert "released by the release of the cohort" in response.content.decode()
    assert _letters(cohort, status=EmailStatus.STAGED).count() == 6


def test_staff_cannot_release_staged_messages(client, programme, programme_admin, staff):
    cohort = _cohort(programme, "main")
    _pool(cohort)
    _commit(cohort, programme_admin)
    client.force_login(staff)
    response = client.post(reverse("programmes:programme_outbox_release", args=[programme.slug]))
    assert response.status_code == 403
    assert _letters(cohort, status=EmailStatus.STAGED).count() == 6


# --- 4. The commit: background, set-based, idempotent ----------------------------------------------


def test_commit_request_queues_and_execute_commits_once(programme, programme_admin):
    cohort = _cohort(programme, "main")
    apps = _pool(cohort)
    run = _run(cohort, programme_admin)
    selection_services.selection_run_commit(run=run, actor=programme_admin)
    run.refresh_from_db()
    assert run.status == RunStatus.COMMITTING
    assert not Offer.objects.exists()
    counts = selection_services.selection_commit_execute(run_id=run.pk)
    assert counts == {"offered": 3, "waitlisted": 3, "not_selected": 0}
    assert selection_services.selection_commit_execute(run_id=run.pk) is None  # a second delivery
    assert Offer.objects.count() == 3
    events = ApplicationEvent.objects.filter(application=apps[3])
    assert list(events.values_list("from_status", "to_status", "note")) == [
        (ApplicationStatus.IN_REVIEW, ApplicationStatus.WAITLISTED, "Waitlisted at position 1")
    ]
    assert events.get().actor == programme_admin
    run.refresh_from_db()
    assert run.status == RunStatus.COMMITTED and run.committed_by == programme_admin
    assert selection_services.commit_progress(run) == 100


def test_commit_moves_submitted_through_in_review_like_the_transition(programme, programme_admin):
    cohort = _cohort(programme, "main")
    (app,) = _pool(cohort, SPECS[:1], status=ApplicationStatus.SUBMITTED)
    _commit(cohort, programme_admin)
    assert list(
        ApplicationEvent.objects.filter(application=app).values_list("from_status", "to_status")
    ) == [
        (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW),
        (ApplicationStatus.IN_REVIEW, ApplicationStatus.OFFERED),
    ]


def _commit_queries(programme, admin, slug, n, django_assert_max_num_queries):
    cohort = _cohort(programme, slug, capacity=max(n // 3, 1))
    for i in range(n):
        ApplicationFactory(
            cohort=cohort,
            raw_score=i,
            normalized_score=i,
            review_count=2,
            status=ApplicationStatus.IN_REVIEW,
        )
    run = _run(cohort, admin)
    selection_services.selection_run_commit(run=run, actor=admin)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert selection_services.selection_commit_execute(run_id=run.pk) is not None
    return len(queries)


def test_commit_query_count_does_not_grow_with_the_cohort(
    programme, programme_admin, django_assert_max_num_queries
):
    small = _commit_queries(programme, programme_admin, "s", 6, django_assert_max_num_queries)
    large = _commit_queries(programme, programme_admin, "l", 60, django_assert_max_num_queries)
    assert large == small


def test_commit_failure_leaves_nothing_and_can_be_retried(programme, programme_admin, monkeypatch):
    cohort = _cohort(programme, "main")
    _pool(cohort)
    run = _run(cohort, programme_admin)
    selection_services.selection_run_commit(run=run, actor=programme_admin)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("selection.services._stage_letters", broken)
    assert selection_services.selection_commit_execute(run_id=run.pk) is None
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert "disk full" in run.error
    assert not Offer.objects.exists()
    assert not Application.objects.filter(status=ApplicationStatus.OFFERED).exists()
    monkeypatch.undo()
    selection_services.selection_run_commit(run=run, actor=programme_admin)
    assert selection_services.selection_commit_execute(run_id=run.pk) is not None
    assert Offer.objects.count() == 3


def test_commit_page_shows_progress_while_committing(client, programme, programme_admin):
    cohort = _cohort(programme, "main")
    _pool(cohort)
    run = _run(cohort, programme_admin)
    selection_services.selection_run_commit(run=run, actor=programme_admin)
    client.force_login(programme_admin)
    url = reverse("selection:selection_run", args=[programme.slug, cohort.slug, run.number])
    body = client.get(url).content.decode()
    assert "Committing: writing offers" in body and "<progress" in body
    part = client.get(url, {"part": "progress"}, HTTP_HX_REQUEST="true")
    assert "Committing" in part.content.decode()
    selection_services.selection_commit_execute(run_id=run.pk)
    done = client.get(url, {"part": "progress"}, HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"


def test_waitlist_length_sends_the_rest_to_not_selected(programme, programme_admin):
    cohort = _cohort(programme, "main", waitlist_length=1)
    apps = _pool(cohort)
    run = _commit(cohort, programme_admin)
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses[apps[3].pk] == ApplicationStatus.WAITLISTED
    assert statuses[apps[4].pk] == ApplicationStatus.NOT_SELECTED
    assert statuses[apps[5].pk] == ApplicationStatus.NOT_SELECTED
    run.refresh_from_db()
    assert "beyond the waitlist of 1" in selectors.explain(run, apps[4])


# --- 5. Stranded runs are taken up again ------------------------------------------------------------


def test_sweeper_reenqueues_a_run_whose_enqueue_failed(
    programme, programme_admin, monkeypatch, django_capture_on_commit_callbacks
):
    cohort = _cohort(programme, "main")
    _pool(cohort)
    monkeypatch.setattr("selection.services._enqueue_run", lambda run_id: None)
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=5)):
        run = selection_services.selection_run_start(
            cohort=cohort, author=programme_admin, score_kind="raw", seats=3, min_reviews=1
        )
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert selection_services.selection_runs_sweep() == 1  # eager Celery computes it at once
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert selection_services.selection_runs_sweep() == 0


def test_redelivered_task_reclaims_a_run_whose_worker_died(programme, programme_admin):
    cohort = _cohort(programme, "main")
    _pool(cohort)
    run = SelectionRun.objects.create(
        cohort=cohort,
        number=1,
        author=programme_admin,
        seats=3,
        min_reviews=1,
        score_kind="raw",
        status=RunStatus.RUNNING,
        claimed_at=timezone.now() - datetime.timedelta(hours=1),
        attempts=1,
    )
    assert selection_services.selection_run_execute(run_id=run.pk).status == RunStatus.DONE
    # A live worker's claim is respected.
    fresh = SelectionRun.objects.create(
        cohort=cohort,
        number=2,
        author=programme_admin,
        seats=3,
        min_reviews=1,
        status=RunStatus.RUNNING,
        claimed_at=timezone.now(),
    )
    assert selection_services.selection_run_execute(run_id=fresh.pk) is None


def test_sweeper_gives_up_after_three_attempts_and_admin_retries(
    client, programme, programme_admin
):
    cohort = _cohort(programme, "main")
    _pool(cohort)
    run = SelectionRun.objects.create(
        cohort=cohort,
        number=1,
        author=programme_admin,
        seats=3,
        min_reviews=1,
        score_kind="raw",
        status=RunStatus.RUNNING,
        claimed_at=timezone.now() - datetime.timedelta(hours=1),
        attempts=3,
    )
    selection_services.selection_runs_sweep()
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "stopped 3 times" in run.error
    client.force_login(programme_admin)
    url = reverse("selection:selection_run", args=[programme.slug, cohort.slug, 1])
    assert 'data-testid="retry-run"' in client.get(url).content.decode()
    client.post(reverse("selection:selection_retry", args=[programme.slug, cohort.slug, 1]))
    run.refresh_from_db()
    assert run.status in (RunStatus.QUEUED, RunStatus.DONE)


def test_sweeper_reclaims_a_stranded_commit(
    programme, programme_admin, monkeypatch, django_capture_on_commit_callbacks
):
    cohort = _cohort(programme, "main")
    _pool(cohort)
    run = _run(cohort, programme_admin)
    monkeypatch.setattr("selection.services._enqueue_commit", lambda run_id: None)
    selection_services.selection_run_commit(run=run, actor=programme_admin)
    monkeypatch.undo()
    SelectionRun.objects.filter(pk=run.pk).update(
        claimed_at=timezone.now() - datetime.timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert selection_services.selection_runs_sweep() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.COMMITTED
    assert Offer.objects.count() == 3


# --- 6. Promotions decide the quotas jointly ---------------------------------------------------------


def test_promotion_skips_someone_who_makes_two_minimums_impossible_together(
    programme, programme_admin
):
    cohort = _cohort(programme, "main", capacity=4)
    specs = [
        ("Top", 5.0, "manager", "no"),
        ("Two", 4.9, "frontline", "yes"),
        ("Three", 4.8, "frontline", "no"),
        ("Four", 4.7, "manager", "yes"),
        ("Waiting1", 4.6, "manager", "no"),  # counts towards neither minimum
        ("Waiting2", 4.5, "frontline", "yes"),
    ]
    apps = [
        ApplicationFactory(
            cohort=cohort,
            full_name=name,
            raw_score=score,
            normalized_score=score,
            review_count=2,
            job_level=level,
            is_union_member=union == "yes",
            status=ApplicationStatus.IN_REVIEW,
        )
        for name, score, level, union in specs
    ]
    Quota.objects.create(
        cohort=cohort, name="Frontline", attribute="job_level", values=["frontline"], min_percent=50
    )
    Quota.objects.create(
        cohort=cohort, name="Union", attribute="is_union_member", values=["yes"], min_percent=50
    )
    _commit(cohort, programme_admin)
    selection_services.decisions_release(cohort=cohort, actor=programme_admin)
    # "Two" (frontline and union) declines: both minimums now need the one free seat.
    two = Offer.objects.get(application=apps[1])
    selection_services.offer_decline(offer=two, user=apps[1].applicant)
    promoted = Offer.objects.get(is_promotion=True).application
    assert promoted.pk == apps[5].pk
    event = promoted.events.get(to_status=ApplicationStatus.OFFERED)
    assert "passed over" in event.note and "Frontline" in event.note


def test_promotion_is_not_blocked_by_a_minimum_already_out_of_reach(programme, programme_admin):
    cohort = _cohort(programme, "main", capacity=3)
    apps = _pool(
        cohort, [("A", 5, "manager"), ("B", 4, "manager"), ("C", 3, "manager"), ("D", 2, "manager")]
    )
    Quota.objects.create(
        cohort=cohort,
        name="Frontline",
        attribute="job_level",
        values=["manager"],
        max_percent=100,
    )
    _commit(cohort, programme_admin)
    Quota.objects.all().delete()
    # The run's quotas are what count: add an unreachable minimum to the committed run.
    run = SelectionRun.objects.get(status=RunStatus.COMMITTED)
    run.quotas = [
        {
            "name": "Frontline",
            "attribute": "job_level",
            "values": ["frontline"],
            "min_percent": "34",
            "max_percent": None,
        }
    ]
    run.save(update_fields=["quotas"])
    selection_services.decisions_release(cohort=cohort, actor=programme_admin)
    selection_services.offer_decline(
        offer=Offer.objects.get(application=apps[0]), user=apps[0].applicant
    )
    assert Offer.objects.get(is_promotion=True).application_id == apps[3].pk


# --- 9. Hidden decisions answer alike ------------------------------------------------------------------


def test_hidden_not_selected_can_withdraw_like_everyone(client, programme, programme_admin):
    cohort = _cohort(programme, "main", waitlist_length=0)
    apps = _pool(cohort)
    _commit(cohort, programme_admin)
    hidden = {a.pk: Application.objects.get(pk=a.pk).status for a in (apps[0], apps[3], apps[5])}
    assert set(hidden.values()) == {ApplicationStatus.OFFERED, ApplicationStatus.NOT_SELECTED}
    for app in (apps[0], apps[5]):
        client.force_login(app.applicant)
        page = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
        assert 'id="withdraw-heading"' in page
        assert "In review" in page
        response = client.post(
            reverse("applications:withdraw", args=[app.pk]), {"reason": ""}, follow=True
        )
        assert "Your application is withdrawn." in response.content.decode()
        assert Application.objects.get(pk=app.pk).status == ApplicationStatus.WITHDRAWN
    # Their unreleased letters are gone; nobody else's.
    assert not _letters(cohort, recipient=apps[5].applicant).exists()
    assert not _letters(cohort, recipient=apps[0].applicant, kind="selection.offer").exists()
    assert _letters(cohort, recipient=apps[1].applicant, status=EmailStatus.STAGED).count() == 1


def test_released_not_selected_cannot_withdraw(programme, programme_admin):
    cohort = _cohort(programme, "main", waitlist_length=0)
    apps = _pool(cohort)
    _commit(cohort, programme_admin)
    selection_services.decisions_release(cohort=cohort, actor=programme_admin)
    with pytest.raises(application_services.ApplicationError, match="not selected"):
        application_services.application_withdraw(
            application=apps[5], actor=apps[5].applicant, reason=""
        )


def test_promotion_before_release_stays_staged_and_replaces_the_waitlist_letter(
    programme, programme_admin
):
    cohort = _cohort(programme, "main")
    apps = _pool(cohort)
    _commit(cohort, programme_admin)
    application_services.application_withdraw(
        application=apps[0], actor=apps[0].applicant, reason=""
    )
    promoted = apps[3]
    assert Application.objects.get(pk=promoted.pk).status == ApplicationStatus.OFFERED
    assert list(_letters(cohort, recipient=promoted.applicant).values_list("kind", "status")) == [
        ("selection.offer", EmailStatus.STAGED)
    ]
    assert not Notification.objects.filter(
        recipient=promoted.applicant, kind__startswith="selection.", is_staged=False
    ).exists()
    selection_services.decisions_release(cohort=cohort, actor=programme_admin)
    sent = _letters(cohort, recipient=promoted.applicant)
    assert list(sent.values_list("kind", flat=True)) == ["selection.offer"]
    assert sent.get().status != EmailStatus.STAGED
    assert _letters(cohort, kind="selection.offer").count() == 3


# --- Smaller things -----------------------------------------------------------------------------


def test_runs_are_numbered_per_cohort_and_a_seed_reproduces_a_run(programme, programme_admin):
    a, b = _cohort(programme, "a"), _cohort(programme, "b")
    _pool(a), _pool(b)
    first_a = _run(a, programme_admin)
    first_b = _run(b, programme_admin)
    second_a = _run(a, programme_admin, seed=first_a.seed)
    assert (first_a.number, first_b.number, second_a.number) == (1, 1, 2)
    assert second_a.seed == first_a.seed
    assert second_a.selected == first_a.selected and second_a.waitlist == first_a.waitlist


def test_run_page_offers_to_start_with_the_same_seed(client, programme, programme_admin):
    cohort = _cohort(programme, "main")
    _pool(cohort)
    run = _run(cohort, programme_admin)
    client.force_login(programme_admin)
    page = client.get(
        reverse("selection:selection_run", args=[programme.slug, cohort.slug, 1])
    ).content.decode()
    assert f"lottery seed {run.seed}" in page
    home = client.get(
        reverse("selection:selection_home", args=[programme.slug, cohort.slug]),
        {"seed": str(run.seed)},
    ).content.decode()
    assert f'value="{run.seed}"' in home


def test_offers_page_hides_offer_a_seat_when_full_and_expiry_of_answered(
    client, programme, programme_admin
):
    cohort = _cohort(programme, "main")
    apps = _pool(cohort)
    _commit(cohort, programme_admin)
    selection_services.decisions_release(cohort=cohort, actor=programme_admin)
    selection_services.offer_accept(
        offer=Offer.objects.get(application=apps[0]), user=apps[0].applicant
    )
    client.force_login(programme_admin)
    body = client.get(
        reverse("selection:selection_offers", args=[programme.slug, cohort.slug])
    ).content.decode()
    assert "Offer a seat" not in body
    assert 'data-testid="no-free-seat"' in body
    accepted_expiry = Offer.objects.get(application=apps[0]).expires_at
    assert (
        body.count(accepted_expiry.astimezone(timezone.get_current_timezone()).strftime("%-d %b"))
        == 2
    )


def test_offers_pages_link_to_each_other_and_show_status_badges(
    client, programme, programme_admin, monkeypatch
):
    monkeypatch.setattr("selection.views.LIST_SIZE", 2)
    cohort = _cohort(programme, "main")
    apps = _pool(cohort)
    _commit(cohort, programme_admin)
    selection_services.decisions_release(cohort=cohort, actor=programme_admin)
    selection_services.offer_accept(
        offer=Offer.objects.get(application=apps[0]), user=apps[0].applicant
    )
    client.force_login(programme_admin)
    url = reverse("selection:selection_offers", args=[programme.slug, cohort.slug])

    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()

    assert 'href="?page=2" rel="next"' in first and "Page 1 of 2" in first
    assert 'href="?page=1" rel="prev"' in second and "Page 2 of 2" in second
    badges = re.findall(r'<span class="badge text-bg-(\w+)">(Open|Accepted)</span>', first + second)
    assert sorted(badges) == [("info", "Open"), ("info", "Open"), ("success", "Accepted")]


def test_destructive_forms_ask_for_confirmation(client, programme, programme_admin):
    cohort = _cohort(programme, "main")
    _pool(cohort)
    Quota.objects.create(
        cohort=cohort, name="Frontline", attribute="job_level", values=["frontline"], min_percent=10
    )
    run = _run(cohort, programme_admin)
    client.force_login(programme_admin)
    home = client.get(
        reverse("selection:selection_home", args=[programme.slug, cohort.slug])
    ).content.decode()
    assert 'data-confirm="Remove the quota “Frontline”?' in home
    run_page = client.get(
        reverse("selection:selection_run", args=[programme.slug, cohort.slug, 1])
    ).content.decode()
    assert 'data-confirm="Commit this run?' in run_page
    assert 'data-testid="commit-run">Commit: make offers' in run_page
    selection_services.selection_run_commit(run=run, actor=programme_admin)
    selection_services.selection_commit_execute(run_id=run.pk)
    offers = client.get(
        reverse("selection:selection_offers", args=[programme.slug, cohort.slug])
    ).content.decode()
    assert 'data-confirm="Release the decisions?' in offers
    assert 'name="release" data-testid="release-decisions"' in offers


def test_explanation_names_the_quota_that_kept_a_higher_score_out(programme, programme_admin):
    cohort = _cohort(programme, "main")
    apps = _pool(cohort)
    Quota.objects.create(
        cohort=cohort, name="Frontline", attribute="job_level", values=["frontline"], min_percent=60
    )
    run = _run(cohort, programme_admin)
    text = selectors.explain(run, apps[1])
    assert "minimum of “Frontline”" in text
    assert selectors.run_summary(run)["above_cutoff_waiting"] == 2


# --- 10. Accept and withdraw at the same moment -----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_accept_and_withdraw_at_once_do_not_deadlock(programme, programme_admin):
    """Eight offers, each accepted and withdrawn at the same moment by two threads."""
    cohort = _cohort(programme, "main", capacity=8)
    apps = _pool(cohort, [(f"P{i}", 5 - i / 10, "manager") for i in range(8)])
    _commit(cohort, programme_admin)
    selection_services.decisions_release(cohort=cohort, actor=programme_admin)
    errors = []
    for app in apps:
        app.refresh_from_db()
        assert app.status == ApplicationStatus.OFFERED
        offer = Offer.objects.get(application=app)
        barrier = threading.Barrier(2)

        def accept(offer=offer, app=app, barrier=barrier):
            try:
                barrier.wait()
                selection_services.offer_accept(offer=offer, user=app.applicant)
            except selection_services.SelectionError:
                pass
            except Exception as exc:  # noqa: BLE001 - a deadlock would land here
                errors.append(exc)
            finally:
                connection.close()

        def withdraw(app=app, barrier=barrier):
            try:
                barrier.wait()
                application_services.application_withdraw(
                    application=app, actor=app.applicant, reason=""
                )
            except application_services.ApplicationError:
                pass
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=accept), threading.Thread(target=withdraw)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        app.refresh_from_db()
        assert app.status == ApplicationStatus.WITHDRAWN
        assert Offer.objects.get(application=app).status == OfferStatus.WITHDRAWN
    assert selection_services.seats_taken(cohort) <= cohort.capacity


def test_hidden_offer_endpoints_answer_like_no_offer(client, programme, programme_admin):
    cohort = _cohort(programme, "main", waitlist_length=1)
    apps = _pool(cohort)
    _commit(cohort, programme_admin)
    # offered, waitlisted and not selected: before release all three get the same 404
    for app in (apps[0], apps[3], apps[5]):
        client.force_login(app.applicant)
        for name in ("selection:offer_accept", "selection:offer_decline"):
            response = client.post(reverse(name, args=[app.pk]))
            assert response.status_code == 404, (app.full_name, name)
    assert Offer.objects.filter(status=OfferStatus.OPEN).count() == 3
    selection_services.decisions_release(cohort=cohort, actor=programme_admin)
    client.force_login(apps[0].applicant)
    client.post(reverse("selection:offer_accept", args=[apps[0].pk]))
    assert Offer.objects.get(application=apps[0]).status == OfferStatus.ACCEPTED


def test_decline_asks_for_confirmation(client, programme, programme_admin):
    cohort = _cohort(programme, "main")
    apps = _pool(cohort)
    _commit(cohort, programme_admin)
    selection_services.decisions_release(cohort=cohort, actor=programme_admin)
    client.force_login(apps[0].applicant)
    page = client.get(reverse("applications:detail", args=[apps[0].pk])).content.decode()
    assert 'data-confirm="Decline the offer?' in page


@pytest.mark.parametrize("persona", ["staff", "reviewer", "outsider", "other_programme_admin"])
def test_run_retry_and_commit_are_refused_to_others(
    client, request, programme, programme_admin, persona
):
    cohort = _cohort(programme, "main")
    _pool(cohort)
    run = SelectionRun.objects.create(
        cohort=cohort,
        number=1,
        author=programme_admin,
        seats=3,
        min_reviews=1,
        status=RunStatus.FAILED,
        error="boom",
    )
    client.force_login(request.getfixturevalue(persona))
    for name in ("selection:selection_retry", "selection:selection_commit"):
        response = client.post(reverse(name, args=[programme.slug, cohort.slug, 1]))
        assert response.status_code in (403, 404)
    run.refresh_from_db()
    assert (run.status, run.error) == (RunStatus.FAILED, "boom")
