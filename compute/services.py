"""Every write of compute quotas: catalogue, pools, allocations and their ledger, top-ups,
integration tokens and usage ingestion.

A pool's `allocated` moves only through `_reserve` / `_give_back`: one conditional UPDATE each,
so two admins (or twenty threads) can never together allocate more than the pool holds; the
database's check constraint is the last guard.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import User
from compute.enums import AllocationStatus, ChangeKind, RequestStatus, UsageOutcome
from compute.models import (
    Allocation,
    AllocationChange,
    AllocationRequest,
    IntegrationToken,
    ResourcePool,
    ResourceType,
    UsageRecord,
    format_amount,
)
from core import tokens
from core.services import audit_record
from notifications import services as notification_services
from programmes.models import Programme
from selection.models import Participant

MAX_RECORDS = 10_000
# A reading may be a little ahead of our clock; beyond this it is in the future.
CLOCK_SKEW = timedelta(minutes=5)
# The largest amount one usage record may carry: 10,000 of them still fit the amount columns
# (20 digits, 4 after the point), so no batch can overflow an allocation's `used`.
MAX_USAGE_AMOUNT = Decimal(10) ** 11


class ComputeError(Exception):
    """A change the domain refuses; the message is shown to the user."""


# --- the pool's counter ----------------------------------------------------------------------


def _reserve(pool_id: int, amount: Decimal) -> bool:
    """Take `amount` from the pool if it has that much free; one conditional UPDATE."""
    if amount <= 0:
        return True
    return bool(
        ResourcePool.objects.filter(pk=pool_id, allocated__lte=F("total") - amount).update(
            allocated=F("allocated") + amount
        )
    )


def _give_back(pool_id: int, amount: Decimal) -> None:
    if amount > 0:
        ResourcePool.objects.filter(pk=pool_id).update(allocated=F("allocated") - amount)


def _no_room(pool: ResourcePool, asked: Decimal) -> ComputeError:
    pool.refresh_from_db(fields=["allocated", "total"])
    return ComputeError(
        _("The pool has only %(free)s %(unit)s left; %(asked)s were asked for.")
        % {
            "free": format_amount(pool.free),
            "unit": pool.resource.get_unit_display(),
            "asked": format_amount(asked),
        }
    )


def _ledger(allocation, kind, *, delta=Decimal(0), reason="", actor=None) -> AllocationChange:
    return AllocationChange.objects.create(
        allocation=allocation,
        kind=kind,
        delta=delta,
        limit_after=allocation.limit,
        reason=reason[:300],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


# --- catalogue and pools ---------------------------------------------------------------------


def resource_save(*, resource: ResourceType, actor: User) -> ResourceType:
    """Create or update a resource of the programme's catalogue (a validated form instance)."""
    created = resource.pk is None
    try:
        with transaction.atomic():
            resource.save()
    except IntegrityError as exc:
        raise ComputeError(_("The programme already has a resource with that short name.")) from exc
    audit_record(
        actor=actor,
        action="compute.resource_create" if created else "compute.resource_update",
        target=resource.programme,
        programme=resource.programme_id,
        resource=resource.slug,
    )
    return resource


@transaction.atomic
def pool_save(*, pool: ResourcePool, actor: User) -> ResourcePool:
    """Create or update a pool. Its total may not drop below what is already allocated. A new
    pool at once gives its default grant to the cohort's participants who have already joined
    (as far as the total goes), as joining later does."""
    created = pool.pk is None
    if not created:
        current = ResourcePool.objects.select_for_update().get(pk=pool.pk)
        if pool.total < current.allocated:
            raise ComputeError(
                _("%(allocated)s are already allocated; the total cannot be less.")
                % {"allocated": format_amount(current.allocated)}
            )
        pool.allocated = current.allocated
    try:
        with transaction.atomic():
            pool.save()
    except IntegrityError as exc:
        raise ComputeError(_("This cohort already has a pool of that resource.")) from exc
    if created:
        allocations_grant_defaults_bulk(
            cohort_id=pool.cohort_id,
            participants=list(Participant.objects.filter(cohort_id=pool.cohort_id)),
            actor=actor,
            pools=[pool],
            reason=_("Default grant of the new pool"),
        )
        pool.refresh_from_db(fields=["allocated"])
    audit_record(
        actor=actor,
        action="compute.pool_save",
        target=pool.cohort,
        programme=pool.cohort.programme_id,
        resource=pool.resource.slug,
        total=str(pool.total),
        default_grant=str(pool.default_grant),
    )
    return pool


