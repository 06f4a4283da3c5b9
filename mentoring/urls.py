from django.urls import path

from . import views

app_name = "mentoring"

P = "programmes/<slug:slug>/mentoring/"
RUN = P + "runs/<int:run_id>/"
PAIRING = "mentoring/pairings/<int:pairing_id>/"

urlpatterns = [
    # The programme's mentoring, for its admins (staff may look).
    path(P, views.overview, name="overview"),
    path(P + "export/", views.export, name="export"),
    path(P + "runs/new/", views.run_create, name="run_create"),
    path(RUN, views.run_detail, name="run_detail"),
    path(RUN + "assign/", views.run_assign, name="run_assign"),
    path(RUN + "pairings/<int:pairing_id>/unassign/", views.run_unassign, name="run_unassign"),
    path(RUN + "swap/", views.run_swap, name="run_swap"),
    path(RUN + "publish/", views.run_publish, name="run_publish"),
    path(RUN + "discard/", views.run_discard, name="run_discard"),
    path(P + "forbidden/", views.forbidden_add, name="forbidden_add"),
    path(
        P + "forbidden/<int:forbidden_id>/remove/",
        views.forbidden_remove,
        name="forbidden_remove",
    ),
    path(P + "pairings/<int:pairing_id>/end/", views.admin_pairing_end, name="admin_pairing_end"),
    # A mentor's profile and a participant's preferences in the programme.
    path(P + "profile/", views.profile, name="profile"),
    path(P + "profile/conflicts/", views.conflict_declare, name="conflict_declare"),
    path(P + "preferences/", views.preferences, name="preferences"),
    # Each person's own mentoring, and the page of one pairing for its mentor and mentee.
    path("mentoring/", views.mine, name="mine"),
    path(PAIRING, views.pairing_detail, name="pairing"),
    path(PAIRING + "sessions/new/", views.session_log, name="session_log"),
    path(
        PAIRING + "sessions/<int:session_id>/confirm/",
        views.session_confirm,
        name="session_confirm",
    ),
    path(
        PAIRING + "sessions/<int:session_id>/feedback/",
        views.session_feedback,
        name="session_feedback",
    ),
    path(PAIRING + "end/", views.pairing_end, name="pairing_end"),
]
