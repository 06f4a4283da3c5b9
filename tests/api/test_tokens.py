"""Personal API tokens: made and revoked by their owner on their account page, kept hashed
like integration tokens (core.tokens), and how the read API answers each kind of token."""

import datetime
import hashlib
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts import services
from accounts.models import PersonalToken
from compute import services as compute_services
from core.models import AuditEntry
from programmes.enums import RoleKind
from tests.factories import (
    PersonalTokenFactory,
    ProgrammeRoleFactory,
    TotpAuthenticatorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TOKENS = "/profile/tokens/"
PROGRAMMES = "/api/v1/programmes"
SIGN_IN = (
    "Sign in, or send a valid personal token with the read scope: Authorization: Bearer <token>."
)


def _token(user, scopes=("read",), **kwargs):
    return services.personal_token_create(user=user, name="Script", scopes=list(scopes), **kwargs)


def _get(secret: str, url: str = PROGRAMMES, client: Client | None = None):
    return (client or Client()).get(url, HTTP_AUTHORIZATION=f"Bearer {secret}")


def _body(response) -> str:
    return response.content.decode()


# --- services ----------------------------------------------------------------------------------


def test_personal_token_create_stores_only_a_hash_and_audits(applicant):
    token, secret = _token(applicant)
    assert secret.startswith(f"clp_{token.prefix}_")
    stored = PersonalToken.objects.values().get()
    assert stored["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(stored)
    assert stored["scopes"] == ["read"]
    entry = AuditEntry.objects.get(action="accounts.token_create")
    assert entry.actor == applicant
    assert entry.data == {"token": token.prefix, "scopes": ["read"], "expires_at": None}
    assert services.personal_token_authenticate(secret) == token


@pytest.mark.parametrize(
    ("name", "scopes", "days", "error"),
    [
        ("  ", ["read"], None, "Give the token a name."),
        ("Script", [], None, "Choose what the token may do."),
        ("Script", ["write"], None, "Choose what the token may do."),
        ("Script", ["read"], -1, "The expiry must be in the future."),
    ],
)
def test_personal_token_create_refuses_bad_input(applicant, name, scopes, days, error):
    expires_at = timezone.now() + datetime.timedelta(days=days) if days else None
    with pytest.raises(services.TokenError, match=error):
        services.personal_token_create(
            user=applicant, name=name, scopes=scopes, expires_at=expires_at
        )
    assert not PersonalToken.objects.exists()
    assert not AuditEntry.objects.exists()


def test_personal_token_revoke_once_and_audits(applicant):
    token, secret = _token(applicant)
    assert services.personal_token_revoke(token=token, actor=applicant) is True
    assert services.personal_token_revoke(token=token, actor=applicant) is False
    assert AuditEntry.objects.filter(action="accounts.token_revoke").count() == 1
    assert services.personal_token_authenticate(secret) is None


def test_personal_token_authenticate_refuses_lookalikes(applicant):
    token, secret = _token(applicant)
    for attempt in [
        secret[:-1] + ("A" if secret[-1] != "A" else "B"),
        secret.replace("clp_", "clk_"),
        f"clp_{token.prefix}_",
        "clp_",
        "",
        secret + "x" * 300,
        secret[:-1] + "é",
    ]:
        assert services.personal_token_authenticate(attempt) is None, attempt


def test_personal_token_of_an_inactive_user_does_not_authenticate(applicant):
    _token_row, secret = _token(applicant)
    applicant.is_active = False
    applicant.save(update_fields=["is_active"])
    assert services.personal_token_authenticate(secret) is None


# --- the read API with a token -----------------------------------------------------------------


def test_read_api_with_a_personal_token_acts_as_its_owner(
    programme, programme_admin, other_programme
):
    token, secret = _token(programme_admin)
    response = _get(secret)
    assert response.status_code == 200
    assert [p["slug"] for p in response.json()["items"]] == [programme.slug]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_read_api_marks_last_use_at_most_once_a_minute(programme_admin):
    _row, secret = _token(programme_admin)
    with time_machine.travel("2026-12-01 10:00:00Z", tick=False):
        _get(secret)
        _get(secret)
        first = PersonalToken.objects.get().last_used_at
        assert first == datetime.datetime(2026, 12, 1, 10, tzinfo=datetime.UTC)
    with time_machine.travel("2026-12-01 10:00:30Z", tick=False):
        _get(secret)
        assert PersonalToken.objects.get().last_used_at == first
    with time_machine.travel("2026-12-01 10:02:00Z", tick=False):
        _get(secret)
        assert PersonalToken.objects.get().last_used_at > first


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer ",
        "Bearer clp_nothing_here",
        "Bearer not-a-token",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "x" * 5000,
    ],
)
def test_read_api_without_a_valid_token_is_401(programme_admin, header):
    client = Client()
    response = client.get(PROGRAMMES, **({"HTTP_AUTHORIZATION": header} if header else {}))
    assert response.status_code == 401
    assert response.json() == {"detail": SIGN_IN}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_read_api_with_a_revoked_token_is_401(programme_admin):
    token, secret = _token(programme_admin)
    services.personal_token_revoke(token=token, actor=programme_admin)
    response = _get(secret)
    assert response.status_code == 401
    assert response.json() == {"detail": SIGN_IN}


def test_read_api_with_an_expired_token_is_401(programme_admin):
    _row, secret = _token(programme_admin, expires_at=timezone.now() + datetime.timedelta(days=30))
    assert _get(secret).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        response = _get(secret)
    assert response.status_code == 401
    assert response.json() == {"detail": SIGN_IN}


def test_a_bad_token_is_401_even_with_a_session(client, programme_admin):
    """A client that sends a token means it: a wrong one is not rescued by a cookie."""
    client.force_login(programme_admin)
    assert client.get(PROGRAMMES).status_code == 200
    response = _get("clp_00000000_nope", client=client)
    assert response.status_code == 401


