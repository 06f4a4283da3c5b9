"""Selection's part of a person's data: the decisions on their applications (offers, with the
answer given) and their places in cohorts. A decision not yet released is left out, as on the
applicant's own pages."""

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
from selection.models import Offer, Participant


def collect(person, targets: frozenset[Target]) -> PersonalData:
    data = PersonalData()
    offers = (
        Offer.objects.filter(
            application__applicant=person,
            application__cohort__decisions_released_at__isnull=False,
        )
        .select_related("application__cohort")
        .order_by("created_at", "id")
    )
    for offer in offers:
        data.records.append(
            {
                "offer": {
                    "application_id": offer.application_id,
                    "cohort": offer.application.cohort.name,
                    "status": offer.status,
                    "from_waitlist": offer.is_promotion,
                    "offered_at": when(offer.created_at),
                    "expires_at": when(offer.expires_at),
                    "decided_at": when(offer.decided_at),
                    "decline_reason": offer.decline_reason,
                }
            }
        )
        data.targets.add(target_of(offer))
    participations = (
        Participant.objects.filter(user=person).select_related("cohort").order_by("created_at")
    )
    for participant in participations:
        data.records.append(
            {
                "participant": {
                    "cohort": participant.cohort.name,
                    "application_id": participant.application_id,
                    "joined_at": when(participant.created_at),
                }
            }
        )
        data.targets.add(target_of(participant))
    return data


def erase(scope: ErasureScope) -> Erased:
    """Offers and places stay (the cohort's seats and figures rest on them, and selection
    runs list application ids only); the reason the person gave for declining goes."""
    offers = Offer.objects.filter(application__applicant=scope.person).exclude(decline_reason="")
    if not scope.is_whole:
        offers = offers.filter(application__cohort_id__in=sorted(scope.cohort_ids))
    return Erased(rows=offers.update(decline_reason=""))


PARTS = (
    PrivacyPart(
        slug="decisions",
        label=_("Decisions and places"),
        collect=collect,
        order=40,
        erase=erase,
    ),
)
