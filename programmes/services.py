"""Every write of the programmes app: programme settings, team roles, announcements."""

import uuid

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.models import AuditEntry
from core.services import audit_record
from notifications import services as notification_services
from programmes import selectors
from programmes.enums import TEAM_ROLES, RoleKind
from programmes.models import Partner, Programme, ProgrammeRole
from programmes.signals import programme_role_revoked


def public_listing_refresh() -> None:
    """After the current transaction commits, make every cached copy of what visitors see of
    programmes, partners and cohorts (the landing page) out of date. Call it from every write
    that changes one of them."""
    transaction.on_commit(
        lambda: cache.set(selectors.PUBLIC_LISTING_VERSION_KEY, uuid.uuid4().hex, None)
    )


@transaction.atomic
def programme_update(*, programme: Programme, data: dict, partners, actor: User) -> Programme:
    """Save the programme's settings and partners. Audited. A partner taken off the programme
    takes its partner viewers' roles with it (each revoked by `programme_role_revoke`, so
    audited too)."""
    for field, value in data.items():
        setattr(programme, field, value)
    programme.save()
    programme.partners.set(partners)
    audit_record(actor=actor, action="programme.update", target=programme, programme=programme)
    dropped = (
        ProgrammeRole.objects.filter(programme=programme, role=RoleKind.PARTNER_VIEWER)
        .exclude(partner__in=programme.partners.all())
        .select_related("user", "programme")
        .order_by("pk")
    )
    for grant in dropped:
        programme_role_revoke(grant=grant, revoked_by=actor)
    public_listing_refresh()
    return programme


