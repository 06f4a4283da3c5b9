"""Demo review: criteria, conflicts, assignments and scores. Called by `seed_demo`; safe to run again (it updates in place)."""

import datetime
import random

from django.utils import timezone

from applications.enums import ApplicationStatus
from applications.models import Application, ApplicationEvent
from cohorts.models import Cohort
from reviews import scoring
from reviews import selectors as review_selectors
from reviews import services as review_services
from reviews.models import Review, ReviewAssignment, ReviewCriterion

CRITERIA = [
    ("Motivation", "Does the applicant know what they want to do with what they learn?", 2),
    (
        "Relevant experience",
        "Work, study or projects that prepare them for the track they chose.",
        1,
    ),
    ("Potential impact", "Will the skills change their work, their team or their community?", 1.5),
    ("Commitment", "Time available, employer support, a realistic plan.", 1),
]


DEMO_CONFLICTS = [
    ("reviewer.one@example.org", "employer", "Straits Bank"),
    ("reviewer.two@example.org", "employer", "Meridian Data Centres"),
    ("reviewer.three@example.org", "person", "applicant010@example.org"),
]


REVIEW_COMMENTS = [
    "Clear goals and a realistic plan.",
    "Strong motivation; little hands-on experience yet.",
    "Good fit for the operations track.",
    "Answers are short; hard to judge commitment.",
    "Impressive self-taught projects.",
    "Employer support makes completion likely.",
]


def reviews(rng: random.Random, cohort: Cohort) -> None:
    """A rubric, a few declared conflicts, two reviewers per application and most reviews in."""
    if cohort.criteria.exists():
        return
    cohort.reviewers_per_application = 2
    cohort.is_blind_review = True
    cohort.review_deadline = cohort.closes_at + datetime.timedelta(days=14)
    cohort.save()
    for position, (name, guidance, weight) in enumerate(CRITERIA, start=1):
        ReviewCriterion.objects.create(
            cohort=cohort,
            position=position,
            name=name,
            guidance=guidance,
            weight=weight,
            scale_labels={"1": "No evidence", "3": "Some evidence", "5": "Outstanding"},
        )
    reviewers = {
        u.email: u for u in review_selectors.reviewer_list_for_programme(programme=cohort.programme)
    }
    for email, kind, value in DEMO_CONFLICTS:
        if email in reviewers:
            review_services.conflict_declare(
                reviewer=reviewers[email], programme=cohort.programme, kind=kind, value=value
            )
    preview = review_services.assignment_preview(cohort=cohort)
    assignments = ReviewAssignment.objects.bulk_create(
        [
            ReviewAssignment(application_id=app_id, reviewer_id=reviewer_id)
            for app_id, reviewer_ids in preview.new.items()
            for reviewer_id in reviewer_ids
        ],
        batch_size=2000,
    )
    assignments = list(
        ReviewAssignment.objects.filter(application__cohort=cohort).select_related("application")
    )
    Application.objects.filter(pk__in=list(preview.new), status=ApplicationStatus.SUBMITTED).update(
        status=ApplicationStatus.IN_REVIEW
    )
    now = timezone.now()
    ApplicationEvent.objects.bulk_create(
        [
            ApplicationEvent(
                application_id=app_id,
                from_status=ApplicationStatus.SUBMITTED,
                to_status=ApplicationStatus.IN_REVIEW,
                note="Reviewers assigned",
                created_at=now,
            )
            for app_id in preview.new
        ],
        batch_size=2000,
    )
    criteria = list(cohort.criteria.all())
    weights = {c.pk: float(c.weight) for c in criteria}
    # Each reviewer has a leniency; each application a quality they all roughly see.
    leniency = {
        reviewer.pk: rng.choice([-0.8, -0.3, 0.0, 0.4, 0.9]) for reviewer in reviewers.values()
    }
    quality = {a.application_id: rng.gauss(3.1, 0.8) for a in assignments}
    reviews = []
    for assignment in assignments:
        if rng.random() > 0.85:
            continue  # not reviewed yet
        scores = {}
        for criterion in criteria:
            raw = (
                quality[assignment.application_id]
                + leniency[assignment.reviewer_id]
                + rng.gauss(0, 0.6)
            )
            scores[str(criterion.pk)] = max(1, min(5, round(raw)))
        total = scoring.weighted_total({int(k): v for k, v in scores.items()}, weights)
        reviews.append(
            Review(
                assignment=assignment,
                scores=scores,
                total=total,
                recommendation="strong_yes"
                if total >= 4.3
                else "yes"
                if total >= 3.5
                else "maybe"
                if total >= 2.5
                else "no",
                comment=rng.choice(REVIEW_COMMENTS),
                is_submitted=True,
                submitted_at=now - datetime.timedelta(hours=rng.randint(1, 200)),
            )
        )
    Review.objects.bulk_create(reviews, batch_size=2000)
    review_services.scores_recompute(cohort=cohort)
