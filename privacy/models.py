"""A person's request to erase their account (Singapore's PDPA; docs/operations.md, "Erasure").

The request waits out a grace period (`COHORTLINE_ERASURE_GRACE_DAYS`), during which the person
may cancel it; then `privacy.services.erasure_carry_out` anonymises everything the apps hold
about them (core.privacy_registry) and the request keeps only what was done, in counts.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from privacy.enums import CertificateChoice, ErasureStatus


class ErasureRequest(TimeStampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="erasure_requests"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ErasureStatus.choices, default=ErasureStatus.SCHEDULED
    )
    certificate_choice = models.CharField(
        _("certificates"),
        max_length=8,
        choices=CertificateChoice.choices,
        default=CertificateChoice.KEEP,
    )
    due_at = models.DateTimeField(_("carried out from"), db_index=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    carried_out_at = models.DateTimeField(_("carried out at"), null=True, blank=True)
    # What was done, part by part: rows changed or deleted, and files deleted. Counts only.
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="scheduled"),
                name="privacy_one_scheduled_erasure",
            )
        ]

    def __str__(self) -> str:
        return f"Erasure of account {self.user_id} ({self.status})"

    @property
    def is_scheduled(self) -> bool:
        return self.status == ErasureStatus.SCHEDULED
