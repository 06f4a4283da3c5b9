"""Notifications' part of a person's data: the notices shown to them in the app, the emails
sent to them (subject, status, when; the text part too; staged ones, not yet released by
the programme, left out) and their notification preferences."""

from django.utils.translation import gettext_lazy as _

from core.privacy_registry import (
    Erased,
    ErasureScope,
    PersonalData,
    PrivacyPart,
    Target,
    mentioning,
    redact,
    when,
)
from notifications.enums import EmailStatus
from notifications.models import EmailMessage, Notification, NotificationPreference


def collect(person, targets: frozenset[Target]) -> PersonalData:
    data = PersonalData()
    for notice in Notification.objects.filter(recipient=person, is_staged=False).order_by(
        "created_at", "id"
    ):
        data.records.append(
            {
                "notification": {
                    "at": when(notice.created_at),
                    "kind": notice.kind,
                    "text": notice.text,
                    "read_at": when(notice.read_at),
                }
            }
        )
    emails = (
        EmailMessage.objects.filter(recipient=person)
        .exclude(status=EmailStatus.STAGED)
        .order_by("created_at", "id")
    )
    for email in emails:
        data.records.append(
            {
                "email": {
                    "at": when(email.created_at),
                    "kind": email.kind,
                    "subject": email.subject,
                    "text": email.body_text,
                    "status": email.status,
                    "sent_at": when(email.sent_at),
                }
            }
        )
    for preference in NotificationPreference.objects.filter(user=person).order_by("kind"):
        data.records.append(
            {
                "preference": {
                    "kind": preference.kind,
                    "email": preference.is_email_enabled,
                    "in_app": preference.is_in_app_enabled,
                }
            }
        )
    return data


def erase(scope: ErasureScope) -> Erased:
    """On an erasure, the person's notices, emails (sent or not) and preferences go, and where
    another person's notice or email named them (a mentor told of a mentee), the name and
    address are replaced. A retention purge deletes the person's notices and emails of the
    programmes it empties (`scope.notification_scopes`)."""
    person = scope.person
    if not scope.is_whole:
        if not scope.notification_scopes:
            return Erased()
        scopes = sorted(scope.notification_scopes)
        rows = Notification.objects.filter(recipient=person, scope__in=scopes).delete()[0]
        rows += EmailMessage.objects.filter(recipient=person, scope__in=scopes).delete()[0]
        return Erased(rows=rows)
    rows = Notification.objects.filter(recipient=person).delete()[0]
    rows += EmailMessage.objects.filter(recipient=person).delete()[0]
    rows += NotificationPreference.objects.filter(user=person).delete()[0]
    if scope.identifiers:
        needles = scope.identifiers
        for notice in Notification.objects.filter(mentioning(needles, "text")).iterator():
            notice.text = redact(notice.text, needles)
            notice.save(update_fields=["text"])
            rows += 1
        emails = EmailMessage.objects.filter(
            mentioning(needles, "subject", "body_text", "body_html", "to_email")
        )
        for email in emails.iterator():
            for name in ("subject", "body_text", "body_html", "to_email", "headers"):
                setattr(email, name, redact(getattr(email, name), needles))
            email.save(update_fields=["subject", "body_text", "body_html", "to_email", "headers"])
            rows += 1
    return Erased(rows=rows)


PARTS = (
    PrivacyPart(
        slug="notifications",
        label=_("Notifications"),
        collect=collect,
        order=90,
        erase=erase,
    ),
)
