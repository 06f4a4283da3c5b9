from django.urls import path

from . import views

app_name = "cohorts"

urlpatterns = [
    path("<slug:slug>/", views.programme_detail, name="programme_detail"),
    path("<slug:slug>/team/", views.programme_team, name="programme_team"),
    path(
        "<slug:slug>/team/<int:role_id>/revoke/",
        views.programme_role_revoke,
        name="programme_role_revoke",
    ),
]
