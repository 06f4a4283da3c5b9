"""Quotas, selection runs, offers and participants."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from cohorts.models import Cohort
from core.models import TimeStampedModel
from selection.enums import OfferStatus, RunStatus, ScoreKind

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class Quota(TimeStampedModel):
    """A share of the seats for people with some attribute: at least and/or at most."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="quotas")
    name = models.CharField(_("name"), max_length=120)
    attribute = models.CharField(_("attribute"), max_length=80)
    values = models.JSONField(_("values that count"), default=list)
    min_percent = models.DecimalField(
        _("at least (% of seats)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    max_percent = models.DecimalField(
        _("at most (% of seats)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )

    class Meta:
        # The table keeps the name it had before the app was split out of cohorts.
        db_table = "cohorts_quota"
        ordering = ["name", "id"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_percent__isnull=False) | Q(max_percent__isnull=False),
                name="cohorts_quota_has_a_bound",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SelectionRun(TimeStampedModel):
    """One run of the selection: its inputs, result and explanation. Immutable once committed."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="selection_runs")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("number"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When a worker last took up the run or its commit.")
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    score_kind = models.CharField(
        _("score"), max_length=16, choices=ScoreKind.choices, default=ScoreKind.NORMALIZED
    )
    seats = models.PositiveIntegerField(_("seats"), validators=[MinValueValidator(1)])
    min_reviews = models.PositiveSmallIntegerField(_("at least this many reviews"), default=1)
    seed = models.PositiveIntegerField(_("lottery seed"), default=0)
    quotas = models.JSONField(_("quotas as they were"), default=list)
    pool_size = models.PositiveIntegerField(default=0)
    result_status = models.CharField(max_length=16, blank=True)  # optimal | infeasible
    conflict = models.TextField(blank=True)
    selected = models.JSONField(default=list)  # application ids, best first
    waitlist = models.JSONField(default=list)  # application ids, in promotion order
    scores = models.JSONField(default=dict)  # application id -> score used
    binding = models.JSONField(default=list)
    objective = models.FloatField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        # The table keeps the name it had before the app was split out of cohorts.
        db_table = "cohorts_selectionrun"
        ordering = ["-created_at", "-id"]
        verbose_name = _("selection run")
        verbose_name_plural = _("selection runs")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort"],
                condition=Q(status__in=[RunStatus.COMMITTED, RunStatus.COMMITTING]),
                name="cohorts_one_committed_run",
            ),
            models.UniqueConstraint(
                fields=["cohort", "number"], name="cohorts_selection_run_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Run {self.number} of {self.cohort}"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED, RunStatus.COMMITTED)

    @property
    def is_busy(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.COMMITTING)


class Offer(TimeStampedModel):
    """A seat held for an applicant until it expires."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="offer")
    run = models.ForeignKey(SelectionRun, on_delete=models.PROTECT, related_name="offers")
    status = models.CharField(
        _("status"), max_length=16, choices=OfferStatus.choices, default=OfferStatus.OPEN
    )
    expires_at = models.DateTimeField(_("expires at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    is_promotion = models.BooleanField(_("from the waitlist"), default=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table keeps the name it had before the app was split out of cohorts.
        db_table = "cohorts_offer"
        ordering = ["-created_at", "-id"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"Offer to {self.application}"


class Participant(TimeStampedModel):
    """Someone who accepted an offer: a member of the cohort."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="participant"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="participations"
    )

    class Meta:
        # The table keeps the name it had before the app was split out of cohorts.
        db_table = "cohorts_participant"
        ordering = ["created_at", "id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="cohorts_participant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.cohort}"
