"""Choices of the courses app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CourseKind(models.TextChoices):
    REQUIRED = "required", _("Required")
    ELECTIVE = "elective", _("Elective")


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("Enrolled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class EnrollmentSource(models.TextChoices):
    AUTOMATIC = "automatic", _("Required course: enrolled on joining")
    CHOSEN = "chosen", _("Chosen by the participant")
    STAFF = "staff", _("Enrolled by staff")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


# Present and late count as attended; an excused session does not count either way.
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class AttendanceSource(models.TextChoices):
    ROSTER = "roster", _("Marked on the roster")
    CHECK_IN = "check_in", _("Checked in with the session's code")


class AssessmentKind(models.TextChoices):
    QUIZ = "quiz", _("Quiz")
    PROJECT = "project", _("Project")
    EXAM = "exam", _("Exam")
