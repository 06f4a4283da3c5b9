"""Choices of the reviews app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Recommendation(models.TextChoices):
    STRONG_YES = "strong_yes", _("Strong yes")
    YES = "yes", _("Yes")
    MAYBE = "maybe", _("Maybe")
    NO = "no", _("No")


class ConflictKind(models.TextChoices):
    PERSON = "person", _("A person (their email)")
    EMPLOYER = "employer", _("An employer")
    APPLICATION = "application", _("An application (flagged while reviewing)")


class JobStatus(models.TextChoices):
    """A background job's life: queued → running → done or failed (a stranded one is re-queued)."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
