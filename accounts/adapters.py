from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import unstash_login
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.template.loader import render_to_string
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

# Messages allauth adds that say nothing the next page does not: the menu shows who is signed
# in. (The one for a confirmed address is dropped only when the confirmation signs in.)
_SILENT_MESSAGES = {"account/messages/logged_in.txt"}
_CONFIRMED_MESSAGE = "account/messages/email_confirmed.txt"
# After signing up or signing in unconfirmed, the page shown says the link is sent.
_SENT_MESSAGE = "account/messages/email_confirmation_sent.txt"
_SENT_PAGE_VIEWS = {"account_signup", "account_login"}


class AccountAdapter(DefaultAccountAdapter):
    """Security notices (password, email and two-factor changes) go through our outbox.

    They become the mandatory `account.security` kind: an in-app notification plus an email
    delivered by the worker with retries. So do the two emails a sign-up sends (see
    `_SIGNUP_TEMPLATES`). Password-reset emails and verification of later-added addresses stay
    synchronous as allauth sends them.
    """

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth's emails speak as the product (`SITE_NAME`, never the host serving the
        request) and, when sent directly, wear the same HTML layout as every other email."""
        context = {
            "site_name": settings.SITE_NAME,
            "recipient": {"email": email},
            "link": _first_link(context),
            **context,
        }
        message = super().render_mail(template_prefix, email, context, headers)
        if not context.get("is_outbox") and not message.alternatives:
            message.attach_alternative(
                render_to_string(
                    "account/email/_message.html",
                    {**context, "subject": message.subject, "text": message.body},
                ),
                "text/html",
            )
        return message

    def _queue_mail(
        self, template_prefix, *, recipient, email, context, url, is_change=True
    ) -> None:
        rendered = self.render_mail(
            template_prefix, email, {"user": recipient, **context, "is_outbox": True}
        )
        prefix = app_settings.EMAIL_SUBJECT_PREFIX or ""
        notification_services.notify(
            recipient=recipient,
            kind="account.security",
            context={
                "event_subject": rendered.subject.removeprefix(prefix),
                "event_text": rendered.body,
                # A sign-up's own emails are not a change to warn about, and their button
                # does what the email asks.
                "is_signup": not is_change,
                "event_action": "" if is_change else rendered.subject,
            },
            url=url,
        )

    def add_message(
        self,
        request,
        level,
        message_template=None,
        message_context=None,
        extra_tags="",
        message=None,
    ) -> None:
        if message_template in _SILENT_MESSAGES:
            return
        if message_template == _CONFIRMED_MESSAGE and _confirmation_signs_in(request):
            return
        match = getattr(request, "resolver_match", None)
        if message_template == _SENT_MESSAGE and match and match.url_name in _SENT_PAGE_VIEWS:
            return
        super().add_message(
            request,
            level,
            message_template=message_template,
            message_context=message_context,
            extra_tags=extra_tags,
            message=message,
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
                    url=_first_link(context),
                    is_change=False,
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


def _first_link(context: dict) -> str:
    return context.get("activate_url") or context.get("password_reset_url") or ""


def _confirmation_signs_in(request) -> bool:
    """True when confirming an address resumes a sign-in waiting for it (a new account): the
    next page greets the person, so "you have confirmed …" would only push it down."""
    if request is None or request.user.is_authenticated:
        return False
    return unstash_login(request, peek=True) is not None
