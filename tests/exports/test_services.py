import csv
import dataclasses
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
    assert export.file_name == f"exports/{programme.slug}/{export.uuid.hex}-1.csv"
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
    progress = services._Progress(export.pk, 95_000, export.attempts)
    assert progress.step == 1900
    with django_assert_num_queries(47):
        for done in range(500, 95_001, 500):
            progress(done)
    assert Export.objects.get(pk=export.pk).rows_done == 94_000
    small = services._Progress(export.pk, 6000, export.attempts)
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


def test_export_build_failure_keeps_the_reason_in_the_log_and_no_file(
    programme, programme_admin, monkeypatch, caplog
):
    monkeypatch.setitem(registry.KINDS, "failing", _failing_kind("disk full at /srv/secret"))
    export = ExportFactory(programme=programme, requested_by=programme_admin, kind="failing")
    result = services.export_build(export_id=export.pk)
    assert result.status == ExportStatus.FAILED
    # The person sees what to do and a reference, never the exception (paths, bucket names).
    assert result.error.startswith("The export could not be built.")
    assert f"export {export.pk}" in result.error
    assert "secret" not in result.error
    assert "disk full at /srv/secret" in caplog.text
    assert result.file_name == ""
    assert not private_storage().exists(services._storage_name(result))
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
    assert result.status == ExportStatus.FAILED
    assert "bucket went away" not in result.error
    assert not storage.exists(services._storage_name(result))


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


def test_a_build_that_outlived_its_claim_neither_finishes_nor_touches_the_new_file(
    programme, programme_admin, applications, monkeypatch
):
    """A worker paused past the sweep finishes after all: the export belongs to the newer
    attempt, whose file is the one kept."""
    export = _start(programme, programme_admin)
    real_write = registry.KINDS["applications"].write

    def write_then_lose_the_claim(target, fmt, built, progress):
        rows = real_write(target, fmt, built, progress)
        # Meanwhile the sweep gave the export to another worker, which claimed it again.
        Export.objects.filter(pk=export.pk).update(attempts=2)
        return rows

    monkeypatch.setitem(
        registry.KINDS,
        "applications",
        dataclasses.replace(registry.KINDS["applications"], write=write_then_lose_the_claim),
    )
    stale = services.export_build(export_id=export.pk)
    assert stale.status == ExportStatus.RUNNING  # not marked ready by the stale build
    assert not private_storage().exists(services._storage_name(stale, attempt=1))
    assert not AuditEntry.objects.filter(action="applications.export").exists()


def test_export_start_returns_the_same_export_while_it_is_built(programme, programme_admin):
    first = _start(programme, programme_admin)
    again = _start(programme, programme_admin)
    other_filters = _start(programme, programme_admin, filters={"status": "submitted"})
    assert again.pk == first.pk
    assert other_filters.pk != first.pk
    Export.objects.filter(pk=first.pk).update(status=ExportStatus.READY)
    assert _start(programme, programme_admin).pk != first.pk


def test_exports_expire_keeps_the_name_until_the_file_is_gone(
    programme, programme_admin, applications, monkeypatch
):
    export = services.export_build(export_id=_start(programme, programme_admin).pk)
    name = export.file_name
    storage = private_storage()
    real_delete = storage.delete
    monkeypatch.setattr(storage, "delete", lambda name: (_ for _ in ()).throw(OSError("down")))
    later = timezone.now() + datetime.timedelta(days=7, minutes=1)
    with time_machine.travel(later):
        assert services.exports_expire() == 1
    export.refresh_from_db()
    assert (export.status, export.file_name) == (ExportStatus.EXPIRED, name)
    monkeypatch.setattr(storage, "delete", real_delete)
    with time_machine.travel(later):
        assert services.exports_expire() == 0  # nothing newly expired, the file deleted now
    export.refresh_from_db()
    assert export.file_name == ""
    assert not storage.exists(name)


def test_the_sweep_deletes_what_a_dead_build_saved(programme, programme_admin, applications):
    export = _start(programme, programme_admin)
    long_ago = background.abandoned_before() - datetime.timedelta(minutes=1)
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, started_at=long_ago, attempts=3
    )
    export.refresh_from_db()
    name = services._storage_name(export)
    private_storage().save(name, io.BytesIO(b"half an export"))
    services.exports_sweep()
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert not private_storage().exists(name)
