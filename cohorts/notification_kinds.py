"""The notification kinds of programmes, applications, reviews and selection; registered from
`CohortsConfig.ready()`.
"""

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
        name="selection.offer",
        label=_("Offers"),
        description=_("An offer of a seat in a cohort, and how long you have to answer."),
        is_mandatory=True,
        released_by=_("the release of the cohort's decisions"),
        example={
            "cohort_name": "Main intake",
            "programme_name": "AI Forward 2026",
            "tz": "Asia/Singapore",
        },
    ),
    Kind(
        name="selection.offer_reminder",
        label=_("Offer reminders"),
        description=_("A reminder 48 hours before an offer expires."),
        is_mandatory=True,
        example={
            "cohort_name": "Main intake",
            "programme_name": "AI Forward 2026",
            "tz": "Asia/Singapore",
        },
    ),
    Kind(
        name="selection.waitlisted",
        label=_("Waitlist decisions"),
        description=_("When you are placed on a cohort's waitlist."),
        is_mandatory=True,
        released_by=_("the release of the cohort's decisions"),
        example={"cohort_name": "Main intake", "programme_name": "AI Forward 2026"},
    ),
    Kind(
        name="selection.not_selected",
        label=_("Decisions"),
        description=_("When an application is not selected."),
        is_mandatory=True,
        released_by=_("the release of the cohort's decisions"),
        example={"cohort_name": "Main intake", "programme_name": "AI Forward 2026"},
    ),
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
