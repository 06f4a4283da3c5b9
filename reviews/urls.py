from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("reviews/<int:assignment_id>/files/<slug:key>/", views.review_file, name="file"),
    path("reviews/<int:assignment_id>/conflict/", views.review_flag_conflict, name="flag_conflict"),
    path("reviews/<int:assignment_id>/", views.review_score, name="score"),
    path("reviews/", views.review_queue, name="queue"),
    path("programmes/<slug:slug>/conflicts/", views.conflicts, name="conflicts"),
    path(
        "programmes/<slug:slug>/conflicts/<int:conflict_id>/delete/",
        views.conflict_delete,
        name="conflict_delete",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/review/",
        views.review_setup,
        name="review_setup",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/review/criteria/<int:criterion_id>/delete/",
        views.criterion_delete,
        name="criterion_delete",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/review/criteria/<int:criterion_id>/",
        views.criterion_edit,
        name="criterion_edit",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/review/assign/",
        views.review_assign,
        name="review_assign",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/review/dashboard/",
        views.review_dashboard,
        name="review_dashboard",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/review/ranking/",
        views.review_ranking,
        name="review_ranking",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/review/applications/<int:application_id>/",
        views.application_reviews,
        name="review_application",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/review/assignments/<int:assignment_id>/reassign/",
        views.assignment_reassign,
        name="assignment_reassign",
    ),
]
