from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("programmes/<slug:slug>/team/", views.programme_team, name="programme_team"),
    path(
        "programmes/<slug:slug>/team/<int:role_id>/revoke/",
        views.programme_role_revoke,
        name="programme_role_revoke",
    ),
    path("programmes/<slug:slug>/outbox/", views.programme_outbox, name="programme_outbox"),
    path(
        "programmes/<slug:slug>/outbox/release/",
        views.programme_outbox_release,
        name="programme_outbox_release",
    ),
    path(
        "programmes/<slug:slug>/outbox/announce/",
        views.programme_announcement,
        name="programme_announcement",
    ),
    path(
        "programmes/<slug:slug>/outbox/<int:message_id>/",
        views.programme_outbox_message,
        name="programme_outbox_message",
    ),
    path(
        "programmes/<slug:slug>/outbox/<int:message_id>/html/",
        views.programme_outbox_message_html,
        name="programme_outbox_message_html",
    ),
    path(
        "programmes/<slug:slug>/outbox/<int:message_id>/retry/",
        views.programme_outbox_retry,
        name="programme_outbox_retry",
    ),
    path("programmes/<slug:slug>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<slug:slug>/audit/", views.programme_audit, name="programme_audit"),
    path(
        "programmes/<slug:slug>/audit/export/",
        views.programme_audit_export,
        name="programme_audit_export",
    ),
]