# --- allocations -----------------------------------------------------------------------------


def _allocate(
    *, pool: ResourcePool, participant: Participant, amount: Decimal, reason: str, actor
) -> Allocation:
    """The participant's allocation of the pool, created with what the pool can give of
    `amount` (a grant never fails: with the pool short it gives what is left)."""
    allocation, created = Allocation.objects.get_or_create(
        pool=pool,
        user_id=participant.user_id,
        defaults={"participant": participant, "limit": Decimal(0)},
    )
    if not created:
        if allocation.participant_id != participant.pk or allocation.status != "active":
            allocation.participant = participant
            allocation.status = AllocationStatus.ACTIVE
            allocation.save(update_fields=["participant", "status", "updated_at"])
        return allocation
    granted = amount
    if not _reserve(pool.pk, granted):
        pool.refresh_from_db(fields=["allocated", "total"])
        granted = max(Decimal(0), min(amount, pool.free))
        if not _reserve(pool.pk, granted):
            granted = Decimal(0)
    allocation.limit = granted
    allocation.save(update_fields=["limit", "updated_at"])
    note = (
        reason
        if granted == amount
        else _("%(reason)s (the pool had only %(n)s left)")
        % {
            "reason": reason,
            "n": format_amount(granted),
        }
    )
    _ledger(allocation, ChangeKind.GRANT, delta=granted, reason=note, actor=actor)
    return allocation


@transaction.atomic
def allocations_grant_defaults(*, participant: Participant, actor=None) -> list[Allocation]:
    """Give a new participant the default grant of each of their cohort's pools."""
    pools = ResourcePool.objects.filter(cohort_id=participant.cohort_id).select_related("resource")
    return [
        _allocate(
            pool=pool,
            participant=participant,
            amount=pool.default_grant,
            reason=_("Default grant on joining the cohort"),
            actor=actor,
        )
        for pool in pools
    ]


@transaction.atomic
def allocations_grant_defaults_bulk(
    *,
    cohort_id: int,
    participants: list[Participant],
    actor: User | None = None,
    pools: list[ResourcePool] | None = None,
    reason: str | None = None,
) -> int:
    """`allocations_grant_defaults` for many participants of one cohort at once (a new pool,
    demo data, imports): per pool one conditional UPDATE and two bulk inserts. A participant who
    already holds an allocation of a pool is left alone there; a pool that cannot cover everyone
    grants one by one, as joining does (the last get what is left). `pools` limits the grant to
    those pools (default: all of the cohort's). Returns the allocations made."""
    made = 0
    reason = reason or _("Default grant on joining the cohort")
    if pools is None:
        pools = list(ResourcePool.objects.filter(cohort_id=cohort_id).select_related("resource"))
    for pool in pools:
        held = set(Allocation.objects.filter(pool=pool).values_list("user_id", flat=True))
        new = [p for p in participants if p.cohort_id == cohort_id and p.user_id not in held]
        if not new:
            continue
        made += len(new)
        if not _reserve(pool.pk, pool.default_grant * len(new)):
            for participant in new:
                _allocate(
                    pool=pool,
                    participant=participant,
                    amount=pool.default_grant,
                    reason=reason,
                    actor=actor,
                )
            continue
        allocations = Allocation.objects.bulk_create(
            Allocation(pool=pool, participant=p, user_id=p.user_id, limit=pool.default_grant)
            for p in new
        )
        AllocationChange.objects.bulk_create(
            AllocationChange(
                allocation=a,
                kind=ChangeKind.GRANT,
                delta=a.limit,
                limit_after=a.limit,
                reason=reason,
                actor=actor,
            )
            for a in allocations
        )
    return made


