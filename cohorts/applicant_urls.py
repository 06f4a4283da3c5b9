"""Applicant-facing pages: applying to a cohort and following one's applications."""

from django.urls import path

from .views import applicant, selection

app_name = "applications"

urlpatterns = [
    path("apply/<slug:slug>/<slug:cohort_slug>/", applicant.apply, name="apply"),
    path("applications/", applicant.my_applications, name="mine"),
    path("applications/<int:application_id>/", applicant.application_detail, name="detail"),
    path("applications/<int:application_id>/save/", applicant.application_save, name="save"),
    path("applications/<int:application_id>/upload/", applicant.application_upload, name="upload"),
    path("applications/<int:application_id>/submit/", applicant.application_submit, name="submit"),
    path(
        "applications/<int:application_id>/withdraw/",
        applicant.application_withdraw,
        name="withdraw",
    ),
    path(
        "applications/<int:application_id>/files/<str:which>/",
        applicant.application_file,
        name="file",
    ),
    path(
        "applications/<int:application_id>/offer/accept/",
        selection.offer_accept,
        name="offer_accept",
    ),
    path(
        "applications/<int:application_id>/offer/decline/",
        selection.offer_decline,
        name="offer_decline",
    ),
]
