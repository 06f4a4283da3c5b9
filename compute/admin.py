from django.contrib import admin

from compute.models import (
    Allocation,
    AllocationChange,
    AllocationRequest,
    IntegrationToken,
    ResourcePool,
    ResourceType,
)
from core.admin import ReadOnlyAdminMixin


@admin.register(ResourceType)
class ResourceTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "unit", "metering", "provider", "programme")
    list_filter = ("unit", "metering")
    search_fields = ("name", "slug")


@admin.register(ResourcePool)
class ResourcePoolAdmin(admin.ModelAdmin):
    list_display = ("resource", "cohort", "total", "allocated", "default_grant", "hard_limit")
    # The counter moves only through the services, which keep it equal to the allocations.
    readonly_fields = ("allocated",)


class AllocationChangeInline(admin.TabularInline):
    model = AllocationChange
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "delta", "limit_after", "reason", "actor", "created_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Allocation)
class AllocationAdmin(admin.ModelAdmin):
    list_display = ("user", "pool", "limit", "used", "status")
    list_filter = ("status",)
    search_fields = ("user__email",)
    # Limits change through the programme's pages, which keep the pool and the ledger right.
    readonly_fields = ("pool", "participant", "user", "limit", "used", "level_at")
    inlines = [AllocationChangeInline]


@admin.register(AllocationRequest)
class AllocationRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: top-ups are decided on the programme's compute pages (audited, granted)."""

    list_display = ("allocation", "amount", "status", "granted", "decided_at")
    list_filter = ("status",)
    readonly_fields = ("allocation", "amount", "granted", "decided_by", "decided_at")


@admin.register(IntegrationToken)
class IntegrationTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: tokens are made and revoked on the programme's token page (audited)."""

    list_display = ("name", "prefix", "programme", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "secret_hash", "last_used_at")
