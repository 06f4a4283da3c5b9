from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("profile/data/", views.personal_data, name="personal_data"),
    path(
        "profile/data/<uuid:export_uuid>/download/",
        views.personal_data_download,
        name="personal_data_download",
    ),
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