@transaction.atomic
def allocations_release(*, cohort_id: int, user_id: int) -> int:
    """A participant left: what they did not use goes back to the pool and their allocations
    are suspended. Returns the allocations released."""
    released = 0
    programme_id = None
    for allocation in (
        Allocation.objects.select_for_update(of=("self",))
        .filter(pool__cohort_id=cohort_id, user_id=user_id)
        .select_related("pool__cohort")
    ):
        programme_id = allocation.pool.cohort.programme_id
        unused = max(allocation.limit - allocation.used, Decimal(0))
        _give_back(allocation.pool_id, unused)
        allocation.limit -= unused
        allocation.status = AllocationStatus.SUSPENDED
        allocation.save(update_fields=["limit", "status", "updated_at"])
        _ledger(
            allocation,
            ChangeKind.RELEASE,
            delta=-unused,
            reason=_("Left the cohort: unused units went back to the pool"),
        )
        released += 1
    if released:
        audit_record(
            actor=None,
            action="compute.allocations_released",
            target=None,
            programme=programme_id,
            cohort=cohort_id,
            user=user_id,
            allocations=released,
        )
    return released


def _lock(allocation: Allocation) -> Allocation:
    return (
        Allocation.objects.select_for_update(of=("self",))
        .select_related("pool__resource")
        .get(pk=allocation.pk)
    )


def _change_limit(allocation: Allocation, new_limit: Decimal) -> Decimal:
    """Move a (locked) allocation's limit, reserving or giving back the difference."""
    if new_limit < 0:
        raise ComputeError(_("A limit cannot be negative."))
    delta = new_limit - allocation.limit
    if delta > 0 and not _reserve(allocation.pool_id, delta):
        raise _no_room(allocation.pool, delta)
    if delta < 0:
        _give_back(allocation.pool_id, -delta)
    allocation.limit = new_limit
    allocation.save(update_fields=["limit", "updated_at"])
    return delta


@transaction.atomic
def allocation_adjust(
    *, allocation: Allocation, mode: str, amount: Decimal, reason: str, actor: User
) -> Allocation:
    """Set the limit to `amount` (mode "set") or add `amount` to it (mode "add", negative
    takes away). Needs a reason; the pool must cover an increase. Audited."""
    if not reason.strip():
        raise ComputeError(_("Say why the allocation changes."))
    allocation = _lock(allocation)
    new_limit = amount if mode == "set" else allocation.limit + amount
    delta = _change_limit(allocation, new_limit)
    _ledger(
        allocation,
        ChangeKind.SET if mode == "set" else ChangeKind.ADD,
        delta=delta,
        reason=reason,
        actor=actor,
    )
    _allocation_audit(
        allocation,
        actor=actor,
        action="compute.allocation_adjust",
        mode=mode,
        delta=_plain(delta),
        limit=_plain(allocation.limit),
        reason=reason.strip(),
    )
    return allocation


def _plain(amount: Decimal) -> str:
    """An amount for the audit trail: 150.0000 → "150", -2.5000 → "-2.5", no separators."""
    text = f"{amount:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _allocation_audit(allocation: Allocation, *, actor: User, action: str, **data) -> None:
    """An audit entry of a change to one allocation (locked by `_lock`, resource loaded)."""
    audit_record(
        actor=actor,
        action=action,
        target=allocation,
        programme=allocation.pool.resource.programme_id,
        user=allocation.user_id,
        resource=allocation.pool.resource.slug,
        **data,
    )


@dataclass
class BulkResult:
    applied: int = 0
    errors: list[str] = field(default_factory=list)


