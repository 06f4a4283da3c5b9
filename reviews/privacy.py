"""Reviews' part of a person's data: the outcome of each submitted review of their
applications — the score given on each criterion and the recommendation.

Never the reviewer (their identity is the reviewer's own data, and reviews are blind) and never
the reviewer's comment (a note to the programme). Held back until the cohort's decisions are
released: until then they are opinions kept for an evaluation not yet made (the PDPA's Fifth
Schedule exception), as the applicant's own pages hide them too.
"""

from django.db.models.functions import Lower
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
from reviews.enums import ConflictKind
from reviews.models import ConflictOfInterest, Review


def collect(person, targets: frozenset[Target]) -> PersonalData:
    reviews = (
        Review.objects.filter(
            assignment__application__applicant=person,
            is_submitted=True,
            assignment__application__cohort__decisions_released_at__isnull=False,
        )
        .select_related("assignment__application__cohort")
        .prefetch_related("assignment__application__cohort__criteria")
        .order_by("submitted_at", "id")
    )
    data = PersonalData()
    for number, review in enumerate(reviews, start=1):
        application = review.assignment.application
        criteria = {str(c.pk): c.name for c in application.cohort.criteria.all()}
        data.records.append(
            {
                "application_id": application.pk,
                "cohort": application.cohort.name,
                "review": number,
                "scores": {
                    criteria.get(key, key): score for key, score in sorted(review.scores.items())
                },
                "recommendation": review.recommendation,
                "submitted_at": when(review.submitted_at),
            }
        )
        data.targets.add(target_of(review))
    return data


def erase(scope: ErasureScope) -> Erased:
    """Reviews of the person's applications keep their scores and recommendation (the
    selection rests on them); the reviewers' comments about the person go. On an erasure, a
    reviewer's declared conflict with the person's email names the erased account's address
    instead, and the person's own declarations as a reviewer go."""
    reviews = Review.objects.filter(assignment__application__applicant=scope.person).exclude(
        comment=""
    )
    if not scope.is_whole:
        reviews = reviews.filter(assignment__application__cohort_id__in=sorted(scope.cohort_ids))
    erased = Erased(rows=reviews.update(comment=""))
    if scope.is_whole:
        emails = {needle.casefold() for needle in scope.identifiers if "@" in needle}
        if emails and scope.placeholder_email:
            erased.rows += (
                ConflictOfInterest.objects.annotate(lower_value=Lower("value"))
                .filter(kind=ConflictKind.PERSON, lower_value__in=sorted(emails))
                .update(value=scope.placeholder_email, note="")
            )
        erased.rows += ConflictOfInterest.objects.filter(reviewer=scope.person).delete()[0]
    return erased


PARTS = (
    PrivacyPart(
        slug="reviews",
        label=_("Outcomes of the reviews"),
        collect=collect,
        order=30,
        erase=erase,
    ),
)
