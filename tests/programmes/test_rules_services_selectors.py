import pytest

from programmes import selectors, services
from programmes.enums import RoleKind
from programmes.models import ProgrammeRole
from tests.factories import ProgrammeFactory, ProgrammeRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- rules ---------------------------------------------------------------------------------


def test_manage_team_permission(
    programme, programme_admin, reviewer, platform_admin, other_programme_admin, outsider
):
    perm = "programmes.manage_programme_team"
    assert programme_admin.has_perm(perm, programme)
    assert platform_admin.has_perm(perm, programme)
    assert not reviewer.has_perm(perm, programme)
    assert not other_programme_admin.has_perm(perm, programme)
    assert not outsider.has_perm(perm, programme)


def test_view_workspace_permission(programme, mentor, staff, outsider, other_programme_admin):
    perm = "programmes.view_programme_workspace"
    assert mentor.has_perm(perm, programme)
    assert staff.has_perm(perm, programme)
    assert not outsider.has_perm(perm, programme)
    assert not other_programme_admin.has_perm(perm, programme)


def test_inactive_superuser_has_no_permission(programme):
    user = UserFactory(is_superuser=True, is_active=False)
    assert not user.has_perm("programmes.manage_programme_team", programme)


# --- services ------------------------------------------------------------------------------


def test_programme_role_grant_and_duplicate(programme, programme_admin, outsider):
    grant = services.programme_role_grant(
        programme=programme, user=outsider, role=RoleKind.STAFF, granted_by=programme_admin
    )
    assert grant.role == RoleKind.STAFF
    with pytest.raises(services.RoleError, match="already has the role"):
        services.programme_role_grant(
            programme=programme, user=outsider, role=RoleKind.STAFF, granted_by=programme_admin
        )
    assert ProgrammeRole.objects.filter(user=outsider).count() == 1


def test_programme_role_revoke_keeps_one_admin(programme, programme_admin):
    second = ProgrammeRoleFactory(programme=programme, role=RoleKind.PROGRAMME_ADMIN)
    services.programme_role_revoke(grant=second, revoked_by=programme_admin)
    only = ProgrammeRole.objects.get(programme=programme, role=RoleKind.PROGRAMME_ADMIN)
    with pytest.raises(services.RoleError):
        services.programme_role_revoke(grant=only, revoked_by=programme_admin)


# --- selectors -----------------------------------------------------------------------------


def test_membership_list_groups_roles_by_programme(
    programme, other_programme, django_assert_num_queries
):
    user = UserFactory()
    ProgrammeRoleFactory(user=user, programme=programme, role=RoleKind.REVIEWER)
    ProgrammeRoleFactory(user=user, programme=programme, role=RoleKind.MENTOR)
    ProgrammeRoleFactory(user=user, programme=other_programme, role=RoleKind.STAFF)
    with django_assert_num_queries(1):
        memberships = selectors.membership_list_for_user(user=user)
        summary = [(m.programme.slug, sorted(m.roles), m.is_admin) for m in memberships]
    assert summary == [
        ("ai-forward-2026", ["mentor", "reviewer"], False),
        ("green-skills-2026", ["staff"], False),
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_membership_list_query_count(django_assert_num_queries, count):
    user = UserFactory()
    for _ in range(count):
        ProgrammeRoleFactory(user=user)
    with django_assert_num_queries(1):
        assert len(selectors.membership_list_for_user(user=user)) == count


@pytest.mark.parametrize("count", [1, 3])
def test_role_list_for_programme_query_count(programme, django_assert_num_queries, count):
    for _ in range(count):
        ProgrammeRoleFactory(programme=programme)
    with django_assert_num_queries(1):
        emails = [
            grant.user.email for grant in selectors.role_list_for_programme(programme=programme)
        ]
    assert len(emails) == count


def test_programme_get_for_user(
    programme, reviewer, platform_admin, outsider, other_programme_admin
):
    assert selectors.programme_get_for_user(user=reviewer, slug=programme.slug) == programme
    assert selectors.programme_get_for_user(user=platform_admin, slug=programme.slug) == programme
    assert selectors.programme_get_for_user(user=outsider, slug=programme.slug) is None
    assert selectors.programme_get_for_user(user=other_programme_admin, slug=programme.slug) is None


def test_programme_list_published_hides_drafts():
    ProgrammeFactory(slug="live", is_published=True)
    ProgrammeFactory(slug="draft", is_published=False)
    assert [p.slug for p in selectors.programme_list_published()] == ["live"]


def test_user_requires_mfa(
    programme, programme_admin, platform_admin, reviewer, staff, mentor, applicant, outsider
):
    # Everyone who sees other people's personal data; applicants and outsiders see only their own.
    for user in (programme_admin, platform_admin, reviewer, staff, mentor):
        assert selectors.user_requires_mfa(user=user), user
    assert not selectors.user_requires_mfa(user=applicant)
    assert not selectors.user_requires_mfa(user=outsider)
