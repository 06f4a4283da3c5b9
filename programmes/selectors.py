"""Reads of programmes and teams, and the access choke points every programme page goes through."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from programmes.enums import RoleKind
from programmes.models import Partner, Programme, ProgrammeRole


def programme_list_published() -> QuerySet[Programme]:
    """Programmes shown to visitors, with their partners."""
    return Programme.objects.published().prefetch_related(
        Prefetch("partners", queryset=Partner.objects.order_by("name"))
    )


def programme_get_for_user(*, user: User, slug: str) -> Programme | None:
    """The programme if the user holds a role in it or is a platform admin; else None (404)."""
    if not user.is_authenticated:
        return None
    programmes = Programme.objects.prefetch_related("partners")
    if not user.is_superuser:
        programmes = programmes.filter(roles__user=user).distinct()
    return programmes.filter(slug=slug).first()


@dataclass
class ProgrammeMembership:
    programme: Programme
    roles: list[str] = field(default_factory=list)

    @property
    def role_labels(self) -> list[str]:
        return [RoleKind(role).label for role in self.roles]

    @property
    def is_admin(self) -> bool:
        return RoleKind.PROGRAMME_ADMIN in self.roles

    @property
    def is_reviewer(self) -> bool:
        return RoleKind.REVIEWER in self.roles

    @property
    def is_staff(self) -> bool:
        """Programme admins and staff run the programme's outbox."""
        return self.is_admin or RoleKind.STAFF in self.roles


def membership_list_for_user(*, user: User) -> list[ProgrammeMembership]:
    """Every programme the user holds a role in, with those roles; one query."""
    if not user.is_authenticated:
        return []
    memberships: dict[int, ProgrammeMembership] = {}
    for role in (
        ProgrammeRole.objects.filter(user=user)
        .select_related("programme")
        .order_by("programme__name", "role")
    ):
        entry = memberships.setdefault(role.programme_id, ProgrammeMembership(role.programme))
        entry.roles.append(role.role)
    return list(memberships.values())


def role_list_for_programme(*, programme: Programme) -> QuerySet[ProgrammeRole]:
    """The programme's team for the team page: admins first, then reviewers, mentors, staff."""
    role_order = Case(
        *[When(role=role, then=Value(index)) for index, role in enumerate(RoleKind.values)],
        output_field=IntegerField(),
    )
    return (
        ProgrammeRole.objects.filter(programme=programme)
        .select_related("user")
        .order_by(role_order, "user__email")
    )


def role_get_for_programme(*, programme: Programme, role_id: int) -> ProgrammeRole | None:
    return (
        ProgrammeRole.objects.filter(programme=programme, pk=role_id)
        .select_related("user", "programme")
        .first()
    )


# Every role that sees other people's personal data (applications, CVs, scores, mentees, exports).
MFA_REQUIRED_ROLES = frozenset(
    {RoleKind.PROGRAMME_ADMIN, RoleKind.STAFF, RoleKind.REVIEWER, RoleKind.MENTOR}
)


def user_requires_mfa(*, user: User) -> bool:
    """Platform admins and anyone holding a role that sees personal data must use a second
    factor (when COHORTLINE_ADMIN_MFA_REQUIRED is on)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return ProgrammeRole.objects.filter(user=user, role__in=MFA_REQUIRED_ROLES).exists()


def programme_or_404(request, slug):
    """The programme, if the user may see it at all (any role in it, or platform admin)."""
    programme = programme_get_for_user(user=request.user, slug=slug)
    if programme is None:
        raise Http404(_("No such programme."))
    return programme


def programme_for(request, slug, perm: str):
    """The programme, 404 when invisible to the user, 403 when visible but `perm` is missing."""
    programme = programme_or_404(request, slug)
    if not request.user.has_perm(perm, programme):
        raise PermissionDenied
    return programme
