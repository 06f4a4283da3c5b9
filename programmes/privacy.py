"""Programmes' part of a person's data: the roles they hold in programmes (admin, reviewer,
mentor, partner viewer…). An erasure takes every role away."""

from django.utils.translation import gettext_lazy as _

from core.privacy_registry import (
    Erased,
    ErasureScope,
    PersonalData,
    PrivacyPart,
    Target,
    target_of,
    when,
)
from programmes.models import ProgrammeRole
from programmes.services import programme_role_revoke


def collect(person, targets: frozenset[Target]) -> PersonalData:
    data = PersonalData()
    roles = (
        ProgrammeRole.objects.filter(user=person)
        .select_related("programme", "partner")
        .order_by("created_at", "id")
    )
    for role in roles:
        data.records.append(
            {
                "programme": role.programme.name,
                "role": role.role,
                "employer": role.employer,
                "partner": role.partner.name if role.partner_id else None,
                "granted_at": when(role.created_at),
            }
        )
        data.targets.add(target_of(role))
    return data


def erase(scope: ErasureScope) -> Erased:
    """Every role goes, through the usual revocation (audited; a reviewer's open assignments
    are taken away), even a programme's last admin's."""
    if not scope.is_whole:
        return Erased()
    rows = 0
    grants = ProgrammeRole.objects.filter(user=scope.person).select_related("programme", "user")
    for grant in grants.order_by("pk"):
        programme_role_revoke(grant=grant, revoked_by=scope.person, allow_no_admin=True)
        rows += 1
    return Erased(rows=rows)


PARTS = (
    PrivacyPart(
        slug="programme_roles",
        label=_("Your roles in programmes"),
        collect=collect,
        order=15,
        erase=erase,
    ),
)
