"""The notification kinds of review; registered from the app's `AppConfig.ready()`."""

from django.utils.translation import gettext_lazy as _

from notifications.registry import Kind

KINDS = (
    Kind(
        name="review.assigned",
        label=_("Applications to review"),
        description=_("One message when applications are assigned to you for review."),
        example={
            "count": 42,
            "cohort_name": "Main intake",
            "programme_name": "AI Forward 2026",
        },
    ),
    Kind(
        name="review.reminder",
        label=_("Review reminders"),
        description=_("Reminders about reviews you have not submitted yet."),
        example={
            "remaining": 12,
            "cohort_name": "Main intake",
            "programme_name": "AI Forward 2026",
        },
    ),
)
