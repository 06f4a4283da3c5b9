from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse
from django.utils import timezone

from notifications import services as notification_services


class AccountAdapter(DefaultAccountAdapter):
    """Security notices (password, email and two-factor changes) go through our outbox.

    They become the mandatory `account.security` kind: an in-app notification plus an email
    delivered by the worker with retries. Verification and password-reset emails, which a person
    waits for in front of the screen, stay synchronous as allauth sends them.
    """

    def send_notification_mail(self, template_prefix, user, context=None, email=None):
        details = {
            "timestamp": timezone.now(),
            "ip": self.get_client_ip(self.request),
            "user_agent": self.get_http_user_agent(self.request)[:200],
            **(context or {}),
        }
        rendered = self.render_mail(template_prefix, email or user.email, details)
        prefix = app_settings.EMAIL_SUBJECT_PREFIX or ""
        notification_services.notify(
            recipient=user,
            kind="account.security",
            context={
                "event_subject": rendered.subject.removeprefix(prefix),
                "event_text": rendered.body,
            },
            url=reverse("account_email"),
        )
