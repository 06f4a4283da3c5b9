"""Bulk issuing: one run per cohort at a time, progress, idempotent when run twice, and resumed
after a worker dies midway with everyone issued once."""

import pytest
import time_machine
from django.test import TestCase
from django.utils import timezone

from certificates import pdf, services
from certificates.enums import RunStatus
from certificates.models import Certificate, IssueRun
from tests.factories import CertificationRuleFactory, CohortFactory
from tests.factories.certificates import mentored_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run what services enqueue after commit (the eager task) when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def cohort(programme):
    cohort = CohortFactory(programme=programme)
    CertificationRuleFactory(cohort=cohort)
    return cohort


def test_issue_run_issues_every_eligible_participant_once(cohort, staff, run_on_commit):
    eligible = [mentored_participant(cohort) for _ in range(3)]
    mentored_participant(cohort, sessions=0)  # not eligible
    with run_on_commit():
        run = services.issue_run_start(cohort=cohort, actor=staff)  # eager: runs on commit
    run.refresh_from_db()
    assert (run.status, run.total, run.done, run.issued, run.skipped) == (
        RunStatus.DONE,
        3,
        3,
        3,
        0,
    )
    assert sorted(Certificate.objects.values_list("user_id", flat=True)) == sorted(
        u.pk for u in eligible
    )
    with run_on_commit():
        again = services.issue_run_start(cohort=cohort, actor=staff)
    again.refresh_from_db()
    assert again.pk != run.pk
    assert (again.status, again.total, again.issued) == (RunStatus.DONE, 0, 0)
    assert Certificate.objects.count() == 3


def test_issue_run_start_reuses_a_run_in_progress(
    cohort, staff, django_capture_on_commit_callbacks
):
    mentored_participant(cohort)
    with django_capture_on_commit_callbacks(execute=False):
        first = services.issue_run_start(cohort=cohort, actor=staff)
        second = services.issue_run_start(cohort=cohort, actor=staff)
    assert first.pk == second.pk
    assert IssueRun.objects.count() == 1


def test_executing_a_run_twice_does_nothing_the_second_time(cohort, staff):
    mentored_participant(cohort)
    run = IssueRun.objects.create(cohort=cohort, requested_by=staff)
    _execute(run.pk)
    done = _execute(run.pk)
    assert (done.status, done.issued) == (RunStatus.DONE, 1)
    assert Certificate.objects.count() == 1


