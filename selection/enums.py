"""Choices of the selection app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    COMMITTING = "committing", _("Committing")
    COMMITTED = "committed", _("Committed")


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ScoreKind(models.TextChoices):
    RAW = "raw", _("Raw score")
    NORMALIZED = "normalized", _("Normalised score")
