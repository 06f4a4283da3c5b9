from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("programmes/<slug:slug>/exports/", views.export_list, name="export_list"),
    path(
        "programmes/<slug:slug>/exports/<int:export_id>/",
        views.export_detail,
        name="export_detail",
    ),
    path(
        "programmes/<slug:slug>/exports/<int:export_id>/download/",
        views.export_download,
        name="export_download",
    ),
]