def test_worker_killed_midway_then_swept_issues_everyone_once(
    cohort, staff, monkeypatch, run_on_commit
):
    people = [mentored_participant(cohort) for _ in range(5)]
    run = IssueRun.objects.create(cohort=cohort, requested_by=staff)
    real = pdf.render_certificate_pdf
    calls = []

    def dies_on_the_third(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise SystemExit("worker killed")  # not an Exception: nothing marks the run
        return real(**kwargs)

    monkeypatch.setattr(pdf, "render_certificate_pdf", dies_on_the_third)
    with pytest.raises(SystemExit):
        _execute(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING
    assert Certificate.objects.count() == 2

    assert services.issue_runs_sweep() == 0  # not stale yet
    later = timezone.now() + timezone.timedelta(seconds=services.STALE_RUN_SECONDS + 5)
    with time_machine.travel(later, tick=False), run_on_commit():
        assert services.issue_runs_sweep() == 1  # re-queued, executed on commit (eager)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert (run.total, run.done, run.issued) == (5, 5, 5)  # both attempts counted
    assert sorted(Certificate.objects.values_list("user_id", flat=True)) == sorted(
        u.pk for u in people
    )


def test_failure_is_recorded_and_a_new_run_resumes(cohort, staff, monkeypatch, run_on_commit):
    [mentored_participant(cohort) for _ in range(3)]
    run = IssueRun.objects.create(cohort=cohort, requested_by=staff)
    real = pdf.render_certificate_pdf
    calls = []

    def breaks_on_the_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(pdf, "render_certificate_pdf", breaks_on_the_second)
    # The chunk's task fails (in a worker; here, eagerly) and records why on the run.
    _execute(run.pk)
    run.refresh_from_db()
    assert (run.status, run.error, run.issued) == (RunStatus.FAILED, "disk full", 1)
    monkeypatch.setattr(pdf, "render_certificate_pdf", real)
    with run_on_commit():
        services.issue_run_start(cohort=cohort, actor=staff)
    assert Certificate.objects.count() == 3


def test_progress_every_two_percent_or_twenty_people():
    assert services.progress_every(10) == 1
    assert services.progress_every(500) == 10
    assert services.progress_every(5000) == 20


def test_lost_queued_run_is_enqueued_again(cohort, staff, run_on_commit):
    mentored_participant(cohort)
    run = IssueRun.objects.create(cohort=cohort, requested_by=staff)
    later = timezone.now() + timezone.timedelta(seconds=services.STALE_QUEUED_SECONDS + 5)
    with time_machine.travel(later, tick=False), run_on_commit():
        assert services.issue_runs_sweep() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert Certificate.objects.count() == 1


def _execute(run_id: int) -> IssueRun:
    """Execute the run, then publish its chunks as its commit would (eager: they run now)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.issue_run_execute(run_id=run_id)


def _capture_chunks(monkeypatch) -> list[tuple]:
    published = []
    monkeypatch.setattr(
        services.background, "enqueue_or_leave", lambda name, *args: published.append(args)
    )
    return published


def _chunk(args: tuple) -> int:
    run_id, attempt, user_ids = args
    return services.issue_run_chunk(run_id=run_id, attempt=attempt, user_ids=user_ids)


def test_a_run_is_shared_out_in_chunks_and_done_when_the_last_one_ends(cohort, staff, monkeypatch):
    people = [mentored_participant(cohort) for _ in range(5)]
    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    published = _capture_chunks(monkeypatch)
    run = IssueRun.objects.create(cohort=cohort, requested_by=staff)
    _execute(run.pk)
    assert [len(user_ids) for _run_id, _attempt, user_ids in published] == [2, 2, 1]
    run.refresh_from_db()
    assert (run.status, run.total, run.done) == (RunStatus.RUNNING, 5, 0)

    for args in reversed(published):  # in any order, on any worker
        _chunk(args)
    run.refresh_from_db()
    assert (run.status, run.total, run.done, run.issued) == (RunStatus.DONE, 5, 5, 5)
    assert sorted(Certificate.objects.values_list("user_id", flat=True)) == sorted(
        u.pk for u in people
    )
    # A chunk delivered again once the run is done changes nothing.
    assert _chunk(published[0]) == 0
    assert Certificate.objects.count() == 5


def test_chunks_of_an_earlier_attempt_neither_count_nor_end_the_run(cohort, staff, monkeypatch):
    """A run taken up again while its first attempt's chunks are still queued: those chunks do
    nothing, and the run ends done only when everyone has a certificate."""
    [mentored_participant(cohort) for _ in range(6)]
    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    published = _capture_chunks(monkeypatch)
    run = IssueRun.objects.create(cohort=cohort, requested_by=staff)
    _execute(run.pk)
    first = list(published)
    _chunk(first[0])  # then the worker dies with the other two chunks queued
    later = timezone.now() + timezone.timedelta(seconds=services.STALE_RUN_SECONDS + 5)
    with time_machine.travel(later, tick=False):
        assert services.issue_runs_sweep() == 1
    published.clear()
    _execute(run.pk)
    second = list(published)
    assert len(second) == 2

    for args in [second[0], first[1], first[2], second[1]]:
        _chunk(args)
    run.refresh_from_db()
    assert (run.status, run.total, run.done, run.issued) == (RunStatus.DONE, 6, 6, 6)
    assert Certificate.objects.count() == 6
