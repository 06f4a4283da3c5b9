"""The notification kinds of programmes; registered from the app's `AppConfig.ready()`."""

from django.utils.translation import gettext_lazy as _

from notifications.registry import Kind

KINDS = (
    Kind(
        name="programme.role_granted",
        label=_("Programme roles"),
        description=_("When you are given a role in a programme's team."),
        example={
            "programme_name": "AI Forward 2026",
            "role_label": "Reviewer",
            "granted_by": "Farah Osman",
        },
    ),
    Kind(
        name="programme.announcement",
        label=_("Programme announcements"),
        description=_("Messages from a programme's admins to its team."),
        example={
            "programme_name": "AI Forward 2026",
            "subject": "Review kick-off on Monday",
            "message": "Dear reviewers,\n\nThe review period opens on Monday.",
            "sender": "Farah Osman",
        },
    ),
)
