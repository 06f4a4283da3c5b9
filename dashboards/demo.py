"""Demo data of the dashboards: a partner viewer at the programme's cloud provider, who sees the
dashboard as aggregates only. Called by `seed_demo`; safe to run again."""

from accounts import demo as accounts_demo
from accounts.models import User
from programmes import services as programme_services
from programmes.enums import PartnerKind, RoleKind
from programmes.models import Programme, ProgrammeRole


def partner_viewer(programme: Programme, granted_by: User, password_hash: str) -> User | None:
    """`partner.viewer@…`, a partner viewer for the programme's cloud provider (its first
    partner when none is a cloud provider); None when the programme has no partner."""
    partners = programme.partners.order_by("name")
    partner = partners.filter(kind=PartnerKind.CLOUD).first() or partners.first()
    if partner is None:
        return None
    user = accounts_demo.user("partner.viewer", "Nadia Rahman", password_hash)
    if not ProgrammeRole.objects.filter(
        user=user, programme=programme, role=RoleKind.PARTNER_VIEWER
    ).exists():
        programme_services.programme_role_grant(
            programme=programme,
            user=user,
            role=RoleKind.PARTNER_VIEWER,
            granted_by=granted_by,
            partner=partner,
        )
    return user
