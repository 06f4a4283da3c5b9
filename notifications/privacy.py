"""Notifications' part of a person's data: the notices shown to them in the app, the emails
sent to them (subject, status, when; the text part too; staged ones, not yet released by
the programme, left out) and their notification preferences."""

from django.utils.translation import gettext_lazy as _

from core.privacy_registry import PersonalData, PrivacyPart, Target, when
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


PARTS = (PrivacyPart(slug="notifications", label=_("Notifications"), collect=collect, order=90),)
