"""Demo compute quotas: the partners' resources, the cohort's pools, an allocation for every
participant, six weeks of usage (some people near their limit, a few over it), top-up requests
and an integration token. Called by `seed_demo`; safe to run again (it updates in place)."""

import datetime
import json
import random
import shlex
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort
from compute import services
from compute.enums import AllocationStatus, Metering, Unit
from compute.models import (
    Allocation,
    AllocationRequest,
    IntegrationToken,
    ResourcePool,
    ResourceType,
    UsageRecord,
)
from programmes.models import Partner
from selection.models import Participant

USAGE_DAYS = 42  # six weeks of history before today
SOURCE = "demo"
INTEGRATION_NAME = "Meridian and Nimbus usage feed (demo)"


@dataclass(frozen=True)
class Resource:
    slug: str
    name: str
    unit: str
    metering: str
    provider: str
    description: str
    grant: Decimal  # each participant's default grant
    hard_limit: bool
    quantum: Decimal  # usage is reported in steps of this
    usage_days: float  # share of days with use (accumulating resources)
    topup: Decimal  # what a participant asks for when they run short


RESOURCES = [
    Resource(
        slug="gpu-h100",
        name="H100 GPU hours",
        unit=Unit.GPU_HOURS,
        metering=Metering.ACCUMULATES,
        provider="Meridian Data Centres",
        description="NVIDIA H100 80 GB in Meridian's Slurm cluster; billed per GPU hour.",
        grant=Decimal(120),
        hard_limit=True,
        quantum=Decimal("0.25"),
        usage_days=0.3,
        topup=Decimal(40),
    ),
    Resource(
        slug="qwen-max-tokens",
        name="Qwen-Max tokens",
        unit=Unit.TOKENS,
        metering=Metering.ACCUMULATES,
        provider="Nimbus Cloud",
        description="Input and output tokens of the Qwen-Max API on Nimbus Cloud.",
        grant=Decimal(20_000_000),
        hard_limit=False,
        quantum=Decimal(1),
        usage_days=0.5,
        topup=Decimal(10_000_000),
    ),
    Resource(
        slug="storage-gb",
        name="Project storage",
        unit=Unit.GB,
        metering=Metering.LEVEL,
        provider="Meridian Data Centres",
        description="Shared project storage beside the GPU cluster; the amount in use is read daily.",
        grant=Decimal(200),
        hard_limit=False,
        quantum=Decimal("0.1"),
        usage_days=0,
        topup=Decimal(100),
    ),
]

# Pools hold every seat's grant and a tenth more for top-ups.
POOL_HEADROOM = Decimal("1.1")

# Why participants ask for more, by resource: as many requests as reasons.
JUSTIFICATIONS = {
    "gpu-h100": [
        "My capstone fine-tunes a 7B model on maintenance logs; the last runs need 40 more hours.",
        "The hyper-parameter sweep for assignment 3 took longer than planned; I need to finish it.",
        "I want to repeat my experiment with three seeds so the results in my report are reliable.",
    ],
    "qwen-max-tokens": [
        "My retrieval assistant for our union branch is evaluated on 5,000 questions each week.",
        "Our team's agent re-runs the whole test suite after each change; I underestimated it.",
    ],
}


@dataclass
class DemoAccess:
    """The integration token made for the demo (its secret is shown once) and a request to try."""

    token: IntegrationToken
    secret: str
    curl: str
    # A participant to sign in as: their compute page shows a decided top-up and its notice.
    participant_email: str


def seed_demo(rng: random.Random, cohort: Cohort, actor: User) -> DemoAccess:
    resources = _resources(cohort, actor)
    pools = _pools(cohort, resources, actor)
    _grant(cohort)
    if not UsageRecord.objects.filter(allocation__pool__in=pools.values(), source=SOURCE).exists():
        _usage(rng, pools)
    _topups(cohort, pools, actor)
    return _token(cohort, resources, pools, actor)


