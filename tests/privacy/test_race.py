"""Two requests at once (a double click, two tabs) schedule one erasure; two workers handed the
same due erasure carry it out once."""

import threading

import pytest
from django.db import connection

from core.models import AuditEntry
from privacy import services
from privacy.enums import ErasureStatus
from privacy.models import ErasureRequest


def _together(target, count: int = 2) -> list:
    """Run `target()` in `count` threads released at once; each outcome, or the exception."""
    barrier = threading.Barrier(count)
    outcomes: list = []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait()
            try:
                outcome = target()
            except Exception as error:  # noqa: BLE001 - the refusal is an outcome
                outcome = error
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_schedule_one_erasure(applicant):
    outcomes = _together(lambda: services.erasure_request(user=applicant))
    made = [outcome for outcome in outcomes if isinstance(outcome, ErasureRequest)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, services.PrivacyError)]
    assert (len(made), len(refused)) == (1, 1), outcomes
    assert (
        ErasureRequest.objects.filter(user=applicant, status=ErasureStatus.SCHEDULED).count() == 1
    )
    assert AuditEntry.objects.filter(action="privacy.erasure_requested").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_carry_out_one_erasure_once(mei):
    erasure = services.erasure_request(user=mei)
    outcomes = _together(
        lambda: services.erasure_carry_out(erasure_id=erasure.pk, now=erasure.due_at)
    )
    done = [outcome for outcome in outcomes if isinstance(outcome, ErasureRequest)]
    assert len(done) == 1 and outcomes.count(None) == 1, outcomes
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.DONE
    assert AuditEntry.objects.filter(action="privacy.erasure_carried_out").count() == 1
    mei.refresh_from_db()
    assert not mei.is_active
