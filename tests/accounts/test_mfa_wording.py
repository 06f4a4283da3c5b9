"""The two-factor pages speak like the rest of the product: sentence-case headings and buttons
that say what happens ("Set up an authenticator app", "Turn off"), with allauth's forms still
working behind them."""

import datetime
import html
import re
import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.utils import decrypt
from django.urls import reverse

from tests.accounts.test_mfa_journey import totp
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD, TotpAuthenticatorFactory

pytestmark = pytest.mark.django_db

# allauth's own wording, which our templates replace.
TITLE_CASE = [
    "Two-Factor Authentication",
    "Authenticator App",
    "Recovery Codes",
    "Security Keys",
    "Sign In",
    "Unused Codes",
]
BARE_BUTTONS = ["Activate", "Deactivate", "Generate", "View", "Download"]


def _assert_plain_wording(body: str) -> None:
    found = [phrase for phrase in TITLE_CASE if phrase in body]
    found += [word for word in BARE_BUTTONS if re.search(rf">\s*{word}\s*<", body)]
    assert found == []


def _h1(body: str) -> str:
    return " ".join(re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S).group(1).split())


def _title(body: str) -> str:
    return " ".join(html.unescape(re.search(r"<title>(.*?)</title>", body, re.S).group(1)).split())


def _buttons(body: str) -> list[str]:
    """Visible text of the buttons and button-styled links in the page's main content."""
    main = body.split('<main id="main"', 1)[1]
    return [
        " ".join(re.sub(r"<[^>]+>", "", text).split())
        for text in re.findall(
            r'<(?:button|a)[^>]*class="btn [^"]*"[^>]*>(.*?)</(?:button|a)>', main, re.S
        )
    ]


def _code(user) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return totp(decrypt(authenticator.data["secret"]), time.time())


def _sign_in(client, user) -> None:
    """A real sign-in (password, then the app's code when there is one), then the password
    confirmed again, as the pages that change two-factor settings ask for."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    if response["Location"] == reverse("mfa_authenticate"):
        client.post(reverse("mfa_authenticate"), {"code": _code(user)})
    assert int(client.session["_auth_user_id"]) == user.pk
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})


@pytest.fixture
def newcomer(client):
    user = UserFactory(email="newcomer@example.com", display_name="")
    _sign_in(client, user)
    return user


@pytest.fixture
def protected(client):
    user = UserFactory(email="protected@example.com", display_name="Mei Ling Tan")
    TotpAuthenticatorFactory(user=user)
    RecoveryCodes.activate(user)
    _sign_in(client, user)
    return user


def test_mfa_index_without_an_app_offers_to_set_one_up(client, newcomer):
    response = client.get(reverse("mfa_index"))

    assert response.status_code == 200
    body = response.content.decode()
    assert _h1(body) == "Two-factor authentication"
    assert _title(body) == "Two-factor authentication · Cohortline"
    assert "Off. Setting it up takes two minutes" in body
    assert "No recovery codes yet." in body
    assert _buttons(body) == ["Set up an authenticator app"]
    assert f'href="{reverse("mfa_activate_totp")}"' in body
    _assert_plain_wording(body)


def test_mfa_index_with_an_app_offers_to_turn_it_off_and_the_codes(client, protected):
    response = client.get(reverse("mfa_index"))

    assert response.status_code == 200
    body = response.content.decode()
    assert _h1(body) == "Two-factor authentication"
    assert "On. Each time you sign in" in body
    assert "You have 10 of 10 recovery codes left." in body
    assert _buttons(body) == ["Turn off", "Show codes", "Download codes", "Make new codes"]
    _assert_plain_wording(body)


def test_totp_activate_page_explains_the_steps_and_still_activates(client, newcomer):
    response = client.get(reverse("mfa_activate_totp"))

    assert response.status_code == 200
    body = response.content.decode()
    assert _h1(body) == "Set up an authenticator app"
    assert _title(body) == "Set up an authenticator app · Cohortline"
    assert "In the app, add an account and scan this QR code." in body
    assert 'alt="QR code to scan with your authenticator app"' in body
    assert "Setup key, if you cannot scan the code" in body
    assert _buttons(body) == ["Turn on"]
    _assert_plain_wording(body)

    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]{16,})"', body)
    secret = secret or re.search(r'value="([A-Z2-7]{16,})"[^>]*id="authenticator_secret"', body)
    response = client.post(
        reverse("mfa_activate_totp"), {"code": totp(secret.group(1), time.time())}
    )
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=newcomer, type=Authenticator.Type.TOTP).exists()


def test_totp_deactivate_page_says_what_turning_off_means_and_still_turns_off(client, protected):
    response = client.get(reverse("mfa_deactivate_totp"))

    assert response.status_code == 200
    body = response.content.decode()
    assert _h1(body) == "Turn off two-factor authentication"
    assert "your recovery codes stop working" in body
    assert _buttons(body) == ["Turn off", "Keep it on"]
    _assert_plain_wording(body)

    response = client.post(reverse("mfa_deactivate_totp"))
    assert response["Location"] == reverse("mfa_index")
    assert not Authenticator.objects.filter(user=protected).exists()


def test_recovery_codes_page_lists_the_codes_in_plain_words(client, protected):
    response = client.get(reverse("mfa_view_recovery_codes"))

    assert response.status_code == 200
    body = response.content.decode()
    assert _h1(body) == "Recovery codes"
    assert _title(body) == "Recovery codes · Cohortline"
    assert "You have 10 of 10 codes left." in body
    codes = RecoveryCodes(
        Authenticator.objects.get(user=protected, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    assert all(code in body for code in codes)
    assert _buttons(body) == ["Download codes", "Make new codes"]
    _assert_plain_wording(body)


def test_generate_recovery_codes_page_warns_and_still_generates(client, protected):
    old_codes = RecoveryCodes(
        Authenticator.objects.get(user=protected, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()

    response = client.get(reverse("mfa_generate_recovery_codes"))

    assert response.status_code == 200
    body = response.content.decode()
    assert _h1(body) == "Make new recovery codes"
    assert "The codes you have now will stop working." in body
    assert _buttons(body) == ["Make new codes", "Cancel"]
    _assert_plain_wording(body)

    response = client.post(reverse("mfa_generate_recovery_codes"))
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    new_codes = RecoveryCodes(
        Authenticator.objects.get(user=protected, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    assert set(new_codes).isdisjoint(old_codes)


def test_authenticate_page_asks_for_the_code_in_plain_words(client):
    user = UserFactory(email="protected@example.com")
    TotpAuthenticatorFactory(user=user)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    response = client.get(reverse("mfa_authenticate"))

    assert response.status_code == 200
    body = response.content.decode()
    assert _h1(body) == "Enter your code"
    assert _title(body) == "Sign in · Cohortline"
    assert "Type the 6-digit code your authenticator app shows now." in body
    assert 'name="code"' in body
    assert _buttons(body) == ["Sign in", "Cancel"]
    _assert_plain_wording(body)

    response = client.post(reverse("mfa_authenticate"), {"code": _code(user)})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_reauthenticate_page_asks_for_the_code_in_plain_words(client, protected):
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=30)
    with time_machine.travel(later, tick=False):
        response = client.get(reverse("mfa_reauthenticate"))

        assert response.status_code == 200
        body = response.content.decode()
        assert _h1(body) == "Confirm it is you"
        assert "Type the 6-digit code your authenticator app shows now" in body
        assert 'name="code"' in body
        _assert_plain_wording(body)

        response = client.post(reverse("mfa_reauthenticate"), {"code": _code(protected)})
        assert response.status_code == 302
