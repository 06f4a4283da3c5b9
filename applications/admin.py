from django.contrib import admin

from applications.models import ApplicationDispute
from core.admin import ReadOnlyAdminMixin


@admin.register(ApplicationDispute)
class ApplicationDisputeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: requests are opened by applicants and resolved by programme staff on the
    application's page (audited, and the applicant notified)."""

    list_display = ("id", "application", "about", "status", "created_at", "resolved_at")
    list_filter = ("status",)
    list_select_related = ("application__cohort", "application__applicant")
    search_fields = ("=application__id", "application__email")
    raw_id_fields = ("application", "resolved_by")
    date_hierarchy = "created_at"
