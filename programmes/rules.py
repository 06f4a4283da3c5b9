"""Object permissions ("may user U do X to programme P"), checked with user.has_perm."""

import rules

from programmes import selectors
from programmes.enums import TEAM_ROLES, RoleKind


def _has_role(user, programme, *roles: str) -> bool:
    return selectors.user_has_role(user=user, programme=programme, roles=roles)


@rules.predicate
def is_platform_admin(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_superuser


@rules.predicate
def is_programme_admin(user, programme) -> bool:
    return _has_role(user, programme, RoleKind.PROGRAMME_ADMIN)


@rules.predicate
def is_programme_staff(user, programme) -> bool:
    return _has_role(user, programme, RoleKind.PROGRAMME_ADMIN, RoleKind.STAFF)


@rules.predicate
def is_programme_mentor(user, programme) -> bool:
    return _has_role(user, programme, RoleKind.MENTOR)


@rules.predicate
def is_partner_viewer(user, programme) -> bool:
    """A partner viewer for one of the programme's partners (not one it has since dropped)."""
    return selectors.user_is_partner_viewer(user=user, programme=programme)


@rules.predicate
def has_any_programme_role(user, programme) -> bool:
    """Any role of the team that runs the programme. Not a partner viewer: that role sees the
    dashboard's aggregates (dashboards/rules.py) and the programme's public page, nothing else."""
    return _has_role(user, programme, *TEAM_ROLES)


rules.add_perm("programmes.view_programme_workspace", is_platform_admin | has_any_programme_role)


rules.add_perm("programmes.manage_programme_team", is_platform_admin | is_programme_admin)


rules.add_perm("programmes.view_programme_outbox", is_platform_admin | is_programme_staff)


rules.add_perm("programmes.manage_programme_outbox", is_platform_admin | is_programme_staff)


rules.add_perm("programmes.send_programme_announcement", is_platform_admin | is_programme_admin)


rules.add_perm("programmes.manage_programme", is_platform_admin | is_programme_admin)


rules.add_perm("programmes.view_applications", is_platform_admin | is_programme_staff)


rules.add_perm("programmes.manage_applications", is_platform_admin | is_programme_staff)
