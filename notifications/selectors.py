from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .enums import EmailStatus
from .models import EmailMessage, Notification, NotificationPreference
from .registry import Kind, all_kinds, workflow_owned_kinds


def notification_list_for_user(*, user) -> QuerySet[Notification]:
    return Notification.objects.visible().filter(recipient=user).order_by("-created_at", "-id")


def notification_get_for_user(*, user, notification_id: int) -> Notification | None:
    return Notification.objects.visible().filter(recipient=user, pk=notification_id).first()


def _unread(*, recipient) -> QuerySet[Notification]:
    return Notification.objects.visible().filter(recipient=recipient, read_at__isnull=True)


def unread_count_for_user(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return _unread(recipient=user).count()


def unread_count_expression(*, user_ref) -> Subquery:
    """The number of unread notifications of the user `user_ref` points at, for an annotation
    (the same count as `unread_count_for_user`)."""
    unread = (
        _unread(recipient=user_ref)
        .order_by()
        .values("recipient")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(unread), 0)


@dataclass(frozen=True)
class PreferenceRow:
    kind: Kind
    is_email_enabled: bool
    is_in_app_enabled: bool


def preference_rows_for_user(*, user) -> list[PreferenceRow]:
    """Every kind with the user's current channels (mandatory kinds are always on); one query."""
    stored = {pref.kind: pref for pref in NotificationPreference.objects.filter(user=user)}
    rows = []
    for kind in all_kinds():
        pref = stored.get(kind.name)
        rows.append(
            PreferenceRow(
                kind=kind,
                is_email_enabled=kind.is_mandatory or pref is None or pref.is_email_enabled,
                is_in_app_enabled=kind.is_mandatory or pref is None or pref.is_in_app_enabled,
            )
        )
    return rows


def email_list_for_scope(
    *, scope: str, status: str = "", kind: str = "", search: str = ""
) -> QuerySet[EmailMessage]:
    """The outbox of `scope`, newest first, filtered."""
    emails = EmailMessage.objects.filter(scope=scope).select_related("recipient")
    if status:
        emails = emails.filter(status=status)
    if kind:
        emails = emails.filter(kind=kind)
    if search:
        emails = emails.filter(Q(to_email__icontains=search) | Q(subject__icontains=search))
    return emails.order_by("-created_at", "-id")


def email_status_counts_for_scope(*, scope: str) -> dict[str, int]:
    """How many of the emails of `scope` are in each status (every status present)."""
    counts = dict.fromkeys(EmailStatus.values, 0)
    for row in (
        EmailMessage.objects.filter(scope=scope).values("status").annotate(n=Count("id")).order_by()
    ):
        counts[row["status"]] = row["n"]
    return counts


def releasable_staged_count_for_scope(*, scope: str) -> int:
    """Staged emails the outbox may release: not decision letters, which their workflow
    releases."""
    return (
        EmailMessage.objects.filter(scope=scope, status=EmailStatus.STAGED)
        .exclude(kind__in=workflow_owned_kinds())
        .count()
    )


def email_get_for_scope(*, scope: str, message_id: int) -> EmailMessage | None:
    return (
        EmailMessage.objects.filter(scope=scope, pk=message_id).select_related("recipient").first()
    )
