from django.contrib import admin

from .models import EmailMessage, Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "text", "read_at"]
    list_filter = ["kind", "scope"]
    search_fields = ["recipient__email", "text", "scope"]
    raw_id_fields = ["recipient"]


@admin.register(EmailMessage)
class EmailMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to_email", "kind", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "scope"]
    search_fields = ["to_email", "subject", "scope"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["claimed_at", "sent_at", "attempts", "last_error"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "is_email_enabled", "is_in_app_enabled"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
