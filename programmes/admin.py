from django.contrib import admin

from programmes.models import Partner, Programme, ProgrammeRole


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "website"]
    list_filter = ["kind"]
    search_fields = ["name"]


class ProgrammeRoleInline(admin.TabularInline):
    model = ProgrammeRole
    fk_name = "programme"
    extra = 0
    raw_id_fields = ["user", "granted_by"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["partners"]
    inlines = [ProgrammeRoleInline]


@admin.register(ProgrammeRole)
class ProgrammeRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "programme", "role", "created_at"]
    list_filter = ["role", "programme"]
    search_fields = ["user__email", "programme__name"]
    raw_id_fields = ["user", "granted_by"]
