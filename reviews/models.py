"""Review criteria, assignments, reviews, conflicts of interest and assignment runs."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from cohorts.models import Cohort
from core.models import TimeStampedModel
from programmes.models import Programme
from reviews.enums import ConflictKind, JobStatus, Recommendation


class ReviewCriterion(TimeStampedModel):
    """One line of a cohort's rubric: scored on an integer scale, weighted in the total."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=120)
    guidance = models.TextField(_("guidance"), blank=True)
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, default=1, validators=[MinValueValidator(0.01)]
    )
    scale_min = models.SmallIntegerField(_("lowest score"), default=1)
    scale_max = models.SmallIntegerField(_("highest score"), default=5)
    scale_labels = models.JSONField(
        _("labels of the points"),
        default=dict,
        blank=True,
        help_text=_("e.g. 1 = no evidence … 5 = outstanding"),
    )
    is_required = models.BooleanField(_("required"), default=True)

    class Meta:
        # The table keeps the name it had before the app was split out of cohorts.
        db_table = "cohorts_reviewcriterion"
        ordering = ["position", "id"]
        verbose_name = _("review criterion")
        verbose_name_plural = _("review criteria")
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_max__gt=F("scale_min")), name="cohorts_criterion_scale_valid"
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0), name="cohorts_criterion_weight_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def points(self) -> list[tuple[int, str]]:
        return [
            (p, self.scale_labels.get(str(p), ""))
            for p in range(self.scale_min, self.scale_max + 1)
        ]


class ReviewAssignment(TimeStampedModel):
    """A reviewer asked to review an application. Deactivated (not deleted) when removed."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments"
    )
    is_active = models.BooleanField(_("active"), default=True)
    removed_reason = models.CharField(_("why removed"), max_length=300, blank=True)

    class Meta:
        # The table keeps the name it had before the app was split out of cohorts.
        db_table = "cohorts_reviewassignment"
        ordering = ["created_at", "id"]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="cohorts_assignment_unique"
            ),
        ]
        indexes = [models.Index(fields=["reviewer", "is_active"])]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.application_id}"


class Review(TimeStampedModel):
    """A reviewer's scores for one assignment; a draft until submitted."""

    assignment = models.OneToOneField(
        ReviewAssignment, on_delete=models.CASCADE, related_name="review"
    )
    scores = models.JSONField(_("scores"), default=dict, blank=True)  # criterion id (str) -> int
    recommendation = models.CharField(
        _("recommendation"), max_length=16, choices=Recommendation.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    is_submitted = models.BooleanField(_("submitted"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    total = models.FloatField(_("weighted total"), null=True, blank=True)

    class Meta:
        # The table keeps the name it had before the app was split out of cohorts.
        db_table = "cohorts_review"
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"Review of {self.assignment}"


class ConflictOfInterest(TimeStampedModel):
    """A reviewer's declared conflict in a programme: a person (by email) or an employer."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts"
    )
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="conflicts")
    kind = models.CharField(_("conflict with"), max_length=16, choices=ConflictKind.choices)
    value = models.CharField(_("email or employer"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        # The table keeps the name it had before the app was split out of cohorts.
        db_table = "cohorts_conflictofinterest"
        ordering = ["kind", "value"]
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(
                "reviewer", "programme", "kind", Lower("value"), name="cohorts_conflict_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer}: {self.value}"


class AssignmentRun(TimeStampedModel):
    """One "assign reviewers" of a cohort, done in the background: requested, claimed by a
    worker, finished. A run left queued or running by a lost task is taken up again."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="assignment_runs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    assignments = models.PositiveIntegerField(_("assignments made"), default=0)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table keeps the name it had before the app was split out of cohorts.
        db_table = "cohorts_assignmentrun"
        ordering = ["-created_at", "-id"]
        verbose_name = _("reviewer assignment run")
        verbose_name_plural = _("reviewer assignment runs")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort"],
                condition=Q(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]),
                name="cohorts_one_active_assignment_run",
            ),
        ]

    def __str__(self) -> str:
        return f"Assignment of {self.cohort} ({self.get_status_display()})"

    @property
    def is_busy(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)