def allocations_bulk_adjust(
    *, programme: Programme, rows: list[tuple[int, str, str, str]], mode: str, reason: str, actor
) -> BulkResult:
    """Apply many changes, each (line number, email, resource slug, amount) — all of them or,
    when any row is bad, none: the result then lists every bad row."""
    result = BulkResult()
    if not reason.strip():
        result.errors.append(_("Say why the allocations change."))
        return result
    emails = {email.strip().lower() for _line, email, _slug, _amount in rows}
    slugs = {slug.strip() for _line, _email, slug, _amount in rows}
    allocations = {
        (a.user.email.lower(), a.pool.resource.slug): a
        for a in Allocation.objects.filter(
            pool__resource__programme=programme,
            pool__resource__slug__in=slugs,
            user__email__in=emails,
        ).select_related("user", "pool__resource")
    }
    planned = []
    for line, email, slug, raw in rows:
        key = (email.strip().lower(), slug.strip())
        amount = _amount(raw)
        if amount is None:
            result.errors.append(
                _("Line %(line)s: %(raw)s is not a number.") % {"line": line, "raw": raw}
            )
        elif key not in allocations:
            result.errors.append(
                _("Line %(line)s: %(email)s has no allocation of %(slug)s.")
                % {"line": line, "email": email, "slug": slug}
            )
        else:
            planned.append((line, allocations[key], amount))
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for line, allocation, amount in sorted(planned, key=lambda p: p[1].pk):
                try:
                    allocation_adjust(
                        allocation=allocation, mode=mode, amount=amount, reason=reason, actor=actor
                    )
                except ComputeError as exc:
                    result.errors.append(
                        _("Line %(line)s: %(error)s") % {"line": line, "error": exc}
                    )
            if result.errors:
                raise ComputeError("rolled back")
    except ComputeError:
        return result
    result.applied = len(planned)
    return result


@transaction.atomic
def allocations_adjust_many(
    *, allocations: list[Allocation], mode: str, amount: Decimal, reason: str, actor: User
) -> int:
    """The same change to each of `allocations` — all of them or, when one is refused (the
    pool cannot cover it, a limit would go negative), none: the ComputeError names whose."""
    for allocation in sorted(allocations, key=lambda a: a.pk):
        try:
            allocation_adjust(
                allocation=allocation, mode=mode, amount=amount, reason=reason, actor=actor
            )
        except ComputeError as exc:
            raise ComputeError(
                _("%(who)s: %(error)s Nothing was changed.")
                % {"who": allocation.user.email, "error": exc}
            ) from exc
    return len(allocations)


def allocations_exported(*, programme: Programme, actor: User, rows: int) -> None:
    audit_record(
        actor=actor,
        action="compute.allocations_export",
        target=programme,
        programme=programme,
        rows=rows,
    )


def parse_allocation_csv(data: bytes | str) -> tuple[list[tuple[int, str, str, str]], list[str]]:
    """Rows of an `email,resource,amount` CSV (a header line is optional), and what was wrong
    with the file itself."""
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    rows, errors = [], []
    for number, record in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not record or all(not cell.strip() for cell in record):
            continue
        if number == 1 and record[0].strip().lower() == "email":
            continue
        if len(record) != 3:
            errors.append(_("Line %(line)s: expected email,resource,amount.") % {"line": number})
            continue
        rows.append((number, record[0], record[1], record[2].strip()))
    if not rows and not errors:
        errors.append(_("The file holds no rows."))
    return rows, errors


def _amount(raw) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


@transaction.atomic
def allocation_set_status(*, allocation: Allocation, suspended: bool, reason: str, actor: User):
    """Suspend or resume an allocation (nothing happens when it is so already). Audited."""
    allocation = _lock(allocation)
    status = AllocationStatus.SUSPENDED if suspended else AllocationStatus.ACTIVE
    if allocation.status == status:
        return allocation
    allocation.status = status
    allocation.save(update_fields=["status", "updated_at"])
    _ledger(
        allocation,
        ChangeKind.SUSPEND if suspended else ChangeKind.RESUME,
        reason=reason,
        actor=actor,
    )
    _allocation_audit(
        allocation,
        actor=actor,
        action="compute.allocation_suspend" if suspended else "compute.allocation_resume",
        reason=reason.strip(),
    )
    return allocation


# --- top-ups ---------------------------------------------------------------------------------


def topup_request(
    *, allocation: Allocation, user: User, amount: Decimal, justification: str
) -> AllocationRequest:
    if allocation.user_id != user.pk:
        raise ComputeError(_("You can ask for more only of your own allocation."))
    if amount is None or amount <= 0:
        raise ComputeError(_("Ask for more than zero."))
    if not justification.strip():
        raise ComputeError(_("Say what you need it for."))
    if AllocationRequest.objects.filter(
        allocation=allocation, status=RequestStatus.PENDING
    ).exists():
        raise ComputeError(_("You already have a request waiting for this resource."))
    return AllocationRequest.objects.create(
        allocation=allocation, amount=amount, justification=justification.strip()
    )


