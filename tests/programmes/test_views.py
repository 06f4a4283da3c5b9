"""A programme's team: granting and revoking roles (programmes.views)."""

import pytest
from django.urls import reverse

from core.models import AuditEntry
from programmes.enums import RoleKind
from programmes.models import ProgrammeRole
from tests.auth import sign_in_confirmed
from tests.factories import ProgrammeRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- team ----------------------------------------------------------------------------------


def _team_url(programme):
    return reverse("programmes:programme_team", args=[programme.slug])


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
    # session, user, roles (with the authenticator), the team, the programme's partners (the
    # form's choice for partner viewers), navigation and bell
    with django_assert_num_queries(6):
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
        reverse("programmes:programme_role_revoke", args=[programme.slug, grant.pk])
    )
    assert response.status_code == 302
    assert not ProgrammeRole.objects.filter(pk=grant.pk).exists()
    assert AuditEntry.objects.filter(action="programme_role.revoke").count() == 1


def test_revoke_last_admin_is_refused(client, programme, programme_admin):
    grant = ProgrammeRole.objects.get(user=programme_admin)
    sign_in_confirmed(client, programme_admin)
    response = client.post(
        reverse("programmes:programme_role_revoke", args=[programme.slug, grant.pk]), follow=True
    )
    assert "needs at least one programme admin" in response.content.decode()
    assert ProgrammeRole.objects.filter(pk=grant.pk).exists()


def test_revoke_requires_post(client, programme, programme_admin, reviewer):
    grant = ProgrammeRole.objects.get(user=reviewer)
    client.force_login(programme_admin)
    response = client.get(
        reverse("programmes:programme_role_revoke", args=[programme.slug, grant.pk])
    )
    assert response.status_code == 405


def test_revoke_role_of_another_programme_is_404(
    client, programme, programme_admin, other_programme
):
    foreign = ProgrammeRoleFactory(programme=other_programme)
    client.force_login(programme_admin)
    response = client.post(
        reverse("programmes:programme_role_revoke", args=[programme.slug, foreign.pk])
    )
    assert response.status_code == 404
    assert ProgrammeRole.objects.filter(pk=foreign.pk).exists()


def test_revoke_is_403_for_reviewer(client, programme, reviewer, mentor):
    grant = ProgrammeRole.objects.get(user=mentor)
    client.force_login(reviewer)
    response = client.post(
        reverse("programmes:programme_role_revoke", args=[programme.slug, grant.pk])
    )
    assert response.status_code == 403
    assert ProgrammeRole.objects.filter(pk=grant.pk).exists()
