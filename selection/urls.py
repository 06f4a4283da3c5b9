from django.urls import path

from . import views

app_name = "selection"

urlpatterns = [
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/selection/",
        views.selection_home,
        name="selection_home",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/selection/quotas/<int:quota_id>/delete/",
        views.quota_delete,
        name="quota_delete",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/selection/runs/<int:number>/",
        views.selection_run,
        name="selection_run",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/selection/runs/<int:number>/commit/",
        views.selection_commit,
        name="selection_commit",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/selection/runs/<int:number>/retry/",
        views.selection_retry,
        name="selection_retry",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/selection/compare/",
        views.selection_compare,
        name="selection_compare",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/selection/offers/",
        views.selection_offers,
        name="selection_offers",
    ),
    path(
        "applications/<int:application_id>/offer/accept/", views.offer_accept, name="offer_accept"
    ),
    path(
        "applications/<int:application_id>/offer/decline/",
        views.offer_decline,
        name="offer_decline",
    ),
]