def test_read_api_with_a_token_lacking_the_read_scope_is_403(programme_admin):
    token, secret = _token(programme_admin)
    # A token of a scope to come (the form offers only `read` today).
    PersonalToken.objects.filter(pk=token.pk).update(scopes=["later"])
    response = _get(secret)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "This token may not read the API: it needs the read scope."
    }


def test_read_api_with_an_integration_token_is_403(programme, programme_admin):
    _row, secret = compute_services.token_create(
        programme=programme, name="Provider", resources=[], actor=programme_admin
    )
    response = _get(secret)
    assert response.status_code == 403
    assert response.json()["detail"].endswith("it needs the read scope.")


def test_usage_api_refuses_a_personal_token(programme_admin):
    """The usage API keeps its own tokens: a person's token cannot report usage."""
    _row, secret = _token(programme_admin)
    response = Client().post(
        "/api/v1/usage",
        {"records": []},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 401
    assert response.json()["detail"].startswith("A valid integration token is required")


def test_read_api_refuses_writes(programme_admin):
    _row, secret = _token(programme_admin)
    response = Client().post(
        PROGRAMMES, {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 405


def test_openapi_document_and_docs_need_no_sign_in():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schemes = response.json()["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["PersonAuth"].items()


# --- the owner's page --------------------------------------------------------------------------


def _secret_on(body: str) -> str:
    return re.search(r'<code id="token-secret" data-testid="secret">([^<]+)</code>', body).group(1)


def test_token_page_creates_a_token_and_shows_its_secret_once(client, applicant):
    client.force_login(applicant)
    response = client.post(TOKENS, {"name": "Weekly report", "scopes": ["read"], "lifetime": "30"})
    body = _body(response)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    secret = _secret_on(body)
    token = PersonalToken.objects.get()
    assert (token.user, token.name, token.scopes) == (applicant, "Weekly report", ["read"])
    assert token.expires_at.date() == (timezone.now() + datetime.timedelta(days=30)).date()
    assert secret.startswith(f"clp_{token.prefix}_")
    assert f'curl -H "Authorization: Bearer {secret}" http://testserver/api/v1/programmes' in body
    assert "Copy it now: it is shown only this once." in body
    again = _body(client.get(TOKENS))
    assert secret not in again
    assert f"clp_{token.prefix}…" in again
    assert _get(secret, "/api/v1/me/applications").status_code == 200


def test_token_page_without_expiry(client, applicant):
    client.force_login(applicant)
    client.post(TOKENS, {"name": "Forever", "scopes": ["read"], "lifetime": ""})
    assert PersonalToken.objects.get().expires_at is None


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": "", "scopes": ["read"]}, "This field is required."),
        ({"name": "   ", "scopes": ["read"]}, "This field is required."),
        ({"name": "x" * 121, "scopes": ["read"]}, "Ensure this value has at most 120 characters"),
        ({"name": "Script"}, "Choose what the token may do."),
        ({"name": "Script", "scopes": ["write"]}, "Select a valid choice."),
        ({"name": "Script", "scopes": ["read"], "lifetime": "7"}, "Select a valid choice."),
        ({"name": "a\x00b", "scopes": ["read"]}, "This contains a NUL character"),
    ],
)
def test_token_page_refuses_bad_input(client, applicant, data, error):
    client.force_login(applicant)
    response = client.post(TOKENS, data)
    assert response.status_code == 400
    assert error in _body(response)
    assert "token-secret" not in _body(response)
    assert not PersonalToken.objects.exists()


def test_token_page_lists_only_the_owners_tokens(client, applicant, outsider):
    mine = PersonalTokenFactory(user=applicant, name="Mine")
    PersonalTokenFactory(user=outsider, name="Theirs")
    client.force_login(applicant)
    body = _body(client.get(TOKENS))
    assert "Mine" in body and f"clp_{mine.prefix}" in body
    assert "Theirs" not in body


def test_token_page_lists_with_constant_queries(client, applicant, django_assert_num_queries):
    client.force_login(applicant)
    PersonalTokenFactory(user=applicant)
    # session, user, roles, the navigation with its bell; the count and the page.
    with django_assert_num_queries(6):
        client.get(TOKENS)
    PersonalTokenFactory.create_batch(2, user=applicant)
    with django_assert_num_queries(6):
        client.get(TOKENS)


def test_token_revoke_by_its_owner(client, applicant):
    token, secret = _token(applicant)
    client.force_login(applicant)
    response = client.post(f"{TOKENS}{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _get(secret).status_code == 401
    assert AuditEntry.objects.filter(action="accounts.token_revoke", actor=applicant).count() == 1


def test_token_revoke_of_someone_elses_token_is_404_and_changes_nothing(client, applicant):
    theirs, secret = _token(UserFactory())
    client.force_login(applicant)
    response = client.post(f"{TOKENS}{theirs.pk}/revoke/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert _get(secret, "/api/v1/me/applications").status_code == 200


def test_token_pages_need_sign_in(client):
    token = PersonalTokenFactory()
    assert client.get(TOKENS).status_code == 302
    assert client.post(f"{TOKENS}{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_of_someone_who_must_use_mfa_and_does_not_is_403(programme):
    """A token cannot go round the second factor the site asks of everyone whose role shows
    them personal data (they got the role after making the token, say)."""
    user = UserFactory()
    _row, secret = _token(user)
    assert _get(secret).status_code == 200
    ProgrammeRoleFactory(user=user, programme=programme, role=RoleKind.REVIEWER)
    response = _get(secret)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Your role shows you other people's personal")
    TotpAuthenticatorFactory(user=user)
    assert _get(secret).status_code == 200
