"""Applications and their history."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.enums import DISPUTE_TEXT_MAX, ApplicationStatus, DisputeStatus
from applications.storage import private_storage
from cohorts.models import Cohort
from core.models import TimeStampedModel


def cv_upload_to(instance, filename: str) -> str:
    # Never the applicant's file name: a random one, in private storage.
    return f"cvs/{uuid.uuid4().hex}.pdf"


class ApplicationQuerySet(models.QuerySet):
    def submitted(self):
        return self.exclude(status__in=[ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN])


class Application(TimeStampedModel):
    """One person's application to one cohort. Status changes only through services."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    # What the profile said when the application was last saved or submitted; lists, filters
    # and exports read these columns, not the live profile.
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    residency = models.CharField(_("residency"), max_length=32, blank=True)
    gender = models.CharField(_("gender"), max_length=32, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    employer_size = models.CharField(_("employer size"), max_length=32, blank=True)
    sector = models.CharField(_("sector"), max_length=32, blank=True)
    job_level = models.CharField(_("job level"), max_length=32, blank=True)
    is_union_member = models.BooleanField(_("union member"), null=True, blank=True)
    age_at_start = models.PositiveSmallIntegerField(_("age at cohort start"), null=True, blank=True)
    is_eligible = models.BooleanField(_("eligible"), null=True, blank=True)
    eligibility_failures = models.JSONField(default=list, blank=True)
    cv = models.FileField(_("CV"), upload_to=cv_upload_to, storage=private_storage, blank=True)
    cv_name = models.CharField(_("CV file name"), max_length=120, blank=True)
    cv_size = models.PositiveIntegerField(null=True, blank=True)
    consent_version = models.CharField(max_length=40, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawing"), blank=True)
    deadline_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # Written by the review services when a review is submitted (and by recompute_scores).
    review_count = models.PositiveSmallIntegerField(_("reviews"), default=0)
    raw_score = models.FloatField(_("score"), null=True, blank=True)
    normalized_score = models.FloatField(_("normalised score"), null=True, blank=True)
    score_spread = models.FloatField(_("spread between reviewers"), null=True, blank=True)
    waitlist_rank = models.PositiveIntegerField(_("waitlist position"), null=True, blank=True)
    # When the person's details were erased (their request, or the programme's retention
    # period): the row stays, with its status and scores, for others' decisions and the
    # cohort's figures; names, answers and files are gone (applications/privacy.py).
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        # The table keeps the name it had before the app was split out of cohorts.
        db_table = "cohorts_application"
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "applicant"], name="cohorts_application_one_per_cohort"
            ),
        ]
        indexes = [
            models.Index(fields=["cohort", "status"]),
            # The staff list's sorts, each matching its ORDER BY exactly (filters.py) so a page
            # is read in index order instead of sorting the cohort: oldest first, and by name in
            # either direction (the index read backwards). With the status included, a deep page
            # finds its ids with an index-only scan (views/staff.py). Newest first, the default
            # (DESC NULLS LAST), and the search's trigram indexes are PostgreSQL's only: see
            # migration 0002.
            models.Index(
                fields=["cohort", "submitted_at", "id"],
                name="application_oldest_first",
                include=["status"],
            ),
            models.Index(
                fields=["cohort", "full_name", "id"], name="application_by_name", include=["status"]
            ),
            models.Index(fields=["cohort", "sector"]),
            models.Index(fields=["cohort", "job_level"]),
            models.Index(fields=["cohort", "employer_size"]),
            models.Index(fields=["cohort", "residency"]),
            models.Index(fields=["cohort", "is_union_member"]),
            models.Index(fields=["cohort", "is_eligible"]),
            models.Index(fields=["cohort", "raw_score"]),
            models.Index(fields=["cohort", "normalized_score"]),
        ]

    def __str__(self) -> str:
        return f"{self.full_name or self.applicant} → {self.cohort}"

    @property
    def is_draft(self) -> bool:
        return self.status == ApplicationStatus.DRAFT

    @property
    def is_decision_hidden(self) -> bool:
        """A selection decision the applicant must not see before the letters are released."""
        from applications.enums import ApplicationStatus

        return self.cohort.decisions_released_at is None and self.status in (
            ApplicationStatus.OFFERED,
            ApplicationStatus.WAITLISTED,
            ApplicationStatus.NOT_SELECTED,
        )

    @property
    def is_editable(self) -> bool:
        """Whether the applicant may still change the answers themselves: a draft while the
        cohort is open, a submitted one while the cohort allows edits and is open."""
        if self.status == ApplicationStatus.DRAFT:
            return self.cohort.is_open
        return (
            self.status == ApplicationStatus.SUBMITTED
            and self.cohort.allow_edit_after_submit
            and self.cohort.is_open
        )

    @property
    def is_disputable(self) -> bool:
        """Whether the applicant may ask for a correction of what was submitted: once it was
        submitted and can no longer be edited (a draft, or an editable answer, is changed
        by the applicant instead), until its details are deleted (`anonymised_at`)."""
        return (
            self.status != ApplicationStatus.DRAFT
            and not self.is_editable
            and self.anonymised_at is None
        )

    @property
    def is_withdrawable(self) -> bool:
        from applications.enums import APPLICATION_TRANSITIONS

        if self.status == ApplicationStatus.NOT_SELECTED:
            return self.cohort.decisions_released_at is None
        return ApplicationStatus.WITHDRAWN in APPLICATION_TRANSITIONS[self.status]


