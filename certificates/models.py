from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort
from compute.models import ResourceType
from core.models import TimeStampedModel
from courses.models import Course

from .enums import CertificateStatus, Requirement, RunStatus


class CertificationRule(TimeStampedModel):
    """What a participant of a cohort must have done to be awarded its certificate."""

    cohort = models.OneToOneField(
        Cohort, on_delete=models.PROTECT, related_name="certification_rule"
    )
    required_courses = models.ManyToManyField(
        Course, blank=True, related_name="+", verbose_name=_("required courses")
    )
    min_attendance = models.PositiveSmallIntegerField(
        _("minimum overall attendance (%)"), null=True, blank=True
    )
    min_course_attendance = models.PositiveSmallIntegerField(
        _("minimum attendance in each course (%)"),
        null=True,
        blank=True,
        help_text=_("Empty: each course's own minimum."),
    )
    assessments_must_pass = models.BooleanField(_("assessments must be passed"), default=True)
    min_mentoring_sessions = models.PositiveSmallIntegerField(
        _("minimum mentoring sessions"), default=0
    )
    compute_resource = models.ForeignKey(
        ResourceType,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("compute resource"),
    )
    min_compute_use = models.DecimalField(
        _("minimum compute use"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    requires_sign_off = models.BooleanField(_("requires a staff sign-off"), default=False)
    achievement_name = models.CharField(_("achievement name"), max_length=200)
    achievement_description = models.TextField(_("achievement description"), blank=True)
    criteria_narrative = models.TextField(
        _("criteria"), blank=True, help_text=_("Empty: written from the requirements.")
    )

    class Meta:
        verbose_name = _("certification rule")
        verbose_name_plural = _("certification rules")

    def __str__(self) -> str:
        return f"{self.achievement_name} ({self.cohort})"


class Waiver(TimeStampedModel):
    """Staff excused one requirement for one participant, with a reason."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="certificate_waivers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificate_waivers"
    )
    requirement = models.CharField(_("requirement"), max_length=32, choices=Requirement.choices)
    reason = models.TextField(_("reason"))
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "user", "requirement"], name="certificate_waiver_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.requirement} waived for {self.user} in {self.cohort}"


class SignOff(TimeStampedModel):
    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="certificate_sign_offs"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificate_sign_offs"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="certificate_sign_off_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} signed off in {self.cohort}"


class Certificate(TimeStampedModel):
    """An awarded certificate: what it says is copied at issue, so later edits change nothing."""

    code = models.CharField(_("code"), max_length=43, unique=True)
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="certificates")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    holder_name = models.CharField(_("holder"), max_length=200)
    programme_name = models.CharField(_("programme"), max_length=200)
    cohort_name = models.CharField(_("cohort"), max_length=200)
    partners = models.JSONField(_("partners"), default=list, blank=True)
    issuer_name = models.CharField(_("issuer"), max_length=200)
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pdf_name = models.CharField(_("PDF file"), max_length=255, blank=True)
    credential = models.JSONField(_("signed credential"), default=dict, blank=True)
    key_id = models.CharField(_("signing key"), max_length=100, blank=True)
    waived = models.JSONField(_("requirements waived"), default=list, blank=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "user"],
                condition=Q(status="valid"),
                name="certificate_one_valid_per_cohort",
            )
        ]

    def __str__(self) -> str:
        return f"{self.holder_name}, {self.programme_name} ({self.cohort_name})"

    @property
    def is_revoked(self) -> bool:
        return self.status == CertificateStatus.REVOKED

    @property
    def verify_path(self) -> str:
        return reverse("certificates:verify", args=[self.code])


class IssueRun(TimeStampedModel):
    """Issuing every eligible participant of a cohort, in the background."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="certificate_runs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    # Raised each time the run is (re)started: chunks of an earlier attempt then do nothing.
    attempt = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Issue run {self.pk} for {self.cohort} ({self.status})"

    @property
    def percent(self) -> int:
        return self.done * 100 // self.total if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)