def _assign(instance, values: dict) -> bool:
    """Set `values` on the instance; whether it is new or anything changed."""
    changed = instance.pk is None
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _resources(cohort: Cohort, actor: User) -> dict[str, ResourceType]:
    programme = cohort.programme
    providers = {
        p.name: p for p in Partner.objects.filter(name__in={r.provider for r in RESOURCES})
    }
    existing = {r.slug: r for r in ResourceType.objects.filter(programme=programme)}
    resources = {}
    for spec in RESOURCES:
        resource = existing.get(spec.slug) or ResourceType(programme=programme, slug=spec.slug)
        values = {
            "name": spec.name,
            "unit": spec.unit,
            "metering": spec.metering,
            "provider": providers.get(spec.provider),
            "description": spec.description,
        }
        if _assign(resource, values):
            services.resource_save(resource=resource, actor=actor)
        resources[spec.slug] = resource
    return resources


def _pools(
    cohort: Cohort, resources: dict[str, ResourceType], actor: User
) -> dict[str, ResourcePool]:
    today = timezone.localdate()
    existing = {p.resource_id: p for p in ResourcePool.objects.filter(cohort=cohort)}
    pools = {}
    for spec in RESOURCES:
        resource = resources[spec.slug]
        pool = existing.get(resource.pk) or ResourcePool(
            cohort=cohort,
            resource=resource,
            # The usage history starts on the pool's first day; the pools last six months.
            valid_from=today - datetime.timedelta(days=USAGE_DAYS),
            valid_until=today - datetime.timedelta(days=USAGE_DAYS) + datetime.timedelta(weeks=26),
        )
        total = (spec.grant * cohort.capacity * POOL_HEADROOM).quantize(Decimal(1))
        values = {
            "total": max(total, pool.allocated),
            "default_grant": spec.grant,
            "hard_limit": spec.hard_limit,
        }
        if _assign(pool, values):
            services.pool_save(pool=pool, actor=actor)
        pools[spec.slug] = pool
    return pools


def _grant(cohort: Cohort) -> None:
    """Participants who accepted before the pools existed get their default grants now, as
    accepting would have given them."""
    participants = list(Participant.objects.filter(cohort=cohort).order_by("pk"))
    services.allocations_grant_defaults_bulk(cohort_id=cohort.pk, participants=participants)


def _share(rng: random.Random, band: int, spec: Resource) -> float:
    """How much of their limit a participant has used by now: most are on their way, some
    near the limit, a few over it (a hard limit only by the job that was running when it was
    reached), a few have not started."""
    if band == 0:
        return rng.uniform(1.0, 1.03) if spec.hard_limit else rng.uniform(1.02, 1.15)
    if band in (1, 2):
        return rng.uniform(0.80, 0.97)
    if band == 3:
        return 0.0
    if band in (4, 5):
        return rng.uniform(0.02, 0.15)
    return rng.uniform(0.15, 0.75)


def _split(total: Decimal, weights: list[float], quantum: Decimal) -> list[Decimal]:
    """`total` in parts proportional to `weights`, in steps of `quantum`, adding up exactly."""
    scale = sum(weights)
    parts = [
        (total * Decimal(w / scale)).quantize(quantum, rounding=ROUND_DOWN) for w in weights[:-1]
    ]
    return [*parts, total - sum(parts, Decimal(0))]


