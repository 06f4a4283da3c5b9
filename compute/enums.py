"""Choices of the compute app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    GPU_HOURS = "gpu_hours", _("GPU hours")
    CPU_HOURS = "cpu_hours", _("CPU hours")
    TOKENS = "tokens", _("tokens")
    GB = "gb", _("GB")


class Metering(models.TextChoices):
    """How usage of a resource is counted."""

    ACCUMULATES = "accumulates", _("Accumulates (hours, tokens: each record adds)")
    LEVEL = "level", _("Level (storage: each record is the amount in use now)")


class AllocationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class ChangeKind(models.TextChoices):
    """Why an allocation's limit or status changed: one ledger entry each."""

    GRANT = "grant", _("Default grant")
    SET = "set", _("Set")
    ADD = "add", _("Added")
    TOP_UP = "top_up", _("Top-up approved")
    RELEASE = "release", _("Released to the pool")
    SUSPEND = "suspend", _("Suspended")
    RESUME = "resume", _("Resumed")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    PARTLY_APPROVED = "partly_approved", _("Partly approved")
    REJECTED = "rejected", _("Rejected")


class UsageOutcome(models.TextChoices):
    """What ingestion did with one usage record."""

    ACCEPTED = "accepted", _("accepted")
    DUPLICATE = "duplicate", _("duplicate")
    REJECTED = "rejected", _("rejected")


# Thresholds that notify the participant once each, as a share of the limit.
THRESHOLDS = (80, 100)
