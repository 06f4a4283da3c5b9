"""Reads of programmes and teams, and the access choke points every programme page goes through."""

import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import User
from core.models import AuditEntry
from programmes.enums import RoleKind
from programmes.models import Partner, Programme, ProgrammeRole

# The cache key that holds the current version of what visitors see of programmes and cohorts
# (the landing page); `services.public_listing_refresh` replaces it after every change.
PUBLIC_LISTING_VERSION_KEY = "programmes:public-listing-version"


def public_listing_version() -> str:
    """The current version of the public listing, to put in the keys of whatever caches it."""
    return cache.get_or_set(PUBLIC_LISTING_VERSION_KEY, lambda: uuid.uuid4().hex, None)


def programme_list_published() -> QuerySet[Programme]:
    """Programmes shown to visitors, with their partners."""
    return Programme.objects.published().prefetch_related(
        Prefetch("partners", queryset=Partner.objects.order_by("name"))
    )


# The attribute that keeps a user object's roles for the rest of its request (see
# `role_list_keep_for_request`); absent on user objects that are not a request's.
_KEPT_ROLES = "_programme_roles_of_this_request"


def role_list_keep_for_request(*, user: User) -> None:
    """From now on, read this user object's roles once and keep them: the MFA check, every
    permission check and the navigation of one request then share one query. Only for the user
    object of a request (`programmes.middleware.ProgrammeRolesMiddleware`), which lives as long
    as the request; role services drop what is kept when they change the person's roles."""
    if user.is_authenticated and getattr(user, _KEPT_ROLES, False) is False:
        setattr(user, _KEPT_ROLES, None)


def role_list_forget(*, user: User) -> None:
    """Drop the roles kept for this user object, if any, so that the next check reads them."""
    if getattr(user, _KEPT_ROLES, None) is not None:
        setattr(user, _KEPT_ROLES, None)


def _partner_is_current() -> Exists:
    """Whether a role's partner is (still) one of its programme's partners."""
    return Exists(
        Programme.partners.through.objects.filter(
            programme_id=OuterRef("programme_id"), partner_id=OuterRef("partner_id")
        )
    )


def _kept_roles(user: User) -> list[ProgrammeRole] | None:
    """The user's roles with their programmes when kept for the request (read on first use,
    with whether the person has an authenticator app); None when not kept."""
    if not user.is_authenticated:
        return None
    kept = getattr(user, _KEPT_ROLES, False)
    if kept is False:
        return None
    if kept is None:
        kept = list(
            ProgrammeRole.objects.filter(user=user)
            .select_related("programme")
            .annotate(
                user_has_totp=account_selectors.totp_condition(user_ref=OuterRef("user_id")),
                partner_is_current=_partner_is_current(),
            )
            .order_by("programme__name", "role")
        )
        setattr(user, _KEPT_ROLES, kept)
    return kept


def user_has_role(*, user: User, programme: Programme | None, roles) -> bool:
    """Whether the user holds one of `roles` in `programme`."""
    if not user.is_authenticated or programme is None:
        return False
    kept = _kept_roles(user)
    if kept is not None:
        return any(r.programme_id == programme.pk and r.role in roles for r in kept)
    return ProgrammeRole.objects.filter(user=user, programme=programme, role__in=roles).exists()


def user_is_partner_viewer(*, user: User, programme: Programme | None) -> bool:
    """Whether the user is a partner viewer of `programme` for one of its partners: the role of
    a partner the programme no longer has grants nothing."""
    if not user.is_authenticated or programme is None:
        return False
    kept = _kept_roles(user)
    if kept is not None:
        return any(
            r.programme_id == programme.pk
            and r.role == RoleKind.PARTNER_VIEWER
            and r.partner_is_current
            for r in kept
        )
    return (
        ProgrammeRole.objects.filter(user=user, programme=programme, role=RoleKind.PARTNER_VIEWER)
        .filter(_partner_is_current())
        .exists()
    )


def programme_get_for_user(*, user: User, slug: str) -> Programme | None:
    """The programme if the user holds a role in it or is a platform admin; else None (404)."""
    if not user.is_authenticated:
        return None
    kept = _kept_roles(user)
    if kept is not None:
        found = next((r.programme for r in kept if r.programme.slug == slug), None)
        # A platform admin also sees programmes they hold no role in: those need a query.
        if found is not None or not user.is_superuser:
            return found
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
    def is_partner_viewer(self) -> bool:
        return RoleKind.PARTNER_VIEWER in self.roles

    @property
    def sees_dashboard(self) -> bool:
        """Programme admins and partner viewers (dashboards/rules.py)."""
        return self.is_admin or self.is_partner_viewer

    @property
    def is_staff(self) -> bool:
        """Programme admins and staff run the programme's outbox."""
        return self.is_admin or RoleKind.STAFF in self.roles


def membership_list_for_user(*, user: User) -> list[ProgrammeMembership]:
    """Every programme the user holds a role in, with those roles; one query."""
    if not user.is_authenticated:
        return []
    memberships: dict[int, ProgrammeMembership] = {}
    kept = _kept_roles(user)
    for role in (
        kept
        if kept is not None
        else ProgrammeRole.objects.filter(user=user)
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
        .select_related("user", "partner")
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
    kept = _kept_roles(user)
    if kept is not None:
        return any(r.role in MFA_REQUIRED_ROLES for r in kept)
    return ProgrammeRole.objects.filter(user=user, role__in=MFA_REQUIRED_ROLES).exists()


def user_lacks_required_mfa(*, user: User) -> bool:
    """Whether the user must use a second factor and has no authenticator app yet."""
    if not user_requires_mfa(user=user):
        return False
    kept = _kept_roles(user)
    if kept:
        return not kept[0].user_has_totp
    return not account_selectors.user_has_totp(user=user)


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


# The roles of the people who run a programme, as the read API lists programmes for them; a
# role not named here (one added later) lists nothing, as it sees nothing through the API.
API_MEMBER_ROLES = (RoleKind.PROGRAMME_ADMIN, RoleKind.STAFF, RoleKind.REVIEWER, RoleKind.MENTOR)


def programme_list_for_member(*, user: User) -> QuerySet[Programme]:
    """The programmes whose workspace the user may open (every programme for a platform admin),
    by name, each with its partners and `my_roles`, the user's roles in it."""
    programmes = Programme.objects.all()
    if not user.is_superuser:
        programmes = programmes.filter(
            pk__in=ProgrammeRole.objects.filter(user=user, role__in=API_MEMBER_ROLES).values(
                "programme_id"
            )
        )
    return programmes.prefetch_related(
        Prefetch("partners", queryset=Partner.objects.order_by("name")),
        Prefetch(
            "roles",
            queryset=ProgrammeRole.objects.filter(user=user).order_by("role"),
            to_attr="my_roles",
        ),
    ).order_by("name", "pk")


def audit_list_for_programme(*, programme: Programme) -> QuerySet[AuditEntry]:
    """The programme's audit log, newest first, with who acted (one query, however many)."""
    return (
        AuditEntry.objects.filter(programme_id=programme.pk)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
