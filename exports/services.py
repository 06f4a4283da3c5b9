"""Every write of exports: asking for one, building it in the background, expiring and sweeping.

Exports too large to build in a web request are recorded here and built by a Celery worker into
the private storage; the person then downloads the file from the export's page until it
expires. Only the storage API is used (save, open, delete): the storage may be a bucket, and
nothing is left on a worker's disk that a web node would need.
"""

import logging
import tempfile
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import F, TextField
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import background
from core.privacy_registry import mentioning, redact
from core.services import audit_record
from exports import personal
from exports.enums import ExportFormat, ExportStatus
from exports.models import Export
from exports.registry import get_kind

logger = logging.getLogger(__name__)

# The fewest rows between two writes of the progress, and the share of the whole (1/50, 2 %):
# a 95,000-row export writes its progress about 50 times.
PROGRESS_MIN_ROWS = 1000
PROGRESS_WRITES = 50
# A queued export nobody has taken up for this long is published again (its enqueue failed or
# the broker lost it); after MAX_ATTEMPTS starts that never finished it is marked failed.
QUEUED_QUIET_SECONDS = 120
MAX_ATTEMPTS = 3


def private_storage() -> Storage:
    """The "private" storage alias (applications.storage.private_storage() names the same one;
    exports sit below applications and may not import it)."""
    return storages["private"]


def expiry_from(moment: datetime) -> datetime:
    return moment + timedelta(days=settings.COHORTLINE_EXPORT_EXPIRY_DAYS)


@transaction.atomic
def export_start(
    *,
    programme,
    requested_by,
    kind: str,
    params: dict,
    fmt: str,
    download_name: str,
    rows_total: int = 0,
) -> Export:
    """Record an export of `kind` with its validated query and build it in the background
    (`programme` None for a person's own data, see `personal_export_start`)
    (enqueued after commit). `rows_total` is the caller's count, shown until the worker counts
    again. Audited (the finished build is audited again by its kind, with the rows it holds).
    Raises ValueError for an unknown kind or format."""
    get_kind(kind)
    if fmt not in ExportFormat.values:
        raise ValueError(f"unknown export format {fmt!r}")
    params = {**params, "format": fmt, "language": translation.get_language()}
    # The same export asked for again (a double click, a reload) while it is being built: the
    # one under way, not a second build of the same rows.
    busy = Export.objects.filter(
        programme=programme,
        requested_by=requested_by,
        kind=kind,
        format=fmt,
        params=params,
        status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING],
    ).first()
    if busy is not None:
        return busy
    export = Export.objects.create(
        programme=programme,
        requested_by=requested_by,
        kind=kind,
        params=params,
        format=fmt,
        rows_total=rows_total,
        download_name=download_name,
        expires_at=expiry_from(timezone.now()),
    )
    audit_record(
        actor=requested_by,
        action="exports.start",
        target=export,
        programme=export.programme_id,
        kind=kind,
        format=fmt,
        rows=rows_total,
    )
    transaction.on_commit(lambda: _enqueue_build(export.pk))
    return export


def personal_export_start(*, person) -> Export:
    """Start building `person`'s copy of everything held about them (a ZIP, exports/personal.py):
    an export of no programme, whose subject is always the person asking. Asked again while one
    is being built, it is that one. Audited (`exports.start`) and enqueued after commit."""
    return export_start(
        programme=None,
        requested_by=person,
        kind=personal.SLUG,
        params={"subject": person.pk},
        fmt=ExportFormat.ZIP,
        download_name=f"cohortline-your-data-{timezone.localdate():%Y-%m-%d}.zip",
    )


def _enqueue_build(export_id: int) -> None:
    background.enqueue_or_leave("exports.build_export", export_id)


def _claim(export_id: int) -> bool:
    """Take up a queued export (a conditional UPDATE: of two workers given the same export, one
    builds it and the other does nothing)."""
    now = timezone.now()
    return bool(
        Export.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
            status=ExportStatus.RUNNING,
            started_at=now,
            rows_done=0,
            error="",
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )


