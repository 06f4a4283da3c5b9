"""Every write of the notifications app: notify, the outbox's delivery, read state, preferences.

`notify` and `notify_bulk` write in the caller's transaction and enqueue only after it commits,
so a rolled-back caller leaves neither a message nor a queued task. The outbox row is the source
of truth: when the broker is down, rows stay pending and the sweeper enqueues them later.
"""

import json
import logging
import random
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from core import background

from . import rendering
from .enums import EmailStatus
from .models import EmailMessage, Notification, NotificationPreference
from .registry import Kind, get_kind, workflow_owned_kinds

logger = logging.getLogger(__name__)

ENQUEUE_CHUNK = 500


def _setting(name: str, default):
    return getattr(settings, f"NOTIFICATIONS_{name}", default)


# --- Writing notifications ------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    notification: Notification | None
    email: EmailMessage | None


def _channels(*, kind: Kind, user_ids: Sequence[int]) -> dict[int, tuple[bool, bool]]:
    """(email on, in-app on) per user id; mandatory kinds are always on."""
    channels = dict.fromkeys(user_ids, (True, True))
    if kind.is_mandatory:
        return channels
    for user_id, email_on, in_app_on in NotificationPreference.objects.filter(
        user_id__in=user_ids, kind=kind.name
    ).values_list("user_id", "is_email_enabled", "is_in_app_enabled"):
        channels[user_id] = (email_on, in_app_on)
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
    """Publish send tasks for these outbox rows; never raises.

    Up to ENQUEUE_CHUNK ids are published one task each; more are published as fan-out tasks
    of ENQUEUE_CHUNK ids. When the broker is unreachable the rows stay pending and the sweeper
    publishes them later. Returns whether publishing succeeded.
    """
    ids = list(ids)
    try:
        if len(ids) <= ENQUEUE_CHUNK:
            for message_id in ids:
                background.enqueue("notifications.send_email", message_id)
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


def _backoff(attempt: int) -> float:
    base = _setting("RETRY_BASE_SECONDS", 30)
    delay = min(base * 2 ** max(attempt - 1, 0), _setting("RETRY_MAX_SECONDS", 3600))
    return delay + random.uniform(0, base)


def _deliver(message: EmailMessage) -> None:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        headers={**message.headers, "Message-ID": message.message_id},
    )
    email.attach_alternative(message.body_html, "text/html")
    with get_connection(
        fail_silently=False, timeout=_setting("SMTP_TIMEOUT_SECONDS", 20)
    ) as connection:
        connection.send_messages([email])


def email_send(*, message_id: int) -> SendOutcome:
    """Deliver one outbox message, at most once.

    Claims the row with a conditional UPDATE (pending → sending), so two workers, or a task
    delivered twice, cannot both send it. Transient failures (SMTP 4xx, refused connections,
    timeouts) put it back to pending with a backoff until NOTIFICATIONS_MAX_ATTEMPTS; permanent
    ones (SMTP 5xx) mark it failed with the reason.
    """
    now = timezone.now()
    claimed = (
        EmailMessage.objects.filter(pk=message_id, status=EmailStatus.PENDING)
        .filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + timedelta(seconds=5))
        )
        .update(
            status=EmailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
        )
    )
    if not claimed:
        return SendOutcome("skipped")
    message = EmailMessage.objects.get(pk=message_id)
    sending = EmailMessage.objects.filter(pk=message_id, status=EmailStatus.SENDING)
    try:
        _deliver(message)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
        transient, reason = _classify(exc)
        if transient and message.attempts < _setting("MAX_ATTEMPTS", 6):
            delay = _backoff(message.attempts)
            sending.update(
                status=EmailStatus.PENDING,
                last_error=reason[:2000],
                next_attempt_at=timezone.now() + timedelta(seconds=delay),
                updated_at=timezone.now(),
            )
            logger.info(
                "notifications: email %s deferred (%s); retry in %.0fs", message_id, reason, delay
            )
            return SendOutcome("retry", retry_in=delay)
        sending.update(
            status=EmailStatus.FAILED, last_error=reason[:2000], updated_at=timezone.now()
        )
        logger.warning("notifications: email %s failed: %s", message_id, reason)
        return SendOutcome("failed")
    sending.update(
        status=EmailStatus.SENT, sent_at=timezone.now(), last_error="", updated_at=timezone.now()
    )
    return SendOutcome("sent")


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
