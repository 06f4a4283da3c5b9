import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from programmes.enums import RoleKind
from tests.factories import ProgrammeRoleFactory, UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_without_mfa(programme):
    user = UserFactory(email="no.mfa.admin@example.com")
    ProgrammeRoleFactory(user=user, programme=programme, role=RoleKind.PROGRAMME_ADMIN)
    return user


def test_programme_admin_without_totp_is_sent_to_mfa_setup(client, admin_without_mfa):
    client.force_login(admin_without_mfa)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # The setup page (after confirming the password) and sign-out stay reachable.
    setup = client.get(reverse("mfa_activate_totp"), follow=True)
    assert setup.status_code == 200
    assert setup.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert client.post(reverse("account_logout")).status_code == 302


def test_platform_admin_without_totp_is_sent_to_mfa_setup(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response["Location"] == reverse("mfa_activate_totp")


def test_admin_with_totp_passes(client, programme_admin):
    client.force_login(programme_admin)
    assert client.get(reverse("dashboard")).status_code == 200


@pytest.mark.parametrize(
    "role", [RoleKind.REVIEWER, RoleKind.STAFF, RoleKind.MENTOR, RoleKind.PROGRAMME_ADMIN]
)
def test_every_role_with_personal_data_without_totp_is_sent_to_mfa_setup(client, programme, role):
    user = UserFactory(email=f"no.mfa.{role}@example.com")
    ProgrammeRoleFactory(user=user, programme=programme, role=role)
    client.force_login(user)
    for url in (reverse("dashboard"), reverse("reviews:queue")):
        response = client.get(url, follow=True)
        assert response.redirect_chain[0] == (reverse("mfa_activate_totp"), 302)
        assert "you must use two-factor authentication" in response.content.decode()


def test_reviewer_and_staff_with_totp_pass(client, reviewer, staff):
    for user in (reviewer, staff):
        client.force_login(user)
        assert client.get(reverse("reviews:queue")).status_code == 200


def test_applicant_without_totp_is_not_forced(client, applicant):
    client.force_login(applicant)
    assert client.get(reverse("dashboard")).status_code == 200


def test_setting_off_relaxes_mfa(client, admin_without_mfa, programme, settings):
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    client.force_login(admin_without_mfa)
    assert client.get(reverse("dashboard")).status_code == 200
    reviewer = UserFactory(email="no.mfa.reviewer@example.com")
    ProgrammeRoleFactory(user=reviewer, programme=programme, role=RoleKind.REVIEWER)
    client.force_login(reviewer)
    assert client.get(reverse("reviews:queue")).status_code == 200


def test_login_of_user_with_totp_asks_for_code(client, programme_admin):
    assert Authenticator.objects.filter(user=programme_admin).exists()
    response = client.post(
        reverse("account_login"), {"login": programme_admin.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def test_totp_available_to_applicants(client, applicant):
    client.force_login(applicant)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Authenticator" in body
    assert 'name="code"' in body


def test_django_admin_is_for_platform_admins_only(client, platform_admin, programme_admin):
    client.force_login(platform_admin)
    assert client.get(reverse("admin:index")).status_code == 200

    client.force_login(programme_admin)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403


def test_django_admin_login_goes_through_allauth(client, db):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_django_admin_password_form_cannot_be_used(client, platform_admin):
    # Posting credentials to the admin's own login view never signs anyone in.
    response = client.post(
        reverse("admin:login"), {"username": platform_admin.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert "_auth_user_id" not in client.session


def test_django_admin_login_is_403_for_signed_in_non_superuser(client, db):
    staff_user = UserFactory(is_staff=True)
    client.force_login(staff_user)
    assert client.get(reverse("admin:login")).status_code == 403
    assert client.get(reverse("admin:index"), follow=True).status_code == 403
