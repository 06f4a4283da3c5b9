"""Every write of the notifications app: notify, the outbox's delivery, read state, preferences.

`notify` and `notify_bulk` write in the caller's transaction and enqueue only after it commits,
so a rolled-back caller leaves neither a message nor a queued task. The outbox row is the source
of truth: when the broker is down, rows stay pending and the sweeper enqueues them later.
"""

import json
import logging
import random
import smtplib
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from core import background

from . import rendering
from .enums import EmailStatus
from .models import EmailMessage, Notification, NotificationPreference
from .registry import Kind, all_kinds, get_kind, workflow_owned_kinds

logger = logging.getLogger(__name__)

ENQUEUE_CHUNK = 1000


def _setting(name: str, default):
    return getattr(settings, f"NOTIFICATIONS_{name}", default)


# --- Writing notifications ------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    notification: Notification | None
    email: EmailMessage | None


# A preference row under this name switches every optional kind off for its user (see
# `optional_mute_set`); it is read in the same query as the kind's own row.
ALL_OPTIONAL_KINDS = "*"


def _channels(*, kind: Kind, user_ids: Sequence[int]) -> dict[int, tuple[bool, bool]]:
    """(email on, in-app on) per user id; mandatory kinds are always on, optional ones off for
    a user muted by `optional_mute_set`."""
    channels = dict.fromkeys(user_ids, (True, True))
    if kind.is_mandatory:
        return channels
    muted = set()
    for user_id, name, email_on, in_app_on in NotificationPreference.objects.filter(
        user_id__in=user_ids, kind__in=[kind.name, ALL_OPTIONAL_KINDS]
    ).values_list("user_id", "kind", "is_email_enabled", "is_in_app_enabled"):
        if name == ALL_OPTIONAL_KINDS:
            muted.add(user_id)
        else:
            channels[user_id] = (email_on, in_app_on)
    for user_id in muted:
        channels[user_id] = (False, False)
    return channels


def notify(
    *,
    recipient,
    kind: str,
    context: dict,
    url: str = "",
    dedupe_key: str | None = None,
    staged: bool = False,
    scope: str = "",
    batch: str = "",
) -> Delivery | None:
    """Write the in-app notification and the outbox email for one recipient.

    Runs in the caller's transaction; the email is enqueued after commit (unless staged).
    Returns None when `dedupe_key` was used before for this recipient, or when the recipient
    switched both channels off. Raises ValueError for an undeclared kind.
    """
    spec = get_kind(kind)
    email_on, in_app_on = _channels(kind=spec, user_ids=[recipient.pk])[recipient.pk]
    if not (email_on or in_app_on):
        return None
    rendered = rendering.render(kind=spec, recipient=recipient, context=context, url=url)
    try:
        with transaction.atomic():
            notification = (
                Notification.objects.create(
                    recipient=recipient,
                    kind=spec.name,
                    scope=scope,
                    text=rendered.inapp,
                    url=url,
                    is_staged=staged,
                    dedupe_key=dedupe_key,
                    batch=batch,
                )
                if in_app_on
                else None
            )
            email = (
                EmailMessage.objects.create(
                    recipient=recipient,
                    to_email=recipient.email,
                    kind=spec.name,
                    scope=scope,
                    subject=rendered.subject,
                    body_text=rendered.text,
                    body_html=rendered.html,
                    headers=rendered.headers,
                    status=EmailStatus.STAGED if staged else EmailStatus.PENDING,
                    dedupe_key=dedupe_key,
                    batch=batch,
                )
                if email_on
                else None
            )
    except IntegrityError:
        if dedupe_key is None:
            raise
        return None  # already notified under this key
    if email is not None and not staged:
        transaction.on_commit(lambda: enqueue_emails([email.pk]))
    return Delivery(notification=notification, email=email)


