import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

from ..enums import ApplicationStatus, CohortStatus, QuestionType, RuleOperator
from ..storage import private_storage
from .programmes import Programme


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

    objects = ApplicationQuerySet.as_manager()

    class Meta:
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
            models.Index(fields=["cohort", "submitted_at"]),
            models.Index(fields=["cohort", "full_name"]),
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
        from ..enums import ApplicationStatus

        return self.cohort.decisions_released_at is None and self.status in (
            ApplicationStatus.OFFERED,
            ApplicationStatus.WAITLISTED,
            ApplicationStatus.NOT_SELECTED,
        )

    @property
    def is_withdrawable(self) -> bool:
        from ..enums import APPLICATION_TRANSITIONS

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
        ordering = ["created_at", "id"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"
