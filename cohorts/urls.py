from django.urls import path

from . import views

app_name = "cohorts"

urlpatterns = [
    path("programmes/<slug:slug>/", views.programme_detail, name="programme_detail"),
    path("programmes/<slug:slug>/cohorts/new/", views.cohort_create, name="cohort_create"),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/",
        views.cohort_detail,
        name="cohort_detail",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/about/",
        views.cohort_public,
        name="cohort_public",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/edit/",
        views.cohort_edit,
        name="cohort_edit",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/questions/new/",
        views.question_create,
        name="question_create",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/questions/<int:question_id>/",
        views.question_edit,
        name="question_edit",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/questions/<int:question_id>/delete/",
        views.question_delete,
        name="question_delete",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/questions/<int:question_id>/move/",
        views.question_move,
        name="question_move",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/rules/new/",
        views.rule_create,
        name="rule_create",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/rules/form/",
        views.rule_form,
        name="rule_form",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/rules/<int:rule_id>/delete/",
        views.rule_delete,
        name="rule_delete",
    ),
]