def notify_bulk(
    *,
    recipients: Iterable,
    kind: str,
    context: dict,
    url: str = "",
    dedupe_key: str | None = None,
    staged: bool = False,
    scope: str = "",
    batch: str = "",
) -> int:
    """`notify` for many recipients with one `bulk_create` per table. Returns emails written.

    The templates are rendered once per language (`rendering.render_many`). With a
    `dedupe_key`, recipients already notified under it are skipped. `batch` names the workflow
    step that will release staged messages (`staged_release(batch=...)`). Enqueues in chunks
    after commit unless staged.
    """
    spec = get_kind(kind)
    people = list(recipients)
    if dedupe_key is not None:
        done = set(
            Notification.objects.filter(dedupe_key=dedupe_key, recipient__in=people).values_list(
                "recipient_id", flat=True
            )
        ) | set(
            EmailMessage.objects.filter(dedupe_key=dedupe_key, recipient__in=people).values_list(
                "recipient_id", flat=True
            )
        )
        people = [person for person in people if person.pk not in done]
    channels = _channels(kind=spec, user_ids=[person.pk for person in people])
    people = [person for person in people if any(channels[person.pk])]
    status = EmailStatus.STAGED if staged else EmailStatus.PENDING
    rendered_all = rendering.render_many(kind=spec, recipients=people, context=context, url=url)
    if staged and connection.vendor == "postgresql":
        # Staged letters need no ids back: COPY writes tens of thousands of rows several times
        # faster than INSERTs (whose array parameters psycopg escapes row by row in Python), and
        # plain tuples spare building a model instance per row.
        now = timezone.now()
        notification_rows, email_rows = [], []
        for person, rendered in rendered_all:
            email_on, in_app_on = channels[person.pk]
            if in_app_on:
                notification_rows.append(
                    (now, now, person.pk, spec.name, scope, rendered.inapp, url, None,
                     True, dedupe_key, batch)
                )  # fmt: skip
            if email_on:
                email_rows.append(
                    (now, now, person.pk, person.email, spec.name, scope,
                     rendered.subject, rendered.text, rendered.html, json.dumps(rendered.headers),
                     status, 0, "", None, None, None, dedupe_key, batch)
                )  # fmt: skip
        with transaction.atomic():
            _copy(Notification, NOTIFICATION_COLUMNS, notification_rows)
            _copy(EmailMessage, EMAIL_COLUMNS, email_rows)
        return len(email_rows)
    notifications, emails = [], []
    for person, rendered in rendered_all:
        email_on, in_app_on = channels[person.pk]
        if in_app_on:
            notifications.append(
                Notification(
                    recipient=person,
                    kind=spec.name,
                    scope=scope,
                    text=rendered.inapp,
                    url=url,
                    is_staged=staged,
                    dedupe_key=dedupe_key,
                    batch=batch,
                )
            )
        if email_on:
            emails.append(
                EmailMessage(
                    recipient=person,
                    to_email=person.email,
                    kind=spec.name,
                    scope=scope,
                    subject=rendered.subject,
                    body_text=rendered.text,
                    body_html=rendered.html,
                    headers=rendered.headers,
                    status=status,
                    dedupe_key=dedupe_key,
                    batch=batch,
                )
            )
    with transaction.atomic():
        Notification.objects.bulk_create(notifications, batch_size=1000)
        created = EmailMessage.objects.bulk_create(emails, batch_size=1000)
    if created and not staged:
        ids = [email.pk for email in created]
        if None in ids:  # backends that do not return primary keys from bulk inserts
            ids = list(
                EmailMessage.objects.filter(
                    kind=spec.name, status=status, recipient__in=people
                ).values_list("pk", flat=True)
            )
        transaction.on_commit(lambda: enqueue_emails(ids))
    return len(created)


