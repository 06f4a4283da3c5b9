"""The notification kinds of privacy; registered from the app's `AppConfig.ready()`."""

from django.utils.translation import gettext_lazy as _

from notifications.registry import Kind

KINDS = (
    Kind(
        name="privacy.erasure_scheduled",
        label=_("Account deletion"),
        description=_("When you ask us to delete your account, and when you cancel it."),
        is_mandatory=True,
        example={"due_on": "14 December 2026", "certificates": "keep"},
    ),
    Kind(
        name="privacy.erasure_cancelled",
        label=_("Account deletion cancelled"),
        description=_("When a deletion of your account you asked for is cancelled."),
        is_mandatory=True,
        example={},
    ),
)