@transaction.atomic
def topup_decide(
    *, request: AllocationRequest, granted: Decimal, reason: str, actor: User
) -> AllocationRequest:
    """Approve `granted` (all or part of what was asked) or reject (`granted` 0, with a
    reason). The participant is notified either way."""
    request = (
        AllocationRequest.objects.select_for_update(of=("self",))
        .select_related("allocation__pool__resource", "allocation__pool__cohort__programme")
        .get(pk=request.pk)
    )
    if request.status != RequestStatus.PENDING:
        raise ComputeError(_("This request was decided already."))
    if granted < 0 or granted > request.amount:
        raise ComputeError(
            _("Grant between 0 and the %(n)s asked for.") % {"n": format_amount(request.amount)}
        )
    if granted == 0 and not reason.strip():
        raise ComputeError(_("Say why the request is rejected."))
    allocation = _lock(request.allocation)
    if granted > 0:
        _change_limit(allocation, allocation.limit + granted)
        _ledger(allocation, ChangeKind.TOP_UP, delta=granted, reason=reason, actor=actor)
    request.granted = granted
    request.status = (
        RequestStatus.REJECTED
        if granted == 0
        else RequestStatus.APPROVED
        if granted == request.amount
        else RequestStatus.PARTLY_APPROVED
    )
    request.decision_reason = reason.strip()[:300]
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.save()
    pool = allocation.pool
    notification_services.notify(
        recipient=allocation.user,
        kind="compute.topup_decided",
        context={
            "resource_name": pool.resource.name,
            "unit": pool.resource.get_unit_display(),
            "asked": format_amount(request.amount),
            "granted": format_amount(granted),
            "status": request.get_status_display(),
            "reason": request.decision_reason,
            "limit": format_amount(allocation.limit),
        },
        url="/compute/",
        scope=pool.cohort.programme.notification_scope,
        dedupe_key=f"compute-topup:{request.pk}",
    )
    audit_record(
        actor=actor,
        action="compute.topup_decide",
        target=pool.cohort,
        programme=pool.cohort.programme_id,
        user=allocation.user_id,
        resource=pool.resource.slug,
        asked=_plain(request.amount),
        status=request.status,
        request=request.pk,
        granted=str(granted),
    )
    return request


# --- integration tokens ----------------------------------------------------------------------


def token_create(
    *, programme: Programme, name: str, resources, actor: User
) -> tuple[IntegrationToken, str]:
    """A new token; returns it and the secret, which is shown once and never stored."""
    token, secret = tokens.token_issue(
        IntegrationToken, programme=programme, name=name.strip(), created_by=actor
    )
    token.resources.set(resources)
    audit_record(
        actor=actor,
        action="compute.token_create",
        target=programme,
        programme=programme,
        token=token.prefix,
    )
    return token, secret


def token_revoke(*, token: IntegrationToken, actor: User) -> None:
    if tokens.token_revoke(token):
        audit_record(
            actor=actor,
            action="compute.token_revoke",
            target=token.programme,
            programme=token.programme_id,
            token=token.prefix,
        )


def token_authenticate(secret: str) -> IntegrationToken | None:
    """The active token this secret belongs to (compared by hash, in constant time)."""
    return tokens.token_find(IntegrationToken.objects.all(), secret)


# --- usage ingestion -------------------------------------------------------------------------


@dataclass
class RecordResult:
    index: int
    event_id: str
    outcome: str
    reason: str = ""


@dataclass
class IngestResult:
    results: list[RecordResult]

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)


USAGE_FIELDS = ("event_id", "participant", "resource", "amount", "occurred_at")