NOTIFICATION_COLUMNS = (
    "created_at",
    "updated_at",
    "recipient_id",
    "kind",
    "scope",
    "text",
    "url",
    "read_at",
    "is_staged",
    "dedupe_key",
    "batch",
)
EMAIL_COLUMNS = (
    "created_at",
    "updated_at",
    "recipient_id",
    "to_email",
    "kind",
    "scope",
    "subject",
    "body_text",
    "body_html",
    "headers",
    "status",
    "attempts",
    "last_error",
    "next_attempt_at",
    "claimed_at",
    "sent_at",
    "dedupe_key",
    "batch",
)


def _copy(model, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Write rows (tuples in the order of `columns`) into `model`'s table with COPY."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


# --- The outbox -----------------------------------------------------------------------------


def enqueue_emails(ids: Sequence[int]) -> bool:
    """Publish delivery tasks for these outbox rows; never raises.

    Each task carries a chunk of up to NOTIFICATIONS_CHUNK_SIZE ids. Up to ENQUEUE_CHUNK ids are
    published as chunk tasks here; more go out as fan-out tasks of ENQUEUE_CHUNK ids, which
    workers turn into chunk tasks, so a request releasing 100,000 letters publishes 100 tasks,
    not 1,000. When the broker is unreachable the rows stay pending and the sweeper publishes
    them later. Returns whether publishing succeeded.
    """
    ids = list(ids)
    size = _setting("CHUNK_SIZE", 100)
    try:
        if len(ids) <= ENQUEUE_CHUNK:
            for start in range(0, len(ids), size):
                background.enqueue("notifications.send_email_chunk", ids[start : start + size])
        else:
            for start in range(0, len(ids), ENQUEUE_CHUNK):
                background.enqueue(
                    "notifications.enqueue_emails", ids[start : start + ENQUEUE_CHUNK]
                )
    except Exception:
        logger.warning(
            "notifications: could not enqueue %d email(s); the sweeper will retry",
            len(ids),
            exc_info=True,
        )
        return False
    return True


class StagedReleaseError(ValueError):
    """Staged messages that only their workflow may release."""


@transaction.atomic
def staged_release(*, scope: str = "", kind: str = "", batch: str = "") -> int:
    """Release staged messages: the in-app notifications appear and the emails are enqueued
    after commit. Returns the number of emails released.

    With `batch`, exactly that workflow step's messages (for example one cohort's decision
    letters). Without it, the staged messages of `scope` of `kind` (or of every kind), except
    workflow-owned kinds, which only their workflow releases: asking for one of those raises
    StagedReleaseError.
    """
    notifications = Notification.objects.filter(is_staged=True)
    emails = EmailMessage.objects.filter(status=EmailStatus.STAGED)
    if batch:
        notifications = notifications.filter(batch=batch)
        emails = emails.filter(batch=batch)
    else:
        if kind and get_kind(kind).is_workflow_owned:
            raise StagedReleaseError(
                f"{get_kind(kind).label} messages are released by {get_kind(kind).released_by}."
            )
        owned = workflow_owned_kinds()
        notifications = notifications.filter(scope=scope).exclude(kind__in=owned)
        emails = emails.filter(scope=scope).exclude(kind__in=owned)
        if kind:
            notifications = notifications.filter(kind=kind)
            emails = emails.filter(kind=kind)
    now = timezone.now()
    notifications.update(is_staged=False, created_at=now)
    ids = list(emails.values_list("pk", flat=True))
    released = 0
    for start in range(0, len(ids), 5000):
        released += EmailMessage.objects.filter(
            pk__in=ids[start : start + 5000], status=EmailStatus.STAGED
        ).update(status=EmailStatus.PENDING, updated_at=now)
    transaction.on_commit(lambda: enqueue_emails(ids))
    return released


def staged_discard(
    *, batch: str, recipient_ids: Sequence[int] | None = None, kind: str = ""
) -> int:
    """Delete staged, unreleased messages of `batch` (for `recipient_ids`, or all of them; of
    `kind`, or every kind): letters that no longer say what their workflow will release.
    Returns the number of emails deleted."""
    notifications = Notification.objects.filter(batch=batch, is_staged=True)
    emails = EmailMessage.objects.filter(batch=batch, status=EmailStatus.STAGED)
    if kind:
        notifications = notifications.filter(kind=kind)
        emails = emails.filter(kind=kind)
    if recipient_ids is not None:
        notifications = notifications.filter(recipient_id__in=recipient_ids)
        emails = emails.filter(recipient_id__in=recipient_ids)
    notifications.delete()
    deleted, _ = emails.delete()
    return deleted


@transaction.atomic
def email_retry(*, message: EmailMessage) -> bool:
    """Send a failed message again. Returns False when it was not failed any more."""
    updated = EmailMessage.objects.filter(pk=message.pk, status=EmailStatus.FAILED).update(
        status=EmailStatus.PENDING,
        attempts=0,
        next_attempt_at=None,
        updated_at=timezone.now(),
    )
    if updated:
        transaction.on_commit(lambda: enqueue_emails([message.pk]))
    return bool(updated)


@dataclass(frozen=True)
class SendOutcome:
    status: str  # "sent", "skipped", "retry" or "failed"
    retry_in: float | None = None


@dataclass(frozen=True)
class ChunkOutcome:
    """What one chunk did: messages sent, put back for a retry, failed for good, and handed back
    unsent (out of time); `retry_in` is when every retried message is due again."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    handed_back: int = 0
    retry_in: float | None = None


def _classify(exc: BaseException) -> tuple[bool, str]:
    """(transient?, reason) for a failed delivery."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        transient = bool(codes) and all(400 <= code < 500 for code in codes)
        return transient, f"recipient refused: {exc.recipients}"
    if isinstance(exc, smtplib.SMTPResponseException):
        message = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return 400 <= exc.smtp_code < 500, f"{exc.smtp_code} {message}"
    if isinstance(exc, smtplib.SMTPServerDisconnected | OSError):
        return True, f"{exc.__class__.__name__}: {exc}"
    return False, f"{exc.__class__.__name__}: {exc}"


def _connection_lost(exc: BaseException) -> bool:
    """Whether the SMTP connection is unusable after this failure (smtplib has closed it)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421  # "closing transmission channel"
    if isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPNotSupportedError):
        return False
    return isinstance(exc, OSError)  # disconnects, resets and timeouts (SMTPException is one)


def _backoff(attempt: int) -> float:
    base = _setting("RETRY_BASE_SECONDS", 30)
    delay = min(base * 2 ** max(attempt - 1, 0), _setting("RETRY_MAX_SECONDS", 3600))
    return delay + random.uniform(0, base)


CLAIMED_COLUMNS = ("id", "to_email", "subject", "body_text", "body_html", "headers", "attempts")


def _claim(*, ids: Sequence[int], limit: int) -> tuple[datetime, list[EmailMessage]]:
    """Claim up to `limit` of these messages that are pending and due (pending → sending, one
    attempt more) with one UPDATE … RETURNING. Returns the claim's time, which identifies the
    claim when its outcomes are recorded, and the claimed messages, in id order.

    On PostgreSQL the rows are picked with FOR UPDATE SKIP LOCKED, so concurrent claims of the
    same ids take disjoint rows without waiting for each other; elsewhere the database runs one
    writer at a time and the status condition alone keeps claims disjoint.
    """
    now = timezone.now()
    if not ids:
        return now, []
    quote = connection.ops.quote_name
    table = quote(EmailMessage._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(now)
    due = connection.ops.adapt_datetimefield_value(now + timedelta(seconds=5))
    if connection.vendor == "postgresql":
        match, lock, id_params = "id = ANY(%s)", "FOR UPDATE SKIP LOCKED", [list(ids)]
    else:
        match, lock, id_params = f"id IN ({', '.join(['%s'] * len(ids))})", "", list(ids)
    sql = f"""
        UPDATE {table}
        SET status = %s, claimed_at = %s, updated_at = %s, attempts = attempts + 1
        WHERE id IN (
            SELECT id FROM {table}
            WHERE {match} AND status = %s AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
            ORDER BY id LIMIT %s {lock}
        )
        RETURNING {", ".join(quote(column) for column in CLAIMED_COLUMNS)}
    """  # noqa: S608 - only quoted names are interpolated
    params = [EmailStatus.SENDING, stamp, stamp, *id_params, EmailStatus.PENDING, due, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    messages = []
    for row in sorted(rows):
        values = dict(zip(CLAIMED_COLUMNS, row, strict=True))
        if isinstance(values["headers"], str):
            values["headers"] = json.loads(values["headers"])
        messages.append(EmailMessage(**values, status=EmailStatus.SENDING, claimed_at=now))
    return now, messages


def _email(message: EmailMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        headers={**message.headers, "Message-ID": message.message_id},
    )
    email.attach_alternative(message.body_html, "text/html")
    return email


class _Ledger:
    """The outcomes of one claim, written with one UPDATE per kind of outcome. Every UPDATE is
    limited to rows still `sending` under this claim, so a claim the sweeper has given up on can
    never overwrite the outcome of a later one."""

    def __init__(self, claimed_at: datetime):
        self.claimed_at = claimed_at
        self.sent: list[int] = []
        self.settled: dict[tuple[str, str, datetime | None], list[int]] = defaultdict(list)
        self.counts = {"sent": 0, "retried": 0, "failed": 0, "handed_back": 0}
        self.retry_in: float | None = None
        self.delays: dict[int, float] = {}  # one backoff per attempt number and chunk

    def _rows(self, ids: Sequence[int]):
        return EmailMessage.objects.filter(
            pk__in=ids, status=EmailStatus.SENDING, claimed_at=self.claimed_at
        )

    def add_sent(self, message: EmailMessage) -> None:
        self.sent.append(message.pk)

    def add_failure(self, message: EmailMessage, *, transient: bool, reason: str) -> None:
        reason = reason[:2000]
        if transient and message.attempts < _setting("MAX_ATTEMPTS", 6):
            delay = self.delays.setdefault(message.attempts, _backoff(message.attempts))
            self.retry_in = max(self.retry_in or 0, delay)
            next_attempt_at = self.claimed_at + timedelta(seconds=delay)
            self.settled[(EmailStatus.PENDING, reason, next_attempt_at)].append(message.pk)
            self.counts["retried"] += 1
            logger.info(
                "notifications: email %s deferred (%s); retry in %.0fs", message.pk, reason, delay
            )
        else:
            self.settled[(EmailStatus.FAILED, reason, None)].append(message.pk)
            self.counts["failed"] += 1
            logger.warning("notifications: email %s failed: %s", message.pk, reason)

    def record_sent(self) -> None:
        if self.sent:
            now = timezone.now()
            self._rows(self.sent).update(
                status=EmailStatus.SENT, sent_at=now, last_error="", updated_at=now
            )
            self.counts["sent"] += len(self.sent)
            self.sent = []

    def record(self, *, unsent: Sequence[EmailMessage]) -> ChunkOutcome:
        """Write every outcome not yet written, and hand back `unsent` (claimed, never tried:
        pending again, the attempt not counted) to be enqueued after commit."""
        self.record_sent()
        now = timezone.now()
        for (status, reason, next_attempt_at), ids in self.settled.items():
            self._rows(ids).update(
                status=status, last_error=reason, next_attempt_at=next_attempt_at, updated_at=now
            )
        self.settled.clear()
        if unsent:
            ids = [message.pk for message in unsent]
            self._rows(ids).update(
                status=EmailStatus.PENDING, attempts=F("attempts") - 1, updated_at=now
            )
            self.counts["handed_back"] += len(ids)
            transaction.on_commit(lambda: enqueue_emails(ids))
        return ChunkOutcome(**self.counts, retry_in=self.retry_in)


def _close_quietly(backend) -> None:
    try:
        backend.close()
    except Exception:  # the connection is being dropped anyway
        logger.info("notifications: error closing the SMTP connection", exc_info=True)


def email_chunk_send(*, message_ids: Sequence[int]) -> ChunkOutcome:
    """Deliver the pending, due messages among these ids (up to NOTIFICATIONS_CHUNK_SIZE of
    them) over one SMTP connection, each at most once.

    The claim (`_claim`) makes the messages this call's own, so two workers, a task delivered
    twice or overlapping chunks never send one message twice. Each message's outcome is its own:
    transient failures (SMTP 4xx, refused connections, timeouts, a dropped connection) put that
    message back to pending with a backoff until NOTIFICATIONS_MAX_ATTEMPTS, permanent ones
    (SMTP 5xx) mark it failed with the reason, and the rest of the chunk goes on — over a new
    connection when the old one was lost. Sent messages are recorded after every
    NOTIFICATIONS_RECORD_EVERY, and everything else at the end, also when the task is
    interrupted (a soft time limit); what the chunk had no time to try is handed back.

    A worker killed outright leaves its messages `sending`: the sweeper returns them to pending
    once the claim has expired (NOTIFICATIONS_STALE_SENDING_SECONDS). Only the message that was
    on the wire when the worker died can then go again (with the same Message-ID, so that the
    receiving server can drop the copy); every message recorded as sent is never sent again.
    """
    claimed_at, messages = _claim(ids=message_ids, limit=_setting("CHUNK_SIZE", 100))
    if not messages:
        return ChunkOutcome()
    ledger = _Ledger(claimed_at)
    record_every = max(_setting("RECORD_EVERY", 1), 1)
    deadline = time.monotonic() + _setting("CHUNK_SECONDS", 120)
    unsent = list(reversed(messages))  # popped from the end: lowest id first
    backend = get_connection(fail_silently=False, timeout=_setting("SMTP_TIMEOUT_SECONDS", 20))
    _fast_commits(True)
    try:
        try:
            backend.open()
        except Exception as exc:  # noqa: BLE001 - each message records why it was not sent
            transient, reason = _classify(exc)
            while unsent:
                ledger.add_failure(unsent.pop(), transient=transient, reason=reason)
        while unsent and time.monotonic() < deadline:
            message = unsent.pop()
            try:
                backend.send_messages([_email(message)])
            except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
                transient, reason = _classify(exc)
                ledger.add_failure(message, transient=transient, reason=reason)
                if _connection_lost(exc):
                    _close_quietly(backend)
                    try:
                        backend.open()
                    except Exception as exc:  # noqa: BLE001 - as when opening the first one
                        transient, reason = _classify(exc)
                        while unsent:
                            ledger.add_failure(unsent.pop(), transient=transient, reason=reason)
            else:
                ledger.add_sent(message)
                if len(ledger.sent) >= record_every:
                    ledger.record_sent()
    finally:
        _close_quietly(backend)
        outcome = ledger.record(unsent=unsent)
        _fast_commits(False)
    return outcome


def _fast_commits(on: bool) -> None:
    """While a chunk is delivered, its records need not wait for PostgreSQL to flush its log
    (about 5 ms a commit here): a worker's death cannot lose a commit the server holds; only a
    crash of the database server itself within a fraction of a second could."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF" if on else "RESET synchronous_commit")


