from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApplicantProfile, ConsentRecord, PersonalToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_active", "is_superuser", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "display_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name",)}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ()


@admin.register(ApplicantProfile)
class ApplicantProfileAdmin(admin.ModelAdmin):
    list_display = ["full_name", "user", "sector", "job_level", "employer_size", "residency"]
    list_filter = ["sector", "job_level", "employer_size", "residency", "is_union_member"]
    search_fields = ["full_name", "user__email", "employer"]
    raw_id_fields = ["user"]


@admin.register(PersonalToken)
class PersonalTokenAdmin(admin.ModelAdmin):
    """People make and revoke their own tokens on their account page; the admin only shows
    them (the secret was never stored)."""

    list_display = ["name", "prefix", "user", "expires_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "prefix", "user__email"]
    raw_id_fields = ["user"]
    readonly_fields = ["prefix", "secret_hash", "last_used_at", "revoked_at"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    """Consents are given and withdrawn by the person (accounts.services); the admin only shows
    them, and never deletes one: the history is the evidence."""

    list_display = ["user", "purpose", "notice_version", "given_at", "withdrawn_at"]
    list_filter = ["purpose", "notice_version"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
