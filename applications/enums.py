"""Application statuses and the state table every status change goes through."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    INELIGIBLE = "ineligible", _("Ineligible")
    IN_REVIEW = "in_review", _("In review")
    OFFERED = "offered", _("Offered")
    WAITLISTED = "waitlisted", _("Waitlisted")
    NOT_SELECTED = "not_selected", _("Not selected")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Every allowed status change, in one place. Services refuse anything else.
APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    ApplicationStatus.DRAFT: frozenset({ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN}),
    ApplicationStatus.SUBMITTED: frozenset(
        {ApplicationStatus.INELIGIBLE, ApplicationStatus.IN_REVIEW, ApplicationStatus.WITHDRAWN}
    ),
    ApplicationStatus.INELIGIBLE: frozenset({ApplicationStatus.SUBMITTED}),
    ApplicationStatus.IN_REVIEW: frozenset(
        {
            ApplicationStatus.INELIGIBLE,
            ApplicationStatus.OFFERED,
            ApplicationStatus.WAITLISTED,
            ApplicationStatus.NOT_SELECTED,
            ApplicationStatus.WITHDRAWN,
        }
    ),
    ApplicationStatus.WAITLISTED: frozenset(
        {ApplicationStatus.OFFERED, ApplicationStatus.NOT_SELECTED, ApplicationStatus.WITHDRAWN}
    ),
    ApplicationStatus.OFFERED: frozenset(
        {
            ApplicationStatus.ACCEPTED,
            ApplicationStatus.DECLINED,
            ApplicationStatus.EXPIRED,
            ApplicationStatus.WITHDRAWN,
        }
    ),
    # Only while decisions are hidden (application_withdraw checks): hidden ones answer alike.
    ApplicationStatus.NOT_SELECTED: frozenset({ApplicationStatus.WITHDRAWN}),
    ApplicationStatus.ACCEPTED: frozenset({ApplicationStatus.WITHDRAWN}),
    ApplicationStatus.DECLINED: frozenset(),
    ApplicationStatus.EXPIRED: frozenset(),
    ApplicationStatus.WITHDRAWN: frozenset(),
}


# Statuses staff may set by hand (bulk actions); the rest belong to later workflows.
STAFF_SETTABLE_STATUSES = (
    ApplicationStatus.INELIGIBLE,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.SUBMITTED,
)


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


# How many disputes an application may have open at once: enough for every real mistake, few
# enough that a loop cannot bury the programme team.
MAX_OPEN_DISPUTES = 10
# The longest note an applicant, or a response staff, may write.
DISPUTE_TEXT_MAX = 2000
