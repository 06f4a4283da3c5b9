from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from mentoring.models import (
    ForbiddenPair,
    MatchingRun,
    MenteePreference,
    MentoringSession,
    MentorProfile,
    Pairing,
)


@admin.register(MentorProfile)
class MentorProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "programme", "employer", "capacity")
    list_filter = ("programme",)
    search_fields = ("user__email", "user__display_name", "employer")
    raw_id_fields = ("user",)


@admin.register(MenteePreference)
class MenteePreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "cohort", "industry")
    search_fields = ("user__email",)
    raw_id_fields = ("user", "wish_1", "wish_2", "wish_3")
    filter_horizontal = ("avoid",)


@admin.register(ForbiddenPair)
class ForbiddenPairAdmin(admin.ModelAdmin):
    list_display = ("mentor", "mentee", "source", "reason", "created_at")
    raw_id_fields = ("mentor", "mentee", "created_by")


@admin.register(MatchingRun)
class MatchingRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: runs are made and published on the programme's mentoring pages (audited)."""

    list_display = ("cohort", "number", "mode", "status", "created_at", "published_at")
    list_filter = ("status", "mode")
    readonly_fields = ("summary", "weights")


class SessionInline(admin.TabularInline):
    model = MentoringSession
    extra = 0
    # A mentor's private notes are theirs: not shown here either.
    fields = ("held_on", "minutes", "mode", "logged_by", "mentor_confirmed", "attended", "rating")
    readonly_fields = fields
    can_delete = False


@admin.register(Pairing)
class PairingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: pairings change through matching, overrides and endings (audited)."""

    list_display = ("mentor", "mentee", "cohort", "status", "started_at", "last_session_on")
    list_filter = ("status", "source")
    search_fields = ("mentee__email", "mentor__user__email")
    raw_id_fields = ("mentee", "mentor", "run", "ended_by")
    inlines = [SessionInline]
