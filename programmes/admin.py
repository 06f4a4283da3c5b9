from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from programmes import services
from programmes.models import Partner, Programme, ProgrammeRole


class RefreshesPublicListing:
    """Programmes and partners edited here show on the landing page: refresh its cache."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.public_listing_refresh()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.public_listing_refresh()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        services.public_listing_refresh()


@admin.register(Partner)
class PartnerAdmin(RefreshesPublicListing, admin.ModelAdmin):
    list_display = ["name", "kind", "website"]
    list_filter = ["kind"]
    search_fields = ["name"]


# Roles are granted and revoked on the programme's team page (audited, and the person is told);
# the admin shows them only.
class ProgrammeRoleInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ProgrammeRole
    fk_name = "programme"
    extra = 0
    raw_id_fields = ["user", "granted_by"]


@admin.register(Programme)
class ProgrammeAdmin(RefreshesPublicListing, admin.ModelAdmin):
    list_display = ["name", "slug", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["partners"]
    inlines = [ProgrammeRoleInline]
    # Changed on the programme's Data retention page, where each change is audited.
    readonly_fields = ["retention_months_not_selected", "retention_months_participants"]


@admin.register(ProgrammeRole)
class ProgrammeRoleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "programme", "role", "created_at"]
    list_filter = ["role", "programme"]
    search_fields = ["user__email", "programme__name"]
    raw_id_fields = ["user", "granted_by"]
