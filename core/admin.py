from django.contrib import admin

from .models import AuditEntry


class ReadOnlyAdminMixin:
    """For a model admin or inline whose rows change only through the services (which audit
    and notify): the admin shows them, and adds, changes and deletes nothing."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only for everyone, superusers included: the audit trail is append-only."""

    list_display = [
        "created_at",
        "actor",
        "action",
        "target_type",
        "target_id",
        "programme_id",
        "request_id",
    ]
    list_filter = ["action"]
    list_select_related = ["actor"]
    search_fields = ["actor__email", "target_id", "=request_id"]
    readonly_fields = [
        "created_at",
        "actor",
        "action",
        "target_type",
        "target_id",
        "programme_id",
        "request_id",
        "data",
    ]
    actions = None