@transaction.atomic
def programme_retention_set(
    *, programme: Programme, months_not_selected: int, months_participants: int, actor: User
) -> Programme:
    """Set how long people's data is kept after their cohort ends. Audited with the old and new
    periods; saving the same periods writes nothing."""
    before = (programme.retention_months_not_selected, programme.retention_months_participants)
    after = (months_not_selected, months_participants)
    if before == after:
        return programme
    programme.retention_months_not_selected = months_not_selected
    programme.retention_months_participants = months_participants
    programme.save(
        update_fields=[
            "retention_months_not_selected",
            "retention_months_participants",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action="programme.retention_changed",
        target=programme,
        programme=programme,
        months_not_selected=[before[0], after[0]],
        months_participants=[before[1], after[1]],
    )
    return programme


class RoleError(Exception):
    """A role change that the domain forbids; the message is shown to the user."""


@transaction.atomic
def programme_role_grant(
    *,
    programme: Programme,
    user: User,
    role: str,
    granted_by: User | None,
    employer: str = "",
    partner: Partner | None = None,
) -> ProgrammeRole:
    """Give `user` a role in `programme`. Audited; notifies the person (in-app and email).

    A partner viewer is tied to one of the programme's partners (`partner`); other roles never.
    Raises RoleError when the user already holds that role, or the partner is missing or not
    one of the programme's.
    """
    if role != RoleKind.PARTNER_VIEWER:
        partner = None
    elif partner is None:
        raise RoleError(_("Choose the partner a partner viewer works for."))
    elif not programme.partners.filter(pk=partner.pk).exists():
        raise RoleError(_("Choose one of the programme's partners."))
    try:
        with transaction.atomic():
            grant = ProgrammeRole.objects.create(
                programme=programme,
                user=user,
                role=role,
                granted_by=granted_by,
                employer=employer.strip(),
                partner=partner,
            )
    except IntegrityError as exc:
        raise RoleError(
            _("%(email)s already has the role %(role)s in this programme.")
            % {"email": user.email, "role": RoleKind(role).label}
        ) from exc
    selectors.role_list_forget(user=user)
    audit_record(
        actor=granted_by,
        action="programme_role.grant",
        target=programme,
        programme=programme,
        user=user.email,
        role=role,
    )
    notification_services.notify(
        recipient=user,
        kind="programme.role_granted",
        context={
            "programme_name": programme.name,
            "role_label": str(RoleKind(role).label),
            "granted_by": granted_by.get_full_name() if granted_by else "Cohortline",
        },
        url=programme.get_absolute_url(),
        scope=programme.notification_scope,
        dedupe_key=f"programme-role-granted:{grant.pk}",
    )
    return grant


@transaction.atomic
def programme_role_revoke(
    *, grant: ProgrammeRole, revoked_by: User, allow_no_admin: bool = False
) -> None:
    """Remove a role. Audited. Raises RoleError when it would leave the programme without an
    admin, unless `allow_no_admin` (the admin's own account is being erased: a platform admin
    then appoints another)."""
    if grant.role == RoleKind.PROGRAMME_ADMIN and not allow_no_admin:
        # Lock the programme so that two admins removing each other cannot both succeed.
        Programme.objects.select_for_update(of=("self",)).get(pk=grant.programme_id)
        admins = ProgrammeRole.objects.filter(
            programme_id=grant.programme_id, role=RoleKind.PROGRAMME_ADMIN
        )
        if admins.count() <= 1:
            raise RoleError(_("A programme needs at least one programme admin."))
    grant.delete()
    selectors.role_list_forget(user=grant.user)
    # The apps above hear of it (review takes a former reviewer's open assignments away).
    programme_role_revoked.send(
        sender=ProgrammeRole, programme=grant.programme, user=grant.user, role=grant.role
    )
    audit_record(
        actor=revoked_by,
        action="programme_role.revoke",
        target=grant.programme,
        programme=grant.programme_id,
        user=grant.user.email,
        role=grant.role,
    )


AUDIENCE_TEAM = "team"


@transaction.atomic
def programme_announcement_stage(
    *, programme: Programme, sender: User, audience: str, subject: str, message: str
) -> int:
    """Stage an announcement to the programme's team (all of it, or one role) for review.

    Writes one in-app notification and one staged email per recipient; nothing is sent until
    the messages are released from the outbox. Audited. Returns the number of emails staged.
    """
    # The team runs the programme: partner viewers, who see aggregates only, are not in it.
    roles = ProgrammeRole.objects.filter(programme=programme, role__in=TEAM_ROLES)
    if audience != AUDIENCE_TEAM:
        roles = roles.filter(role=RoleKind(audience))
    recipients = User.objects.filter(pk__in=roles.values("user_id"), is_active=True).order_by(
        "email"
    )
    staged = notification_services.notify_bulk(
        recipients=recipients,
        kind="programme.announcement",
        context={
            "programme_name": programme.name,
            "subject": subject,
            "message": message,
            "sender": sender.get_full_name(),
        },
        url=programme.get_absolute_url(),
        scope=programme.notification_scope,
        staged=True,
    )
    audit_record(
        actor=sender,
        action="programme.announcement_stage",
        target=programme,
        programme=programme,
        audience=audience,
        subject=subject,
        recipients=staged,
    )
    return staged


@transaction.atomic
def programme_outbox_release(*, programme: Programme, actor: User, kind: str = "") -> int:
    """Release the programme's staged messages (of `kind`, or of every kind its outbox may
    release) for sending. Audited with how many were released. Returns that number.

    Raises notifications' StagedReleaseError for a kind only its workflow releases.
    """
    released = notification_services.staged_release(scope=programme.notification_scope, kind=kind)
    audit_record(
        actor=actor,
        action="programme.outbox_release",
        target=programme,
        programme=programme,
        kind=kind,
        released=released,
    )
    return released


def audit_log_exported(
    *, programme: Programme, actor: User, fmt: str, rows: int, filters: dict[str, str]
) -> AuditEntry:
    """Record who exported the programme's audit log, in which format, with which filters.
    Returns the entry (which the export itself leaves out)."""
    return audit_record(
        actor=actor,
        action="programme.audit_export",
        target=programme,
        programme=programme,
        format=fmt,
        rows=rows,
        filters=filters,
    )
