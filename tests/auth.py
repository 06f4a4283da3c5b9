"""Signing test clients in the way sensitive pages require."""

from django.urls import reverse

from tests.factories.accounts import PASSWORD


def sign_in_confirmed(client, user) -> None:
    """Sign `user` in and confirm their password, as exports and team changes ask for.

    Goes through allauth's real confirmation page, so the session holds a genuine recent
    re-authentication (valid for ACCOUNT_REAUTHENTICATION_TIMEOUT seconds).
    """
    client.force_login(user)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
