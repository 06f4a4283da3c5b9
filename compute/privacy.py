"""Compute's part of a person's data: each allocation (the resource, its limit and use), its
ledger, the top-ups asked for and every usage reading reported for it. Who changed a limit or
decided a request is left out (staff members' own data); the reason given is kept."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from compute.models import Allocation, AllocationChange, AllocationRequest, UsageRecord
from core.privacy_registry import (
    Erased,
    ErasureScope,
    PersonalData,
    PrivacyPart,
    Target,
    number,
    target_of,
    when,
)


def collect(person, targets: frozenset[Target]) -> PersonalData:
    allocations = (
        Allocation.objects.filter(user=person)
        .select_related("pool__resource", "pool__cohort")
        .prefetch_related(
            Prefetch("changes", queryset=AllocationChange.objects.order_by("created_at", "id")),
            Prefetch("requests", queryset=AllocationRequest.objects.order_by("created_at", "id")),
            Prefetch("usage", queryset=UsageRecord.objects.order_by("occurred_at", "id")),
        )
        .order_by("created_at", "id")
    )
    data = PersonalData()
    for allocation in allocations:
        data.records.append(
            {
                "resource": allocation.pool.resource.name,
                "unit": allocation.pool.resource.unit,
                "cohort": allocation.pool.cohort.name,
                "limit": number(allocation.limit),
                "used": number(allocation.used),
                "status": allocation.status,
                "changes": [
                    {
                        "at": when(change.created_at),
                        "kind": change.kind,
                        "delta": number(change.delta),
                        "limit_after": number(change.limit_after),
                        "reason": change.reason,
                    }
                    for change in allocation.changes.all()
                ],
                "top_up_requests": [
                    {
                        "at": when(request.created_at),
                        "amount": number(request.amount),
                        "justification": request.justification,
                        "status": request.status,
                        "granted": number(request.granted),
                        "decision_reason": request.decision_reason,
                        "decided_at": when(request.decided_at),
                    }
                    for request in allocation.requests.all()
                ],
                "usage": [
                    {"at": when(usage.occurred_at), "amount": number(usage.amount)}
                    for usage in allocation.usage.all()
                ],
            }
        )
        data.targets.add(target_of(allocation))
    return data


def erase(scope: ErasureScope) -> Erased:
    """Allocations, their changes and usage stay, as amounts (the pools' figures rest on
    them); what the person wrote to ask for more goes, with the reasons staff wrote back."""
    requests = AllocationRequest.objects.filter(allocation__user=scope.person)
    changes = AllocationChange.objects.filter(allocation__user=scope.person).exclude(reason="")
    if not scope.is_whole:
        cohorts = sorted(scope.cohort_ids)
        requests = requests.filter(allocation__pool__cohort_id__in=cohorts)
        changes = changes.filter(allocation__pool__cohort_id__in=cohorts)
    rows = requests.exclude(justification="", decision_reason="").update(
        justification="", decision_reason=""
    )
    rows += changes.update(reason="")
    return Erased(rows=rows)


PARTS = (
    PrivacyPart(
        slug="compute",
        label=_("Compute allocations and usage"),
        collect=collect,
        order=50,
        erase=erase,
    ),
)
