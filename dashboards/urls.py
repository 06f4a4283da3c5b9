from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("programmes/<slug:slug>/dashboard/", views.dashboard, name="dashboard"),
    path(
        "programmes/<slug:slug>/dashboard/<slug:cohort_slug>/",
        views.dashboard,
        name="cohort_dashboard",
    ),
    path(
        "programmes/<slug:slug>/dashboard/<slug:cohort_slug>/<slug:chart>.<str:fmt>",
        views.chart_download,
        name="chart_download",
    ),
]
