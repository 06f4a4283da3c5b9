"""Every kind of notification, declared once.

Each kind renders from `templates/emails/<name>/`: `subject.txt`, `body.txt`, `body.html` and
`inapp.txt` (the one-line text shown in the notification centre). `example` is a context that
renders every template; tests and the `notification_kinds` command use it.
"""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    name: str
    label: str | Promise
    description: str | Promise
    is_mandatory: bool = False
    example: dict = field(default_factory=dict)
    # Staged messages of a workflow-owned kind (decision letters) are released only by that
    # workflow, never from the outbox page: releasing them alone would tell applicants a decision
    # the workflow has not made visible.
    released_by: str | Promise = ""

    @property
    def is_workflow_owned(self) -> bool:
        return bool(self.released_by)

    @property
    def template_dir(self) -> str:
        return f"emails/{self.name}"


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in [
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
    ]
}


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(
            f"Unknown notification kind {name!r}; declare it in notifications/registry.py."
        ) from None


def all_kinds() -> list[Kind]:
    return list(KINDS.values())


def workflow_owned_kinds() -> list[str]:
    return [kind.name for kind in KINDS.values() if kind.is_workflow_owned]
