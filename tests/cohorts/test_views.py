import pytest
from django.urls import reverse

from cohorts.enums import RoleKind
from cohorts.models import ProgrammeRole
from core.models import AuditEntry
from tests.auth import sign_in_confirmed
from tests.factories import (
    ApplicantProfileFactory,
    PartnerFactory,
    ProgrammeFactory,
    ProgrammeRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# --- landing -------------------------------------------------------------------------------


def test_landing_lists_published_programmes_with_partners(client):
    programme = ProgrammeFactory(name="AI Forward 2026", tagline="1,000 seats")
    programme.partners.set(
        [
            PartnerFactory(name="Nimbus Cloud"),
            PartnerFactory(name="Meridian Data Centres", kind="data_centre"),
        ]
    )
    ProgrammeFactory(name="Secret Draft", is_published=False)

    body = client.get(reverse("landing")).content.decode()

    assert "AI Forward 2026" in body
    assert "Meridian Data Centres</span> (data-centre operator), " in body
    assert "Secret Draft" not in body
    assert "Create an account" in body


def test_landing_without_programmes_says_what_to_do(client, db):
    body = client.get(reverse("landing")).content.decode()
    assert "No programme is open yet" in body


@pytest.mark.parametrize("count", [1, 3])
def test_landing_query_count(client, django_assert_num_queries, count):
    for _ in range(count):
        ProgrammeFactory().partners.add(PartnerFactory())
    # programmes + their partners (prefetch), open cohorts
    with django_assert_num_queries(3):
        client.get(reverse("landing"))


# --- dashboard -----------------------------------------------------------------------------


def test_dashboard_sends_new_user_to_profile(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")


def test_dashboard_shows_applicant_profile(client, applicant):
    client.force_login(applicant)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Siti Abdullah" in body
    assert "You do not hold a role in any programme" in body


def test_dashboard_shows_roles_without_requiring_profile(
    client, reviewer, programme, other_programme
):
    client.force_login(reviewer)
    response = client.get(reverse("dashboard"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "AI Forward 2026" in body
    assert "Green Skills 2026" not in body
    assert "Complete your profile" in body


def test_dashboard_requires_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- programme detail ----------------------------------------------------------------------


def test_programme_detail_for_member(client, programme, mentor):
    client.force_login(mentor)
    response = client.get(programme.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in body and "AI Forward 2026" in body
    assert "Mentor" in body
    assert "Team and roles" not in body


def test_programme_detail_for_admin_links_team(client, programme, programme_admin):
    client.force_login(programme_admin)
    body = client.get(programme.get_absolute_url()).content.decode()
    assert reverse("cohorts:programme_team", args=[programme.slug]) in body


def test_programme_detail_for_platform_admin(client, programme, platform_admin):
    client.force_login(platform_admin)
    response = client.get(programme.get_absolute_url())
    assert response.status_code == 200
    assert "Platform admin" in response.content.decode()


@pytest.mark.parametrize("persona", ["outsider", "applicant", "other_programme_admin"])
def test_programme_detail_is_404_for_non_members(client, request, programme, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(programme.get_absolute_url())
    assert response.status_code == 404
    assert "AI Forward 2026" not in response.content.decode()


def test_programme_detail_requires_login(client, programme):
    response = client.get(programme.get_absolute_url())
    assert response.status_code == 302


# --- team ----------------------------------------------------------------------------------


def _team_url(programme):
    return reverse("cohorts:programme_team", args=[programme.slug])


def test_team_lists_roles(client, programme, programme_admin, reviewer, mentor):
    client.force_login(programme_admin)
    body = client.get(_team_url(programme)).content.decode()
    for email in ("programme.admin@example.com", "reviewer@example.com", "mentor@example.com"):
        assert email in body


@pytest.mark.parametrize("count", [1, 3])
def test_team_query_count(client, programme, programme_admin, django_assert_num_queries, count):
    for _ in range(count):
        ProgrammeRoleFactory(programme=programme)
    client.force_login(programme_admin)
    # session, user, programme (+partners prefetch), mfa: role + authenticator, perm check,
    # roles list, nav memberships, bell count
    with django_assert_num_queries(10):
        response = client.get(_team_url(programme))
    assert response.status_code == 200


def test_team_grant_role(client, programme, programme_admin):
    newcomer = UserFactory(email="newcomer@example.com")
    sign_in_confirmed(client, programme_admin)
    response = client.post(
        _team_url(programme), {"email": "NewComer@example.com", "role": RoleKind.REVIEWER}
    )
    assert response.status_code == 302
    grant = ProgrammeRole.objects.get(user=newcomer, programme=programme)
    assert (grant.role, grant.granted_by) == (RoleKind.REVIEWER, programme_admin)
    entry = AuditEntry.objects.get(action="programme_role.grant")
    assert entry.actor == programme_admin
    assert entry.data == {"user": "newcomer@example.com", "role": "reviewer"}


def test_team_grant_unknown_email_keeps_input(client, programme, programme_admin):
    sign_in_confirmed(client, programme_admin)
    response = client.post(
        _team_url(programme), {"email": "ghost@example.com", "role": RoleKind.MENTOR}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "No active account has verified this email" in body
    assert 'value="ghost@example.com"' in body
    assert '<option value="mentor" selected>' in body


def test_team_grant_duplicate_role_is_a_clear_error(client, programme, programme_admin, reviewer):
    sign_in_confirmed(client, programme_admin)
    response = client.post(
        _team_url(programme), {"email": reviewer.email, "role": RoleKind.REVIEWER}
    )
    assert response.status_code == 400
    assert "already has the role Reviewer" in response.content.decode()
    assert ProgrammeRole.objects.filter(user=reviewer, programme=programme).count() == 1


def test_team_grant_invalid_role(client, programme, programme_admin, outsider):
    sign_in_confirmed(client, programme_admin)
    response = client.post(_team_url(programme), {"email": outsider.email, "role": "emperor"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("persona", ["reviewer", "mentor", "staff"])
def test_team_is_403_for_members_without_admin_role(client, request, programme, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_team_url(programme)).status_code == 403
    assert (
        client.post(
            _team_url(programme), {"email": "x@example.com", "role": "reviewer"}
        ).status_code
        == 403
    )


@pytest.mark.parametrize("persona", ["outsider", "applicant", "other_programme_admin"])
def test_team_is_404_for_non_members(client, request, programme, programme_admin, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(_team_url(programme))
    assert response.status_code == 404
    assert "programme.admin@example.com" not in response.content.decode()


def test_revoke_role(client, programme, programme_admin, reviewer):
    grant = ProgrammeRole.objects.get(user=reviewer)
    sign_in_confirmed(client, programme_admin)
    response = client.post(
        reverse("cohorts:programme_role_revoke", args=[programme.slug, grant.pk])
    )
    assert response.status_code == 302
    assert not ProgrammeRole.objects.filter(pk=grant.pk).exists()
    assert AuditEntry.objects.filter(action="programme_role.revoke").count() == 1


def test_revoke_last_admin_is_refused(client, programme, programme_admin):
    grant = ProgrammeRole.objects.get(user=programme_admin)
    sign_in_confirmed(client, programme_admin)
    response = client.post(
        reverse("cohorts:programme_role_revoke", args=[programme.slug, grant.pk]), follow=True
    )
    assert "needs at least one programme admin" in response.content.decode()
    assert ProgrammeRole.objects.filter(pk=grant.pk).exists()


def test_revoke_requires_post(client, programme, programme_admin, reviewer):
    grant = ProgrammeRole.objects.get(user=reviewer)
    client.force_login(programme_admin)
    response = client.get(reverse("cohorts:programme_role_revoke", args=[programme.slug, grant.pk]))
    assert response.status_code == 405


def test_revoke_role_of_another_programme_is_404(
    client, programme, programme_admin, other_programme
):
    foreign = ProgrammeRoleFactory(programme=other_programme)
    client.force_login(programme_admin)
    response = client.post(
        reverse("cohorts:programme_role_revoke", args=[programme.slug, foreign.pk])
    )
    assert response.status_code == 404
    assert ProgrammeRole.objects.filter(pk=foreign.pk).exists()


def test_revoke_is_403_for_reviewer(client, programme, reviewer, mentor):
    grant = ProgrammeRole.objects.get(user=mentor)
    client.force_login(reviewer)
    response = client.post(
        reverse("cohorts:programme_role_revoke", args=[programme.slug, grant.pk])
    )
    assert response.status_code == 403
    assert ProgrammeRole.objects.filter(pk=grant.pk).exists()


def test_applicant_profile_data_never_leaks_to_other_users(client, outsider):
    ApplicantProfileFactory(full_name="Private Person", phone="+6598765432")
    client.force_login(outsider)
    for url in (reverse("landing"), reverse("accounts:profile")):
        body = client.get(url).content.decode()
        assert "Private Person" not in body
        assert "98765432" not in body
