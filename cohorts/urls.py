from django.urls import path

from .views import outbox, programmes

app_name = "cohorts"

urlpatterns = [
    path("<slug:slug>/", programmes.programme_detail, name="programme_detail"),
    path("<slug:slug>/team/", programmes.programme_team, name="programme_team"),
    path(
        "<slug:slug>/team/<int:role_id>/revoke/",
        programmes.programme_role_revoke,
        name="programme_role_revoke",
    ),
    path("<slug:slug>/outbox/", outbox.programme_outbox, name="programme_outbox"),
    path(
        "<slug:slug>/outbox/release/",
        outbox.programme_outbox_release,
        name="programme_outbox_release",
    ),
    path(
        "<slug:slug>/outbox/announce/", outbox.programme_announcement, name="programme_announcement"
    ),
    path(
        "<slug:slug>/outbox/<int:message_id>/",
        outbox.programme_outbox_message,
        name="programme_outbox_message",
    ),
    path(
        "<slug:slug>/outbox/<int:message_id>/html/",
        outbox.programme_outbox_message_html,
        name="programme_outbox_message_html",
    ),
    path(
        "<slug:slug>/outbox/<int:message_id>/retry/",
        outbox.programme_outbox_retry,
        name="programme_outbox_retry",
    ),
    # --- staff: applications of a cohort (cohorts/views/staff_applications.py) ---
    # --- end staff ---
]
