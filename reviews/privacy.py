"""Reviews' part of a person's data: the outcome of each submitted review of their
applications — the score given on each criterion and the recommendation.

Never the reviewer (their identity is the reviewer's own data, and reviews are blind) and never
the reviewer's comment (a note to the programme). Held back until the cohort's decisions are
released: until then they are opinions kept for an evaluation not yet made (the PDPA's Fifth
Schedule exception), as the applicant's own pages hide them too.
"""

from django.utils.translation import gettext_lazy as _

from core.privacy_registry import PersonalData, PrivacyPart, Target, target_of, when
from reviews.models import Review


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


PARTS = (
    PrivacyPart(slug="reviews", label=_("Outcomes of the reviews"), collect=collect, order=30),
)
