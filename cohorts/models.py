"""Cohorts, their application form and their eligibility rules."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.enums import CohortStatus, QuestionType, RuleOperator
from core.models import TimeStampedModel
from programmes.models import Programme


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class CohortQuerySet(models.QuerySet):
    def open_for_applications(self, now=None):
        now = now or timezone.now()
        return self.filter(status=CohortStatus.PUBLISHED, opens_at__lte=now, closes_at__gt=now)


class Cohort(TimeStampedModel):
    """One intake of a programme: its seats, application window and form."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    commitment = models.CharField(
        _("what taking part asks"),
        max_length=300,
        blank=True,
        help_text=_(
            "Shown to applicants before they sign up and in their offer, e.g. “About 6 hours a "
            "week: Tuesday and Thursday evenings, 19:00–21:00, for 12 weeks”."
        ),
    )
    capacity = models.PositiveIntegerField(
        _("seats"), help_text=_("How many participants."), validators=[MinValueValidator(1)]
    )
    opens_at = models.DateTimeField(_("applications open"))
    closes_at = models.DateTimeField(_("applications close"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Singapore", validators=[validate_timezone]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CohortStatus.choices, default=CohortStatus.DRAFT
    )
    allow_edit_after_submit = models.BooleanField(
        _("applicants may edit after submitting"),
        default=True,
        help_text=_("Until the deadline."),
    )
    privacy_notice = models.TextField(
        _("privacy notice"),
        default=_(
            "We use your application and profile to select participants and to run the "
            "programme. Reviewers and programme staff see them; partners see only aggregate "
            "figures. We keep them for two years after the cohort ends, then delete them."
        ),
    )
    privacy_notice_version = models.CharField(
        _("privacy notice version"), max_length=40, default="1"
    )
    reviewers_per_application = models.PositiveSmallIntegerField(
        _("reviewers per application"), default=2, validators=[MinValueValidator(1)]
    )
    is_blind_review = models.BooleanField(
        _("blind review"),
        default=True,
        help_text=_("Reviewers do not see names, emails, employers or CV file names."),
    )
    review_deadline = models.DateTimeField(_("review deadline"), null=True, blank=True)
    offer_validity_days = models.PositiveSmallIntegerField(
        _("days to answer an offer"), default=7, validators=[MinValueValidator(1)]
    )
    is_waitlist_paused = models.BooleanField(_("waitlist promotion paused"), default=False)
    waitlist_length = models.PositiveIntegerField(
        _("waitlist length"),
        null=True,
        blank=True,
        help_text=_(
            "How many of those not offered a seat wait for one, best first; the others are not "
            "selected. Leave empty to waitlist everyone."
        ),
    )
    is_blind_review_files_visible = models.BooleanField(
        _("reviewers see uploaded files in blind review"),
        default=False,
        help_text=_(
            "CVs and other uploaded files usually carry the applicant's name, employer and "
            "contact details: showing them ends the anonymity of blind review."
        ),
    )
    decisions_released_at = models.DateTimeField(
        _("decisions released at"),
        null=True,
        blank=True,
        help_text=_("Until then applicants do not see selection decisions."),
    )
    reviewers_see_others = models.BooleanField(
        _("reviewers see the other reviews after submitting their own"), default=True
    )

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "slug"], name="cohorts_cohort_slug_unique"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="cohorts_cohort_window_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="cohorts_cohort_dates_valid"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gt=0), name="cohorts_cohort_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.name} — {self.name}" if self.programme_id else self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "cohorts:cohort_detail", kwargs={"slug": self.programme.slug, "cohort_slug": self.slug}
        )

    def is_open_at(self, moment) -> bool:
        return self.status == CohortStatus.PUBLISHED and self.opens_at <= moment < self.closes_at

    @property
    def is_open(self) -> bool:
        return self.is_open_at(timezone.now())

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class ApplicationQuestion(TimeStampedModel):
    """A question of a cohort's application form, possibly shown only after another's answer."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(_("position"), default=0)
    key = models.SlugField(
        _("key"), max_length=60, help_text=_("A short identifier used in exports and rules.")
    )
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    type = models.CharField(_("type"), max_length=16, choices=QuestionType.choices)
    is_required = models.BooleanField(_("required"), default=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    word_limit = models.PositiveIntegerField(_("word limit"), null=True, blank=True)
    min_value = models.DecimalField(
        _("minimum"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    depends_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dependents",
        verbose_name=_("show only when this question"),
    )
    show_when = models.JSONField(_("has one of these answers"), default=list, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("application question")
        verbose_name_plural = _("application questions")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "key"], name="cohorts_question_key_unique"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def has_choices(self) -> bool:
        return self.type in (QuestionType.CHOICE, QuestionType.MULTI_CHOICE)


class EligibilityRule(TimeStampedModel):
    """A declarative condition an applicant must meet (attribute, operator, values)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="eligibility_rules")
    position = models.PositiveIntegerField(_("position"), default=0)
    attribute = models.CharField(_("attribute"), max_length=80)
    operator = models.CharField(_("operator"), max_length=16, choices=RuleOperator.choices)
    values = models.JSONField(_("values"), default=list, blank=True)
    message = models.CharField(
        _("message when not met"),
        max_length=300,
        blank=True,
        help_text=_("Shown to the applicant. Leave empty for an automatic explanation."),
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")

    def __str__(self) -> str:
        return f"{self.attribute} {self.operator} {self.values}"
