from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("profile/delete/", views.erasure, name="erasure"),
    path("profile/delete/cancel/", views.erasure_cancel, name="erasure_cancel"),
    path("programmes/<slug:slug>/retention/", views.retention, name="retention"),
]