def parse_usage_csv(text: str) -> list[dict]:
    """The records of a usage CSV whose header names the JSON fields. Raises ValueError."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        if reader.fieldnames is None or set(USAGE_FIELDS) - {f.strip() for f in reader.fieldnames}:
            raise ValueError(
                _("The CSV needs the columns %(columns)s.") % {"columns": ",".join(USAGE_FIELDS)}
            )
        return [{(k or "").strip(): v for k, v in row.items()} for row in reader]
    except csv.Error as exc:  # a field over the size limit, a quote left open in strict mode
        raise ValueError(
            _("The CSV cannot be read at line %(line)s: %(error)s")
            % {"line": reader.line_num, "error": exc}
        ) from exc


def _when(value) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = parse_datetime(str(value).strip())
        except ValueError:
            return None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.UTC)
    return moment


def _local_day(moment: datetime, allocation: Allocation) -> date:
    """The day a reading falls on where the cohort is: a pool's dates are the cohort's, so a
    reading late on the eve of its first day in UTC may already be on that day there."""
    return timezone.localtime(moment, allocation.pool.cohort.tz).date()


def _is_id(who: str) -> bool:
    """Whether a record's participant is a participant id (ASCII digits that fit a bigint)."""
    return who.isascii() and who.isdigit() and len(who) <= 18


def usage_ingest(
    *, token: IntegrationToken, records: list[dict], source: str = "api"
) -> IngestResult:
    """Record a batch of usage: each record is accepted, a duplicate (its event id was seen
    before from this integration, in any batch) or rejected with the reason; one bad record
    never rejects the others. Counted once, also when identical batches arrive together: the
    allocations a batch touches are locked (in id order) before its records are written."""
    now = timezone.now()
    results: list[RecordResult | None] = [None] * len(records)
    scope = {r.slug: r for r in token.resources.all()}
    parsed = []
    unscoped = []
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            results[index] = RecordResult(index, "", UsageOutcome.REJECTED, _("not an object"))
            continue
        event_id = str(record.get("event_id") or "").strip()
        problem = ""
        amount = _amount(record.get("amount"))
        moment = _when(record.get("occurred_at"))
        resource = str(record.get("resource") or "").strip()
        who = str(record.get("participant") or "").strip()
        if not event_id or len(event_id) > 200:
            problem = _("event_id is missing or longer than 200 characters")
        elif "\x00" in event_id or "\x00" in who or "\x00" in resource:
            # PostgreSQL cannot store or compare text holding NUL.
            problem = _("a field contains a NUL character")
        elif not who:
            problem = _("participant is missing")
        elif resource not in scope:
            unscoped.append((index, event_id, resource))
            continue
        elif amount is None:
            problem = _("amount is not a number")
        elif amount < 0:
            problem = _("amount is negative")
        elif amount > MAX_USAGE_AMOUNT:
            problem = _("amount is larger than %(max)s") % {"max": format_amount(MAX_USAGE_AMOUNT)}
        elif moment is None:
            problem = _("occurred_at is not an ISO 8601 time")
        elif moment > now + CLOCK_SKEW:
            problem = _("occurred_at is in the future")
        if problem:
            results[index] = RecordResult(index, event_id, UsageOutcome.REJECTED, problem)
        else:
            parsed.append((index, event_id, who, scope[resource], amount, moment))

    if unscoped:
        # The programme's resources the token may not report, told apart from unknown slugs.
        known = set(
            ResourceType.objects.filter(
                programme_id=token.programme_id, slug__in={slug for _i, _e, slug in unscoped}
            ).values_list("slug", flat=True)
        )
        for index, event_id, slug in unscoped:
            reason = (
                _("resource outside this token's scope") if slug in known else _("unknown resource")
            )
            results[index] = RecordResult(index, event_id, UsageOutcome.REJECTED, reason)

    # Who the participants are: by email or by participant id, in this programme only.
    emails = {who.lower() for _i, _e, who, _r, _a, _m in parsed if "@" in who}
    ids = {int(who) for _i, _e, who, _r, _a, _m in parsed if _is_id(who)}
    allocations = {}
    if parsed:
        candidates = Allocation.objects.filter(
            pool__resource__in=list(scope.values()),
            pool__cohort__programme_id=token.programme_id,
        ).filter(Q(user__email__in=emails) | Q(participant_id__in=ids))
        for allocation in candidates.select_related("pool__cohort", "user").only(
            "id",
            "pool__id",
            "pool__resource_id",
            "pool__valid_from",
            "pool__cohort__timezone",
            "participant_id",
            "user__email",
        ):
            allocations[(allocation.user.email.lower(), allocation.pool.resource_id)] = allocation
            if allocation.participant_id:
                allocations[(str(allocation.participant_id), allocation.pool.resource_id)] = (
                    allocation
                )
    planned = []
    for index, event_id, who, resource, amount, moment in parsed:
        allocation = allocations.get((who.lower() if "@" in who else who, resource.pk))
        if allocation is None:
            results[index] = RecordResult(
                index, event_id, UsageOutcome.REJECTED, _("unknown participant for this resource")
            )
        elif _local_day(moment, allocation) < allocation.pool.valid_from:
            results[index] = RecordResult(
                index, event_id, UsageOutcome.REJECTED, _("occurred_at is before the pool starts")
            )
        else:
            planned.append((index, event_id, allocation, resource, amount, moment))

    with transaction.atomic():
        # One batch of an integration at a time: its event ids are then judged against every
        # batch before it, so identical batches sent together count once.
        IntegrationToken.objects.select_for_update().filter(pk=token.pk).first()
        touched = sorted({allocation.pk for _i, _e, allocation, _r, _a, _m in planned})
        locked = {
            a.pk: a
            # of=("self",): lock the allocations only. Locking the joined pool and resource
            # rows too would let two batches on different pools deadlock.
            for a in Allocation.objects.select_for_update(of=("self",))
            .filter(pk__in=touched)
            .order_by("pk")
            .select_related("pool__resource")
        }
        seen = _seen(token=token, event_ids=[e for _i, e, _a, _r, _am, _m in planned])
        rows = []
        for index, event_id, allocation, _resource, amount, moment in planned:
            if event_id in seen:
                results[index] = RecordResult(index, event_id, UsageOutcome.DUPLICATE)
                continue
            seen.add(event_id)
            results[index] = RecordResult(index, event_id, UsageOutcome.ACCEPTED)
            rows.append(_Usage(allocation.pk, event_id, amount, moment))
        _insert_usage(token=token, rows=rows, source=source)
        _apply_usage(locked, rows)
    return IngestResult(results=[r for r in results if r is not None])