class ApplicationEvent(models.Model):
    """One step in an application's history: who moved it from which status to which, and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=16, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ApplicationStatus.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        # The table keeps the name it had before the app was split out of cohorts.
        db_table = "cohorts_applicationevent"
        ordering = ["created_at", "id"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class StatusCountChange(models.Model):
    """A change to how many of a cohort's applications are in a status, so that the staff list
    can show its status counts without counting the cohort.

    On PostgreSQL, triggers on the applications table write one row per cohort and status that
    a statement changed (+n, −n), in the same transaction as the change, so the sum for a
    cohort is always the count its readers would see (migration 0003). Rows are only ever
    inserted, never updated, so concurrent transitions never wait for each other; a periodic
    task folds them into one row per cohort and status (`services.status_counts_compact`).
    SQLite (the demo) has no triggers and counts the applications instead."""

    # No foreign key: a deleted cohort's rows are written by the same cascade that deletes it,
    # and the compaction drops them.
    cohort_id = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=ApplicationStatus.choices)
    n = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["cohort_id", "status"], include=["n"], name="status_count_cohort")
        ]
        verbose_name = _("application status count change")
        verbose_name_plural = _("application status count changes")

    def __str__(self) -> str:
        return f"cohort {self.cohort_id}: {self.status} {self.n:+d}"


class ApplicationDispute(models.Model):
    """An applicant's request to correct an answer or a profile detail of a submitted
    application (Singapore's PDPA, section 22): what it is about, what is wrong and what it
    should be. Programme staff read it with the application and resolve it, with a response
    the applicant sees. Written only through services (which audit and notify)."""

    # What a dispute can be about: `answer:<question key>`, `profile:<snapshot field>`, or this.
    OTHER = "other"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="disputes")
    about = models.CharField(_("about"), max_length=80)
    note = models.TextField(_("what is wrong and what it should be"), max_length=DISPUTE_TEXT_MAX)
    status = models.CharField(
        _("status"), max_length=16, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    response = models.TextField(_("response"), max_length=DISPUTE_TEXT_MAX, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("application dispute")
        verbose_name_plural = _("application disputes")
        indexes = [models.Index(fields=["application", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status=DisputeStatus.OPEN, resolved_at__isnull=True)
                    | models.Q(status=DisputeStatus.RESOLVED, resolved_at__isnull=False)
                ),
                name="application_dispute_resolved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.about} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == DisputeStatus.OPEN
