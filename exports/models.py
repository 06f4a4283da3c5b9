import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from exports.enums import ExportFormat, ExportStatus


class ExportQuerySet(models.QuerySet):
    def in_progress(self) -> "ExportQuerySet":
        return self.filter(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING])


class Export(TimeStampedModel):
    """A file built in the background from a registered export kind, then offered for download
    until it expires. The file lives in the private storage under `file_name`.

    A programme's export (applications, …) names its programme; a person's copy of their own
    data (kind `personal_data`, docs/operations.md) belongs to no programme: `programme` empty,
    and only `requested_by` ever sees it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="exports",
        null=True,
        blank=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports"
    )
    kind = models.SlugField(_("kind"), max_length=50)
    params = models.JSONField(_("query"), default=dict, blank=True)
    format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file_name = models.CharField(_("stored file"), max_length=255, blank=True)
    download_name = models.CharField(_("file name"), max_length=255)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    objects = ExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            models.Index(
                fields=["programme", "requested_by", "-created_at"], name="export_requester_idx"
            ),
            models.Index(fields=["programme", "-created_at"], name="export_programme_idx"),
            models.Index(fields=["status", "expires_at"], name="export_status_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_busy(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def is_ready(self) -> bool:
        return self.status == ExportStatus.READY

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.READY:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)

    @property
    def filters_summary(self) -> str:
        """The filters it was asked with, as `name: value` pairs ("" for none)."""
        filters = self.params.get("filters") or {}
        return ", ".join(f"{name}: {value}" for name, value in filters.items())
