"""Courses: what a programme teaches (required or elective), the class sessions of each cohort,
who is enrolled, who attended, the assessments and their results, and each person's secret
calendar feed."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort
from core.models import TimeStampedModel
from courses.enums import (
    AssessmentKind,
    AttendanceSource,
    AttendanceStatus,
    CourseKind,
    EnrollmentSource,
    EnrollmentStatus,
)
from programmes.models import Programme

DEFAULT_MAX_ELECTIVES = 2
DEFAULT_MIN_ATTENDANCE = 80


class CourseSettings(TimeStampedModel):
    """The limits a programme sets on its participants' choice of electives."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="course_settings"
    )
    max_electives = models.PositiveSmallIntegerField(
        _("electives each participant may take"),
        default=DEFAULT_MAX_ELECTIVES,
        validators=[MaxValueValidator(20)],
    )

    class Meta:
        verbose_name = _("course settings")
        verbose_name_plural = _("course settings")

    def __str__(self) -> str:
        return f"{self.programme}: {self.max_electives} electives"


class Course(TimeStampedModel):
    """A course a programme teaches to one or more of its cohorts."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="courses")
    code = models.CharField(
        _("code"), max_length=20, help_text=_("Short and unique in the programme, e.g. AI101.")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    kind = models.CharField(
        _("required or elective"),
        max_length=16,
        choices=CourseKind.choices,
        default=CourseKind.REQUIRED,
        help_text=_(
            "Every participant is enrolled in a required course when they join; electives are "
            "chosen by participants."
        ),
    )
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
        help_text=_("Teaching hours, as the certificate will state them."),
    )
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="courses_taught",
        verbose_name=_("instructors"),
    )
    cohorts = models.ManyToManyField(
        Cohort, blank=True, related_name="courses", verbose_name=_("offered to")
    )
    capacity = models.PositiveIntegerField(
        _("places"),
        null=True,
        blank=True,
        help_text=_("For an elective: how many participants may choose it. Blank: no limit."),
    )
    min_attendance = models.PositiveSmallIntegerField(
        _("attendance required (%)"),
        default=DEFAULT_MIN_ATTENDANCE,
        validators=[MaxValueValidator(100)],
        help_text=_("The share of the course's sessions a participant must attend to complete it."),
    )

    class Meta:
        ordering = ["code", "id"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code"], name="courses_course_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(min_attendance__lte=100), name="courses_course_attendance_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_required(self) -> bool:
        return self.kind == CourseKind.REQUIRED


class ClassSession(TimeStampedModel):
    """One class of a course for one cohort: when (in the cohort's time zone), where, who teaches."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="class_sessions")
    title = models.CharField(_("topic"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="class_sessions_taught",
        verbose_name=_("instructor"),
    )
    capacity = models.PositiveIntegerField(
        _("seats"), null=True, blank=True, help_text=_("The room's seats. Blank: no limit.")
    )
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("class session")
        verbose_name_plural = _("class sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="courses_session_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["course", "cohort", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.course.code} {self.starts_at:%Y-%m-%d %H:%M}"


class Enrollment(TimeStampedModel):
    """A participant of a cohort taking a course. Withdrawn enrolments keep their attendance."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EnrollmentStatus.choices,
        default=EnrollmentStatus.ACTIVE,
    )
    source = models.CharField(_("how"), max_length=16, choices=EnrollmentSource.choices)

    class Meta:
        ordering = ["course_id", "user__display_name", "user__email", "id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "cohort", "user"], name="courses_enrollment_unique"
            )
        ]
        indexes = [models.Index(fields=["cohort", "user", "status"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.course.code}"


class Attendance(TimeStampedModel):
    """Whether a participant was at a session."""

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(_("attendance"), max_length=16, choices=AttendanceStatus.choices)
    source = models.CharField(_("how"), max_length=16, choices=AttendanceSource.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["session_id", "user_id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="courses_attendance_unique")
        ]
        indexes = [models.Index(fields=["user", "session"])]

    def __str__(self) -> str:
        return f"{self.user} {self.status} at {self.session_id}"


class Assessment(TimeStampedModel):
    """A quiz, project or exam of a course."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assessments")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=AssessmentKind.choices)
    max_score = models.DecimalField(
        _("maximum score"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    pass_mark = models.DecimalField(
        _("pass mark"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("The lowest score that passes."),
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Its share of the course's overall score, relative to the other assessments."),
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)

    class Meta:
        ordering = ["course_id", "due_on", "id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_score__gt=0)
                & Q(pass_mark__gte=0)
                & Q(pass_mark__lte=F("max_score")),
                name="courses_assessment_marks_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.course.code}: {self.name}"


class AssessmentResult(TimeStampedModel):
    """A participant's score in an assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assessment_results"
    )
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["assessment_id", "user_id"]
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "user"], name="courses_result_unique"),
            models.CheckConstraint(condition=Q(score__gte=0), name="courses_result_score_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.score} in {self.assessment_id}"

    @property
    def passed(self) -> bool:
        return self.score >= self.assessment.pass_mark


def new_feed_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


class CalendarFeed(TimeStampedModel):
    """A person's secret iCalendar feed of their sessions; a new token revokes the old URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