def _usage(rng: random.Random, pools: dict[str, ResourcePool]) -> None:
    """Six weeks of usage, written in bulk and counted like the API's (thresholds notify)."""
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    rows = []
    for offset, spec in zip((0, 7, 13), RESOURCES, strict=True):
        allocations = Allocation.objects.filter(
            pool=pools[spec.slug], status=AllocationStatus.ACTIVE, limit__gt=0
        ).order_by("user_id")
        for index, allocation in enumerate(allocations):
            total = (allocation.limit * Decimal(_share(rng, (index + offset) % 20, spec))).quantize(
                spec.quantum, rounding=ROUND_DOWN
            )
            if total <= 0:
                continue
            if spec.metering == Metering.LEVEL:
                # A reading a week, growing to today's level.
                days_ago = list(range(USAGE_DAYS - 1, 0, -7))
                readings = [
                    (total * Decimal(n / len(days_ago)) * Decimal(rng.uniform(0.85, 1))).quantize(
                        spec.quantum
                    )
                    for n in range(1, len(days_ago))
                ]
                amounts = [*readings, total]
            else:
                # Use on some days, more as the course goes on.
                days_ago = [
                    ago
                    for ago in range(USAGE_DAYS - 1, 0, -1)
                    if rng.random() < spec.usage_days or ago == 1
                ]
                weights = [rng.uniform(0.3, 1.7) * (1.5 - ago / USAGE_DAYS) for ago in days_ago]
                amounts = _split(total, weights, spec.quantum)
            for ago, amount in zip(days_ago, amounts, strict=True):
                rows.append(
                    UsageRecord(
                        allocation=allocation,
                        event_id=f"demo-{allocation.pk}-{ago}",
                        amount=amount,
                        occurred_at=now - datetime.timedelta(days=ago, hours=rng.randint(0, 12)),
                        source=SOURCE,
                    )
                )
    services.usage_record_bulk(rows=rows)


def _topups(cohort: Cohort, pools: dict[str, ResourcePool], actor: User) -> None:
    """Requests from people near or over their limit: the last one decided, the others waiting."""
    if AllocationRequest.objects.filter(allocation__pool__cohort=cohort).exists():
        return
    specs = {spec.slug: spec for spec in RESOURCES}
    requests = []
    for slug, reasons in JUSTIFICATIONS.items():
        running_short = (
            Allocation.objects.filter(
                pool=pools[slug],
                status=AllocationStatus.ACTIVE,
                limit__gt=0,
                used__gte=F("limit") * Decimal("0.8"),
            )
            .select_related("user")
            .order_by("user_id")
        )
        requests += [
            services.topup_request(
                allocation=allocation,
                user=allocation.user,
                amount=specs[slug].topup,
                justification=justification,
            )
            for allocation, justification in zip(running_short, reasons, strict=False)
        ]
    if requests:
        services.topup_decide(
            request=requests[-1],
            granted=requests[-1].amount / 2,
            reason="Half now; ask again after your mid-term review.",
            actor=actor,
        )


def _token(
    cohort: Cohort,
    resources: dict[str, ResourceType],
    pools: dict[str, ResourcePool],
    actor: User,
) -> DemoAccess:
    """A fresh token each run (a secret is shown only once); the previous demo token is revoked."""
    for old in IntegrationToken.objects.filter(
        programme=cohort.programme, name=INTEGRATION_NAME, revoked_at__isnull=True
    ):
        services.token_revoke(token=old, actor=actor)
    token, secret = services.token_create(
        programme=cohort.programme, name=INTEGRATION_NAME, resources=resources.values(), actor=actor
    )
    example = (
        Allocation.objects.filter(pool=pools["gpu-h100"], status=AllocationStatus.ACTIVE)
        .select_related("user")
        .order_by("user__email")
        .first()
    )
    record = {
        "event_id": "try-it-1",
        "participant": example.user.email if example else "participant@example.org",
        "resource": "gpu-h100",
        "amount": "1.5",
        "occurred_at": timezone.now().replace(microsecond=0).isoformat(),
    }
    body = json.dumps({"records": [record]})
    curl = (
        f"curl -sS -X POST {settings.SITE_URL}/api/v1/usage "
        f"-H {shlex.quote('Authorization: Bearer ' + secret)} "
        "-H 'Content-Type: application/json' "
        f"-d {shlex.quote(body)}"
    )
    answered = (
        AllocationRequest.objects.filter(allocation__pool__cohort=cohort, decided_at__isnull=False)
        .select_related("allocation__user")
        .order_by("-decided_at")
        .first()
    )
    return DemoAccess(
        token=token,
        secret=secret,
        curl=curl,
        participant_email=answered.allocation.user.email if answered else record["participant"],
    )
