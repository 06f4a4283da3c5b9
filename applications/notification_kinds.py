"""The notification kinds of applications; registered from the app's `AppConfig.ready()`."""

from django.utils.translation import gettext_lazy as _

from notifications.registry import Kind

KINDS = (
    Kind(
        name="application.submitted",
        label=_("Application receipts"),
        description=_("A receipt when you submit an application."),
        example={"cohort_name": "AI Forward 2026", "programme_name": "AI Forward 2026"},
    ),
    Kind(
        name="application.deadline_reminder",
        label=_("Deadline reminders"),
        description=_(
            "A reminder 48 hours before the deadline if your application is still a draft."
        ),
        example={
            "cohort_name": "AI Forward 2026",
            "programme_name": "AI Forward 2026",
            "tz": "Asia/Singapore",
        },
    ),
    Kind(
        name="application.withdrawn",
        label=_("Withdrawal confirmations"),
        description=_("A confirmation when you withdraw an application."),
        example={"cohort_name": "AI Forward 2026", "programme_name": "AI Forward 2026"},
    ),
    Kind(
        name="application.dispute_resolved",
        label=_("Answers to correction requests"),
        description=_(
            "A notice when the programme team has answered your request to correct an application."
        ),
        example={"cohort_name": "AI Forward 2026", "programme_name": "AI Forward 2026"},
    ),
)