def _seen(*, token: IntegrationToken, event_ids: list[str]) -> set[str]:
    """Which of these event ids the token has reported before. PostgreSQL gets them as one
    array: binding 10,000 placeholders costs more than the query itself."""
    if connection.vendor != "postgresql":
        return set(
            UsageRecord.objects.filter(token=token, event_id__in=event_ids).values_list(
                "event_id", flat=True
            )
        )
    table = connection.ops.quote_name(UsageRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT event_id FROM {table} WHERE token_id = %s AND event_id = ANY(%s)",  # noqa: S608
            [token.pk, event_ids],
        )
        return {event_id for (event_id,) in cursor.fetchall()}


class _Usage(NamedTuple):
    """An accepted record, ready to write (cheaper than a model instance, 10,000 at a time)."""

    allocation_id: int
    event_id: str
    amount: Decimal
    occurred_at: datetime


def _insert_usage(*, token: IntegrationToken, rows: list[_Usage], source: str) -> None:
    """Write a batch's accepted records. PostgreSQL takes them by COPY, several times faster
    than INSERT for a big batch; no row can conflict, since the batch holds its token's lock
    and left out every event id seen before."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        UsageRecord.objects.bulk_create(
            [UsageRecord(token=token, source=source, **row._asdict()) for row in rows],
            batch_size=2000,
            ignore_conflicts=True,
        )
        return
    now = timezone.now()
    table = connection.ops.quote_name(UsageRecord._meta.db_table)
    columns = ("allocation_id", "token_id", "event_id", "amount", "occurred_at", "source")
    names = ", ".join(connection.ops.quote_name(c) for c in (*columns, "created_at"))
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for allocation_id, event_id, amount, occurred_at in rows:
            copy.write_row((allocation_id, token.pk, event_id, amount, occurred_at, source, now))


def _save_used(allocations: list[Allocation]) -> None:
    """Store the (locked) allocations' `used` and `level_at`: one UPDATE … FROM unnest on
    PostgreSQL, bulk_update elsewhere."""
    if connection.vendor != "postgresql":
        Allocation.objects.bulk_update(allocations, ["used", "level_at"], batch_size=1000)
        return
    table = connection.ops.quote_name(Allocation._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS a SET used = v.used, level_at = v.level_at "  # noqa: S608
            "FROM unnest(%s::bigint[], %s::numeric[], %s::timestamptz[]) AS v(id, used, level_at) "
            "WHERE a.id = v.id",
            [
                [a.pk for a in allocations],
                [a.used for a in allocations],
                [a.level_at for a in allocations],
            ],
        )


def _apply_usage(locked: dict[int, Allocation], rows: list) -> None:
    """Add accumulating usage to the allocations' `used` (set it, for levels, to the latest
    reading), then notify each threshold crossed, once. `rows` are UsageRecords or _Usage."""
    added: dict[int, Decimal] = {}
    levels: dict[int, UsageRecord | _Usage] = {}
    for row in rows:
        allocation = locked[row.allocation_id]
        if allocation.pool.resource.is_level:
            latest = levels.get(row.allocation_id)
            if latest is None or row.occurred_at >= latest.occurred_at:
                levels[row.allocation_id] = row
        else:
            added[row.allocation_id] = added.get(row.allocation_id, Decimal(0)) + row.amount
    changed = []
    for allocation_id, amount in added.items():
        allocation = locked[allocation_id]
        allocation.used += amount
        changed.append(allocation)
    for allocation_id, row in levels.items():
        allocation = locked[allocation_id]
        if allocation.level_at is None or row.occurred_at >= allocation.level_at:
            allocation.used = row.amount
            allocation.level_at = row.occurred_at
            changed.append(allocation)
    if changed:
        _save_used(changed)
        _notify_thresholds(changed)


def _notify_thresholds(allocations: list[Allocation]) -> None:
    """Each allocation that reached 80 % or 100 % of its limit, and was not told yet, is told
    once: the mark is set by a conditional update, so a threshold never notifies twice."""
    now = timezone.now()
    for allocation in allocations:
        for threshold, mark in ((100, "notified_100_at"), (80, "notified_80_at")):
            if allocation.limit > 0 and allocation.used * 100 < allocation.limit * threshold:
                continue
            if allocation.limit <= 0 and allocation.used <= 0:
                continue
            if not Allocation.objects.filter(pk=allocation.pk, **{f"{mark}__isnull": True}).update(
                **{mark: now}
            ):
                continue
            if threshold == 100:
                # Reaching 100 % also settles the 80 % mark: one message, not two.
                Allocation.objects.filter(pk=allocation.pk, notified_80_at__isnull=True).update(
                    notified_80_at=now
                )
            resource = allocation.pool.resource
            notification_services.notify(
                recipient=allocation.user,
                kind="compute.threshold",
                context={
                    "resource_name": resource.name,
                    "unit": resource.get_unit_display(),
                    "threshold": threshold,
                    "used": format_amount(allocation.used),
                    "limit": format_amount(allocation.limit),
                    "hard_limit": allocation.pool.hard_limit,
                },
                url="/compute/",
                dedupe_key=f"compute-threshold:{allocation.pk}:{threshold}",
            )
            break


def usage_record_manual(
    *, allocation: Allocation, amount: Decimal, occurred_at: datetime, event_id: str
) -> None:
    """One usage record without an integration (demo data, imports); counted like the API's."""
    with transaction.atomic():
        locked = {allocation.pk: _lock(allocation)}
        row = UsageRecord(
            allocation_id=allocation.pk,
            token=None,
            event_id=event_id,
            amount=amount,
            occurred_at=occurred_at,
            source="manual",
        )
        row.save()
        _apply_usage(locked, [row])


def usage_record_bulk(*, rows: list[UsageRecord]) -> int:
    """Many usage records without an integration at once (demo data, imports): written in bulk
    and counted like the API's, thresholds included. Event ids are not checked for duplicates
    (there is no integration to scope them): the caller writes each record once. Returns how
    many were written."""
    with transaction.atomic():
        touched = sorted({row.allocation_id for row in rows})
        locked = {
            a.pk: a
            for a in Allocation.objects.select_for_update(of=("self",))
            .filter(pk__in=touched)
            .order_by("pk")
            .select_related("pool__resource", "user")
        }
        UsageRecord.objects.bulk_create(rows, batch_size=2000)
        _apply_usage(locked, rows)
    return len(rows)
