"""A session that is a while old must confirm the password (or an authenticator code) again
before adding an email address, exporting applicants or changing a programme's team."""

import csv
import datetime
import io
import time

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.urls import reverse
from django.utils.http import urlencode

from core.models import AuditEntry
from programmes.enums import RoleKind
from programmes.models import ProgrammeRole
from tests.accounts.test_mfa_journey import totp
from tests.factories import ApplicationFactory, CohortFactory, UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db


def _later(minutes: int):
    return time_machine.travel(
        datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=minutes), tick=False
    )


def _sign_in(client, user) -> None:
    """A real sign-in with the password (and the authenticator code when the user has one)."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    if response["Location"] == reverse("mfa_authenticate"):
        client.post(reverse("mfa_authenticate"), {"code": _code(user)})
    assert int(client.session["_auth_user_id"]) == user.pk


def _code(user) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return totp(decrypt(authenticator.data["secret"]), time.time())


def _prompt(next_url: str) -> str:
    return reverse("account_reauthenticate") + "?" + urlencode({"next": next_url})


@pytest.fixture
def export_url(programme):
    cohort = CohortFactory(programme=programme, slug="march-2026")
    ApplicationFactory(cohort=cohort, full_name="Alice Ang", sector="ict")
    ApplicationFactory(cohort=cohort, full_name="Bala Subramaniam", sector="finance")
    path = reverse("applications:cohort_applications_export", args=[programme.slug, cohort.slug])
    return f"{path}?format=csv&sector=ict"


def _names(response) -> list[str]:
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return [row[3] for row in csv.reader(io.StringIO(text))][1:]


def test_adding_an_email_in_a_15_minute_old_session_asks_for_the_password(client):
    user = UserFactory(email="first@example.com")
    _sign_in(client, user)

    with _later(15):
        response = client.post(
            reverse("account_email"), {"action_add": "", "email": "second@example.com"}
        )
        assert response["Location"] == _prompt(reverse("account_email"))
        assert not EmailAddress.objects.filter(email="second@example.com").exists()

        wrong = client.post(response["Location"], {"password": "not-my-password"})
        assert wrong.status_code == 200
        assert "Incorrect password" in wrong.content.decode()
        assert not EmailAddress.objects.filter(email="second@example.com").exists()

        # The right password carries out the request that was interrupted.
        client.post(response["Location"], {"password": PASSWORD})
        assert EmailAddress.objects.get(email="second@example.com").user == user


def test_export_in_a_15_minute_old_session_asks_for_the_password_then_downloads(
    client, programme_admin, export_url
):
    _sign_in(client, programme_admin)

    with _later(15):
        response = client.get(export_url)
        assert response["Location"] == _prompt(export_url)
        assert not AuditEntry.objects.filter(action="applications.export").exists()

        confirmed = client.post(response["Location"], {"password": PASSWORD})
        assert confirmed["Location"] == export_url
        download = client.get(confirmed["Location"])

    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert _names(download) == ["Alice Ang"]
    assert AuditEntry.objects.filter(action="applications.export").count() == 1


def test_export_confirmed_with_an_authenticator_code_downloads(client, programme_admin, export_url):
    _sign_in(client, programme_admin)

    with _later(15):
        prompt = client.get(export_url)["Location"]
        # The prompt offers the authenticator app as well; it keeps the way back.
        page = client.get(prompt).content.decode()
        with_code = reverse("mfa_reauthenticate") + "?" + urlencode({"next": export_url})
        assert with_code.replace("&", "&amp;") in page

        confirmed = client.post(with_code, {"code": _code(programme_admin)})
        assert confirmed["Location"] == export_url
        download = client.get(export_url)

    assert _names(download) == ["Alice Ang"]


def test_export_right_after_confirming_needs_no_new_prompt(client, programme_admin, export_url):
    _sign_in(client, programme_admin)
    with _later(15):
        client.post(_prompt(export_url), {"password": PASSWORD})
    with _later(19):
        assert _names(client.get(export_url)) == ["Alice Ang"]
    with _later(21):
        assert client.get(export_url)["Location"] == _prompt(export_url)


def test_export_is_404_outside_the_programme_without_a_password_prompt(
    client, other_programme_admin, export_url
):
    _sign_in(client, other_programme_admin)
    with _later(15):
        assert client.get(export_url).status_code == 404


def test_granting_a_role_asks_for_the_password_then_grants(client, programme, programme_admin):
    newcomer = UserFactory(email="newcomer@example.com")
    team_url = reverse("programmes:programme_team", args=[programme.slug])
    _sign_in(client, programme_admin)

    with _later(15):
        # Looking at the team needs no confirmation; changing it does.
        assert client.get(team_url).status_code == 200
        response = client.post(team_url, {"email": newcomer.email, "role": RoleKind.REVIEWER})
        assert response["Location"] == _prompt(team_url)
        assert not ProgrammeRole.objects.filter(user=newcomer).exists()

        done = client.post(response["Location"], {"password": PASSWORD})

    assert done["Location"] == team_url
    assert ProgrammeRole.objects.get(user=newcomer).role == RoleKind.REVIEWER


def test_revoking_a_role_asks_for_the_password_then_revokes(
    client, programme, programme_admin, reviewer
):
    grant = ProgrammeRole.objects.get(user=reviewer, programme=programme)
    revoke_url = reverse("programmes:programme_role_revoke", args=[programme.slug, grant.pk])
    _sign_in(client, programme_admin)

    with _later(15):
        response = client.post(revoke_url)
        assert response["Location"] == _prompt(revoke_url)
        assert ProgrammeRole.objects.filter(pk=grant.pk).exists()

        client.post(response["Location"], {"password": PASSWORD})

    assert not ProgrammeRole.objects.filter(pk=grant.pk).exists()


def test_export_right_after_signing_in_needs_no_second_prompt(client, programme_admin, export_url):
    _sign_in(client, programme_admin)

    with _later(2):
        download = client.get(export_url)

    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert _names(download) == ["Alice Ang"]
