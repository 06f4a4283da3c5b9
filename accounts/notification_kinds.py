"""The notification kinds the accounts app sends; registered from `AccountsConfig.ready()`."""

from django.utils.translation import gettext_lazy as _

from notifications.registry import Kind

KINDS = (
    Kind(
        name="account.security",
        label=_("Account security"),
        description=_("Password, email and two-factor changes on your account."),
        is_mandatory=True,
        example={
            "event_subject": "Your password has been changed",
            "event_text": "Your password was changed on 23 November 2026 at 10:02.",
        },
    ),
)
