"""Issuing under concurrency, on PostgreSQL with real threads: two issues for one person (the
button pressed twice, or a bulk run beside a single issue) make one certificate."""

import threading

import pytest
from django.db import connection

from certificates import services
from certificates.models import Certificate
from notifications.models import Notification
from tests.factories import CertificationRuleFactory, CohortFactory, UserFactory
from tests.factories.certificates import mentored_participant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(target, count: int):
    barrier = threading.Barrier(count)
    outcomes, crashes = [], []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait()
            outcome = target()
        except Exception as exc:  # noqa: BLE001 - a deadlock, say: fail the test, not the thread
            with lock:
                crashes.append(exc)
            return
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if crashes:
        raise crashes[0]
    return outcomes


def test_two_threads_issuing_for_one_person_make_one_certificate():
    cohort = CohortFactory()
    CertificationRuleFactory(cohort=cohort)
    user = mentored_participant(cohort)
    staff = UserFactory()

    outcomes = _race(lambda: services.certificate_issue(cohort=cohort, user=user, actor=staff), 2)

    assert len({cert.pk for cert in outcomes}) == 1
    assert Certificate.objects.filter(cohort=cohort, user=user).count() == 1
    assert Notification.objects.filter(recipient=user, kind="certificates.issued").count() == 1


def test_two_bulk_runs_started_at_once_share_one_run():
    cohort = CohortFactory()
    CertificationRuleFactory(cohort=cohort)
    people = [mentored_participant(cohort) for _ in range(3)]
    staff = UserFactory()

    _race(lambda: services.issue_run_start(cohort=cohort, actor=staff), 2)

    assert Certificate.objects.filter(cohort=cohort).count() == len(people)
