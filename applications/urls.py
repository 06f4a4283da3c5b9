from django.urls import path

from .views import applicant, consent, staff

app_name = "applications"

urlpatterns = [
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/applications/",
        staff.application_list,
        name="cohort_applications",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/applications/bulk/",
        staff.application_bulk_status,
        name="cohort_applications_bulk",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/applications/export/",
        staff.application_export,
        name="cohort_applications_export",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/applications/form-preview/",
        staff.cohort_form_preview,
        name="cohort_form_preview",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/applications/<int:application_id>/",
        staff.application_detail_staff,
        name="cohort_application_detail",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/applications/<int:application_id>/"
        "disputes/<int:dispute_id>/resolve/",
        staff.application_dispute_resolve,
        name="cohort_application_dispute_resolve",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/applications/<int:application_id>/cv/",
        staff.application_cv_download,
        name="cohort_application_cv",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/applications/<int:application_id>/files/<slug:key>/",
        staff.application_file_download,
        name="cohort_application_file",
    ),
    path("apply/<slug:slug>/<slug:cohort_slug>/", applicant.apply, name="apply"),
    path("applications/", applicant.my_applications, name="mine"),
    path("applications/consent/withdraw/", consent.consent_withdraw, name="consent_withdraw"),
    path("applications/<int:application_id>/", applicant.application_detail, name="detail"),
    path(
        "applications/<int:application_id>/disputes/",
        applicant.application_dispute,
        name="disputes",
    ),
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
]
