"""Reads of compute quotas: catalogue, pools, allocations, usage over time, alerts, requests."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort
from compute.enums import AllocationStatus, RequestStatus, Unit
from compute.forecast import run_out_date
from compute.models import (
    Allocation,
    AllocationRequest,
    IntegrationToken,
    ResourcePool,
    ResourceType,
    UsageRecord,
)
from programmes.models import Programme


def resource_list_for_programme(*, programme: Programme) -> QuerySet[ResourceType]:
    return ResourceType.objects.filter(programme=programme).select_related("provider")


def resource_get(*, programme: Programme, resource_id: int) -> ResourceType | None:
    return ResourceType.objects.filter(programme=programme, pk=resource_id).first()


def at_level(level: str, prefix: str = "") -> Q:
    """Active allocations "at 80 %" have used 80 % of their limit or more, "at 100 %" all of
    it; one with no limit that has used anything is at both. `prefix` reaches them from another model
    (`"allocations__"` from a pool)."""
    limit = F(f"{prefix}limit")
    share = Decimal(1) if level == "100" else Decimal("0.8")
    reached = Q(**{f"{prefix}limit__gt": 0, f"{prefix}used__gte": limit * share}) | Q(
        **{f"{prefix}limit__lte": 0, f"{prefix}used__gt": 0}
    )
    # A suspended allocation (its holder left, or an admin stopped it) is nobody's alert.
    return reached & Q(**{f"{prefix}status": AllocationStatus.ACTIVE})


LEVELS = ("80", "100")


def _share() -> ExpressionWrapper:
    """The share of its limit an allocation has used, in per cent (100 with no limit)."""
    return ExpressionWrapper(
        Case(When(limit__gt=0, then=F("used") * 100 / F("limit")), default=Value(Decimal(100))),
        output_field=DecimalField(max_digits=30, decimal_places=4),
    )


def pool_list_for_programme(*, programme: Programme) -> QuerySet[ResourcePool]:
    """The programme's pools, each with how many of its allocations are at 80 % and at 100 %."""
    return (
        ResourcePool.objects.filter(cohort__programme=programme)
        .select_related("resource", "cohort")
        .annotate(
            at_80=Count("allocations", filter=at_level("80", "allocations__")),
            at_100=Count("allocations", filter=at_level("100", "allocations__")),
        )
        .order_by("cohort__name", "resource__name", "id")
    )


def pool_list_for_cohort(*, cohort: Cohort) -> QuerySet[ResourcePool]:
    return ResourcePool.objects.filter(cohort=cohort).select_related("resource")


def pool_get(*, programme: Programme, pool_id: int) -> ResourcePool | None:
    return (
        ResourcePool.objects.filter(cohort__programme=programme, pk=pool_id)
        .select_related("resource", "cohort__programme")
        .first()
    )


def allocation_list_for_pool(
    *, pool: ResourcePool, level: str = "", query: str = ""
) -> QuerySet[Allocation]:
    """The pool's allocations by email; `level` ("80" or "100") keeps those at that share of
    their limit, the fullest first; `query` matches a part of the email or name."""
    allocations = Allocation.objects.filter(pool=pool).select_related("user")
    if query:
        allocations = allocations.filter(
            Q(user__email__icontains=query) | Q(user__display_name__icontains=query)
        )
    if level in LEVELS:
        return (
            allocations.filter(at_level(level))
            .annotate(share=_share())
            .order_by("-share", "user__email")
        )
    return allocations.order_by("user__email")


def allocation_get(*, programme: Programme, allocation_id: int) -> Allocation | None:
    return (
        Allocation.objects.filter(pool__cohort__programme=programme, pk=allocation_id)
        .select_related("user", "pool__resource", "pool__cohort")
        .first()
    )


def allocation_list_for_programme(*, programme: Programme) -> QuerySet[Allocation]:
    """Every allocation of the programme's pools, for its export."""
    return (
        Allocation.objects.filter(pool__cohort__programme=programme)
        .select_related("user", "pool__resource", "pool__cohort")
        .order_by("pool__cohort__name", "pool__resource__name", "user__email", "id")
    )


def nav_condition():
    """For the navigation's one query: whether the user (OuterRef "pk") holds an allocation."""
    return Exists(Allocation.objects.filter(user=OuterRef("pk")))


def allocation_list_for_user(*, user: User) -> QuerySet[Allocation]:
    """The user's own allocations, in every programme."""
    if not user.is_authenticated:
        return Allocation.objects.none()
    return (
        Allocation.objects.filter(user=user)
        .select_related("pool__resource__provider", "pool__cohort__programme")
        .order_by("pool__cohort__name", "pool__resource__name")
    )


def allocation_get_for_user(*, user: User, allocation_id: int) -> Allocation | None:
    return allocation_list_for_user(user=user).filter(pk=allocation_id).first()


def alerts_for_programme(*, programme: Programme) -> QuerySet[Allocation]:
    """Allocations at 80 % of their limit or more, the fullest first."""
    return (
        Allocation.objects.filter(pool__cohort__programme=programme)
        .filter(at_level("80"))
        .annotate(share=_share())
        .select_related("user", "pool__resource", "pool__cohort")
        .order_by("-share", "user__email")
    )


def top_users(*, pool: ResourcePool, limit: int = 10) -> QuerySet[Allocation]:
    return allocation_list_for_pool(pool=pool).order_by("-used", "user__email")[:limit]


