from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.urls import reverse
from django.utils import timezone

from notifications import services as notification_services

from . import selectors, services

# Sign-up's two answers must cost the same, or their timing tells whether an address has an
# account: the verification email of a new account and the "you already have an account" email
# both go through the outbox (and SignupForm hashes the password on both paths).
_SIGNUP_TEMPLATES = {
    "account/email/email_confirmation_signup",
    "account/email/account_already_exists",
}


class AccountAdapter(DefaultAccountAdapter):
    """Security notices (password, email and two-factor changes) go through our outbox.

    They become the mandatory `account.security` kind: an in-app notification plus an email
    delivered by the worker with retries. So do the two emails a sign-up sends (see
    `_SIGNUP_TEMPLATES`). Password-reset emails and verification of later-added addresses stay
    synchronous as allauth sends them.
    """

    def _queue_mail(self, template_prefix, *, recipient, email, context, url) -> None:
        rendered = self.render_mail(template_prefix, email, context)
        prefix = app_settings.EMAIL_SUBJECT_PREFIX or ""
        notification_services.notify(
            recipient=recipient,
            kind="account.security",
            context={
                "event_subject": rendered.subject.removeprefix(prefix),
                "event_text": rendered.body,
            },
            url=url,
        )

    def send_mail(self, template_prefix, email, context):
        if template_prefix in _SIGNUP_TEMPLATES:
            recipient = selectors.user_get_by_email(email=email)
            if recipient is not None:
                request = allauth_context.request
                self._queue_mail(
                    template_prefix,
                    recipient=recipient,
                    email=email,
                    context={
                        "request": request,
                        "email": email,
                        "current_site": get_current_site(request),
                        **context,
                    },
                    url=context.get("activate_url") or context.get("password_reset_url") or "",
                )
                if template_prefix == "account/email/account_already_exists":
                    # The new-account path records "account.signup"; this one records too.
                    services.account_event_record(
                        request=request,
                        action="account.signup_existing_email",
                        actor=None,
                        account=recipient,
                    )
                return
        super().send_mail(template_prefix, email, context)

    def send_notification_mail(self, template_prefix, user, context=None, email=None):
        details = {
            "timestamp": timezone.now(),
            "ip": self.get_client_ip(self.request),
            "user_agent": self.get_http_user_agent(self.request)[:200],
            **(context or {}),
        }
        self._queue_mail(
            template_prefix,
            recipient=user,
            email=email or user.email,
            context=details,
            url=reverse("account_email"),
        )
