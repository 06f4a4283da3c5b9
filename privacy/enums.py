from django.db import models
from django.utils.translation import gettext_lazy as _


class ErasureStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Carried out")


class CertificateChoice(models.TextChoices):
    KEEP = "keep", _("Keep my certificates verifiable")
    REVOKE = "revoke", _("Revoke my certificates")


class RetentionGroup(models.TextChoices):
    NOT_SELECTED = "not_selected", _("People not selected")
    PARTICIPANTS = "participants", _("Participants")
