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


# --- roles read once per request -----------------------------------------------------------


def _kept(user):
    """The user object as a request holds it: its roles read once and kept."""
    selectors.role_list_keep_for_request(user=user)
    return user


def test_kept_roles_answer_every_check_of_a_request_with_one_query(
    programme, other_programme, staff, django_assert_num_queries
):
    ProgrammeRoleFactory(user=staff, programme=other_programme, role=RoleKind.REVIEWER)
    user = _kept(staff)
    with django_assert_num_queries(1):
        assert user.has_perm("programmes.view_applications", programme)
        assert user.has_perm("programmes.manage_applications", programme)
        assert not user.has_perm("programmes.manage_programme_team", programme)
        assert not user.has_perm("programmes.view_applications", other_programme)
        assert user.has_perm("programmes.view_programme_workspace", other_programme)
        assert selectors.user_requires_mfa(user=user)
        assert not selectors.user_lacks_required_mfa(user=user)  # staff has an authenticator
        assert [m.programme for m in selectors.membership_list_for_user(user=user)] == sorted(
            [programme, other_programme], key=lambda p: p.name
        )
        assert selectors.programme_get_for_user(user=user, slug=programme.slug) == programme
        assert selectors.programme_get_for_user(user=user, slug="no-such-programme") is None


def test_kept_roles_see_a_grant_and_a_revoke_made_through_the_services(
    programme, programme_admin, outsider
):
    user = _kept(outsider)
    assert not user.has_perm("programmes.view_applications", programme)
    grant = services.programme_role_grant(
        programme=programme, user=user, role=RoleKind.STAFF, granted_by=programme_admin
    )
    assert user.has_perm("programmes.view_applications", programme)
    assert selectors.programme_get_for_user(user=user, slug=programme.slug) == programme
    services.programme_role_revoke(grant=grant, revoked_by=programme_admin)
    assert not user.has_perm("programmes.view_applications", programme)
    assert selectors.programme_get_for_user(user=user, slug=programme.slug) is None


def test_roles_not_kept_are_read_afresh_on_every_check(programme, outsider):
    assert not outsider.has_perm("programmes.view_applications", programme)
    ProgrammeRoleFactory(user=outsider, programme=programme, role=RoleKind.STAFF)
    assert outsider.has_perm("programmes.view_applications", programme)


def test_kept_roles_tell_a_role_holder_without_an_authenticator_to_set_one_up(programme):
    user = _kept(UserFactory())
    assert not selectors.user_lacks_required_mfa(user=user)  # no role: nothing required
    holder = _kept(UserFactory())
    ProgrammeRoleFactory(user=holder, programme=programme, role=RoleKind.REVIEWER)
    assert selectors.user_lacks_required_mfa(user=holder)


def test_kept_roles_of_a_platform_admin_still_find_every_programme(
    programme, other_programme, platform_admin
):
    user = _kept(platform_admin)
    assert selectors.programme_get_for_user(user=user, slug=other_programme.slug) == (
        other_programme
    )
    assert not selectors.user_lacks_required_mfa(user=user)
