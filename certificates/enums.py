from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Requirement(models.TextChoices):
    COURSES = "courses", _("Required courses completed")
    ATTENDANCE = "attendance", _("Overall attendance")
    COURSE_ATTENDANCE = "course_attendance", _("Attendance in each course")
    ASSESSMENTS = "assessments", _("Assessments passed")
    MENTORING = "mentoring", _("Mentoring sessions")
    COMPUTE = "compute", _("Compute use")
    SIGN_OFF = "sign_off", _("Staff sign-off")


class BoardState(models.TextChoices):
    ELIGIBLE = "eligible", _("Eligible")
    NOT_YET = "not_yet", _("Not yet")
    ISSUED = "issued", _("Issued")
    REVOKED = "revoked", _("Revoked")
