from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Base for every domain model: when the row was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditEntryImmutableError(Exception):
    """Raised on any attempt to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    """Bulk `update()` and `delete()` refuse: the trail is append-only.

    Only this default manager refuses. Django's own bookkeeping goes through the base manager:
    deleting a user sets `actor` to NULL on their entries (pseudonymised, not removed).
    """

    def update(self, **kwargs):
        raise AuditEntryImmutableError("Audit entries cannot be changed.")

    def delete(self):
        raise AuditEntryImmutableError("Audit entries cannot be deleted.")

    delete.queryset_only = True

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditEntryImmutableError("Audit entries cannot be changed.")

    def bulk_create(self, objs, *args, update_conflicts=False, **kwargs):
        if update_conflicts:
            raise AuditEntryImmutableError("Audit entries cannot be changed.")
        return super().bulk_create(objs, *args, **kwargs)

    def update_or_create(self, *args, **kwargs):
        raise AuditEntryImmutableError("Audit entries cannot be changed.")


class AuditEntry(models.Model):
    """An append-only record of a sensitive action: who did what to which object.

    Rows are written once by `core.services.audit_record`; saving an existing row, deleting a
    row and bulk updates or deletes raise `AuditEntryImmutableError`.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    # The programme the action belongs to, so its admins see their own log. A plain integer, not
    # a foreign key: core knows no programme app, and an entry outlives whatever it names.
    programme_id = models.PositiveBigIntegerField(_("programme"), null=True, blank=True)
    # The request's id (core.request_id), or "task:<name>:<id>" for background work; blank when
    # neither is known (a management command, a shell).
    # (A database default too: rows inserted by older code, or by SQL, get a blank.)
    request_id = models.CharField(
        _("request id"), max_length=200, blank=True, default="", db_default="", db_index=True
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            # A programme's log, newest first.
            models.Index(
                fields=["programme_id", "-created_at", "-id"], name="core_audit_programme_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEntryImmutableError("Audit entries cannot be changed.")
        # Always an INSERT: a new object given an existing entry's pk must not overwrite it.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEntryImmutableError("Audit entries cannot be deleted.")
