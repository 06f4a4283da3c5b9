from django.urls import path

from . import views

app_name = "cohorts"

urlpatterns = [
    path("<slug:slug>/", views.programme_detail, name="programme_detail"),
    path("<slug:slug>/team/", views.programme_team, name="programme_team"),
    path(
        "<slug:slug>/team/<int:role_id>/revoke/",
        views.programme_role_revoke,
        name="programme_role_revoke",
    ),
    path("<slug:slug>/outbox/", views.programme_outbox, name="programme_outbox"),
    path(
        "<slug:slug>/outbox/release/",
        views.programme_outbox_release,
        name="programme_outbox_release",
    ),
    path(
        "<slug:slug>/outbox/announce/", views.programme_announcement, name="programme_announcement"
    ),
    path(
        "<slug:slug>/outbox/<int:message_id>/",
        views.programme_outbox_message,
        name="programme_outbox_message",
    ),
    path(
        "<slug:slug>/outbox/<int:message_id>/html/",
        views.programme_outbox_message_html,
        name="programme_outbox_message_html",
    ),
    path(
        "<slug:slug>/outbox/<int:message_id>/retry/",
        views.programme_outbox_retry,
        name="programme_outbox_retry",
    ),
]
