"""A programme admin is made to set up TOTP, then needs a code at every sign-in."""

import base64
import datetime
import hashlib
import hmac
import re
import struct
import time

import pytest
import time_machine
from django.urls import reverse

from programmes.enums import RoleKind
from tests.factories import ProgrammeRoleFactory, UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db


def totp(secret: str, at: float) -> str:
    """RFC 6238 with SHA-1, 6 digits and 30-second steps, as authenticator apps compute it."""
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def test_admin_sets_up_totp_then_signs_in_with_a_code(client, programme):
    admin = UserFactory(email="new.admin@example.com")
    ProgrammeRoleFactory(user=admin, programme=programme, role=RoleKind.PROGRAMME_ADMIN)
    start = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)

    with time_machine.travel(start, tick=False):
        response = client.post(
            reverse("account_login"), {"login": admin.email, "password": PASSWORD}, follow=True
        )
        # Signed in, but sent to the authenticator setup (behind a password confirmation)
        # before anything else.
        assert [url for url, _ in response.redirect_chain] == [
            reverse("dashboard"),
            reverse("mfa_activate_totp"),
            reverse("account_reauthenticate") + "?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F",
        ]
        response = client.post(response.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
        body = response.content.decode()
        secret = re.search(r'value="([A-Z2-7]{16,})"', body).group(1)

        wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
        assert wrong.status_code == 200
        assert "Incorrect code" in wrong.content.decode()

        client.post(reverse("mfa_activate_totp"), {"code": totp(secret, time.time())})
        assert client.get(reverse("dashboard")).status_code == 200
        client.post(reverse("account_logout"))

    with time_machine.travel(start + datetime.timedelta(minutes=5), tick=False):
        response = client.post(
            reverse("account_login"), {"login": admin.email, "password": PASSWORD}
        )
        assert response["Location"] == reverse("mfa_authenticate")
        assert "_auth_user_id" not in client.session

        response = client.post(reverse("mfa_authenticate"), {"code": totp(secret, time.time())})
        assert response.status_code == 302
        assert int(client.session["_auth_user_id"]) == admin.pk
        assert client.get(reverse("dashboard")).status_code == 200