def usage_by_day(*, allocations=None, pool: ResourcePool | None = None, days: int = 60):
    """(day, amount) for the last `days` days, oldest first, with empty days as zero."""
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    records = UsageRecord.objects.filter(occurred_at__date__gte=start)
    if pool is not None:
        records = records.filter(allocation__pool=pool)
    if allocations is not None:
        records = records.filter(allocation__in=allocations)
    totals = {
        row["day"]: row["amount"]
        for row in records.annotate(day=TruncDate("occurred_at"))
        .values("day")
        .annotate(amount=Sum("amount"))
        .order_by()
    }
    return [
        (start + timedelta(days=n), totals.get(start + timedelta(days=n), Decimal(0)))
        for n in range(days)
    ]


@dataclass
class MyAllocation:
    allocation: Allocation
    daily: list[tuple[date, Decimal]]
    runs_out_on: date | None
    pending_request: AllocationRequest | None


def my_compute(*, user: User) -> list[MyAllocation]:
    """Each of the user's allocations with its usage by day and its run-out forecast."""
    allocations = list(allocation_list_for_user(user=user))
    pending = {
        r.allocation_id: r
        for r in AllocationRequest.objects.filter(
            allocation__in=allocations, status=RequestStatus.PENDING
        )
    }
    today = timezone.localdate()
    start = today - timedelta(days=59)
    by_allocation: dict[int, dict[date, Decimal]] = {}
    for row in (
        UsageRecord.objects.filter(allocation__in=allocations, occurred_at__date__gte=start)
        .annotate(day=TruncDate("occurred_at"))
        .values("allocation_id", "day")
        .annotate(amount=Sum("amount"))
        .order_by()
    ):
        by_allocation.setdefault(row["allocation_id"], {})[row["day"]] = row["amount"]
    result = []
    for allocation in allocations:
        totals = by_allocation.get(allocation.pk, {})
        daily = [
            (start + timedelta(days=n), totals.get(start + timedelta(days=n), Decimal(0)))
            for n in range(60)
        ]
        forecast = (
            None
            if allocation.pool.resource.is_level
            else run_out_date(daily, remaining=allocation.remaining, today=today)
        )
        result.append(MyAllocation(allocation, daily, forecast, pending.get(allocation.pk)))
    return result


def allocation_changes(*, allocation: Allocation):
    return allocation.changes.select_related("actor").order_by("-created_at", "-id")


def request_list_pending(*, programme: Programme) -> QuerySet[AllocationRequest]:
    return (
        AllocationRequest.objects.filter(
            allocation__pool__cohort__programme=programme, status=RequestStatus.PENDING
        )
        .select_related(
            "allocation__user", "allocation__pool__resource", "allocation__pool__cohort"
        )
        .order_by("created_at", "id")
    )


def request_list_decided(*, programme: Programme) -> QuerySet[AllocationRequest]:
    return (
        AllocationRequest.objects.filter(allocation__pool__cohort__programme=programme)
        .exclude(status=RequestStatus.PENDING)
        .select_related("allocation__user", "allocation__pool__resource", "decided_by")
        .order_by("-decided_at", "-id")
    )


def request_get(*, programme: Programme, request_id: int) -> AllocationRequest | None:
    return (
        request_list_pending(programme=programme).filter(pk=request_id).first()
        or AllocationRequest.objects.filter(
            allocation__pool__cohort__programme=programme, pk=request_id
        ).first()
    )


def token_list_for_programme(*, programme: Programme) -> QuerySet[IntegrationToken]:
    return (
        IntegrationToken.objects.filter(programme=programme)
        .prefetch_related("resources")
        .select_related("created_by")
    )


def token_get(*, programme: Programme, token_id: int) -> IntegrationToken | None:
    return IntegrationToken.objects.filter(programme=programme, pk=token_id).first()


def allocations_for_token(*, token: IntegrationToken) -> QuerySet[Allocation]:
    """What a provider may see: current allocations of the token's resources, programme only."""
    return (
        Allocation.objects.filter(
            pool__cohort__programme_id=token.programme_id,
            pool__resource__in=token.resources.all(),
        )
        .select_related("user", "pool__resource")
        .order_by("id")
    )


def cohort_by_slugs(*, programme_slug: str, cohort_slug: str) -> Cohort | None:
    """A cohort by its programme's slug and its own, whatever its state (for commands)."""
    return (
        Cohort.objects.filter(programme__slug=programme_slug, slug=cohort_slug)
        .select_related("programme")
        .first()
    )


def gpu_hour_limits(*, cohort: Cohort) -> list[tuple[User, Decimal]]:
    """Each holder of an allocation of the cohort's GPU-hour pools with their limit in hours,
    summed over those pools; a suspended allocation counts 0. Ordered by email."""
    limits: dict[int, tuple[User, Decimal]] = {}
    for allocation in (
        Allocation.objects.filter(pool__cohort=cohort, pool__resource__unit=Unit.GPU_HOURS)
        .select_related("user")
        .order_by("user__email", "id")
    ):
        user, hours = limits.get(allocation.user_id, (allocation.user, Decimal(0)))
        if allocation.status == AllocationStatus.ACTIVE:
            hours += allocation.limit
        limits[allocation.user_id] = (user, hours)
    return list(limits.values())


def usage_list_for_allocation(*, allocation: Allocation) -> QuerySet[UsageRecord]:
    """The allocation's usage records, the latest first."""
    return UsageRecord.objects.filter(allocation=allocation).order_by("-occurred_at", "-id")
