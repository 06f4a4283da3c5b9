from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleKind(models.TextChoices):
    PROGRAMME_ADMIN = "programme_admin", _("Programme admin")
    REVIEWER = "reviewer", _("Reviewer")
    MENTOR = "mentor", _("Mentor")
    STAFF = "staff", _("Staff / instructor")


class PartnerKind(models.TextChoices):
    DATA_CENTRE = "data_centre", _("Data-centre operator")
    CLOUD = "cloud", _("Cloud provider")
    UNION = "union", _("Trade union")
    EMPLOYER = "employer", _("Employer")
    TRAINING = "training", _("Training provider")
    GOVERNMENT = "government", _("Government agency")
    OTHER = "other", _("Other")


class CohortStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class QuestionType(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    CHOICE = "choice", _("Single choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    NUMBER = "number", _("Number")
    YES_NO = "yes_no", _("Yes / no")
    URL = "url", _("Web address")
    FILE = "file", _("File (PDF)")


class RuleOperator(models.TextChoices):
    IN = "in", _("is one of")
    NOT_IN = "not_in", _("is not one of")
    BETWEEN = "between", _("is between")
    AT_LEAST = "at_least", _("is at least")
    AT_MOST = "at_most", _("is at most")
    IS_TRUE = "is_true", _("is yes")
    IS_FALSE = "is_false", _("is no")


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


class Recommendation(models.TextChoices):
    STRONG_YES = "strong_yes", _("Strong yes")
    YES = "yes", _("Yes")
    MAYBE = "maybe", _("Maybe")
    NO = "no", _("No")


class ConflictKind(models.TextChoices):
    PERSON = "person", _("A person (their email)")
    EMPLOYER = "employer", _("An employer")
    APPLICATION = "application", _("An application (flagged while reviewing)")


class ScoreKind(models.TextChoices):
    RAW = "raw", _("Raw score")
    NORMALIZED = "normalized", _("Normalised score")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    COMMITTING = "committing", _("Committing")
    COMMITTED = "committed", _("Committed")


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class JobStatus(models.TextChoices):
    """A background job's life: queued → running → done or failed (a stranded one is re-queued)."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