def email_send(*, message_id: int) -> SendOutcome:
    """Deliver one outbox message, at most once: `email_chunk_send` for a chunk of one."""
    outcome = email_chunk_send(message_ids=[message_id])
    if outcome.sent:
        return SendOutcome("sent")
    if outcome.retried:
        return SendOutcome("retry", retry_in=outcome.retry_in)
    if outcome.failed:
        return SendOutcome("failed")
    return SendOutcome("skipped")


def outbox_sweep() -> int:
    """Re-enqueue what was left behind; returns how many messages were enqueued.

    Pending messages untouched for NOTIFICATIONS_STALE_PENDING_SECONDS (for example because the
    broker was down when they were written) are enqueued again. Messages stuck in sending for
    longer than a task may run (the worker died mid-send) go back to pending first.
    """
    now = timezone.now()
    stale_sending = now - timedelta(seconds=_setting("STALE_SENDING_SECONDS", 600))
    EmailMessage.objects.filter(status=EmailStatus.SENDING, claimed_at__lt=stale_sending).update(
        status=EmailStatus.PENDING,
        last_error="The worker stopped during delivery; sending again.",
        updated_at=now - timedelta(days=1),
    )
    stale_pending = now - timedelta(seconds=_setting("STALE_PENDING_SECONDS", 120))
    ids = list(
        EmailMessage.objects.filter(status=EmailStatus.PENDING, updated_at__lt=stale_pending)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:10000]
    )
    if not ids:
        return 0
    # Touch them so the next sweep leaves them alone while these tasks are queued.
    EmailMessage.objects.filter(pk__in=ids, status=EmailStatus.PENDING).update(updated_at=now)
    return len(ids) if enqueue_emails(ids) else 0


