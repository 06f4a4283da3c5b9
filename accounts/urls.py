from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile_edit, name="profile"),
    path("confirm-email/resend/", views.verification_resend, name="verification_resend"),
]
