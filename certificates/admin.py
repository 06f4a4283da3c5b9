"""Certificates in the admin: read-only. Issuing, waiving and revoking go through the services
(audited, notified) from the programme's pages."""

from django.contrib import admin

from certificates.models import Certificate, CertificationRule, IssueRun, SignOff, Waiver
from core.admin import ReadOnlyAdminMixin


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(CertificationRule)
class CertificationRuleAdmin(ReadOnlyAdmin):
    list_display = ("cohort", "achievement_name", "min_attendance", "min_mentoring_sessions")
    search_fields = ("achievement_name", "cohort__name")


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ("holder_name", "programme_name", "cohort_name", "issued_on", "status")
    list_filter = ("status",)
    search_fields = ("holder_name", "code", "user__email")
    exclude = ("credential",)


@admin.register(Waiver)
class WaiverAdmin(ReadOnlyAdmin):
    list_display = ("user", "cohort", "requirement", "waived_by", "created_at")


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ("user", "cohort", "signed_by", "created_at")


@admin.register(IssueRun)
class IssueRunAdmin(ReadOnlyAdmin):
    list_display = ("cohort", "status", "done", "total", "issued", "skipped", "created_at")