# --- The notification centre ----------------------------------------------------------------


def notification_mark_read(*, user, notification: Notification) -> None:
    """Mark one of the user's notifications read (idempotent)."""
    Notification.objects.filter(pk=notification.pk, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- Preferences ----------------------------------------------------------------------------


class PreferenceError(Exception):
    """A preference that cannot be set; the message is shown to the user."""


def preference_set(
    *, user, kind: str, is_email_enabled: bool, is_in_app_enabled: bool
) -> NotificationPreference:
    """Store the user's channels for one kind. Raises PreferenceError for a mandatory kind."""
    spec = get_kind(kind)
    if spec.is_mandatory and not (is_email_enabled and is_in_app_enabled):
        raise PreferenceError(f"{spec.label} notifications cannot be switched off.")
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user,
        kind=spec.name,
        defaults={"is_email_enabled": is_email_enabled, "is_in_app_enabled": is_in_app_enabled},
    )
    return preference


def unsubscribe(*, user, kind: str) -> NotificationPreference:
    """Switch email off for one optional kind (from an email's unsubscribe link)."""
    current = NotificationPreference.objects.filter(user=user, kind=kind).first()
    return preference_set(
        user=user,
        kind=kind,
        is_email_enabled=False,
        is_in_app_enabled=current.is_in_app_enabled if current else True,
    )


def _optional_kind_names() -> list[str]:
    return [kind.name for kind in all_kinds() if not kind.is_mandatory]


@transaction.atomic
def optional_mute_set(*, user, is_muted: bool) -> int:
    """Stop (or resume) every optional kind for `user`, whatever their per-kind preferences,
    which are kept for when it resumes; mandatory kinds (security, offers) are always sent.
    Muting also deletes the user's optional messages not yet sent (pending or staged), so
    nothing optional goes out afterwards. Returns the number of emails deleted."""
    if not is_muted:
        NotificationPreference.objects.filter(user=user, kind=ALL_OPTIONAL_KINDS).delete()
        return 0
    NotificationPreference.objects.update_or_create(
        user=user,
        kind=ALL_OPTIONAL_KINDS,
        defaults={"is_email_enabled": False, "is_in_app_enabled": False},
    )
    optional = _optional_kind_names()
    Notification.objects.filter(recipient=user, kind__in=optional, is_staged=True).delete()
    deleted, _ = EmailMessage.objects.filter(
        recipient=user,
        kind__in=optional,
        status__in=[EmailStatus.PENDING, EmailStatus.STAGED],
    ).delete()
    return deleted
