"""Two workers handed the same export (a redelivery, a sweep): it is built once."""

import threading

import pytest
from django.db import connection

from core.models import AuditEntry
from exports.enums import ExportStatus
from exports.models import Export
from exports.services import private_storage
from exports.tasks import build_export
from tests.factories import ExportFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_build_export_calls_on_one_export_build_it_once(
    programme, programme_admin, applications
):
    # Recorded without enqueueing (outside a transaction the eager task would run at once).
    export = ExportFactory(
        programme=programme,
        requested_by=programme_admin,
        params={"cohort": "main", "filters": {}, "format": "xlsx"},
        format="xlsx",
        download_name="applications.xlsx",
    )
    barrier = threading.Barrier(2)
    outcomes: list = []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait()
            outcome = build_export(export.pk)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ready", "skipped"]
    export = Export.objects.get(pk=export.pk)
    assert (export.status, export.attempts, export.rows_done) == (ExportStatus.READY, 1, 3)
    assert AuditEntry.objects.filter(action="applications.export").count() == 1
    files = private_storage().listdir(f"exports/{programme.slug}")[1]
    assert [name for name in files if name.startswith(export.uuid.hex)] == [
        f"{export.uuid.hex}-1.xlsx"
    ]
