import csv
import datetime
import io

import pytest
import time_machine
from django.utils import timezone

from core import background
from core.models import AuditEntry
from exports import registry, services
from exports.enums import ExportStatus
from exports.models import Export
from exports.registry import ExportKind
from exports.services import private_storage
from exports.tasks import build_export
from tests.applications.test_exports import read_xlsx
from tests.factories import ExportFactory

pytestmark = pytest.mark.django_db


def _start(programme, user, *, fmt="csv", filters=None, capture=None):
    return services.export_start(
        programme=programme,
        requested_by=user,
        kind="applications",
        params={"cohort": "main", "filters": filters or {}},
        fmt=fmt,
        download_name=f"applications.{fmt}",
        rows_total=3,
    )


def _read(export) -> bytes:
    with private_storage().open(export.file_name, "rb") as handle:
        return handle.read()


def test_export_start_records_the_query_and_enqueues_after_commit(
    programme, programme_admin, applications, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = _start(programme, programme_admin, filters={"status": "submitted"})
    assert len(callbacks) == 1
    assert export.status == ExportStatus.QUEUED
    assert export.params == {
        "cohort": "main",
        "filters": {"status": "submitted"},
        "format": "csv",
        "language": "en",
    }
    assert export.expires_at - export.created_at > datetime.timedelta(days=6, hours=23)


def test_export_start_refuses_unknown_kind_and_format(programme, programme_admin):
    with pytest.raises(ValueError, match="Unknown export kind"):
        services.export_start(
            programme=programme,
            requested_by=programme_admin,
            kind="nope",
            params={},
            fmt="csv",
            download_name="x.csv",
        )
    with pytest.raises(ValueError, match="format"):
        _start(programme, programme_admin, fmt="pdf")
    assert Export.objects.count() == 0


def test_export_build_writes_csv_to_the_private_storage_and_audits(
    programme, programme_admin, applications, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export = _start(programme, programme_admin)
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    assert export.file_name == f"exports/{programme.slug}/{export.uuid.hex}.csv"
    assert (export.rows_total, export.rows_done) == (3, 3)
    assert export.started_at <= export.finished_at
    assert export.expires_at - export.finished_at == datetime.timedelta(days=7)
    rows = list(csv.reader(io.StringIO(_read(export).decode("utf-8-sig"))))
    assert rows[0][:5] == ["ID", "Status", "Submitted at", "Full name", "Email"]
    assert rows[0][-1] == "Why this programme?"
    assert sorted((row[3], row[-1]) for row in rows[1:]) == [
        ("Aisha Rahman", "'=HYPERLINK(1)"),
        ("Ben Tan", "To learn."),
        ("Chen Wei", "To lead."),
    ]
    entry = AuditEntry.objects.get(action="applications.export")
    assert (entry.actor, entry.data) == (programme_admin, {"format": "csv", "rows": 3})


def test_export_build_writes_xlsx_with_the_filters(
    programme, programme_admin, applications, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export = _start(programme, programme_admin, fmt="xlsx", filters={"q": "chen"})
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    assert export.file_name.endswith(".xlsx")
    rows = read_xlsx(_read(export))
    assert rows[0][3] == "Full name"
    assert [(row[3], row[-1]) for row in rows[1:]] == [("Chen Wei", "To lead.")]
    assert export.rows_done == 1


def test_export_build_claims_once(programme, programme_admin, applications):
    export = _start(programme, programme_admin)
    assert services.export_build(export_id=export.pk).status == ExportStatus.READY
    assert services.export_build(export_id=export.pk) is None
    assert AuditEntry.objects.filter(action="applications.export").count() == 1
    assert Export.objects.get(pk=export.pk).attempts == 1


def test_build_export_task_runs_once(programme, programme_admin, applications):
    export = _start(programme, programme_admin)
    assert build_export.apply(args=[export.pk]).get() == "ready"
    assert build_export.apply(args=[export.pk]).get() == "skipped"


def test_progress_is_written_every_two_percent_and_never_under_1000_rows(
    programme, programme_admin, django_assert_num_queries
):
    export = ExportFactory(
        programme=programme, requested_by=programme_admin, status=ExportStatus.RUNNING
    )
    progress = services._Progress(export.pk, 95_000)
    assert progress.step == 1900
    with django_assert_num_queries(47):
        for done in range(500, 95_001, 500):
            progress(done)
    assert Export.objects.get(pk=export.pk).rows_done == 94_000
    small = services._Progress(export.pk, 6000)
    with django_assert_num_queries(6):
        for done in range(1, 6001):
            small(done)


def _failing_kind(message="disk full"):
    built = registry.Built(["A"], iter([["1"], ["2"]]), 2)

    def write(target, fmt, built, progress):
        target.write(b"A\n1\n")
        raise OSError(message)

    return ExportKind(
        slug="failing",
        label="Failing",
        permission="programmes.manage_applications",
        build=lambda programme, params: built,
        write=write,
        audit=lambda export, rows: None,
    )


def test_export_build_failure_keeps_the_error_and_no_file(programme, programme_admin, monkeypatch):
    monkeypatch.setitem(registry.KINDS, "failing", _failing_kind())
    export = ExportFactory(programme=programme, requested_by=programme_admin, kind="failing")
    name = services._storage_name(export)
    # Left behind by an earlier, interrupted save.
    private_storage().save(name, io.BytesIO(b"partial"))
    result = services.export_build(export_id=export.pk)
    assert result.status == ExportStatus.FAILED
    assert result.error == "OSError: disk full"
    assert result.file_name == ""
    assert not private_storage().exists(name)
    assert not AuditEntry.objects.filter(action="applications.export").exists()


def test_export_build_failure_when_the_save_fails_deletes_the_part(
    programme, programme_admin, applications, monkeypatch
):
    export = _start(programme, programme_admin)
    storage = private_storage()
    real_save = storage.save

    def save_then_fail(name, content, **kwargs):
        real_save(name, content, **kwargs)
        raise ConnectionError("bucket went away")

    monkeypatch.setattr(storage, "save", save_then_fail)
    result = services.export_build(export_id=export.pk)
    assert (result.status, result.error) == (
        ExportStatus.FAILED,
        "ConnectionError: bucket went away",
    )
    assert not storage.exists(services._storage_name(export))


def test_exports_expire_deletes_the_file_and_marks_expired(
    programme, programme_admin, applications
):
    export = _start(programme, programme_admin)
    export = services.export_build(export_id=export.pk)
    name = export.file_name
    assert private_storage().exists(name)
    fresh = ExportFactory(programme=programme, requested_by=programme_admin)
    assert services.exports_expire() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, minutes=1)):
        assert services.exports_expire() == 1
        assert services.exports_expire() == 0
    export.refresh_from_db()
    assert (export.status, export.file_name) == (ExportStatus.EXPIRED, "")
    assert not private_storage().exists(name)
    assert Export.objects.get(pk=fresh.pk).status == ExportStatus.QUEUED


def test_exports_sweep_requeues_an_export_whose_worker_died(
    programme, programme_admin, applications, django_capture_on_commit_callbacks
):
    export = _start(programme, programme_admin)
    long_ago = background.abandoned_before() - datetime.timedelta(minutes=1)
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, started_at=long_ago, rows_done=2, attempts=1
    )
    recent = ExportFactory(
        programme=programme,
        requested_by=programme_admin,
        status=ExportStatus.RUNNING,
        started_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.exports_sweep() == 1
    export.refresh_from_db()
    assert (export.status, export.rows_done, export.attempts) == (ExportStatus.READY, 3, 2)
    assert Export.objects.get(pk=recent.pk).status == ExportStatus.RUNNING


def test_exports_sweep_publishes_a_lost_queued_export_again(
    programme, programme_admin, django_capture_on_commit_callbacks
):
    export = ExportFactory(programme=programme, requested_by=programme_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.exports_sweep() == 0
    assert callbacks == []
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(minutes=3)),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        assert services.exports_sweep() == 1
    assert len(callbacks) == 1
    assert Export.objects.get(pk=export.pk).status == ExportStatus.QUEUED


def test_exports_sweep_gives_up_after_three_attempts(programme, programme_admin):
    export = ExportFactory(
        programme=programme,
        requested_by=programme_admin,
        status=ExportStatus.RUNNING,
        started_at=background.abandoned_before() - datetime.timedelta(minutes=1),
        attempts=3,
    )
    assert services.exports_sweep() == 0
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert export.error == "The export stopped 3 times without finishing."
