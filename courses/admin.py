from django.contrib import admin
from django.db import models

from core.admin import ReadOnlyAdminMixin
from courses.models import (
    Assessment,
    AssessmentResult,
    Attendance,
    CalendarFeed,
    ClassSession,
    Course,
    CourseSettings,
    Enrollment,
)


@admin.register(CourseSettings)
class CourseSettingsAdmin(admin.ModelAdmin):
    list_display = ("programme", "max_electives")


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "programme", "kind", "hours", "min_attendance")
    list_filter = ("programme", "kind")
    search_fields = ("code", "title")
    filter_horizontal = ("cohorts", "instructors")


@admin.register(ClassSession)
class ClassSessionAdmin(admin.ModelAdmin):
    list_display = ("course", "cohort", "starts_at", "ends_at", "instructor", "is_cancelled")
    list_filter = ("course__programme", "is_cancelled")
    raw_id_fields = ("instructor",)
    date_hierarchy = "starts_at"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ("user", "course", "cohort", "status", "source")
    list_filter = ("status", "source")
    search_fields = ("user__email", "course__code")
    raw_id_fields = ("user",)


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: attendance is marked on the roster and by check-in (audited)."""

    list_display = ("user", "session", "status", "source")
    list_filter = ("status", "source")
    search_fields = ("user__email",)
    raw_id_fields = ("user", "session", "marked_by")


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("name", "course", "kind", "max_score", "pass_mark", "weight", "due_on")
    list_filter = ("kind",)


@admin.register(AssessmentResult)
class AssessmentResultAdmin(admin.ModelAdmin):
    list_display = ("user", "assessment", "score")
    search_fields = ("user__email",)
    raw_id_fields = ("user", "assessment", "recorded_by")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at", "last_read_at")
    search_fields = ("user__email",)
    raw_id_fields = ("user",)
    exclude = ("token",)
