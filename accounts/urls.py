from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile_edit, name="profile"),
    path("confirm-email/resend/", views.verification_resend, name="verification_resend"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("privacy/", views.consent_list, name="privacy"),
    path(
        "privacy/<slug:purpose>/give/",
        views.consent_change,
        {"action": "give"},
        name="consent_give",
    ),
    path(
        "privacy/<slug:purpose>/withdraw/",
        views.consent_change,
        {"action": "withdraw"},
        name="consent_withdraw",
    ),
]
