"""Sign-ins, failed sign-ins, sign-outs and account changes land in the audit trail, without
passwords, codes or tokens."""

import datetime
import json
import re
import time

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from core.models import AuditEntry
from tests.accounts.test_mfa_journey import totp
from tests.auth import sign_in_confirmed
from tests.factories import TotpAuthenticatorFactory, UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) " + "Gecko/20100101 " * 30
NEW_PASSWORD = "saffron-ladder-quietly-93"
START = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


def _entries(*actions: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action__in=actions).order_by("id"))


def _everything_recorded() -> str:
    return json.dumps(list(AuditEntry.objects.values("action", "target_id", "data")))


def test_sign_in_is_recorded_with_address_and_trimmed_user_agent(client):
    user = UserFactory(email="ines@example.com")

    client.post(
        reverse("account_login"),
        {"login": "ines@example.com", "password": PASSWORD},
        HTTP_USER_AGENT=BROWSER,
        REMOTE_ADDR="203.0.113.7",
    )

    [entry] = _entries("account.login")
    assert (entry.actor, entry.target_type, entry.target_id) == (
        user,
        "accounts.user",
        str(user.pk),
    )
    assert entry.data == {"ip": "203.0.113.7", "user_agent": BROWSER[:200]}


def test_failed_sign_in_records_the_login_typed_but_never_the_password(client):
    UserFactory(email="ines@example.com")

    client.post(
        reverse("account_login"),
        {"login": "Ines@Example.com", "password": "my-secret-guess-123"},
        REMOTE_ADDR="198.51.100.4",
    )
    client.post(
        reverse("account_login"),
        {"login": "nobody@example.com", "password": "another-secret-guess"},
        REMOTE_ADDR="198.51.100.4",
    )

    entries = _entries("account.login_failed")
    assert [(entry.actor, entry.data["login"], entry.data["ip"]) for entry in entries] == [
        (None, "ines@example.com", "198.51.100.4"),
        (None, "nobody@example.com", "198.51.100.4"),
    ]
    assert not _entries("account.login")
    recorded = _everything_recorded()
    assert "my-secret-guess-123" not in recorded
    assert "another-secret-guess" not in recorded
    assert "password" not in recorded


def test_sign_out_is_recorded(client):
    user = UserFactory()
    client.force_login(user)

    client.post(reverse("account_logout"))

    [entry] = _entries("account.logout")
    assert entry.actor == user


def test_password_change_is_recorded_without_the_passwords(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    [entry] = _entries("account.password_change")
    assert entry.actor == user
    assert PASSWORD not in _everything_recorded()
    assert NEW_PASSWORD not in _everything_recorded()


def test_password_reset_is_recorded_without_the_key(client):
    user = UserFactory(email="forgetful@example.com")
    client.post(reverse("account_reset_password"), {"email": "forgetful@example.com"})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)
    form = client.get(link.group(1), follow=True)
    set_password_url = form.redirect_chain[-1][0]

    client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    [entry] = _entries("account.password_reset")
    assert (entry.actor, entry.target_id) == (user, str(user.pk))
    key = link.group(1).rstrip("/").rsplit("/", 1)[-1]
    recorded = _everything_recorded()
    assert key not in recorded
    assert key.split("-", 1)[-1] not in recorded
    assert NEW_PASSWORD not in recorded


def test_email_added_verified_and_made_primary_are_recorded(client):
    user = UserFactory(email="first@example.com")
    sign_in_confirmed(client, user)

    client.post(reverse("account_email"), {"action_add": "", "email": "second@example.com"})
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    client.post(link.group(1))
    client.post(reverse("account_email"), {"action_primary": "", "email": "second@example.com"})

    assert [
        (entry.action, entry.actor, entry.data.get("email"), entry.data.get("to_email"))
        for entry in _entries("account.email_add", "account.email_verify", "account.email_change")
    ] == [
        ("account.email_add", user, "second@example.com", None),
        ("account.email_verify", user, "second@example.com", None),
        ("account.email_change", user, None, "second@example.com"),
    ]
    assert EmailAddress.objects.get(email="second@example.com").primary is True
    key = link.group(1).rstrip("/").rsplit("/", 1)[-1]
    assert key not in _everything_recorded()


def test_two_factor_changes_and_uses_are_recorded_without_codes(client):
    user = UserFactory(email="careful@example.com")

    with time_machine.travel(START, tick=False):
        sign_in_confirmed(client, user)
        page = client.get(reverse("mfa_activate_totp")).content.decode()
        secret = re.search(r'value="([A-Z2-7]{16,})"', page).group(1)
        activation_code = totp(secret, time.time())
        with TestCase.captureOnCommitCallbacks(execute=True):
            client.post(reverse("mfa_activate_totp"), {"code": activation_code})
        with TestCase.captureOnCommitCallbacks(execute=True):
            client.post(reverse("mfa_generate_recovery_codes"))
        client.post(reverse("account_logout"))

    with time_machine.travel(START + datetime.timedelta(minutes=2), tick=False):
        client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
        client.post(reverse("mfa_authenticate"), {"code": "000000"})
        login_code = totp(secret, time.time())
        client.post(reverse("mfa_authenticate"), {"code": login_code})
        assert int(client.session["_auth_user_id"]) == user.pk
        sign_in_confirmed(client, user)
        with TestCase.captureOnCommitCallbacks(execute=True):
            client.post(reverse("mfa_deactivate_totp"))

    assert [
        (entry.action, entry.data.get("type"))
        for entry in _entries(
            "account.mfa_activate",
            "account.mfa_recovery_codes_regenerate",
            "account.mfa_failed",
            "account.mfa_authenticate",
            "account.mfa_deactivate",
        )
    ] == [
        ("account.mfa_activate", "totp"),
        ("account.mfa_activate", "recovery_codes"),
        ("account.mfa_recovery_codes_regenerate", "recovery_codes"),
        ("account.mfa_failed", "totp"),
        ("account.mfa_authenticate", "totp"),
        ("account.mfa_deactivate", "totp"),
        ("account.mfa_deactivate", "recovery_codes"),
    ]
    assert not Authenticator.objects.filter(user=user).exists()
    recorded = _everything_recorded()
    for secret_value in (secret, activation_code, login_code):
        assert secret_value not in recorded


def test_reauthentication_with_an_authenticator_code_is_recorded(client):
    user = UserFactory()
    authenticator = TotpAuthenticatorFactory(user=user)
    secret = decrypt(authenticator.data["secret"])

    with time_machine.travel(START, tick=False):
        client.force_login(user)
        code = totp(secret, time.time())
        response = client.post(reverse("mfa_reauthenticate"), {"code": code})

    assert response.status_code == 302
    [entry] = _entries("account.mfa_authenticate")
    assert (entry.actor, entry.data["type"], entry.data["reauthenticated"]) == (
        user,
        "totp",
        True,
    )
    assert code not in _everything_recorded()


def test_reauthentication_with_the_password_is_recorded(client):
    user = UserFactory()
    sign_in_confirmed(client, user)

    [entry] = _entries("account.reauthenticate")
    assert (entry.actor, entry.data["method"]) == (user, "password")