class _Progress:
    """Writes the rows done now and then: every 2 % of the rows, and never less than 1,000
    rows apart, so that a large export costs a few dozen small updates."""

    def __init__(self, export_id: int, total: int, attempt: int) -> None:
        self.export_id = export_id
        self.attempt = attempt
        self.step = max(PROGRESS_MIN_ROWS, total // PROGRESS_WRITES)
        self.next_at = self.step
        self.writes = 0

    def __call__(self, done: int) -> None:
        if done < self.next_at:
            return
        Export.objects.filter(
            pk=self.export_id, status=ExportStatus.RUNNING, attempts=self.attempt
        ).update(rows_done=done, updated_at=timezone.now())
        self.writes += 1
        self.next_at = done + self.step


def _storage_name(export: Export, attempt: int | None = None) -> str:
    """Where a build writes its file: one name per attempt, so that a build that outlived its
    claim (swept as abandoned, then finishing after all) never touches the new one's file."""
    attempt = export.attempts if attempt is None else attempt
    folder = export.programme.slug if export.programme_id else "personal"
    return f"exports/{folder}/{export.uuid.hex}-{attempt}.{export.format}"


def _build_failed(export_id: int) -> str:
    """What the person sees when a build fails; the reason itself goes to the log only (it may
    name the bucket, a key or a database detail)."""
    return _(
        "The export could not be built. Start it again; if it fails again, tell the site's "
        "administrators (reference: export %(id)s)."
    ) % {"id": export_id}


def export_build(*, export_id: int) -> Export | None:
    """Build a queued export into the private storage: claim it, write the rows to a temporary
    file, save that to the storage, mark it ready (with the kind's audit entry) or failed (its
    error kept, any stored part deleted). Returns None when the export was not queued (built,
    or being built, by another call): running twice does no harm."""
    if not _claim(export_id):
        return None
    export = Export.objects.select_related("programme", "requested_by").get(pk=export_id)
    attempt = export.attempts
    mine = Export.objects.filter(pk=export.pk, status=ExportStatus.RUNNING, attempts=attempt)
    storage = private_storage()
    name = _storage_name(export)
    stored = ""
    try:
        kind = get_kind(export.kind)
        with translation.override(export.params.get("language") or settings.LANGUAGE_CODE):
            built = kind.build(export.programme, export.params)
            mine.update(rows_total=built.count, updated_at=timezone.now())
            progress = _Progress(export.pk, built.count, attempt)
            with tempfile.TemporaryFile(suffix=f".{export.format}") as target:
                rows = kind.write(target, export.format, built, progress)
                target.seek(0)
                stored = storage.save(name, File(target, name=name))
    except Exception:
        logger.exception("exports: building export %s failed", export_id)
        # Whatever part of the file a failed save may have left goes too.
        _delete_quietly(storage, stored or name)
        with translation.override(export.params.get("language") or settings.LANGUAGE_CODE):
            error = _build_failed(export.pk)
        mine.update(
            status=ExportStatus.FAILED,
            error=error,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        export.refresh_from_db()
        return export
    now = timezone.now()
    with transaction.atomic():
        finished = mine.update(
            status=ExportStatus.READY,
            file_name=stored,
            rows_done=rows,
            rows_total=rows,
            finished_at=now,
            expires_at=expiry_from(now),
            updated_at=now,
        )
        if finished:
            kind.audit(export, rows)
    if not finished:
        # Taken from this worker meanwhile (swept as abandoned): the other build keeps its file.
        _delete_quietly(storage, stored)
    export.refresh_from_db()
    return export


def _delete_quietly(storage: Storage, name: str) -> bool:
    """Delete the file if there is one; False (and a warning in the log) when that failed."""
    if not name:
        return True
    try:
        storage.delete(name)
    except Exception:
        logger.warning("exports: could not delete %s from the storage", name, exc_info=True)
        return False
    return True


def export_downloaded(*, export: Export, actor) -> None:
    audit_record(
        actor=actor,
        action="exports.download",
        target=export,
        programme=export.programme_id,
        kind=export.kind,
        format=export.format,
        rows=export.rows_done,
    )


def exports_expire(*, now: datetime | None = None) -> int:
    """Periodic: delete the files of ready exports past their expiry, and mark them expired.
    Returns how many expired. The row keeps the file's name until the file is gone, so a delete
    that fails (the bucket unreachable) is tried again by the next run: personal data is never
    left behind with nothing pointing at it."""
    now = now or timezone.now()
    expired = 0
    for export in Export.objects.filter(status=ExportStatus.READY, expires_at__lte=now).only(
        "pk", "file_name"
    ):
        # Marked first, so nobody starts a download of a file about to go.
        if Export.objects.filter(pk=export.pk, status=ExportStatus.READY).update(
            status=ExportStatus.EXPIRED, updated_at=now
        ):
            expired += 1
    _delete_expired_files(Export.objects.all())
    return expired


def _delete_expired_files(exports) -> None:
    """Delete the files of the expired ones among `exports`; a row forgets its file's name only
    once the file is gone (a failed delete is tried again by the next run)."""
    storage = private_storage()
    for export in (
        exports.filter(status=ExportStatus.EXPIRED).exclude(file_name="").only("pk", "file_name")
    ):
        if _delete_quietly(storage, export.file_name):
            Export.objects.filter(pk=export.pk, file_name=export.file_name).update(file_name="")


def _expire_now(exports, now: datetime) -> int:
    """Expire the ready ones among `exports` at once and delete their files. Returns how many
    expired."""
    expired = exports.filter(status=ExportStatus.READY).update(
        status=ExportStatus.EXPIRED, expires_at=now, updated_at=now
    )
    _delete_expired_files(exports)
    return expired


def exports_sweep(*, now: datetime | None = None) -> int:
    """Periodic: hand stranded exports to a worker again. Returns how many were re-queued.

    An export running since before the hard task time limit (its worker died) goes back to the
    queue; one still queued a couple of minutes after it was last touched (its enqueue failed
    or the broker lost it) is published again. After MAX_ATTEMPTS starts, or once past its
    expiry, it is marked failed instead.
    """
    now = now or timezone.now()
    quiet = now - timedelta(seconds=QUEUED_QUIET_SECONDS)
    swept = 0
    abandoned = Export.objects.filter(
        status=ExportStatus.RUNNING, started_at__lt=background.abandoned_before(now)
    )
    stranded = Export.objects.filter(status=ExportStatus.QUEUED, updated_at__lt=quiet)
    for export in (
        (abandoned | stranded)
        .select_related("programme")
        .only("pk", "status", "attempts", "expires_at", "uuid", "format", "programme__slug")
    ):
        if export.status == ExportStatus.RUNNING:
            # The dead build's file, if it got as far as saving one.
            _delete_quietly(private_storage(), _storage_name(export))
        if export.attempts >= MAX_ATTEMPTS or export.expires_at <= now:
            error = (
                _("The export stopped %(n)s times without finishing.") % {"n": export.attempts}
                if export.attempts >= MAX_ATTEMPTS
                else _("The export could not be started before it expired.")
            )
            Export.objects.filter(pk=export.pk, status=export.status).update(
                status=ExportStatus.FAILED,
                error=error,
                finished_at=now,
                updated_at=now,
            )
            continue
        if not Export.objects.filter(pk=export.pk, status=export.status).update(
            status=ExportStatus.QUEUED, rows_done=0, updated_at=now
        ):
            continue
        transaction.on_commit(lambda pk=export.pk: _enqueue_build(pk))
        swept += 1
    return swept


def exports_expire_for_programmes(*, programme_ids: list[int], now: datetime | None = None) -> int:
    """Expire, now, the ready exports of these programmes and delete their files: they may list
    a person whose data has just been erased (staff can export again). Returns how many."""
    return _expire_now(Export.objects.filter(programme_id__in=programme_ids), now or timezone.now())


def exports_expire_personal_of(*, person, now: datetime | None = None) -> int:
    """A retention purge: the person's ready copies of their own data hold what was just
    anonymised (their CV too); they expire now and their files go (they can ask again).
    Returns how many."""
    return _expire_now(
        Export.objects.filter(requested_by=person, programme__isnull=True), now or timezone.now()
    )


def exports_delete_of(*, person) -> int:
    """An erasure: every export the person asked for (their own data, or a list they made as
    staff) goes, file and row. Returns the rows deleted."""
    storage = private_storage()
    exports = Export.objects.filter(requested_by=person)
    for name in exports.exclude(file_name="").values_list("file_name", flat=True):
        _delete_quietly(storage, name)
    return exports.delete()[0]


def exports_redact(*, needles: frozenset[str]) -> int:
    """An erasure: where another person's export recorded the person in its query (a search by
    their name or email), the name or email is replaced (`core.privacy_registry.redact`).
    Returns the rows changed."""
    if not needles:
        return 0
    changed = 0
    exports = (
        Export.objects.annotate(params_text=Cast("params", TextField()))
        .filter(mentioning(needles, "params_text"))
        .only("pk", "params")
    )
    for export in exports:
        params = redact(export.params, needles)
        if params != export.params:
            changed += Export.objects.filter(pk=export.pk).update(params=params)
    return changed
