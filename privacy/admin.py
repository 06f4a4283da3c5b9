from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from privacy.models import ErasureRequest


@admin.register(ErasureRequest)
class ErasureRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "user", "status", "certificate_choice", "due_at", "carried_out_at")
    list_filter = ("status", "certificate_choice")
    readonly_fields = (
        "user",
        "status",
        "certificate_choice",
        "due_at",
        "cancelled_at",
        "carried_out_at",
        "summary",
        "created_at",
    )
