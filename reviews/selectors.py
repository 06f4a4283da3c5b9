"""Reads of review: queues, progress, rankings, conflicts."""

from dataclasses import dataclass

from django.db.models import CharField, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Cast, Lower, Trim
from django.utils import timezone

from accounts.models import ApplicantProfile, User
from applications.enums import ApplicationStatus
from applications.models import Application
from cohorts.models import Cohort
from programmes.enums import RoleKind
from programmes.models import Programme, ProgrammeRole
from reviews.enums import ConflictKind
from reviews.models import (
    AssignmentRun,
    ConflictOfInterest,
    Review,
    ReviewAssignment,
    ReviewCriterion,
)

REVIEWABLE_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW)


def criterion_list_for_cohort(*, cohort: Cohort) -> list[ReviewCriterion]:
    return list(ReviewCriterion.objects.filter(cohort=cohort).order_by("position", "id"))


def reviewer_list_for_programme(*, programme: Programme) -> list[User]:
    return list(
        User.objects.filter(
            programme_roles__programme=programme,
            programme_roles__role=RoleKind.REVIEWER,
            is_active=True,
        )
        .distinct()
        .order_by("display_name", "email")
    )


def reviewer_employers(*, users: list[User]) -> dict[int, str]:
    """Each reviewer's employer: from their reviewer role if given, else their applicant profile."""
    employers = dict(
        ApplicantProfile.objects.filter(user__in=users).values_list("user_id", "employer")
    )
    for user_id, employer in (
        ProgrammeRole.objects.filter(user__in=users, role=RoleKind.REVIEWER)
        .exclude(employer="")
        .values_list("user_id", "employer")
    ):
        employers[user_id] = employer
    return employers


def applications_to_review(*, cohort: Cohort) -> QuerySet[Application]:
    """Submitted, eligible applications: the ones that get reviewers."""
    return Application.objects.filter(
        cohort=cohort, status__in=REVIEWABLE_STATUSES, is_eligible=True
    )


def conflict_list_for_reviewer(
    *, reviewer: User, programme: Programme
) -> QuerySet[ConflictOfInterest]:
    return ConflictOfInterest.objects.filter(reviewer=reviewer, programme=programme)


def conflict_list_for_programme(*, programme: Programme) -> list[ConflictOfInterest]:
    return list(ConflictOfInterest.objects.filter(programme=programme))


def assignment_list_conflicted(*, cohort: Cohort) -> QuerySet[ReviewAssignment]:
    """Active assignments whose reviewer has declared a conflict that matches the application
    (its email, its employer, or its number). In blind review a declaration leaves them in
    place so that it reveals nothing; the admin reassigns them all at once."""
    conflicts = ConflictOfInterest.objects.filter(
        programme_id=cohort.programme_id, reviewer_id=OuterRef("reviewer_id")
    ).annotate(match=Lower(Trim("value")))
    person = conflicts.filter(
        kind=ConflictKind.PERSON, match=Lower(Trim(OuterRef("application__email")))
    )
    employer = conflicts.filter(
        kind=ConflictKind.EMPLOYER, match=Lower(Trim(OuterRef("application__employer")))
    ).exclude(match="")
    number = conflicts.filter(
        kind=ConflictKind.APPLICATION,
        value=Cast(OuterRef("application_id"), output_field=CharField()),
    )
    return (
        ReviewAssignment.objects.filter(
            application__cohort=cohort,
            is_active=True,
            application__status__in=REVIEWABLE_STATUSES,
        )
        .filter(Exists(person) | Exists(employer) | Exists(number))
        .select_related("application", "reviewer")
        .order_by("application_id", "id")
    )


def programme_has_blind_review(*, programme: Programme) -> bool:
    return Cohort.objects.filter(programme=programme, is_blind_review=True).exists()


def assignment_run_latest(*, cohort: Cohort) -> AssignmentRun | None:
    """The cohort's most recent "assign reviewers" run, with who asked for it."""
    return (
        AssignmentRun.objects.filter(cohort=cohort)
        .select_related("requested_by")
        .order_by("-created_at", "-id")
        .first()
    )


def assignment_list_for_reviewer(
    *, reviewer: User, cohort_id: int | None = None
) -> QuerySet[ReviewAssignment]:
    """The reviewer's active assignments, in their own programmes only; of one cohort when
    `cohort_id` is given."""
    assignments = ReviewAssignment.objects.filter(
        reviewer=reviewer,
        is_active=True,
        application__status__in=REVIEWABLE_STATUSES,
        application__cohort__programme__roles__user=reviewer,
        application__cohort__programme__roles__role=RoleKind.REVIEWER,
    )
    if cohort_id is not None:
        assignments = assignments.filter(application__cohort_id=cohort_id)
    return (
        assignments.select_related("application__cohort__programme")
        .prefetch_related(Prefetch("review", queryset=Review.objects.all()))
        .distinct()
        .order_by("application__cohort_id", "id")
    )


def cohort_list_for_reviewer(*, reviewer: User) -> list[Cohort]:
    """The cohorts the reviewer has active assignments in, for the queue's filter; one query."""
    cohort_ids = (
        assignment_list_for_reviewer(reviewer=reviewer).order_by().values("application__cohort_id")
    )
    return list(
        Cohort.objects.filter(pk__in=cohort_ids)
        .select_related("programme")
        .order_by("programme__name", "-opens_at", "pk")
    )


def assignment_get_for_reviewer(*, reviewer: User, assignment_id: int) -> ReviewAssignment | None:
    """An active assignment of this reviewer in a programme where they still review; else None."""
    if not reviewer.is_authenticated:
        return None
    return (
        ReviewAssignment.objects.filter(
            pk=assignment_id,
            reviewer=reviewer,
            is_active=True,
            application__status__in=REVIEWABLE_STATUSES,
            application__cohort__programme__roles__user=reviewer,
            application__cohort__programme__roles__role=RoleKind.REVIEWER,
        )
        .select_related("application__cohort__programme", "application__applicant")
        .first()
    )


def review_of(assignment: ReviewAssignment) -> Review | None:
    return Review.objects.filter(assignment=assignment).first()


def review_counts_for_reviewer(*, reviewer: User, cohort_id: int | None = None) -> dict[str, int]:
    return (
        assignment_list_for_reviewer(reviewer=reviewer, cohort_id=cohort_id)
        .order_by()
        .aggregate(
            total=Count("id", distinct=True),
            done=Count("id", filter=Q(review__is_submitted=True), distinct=True),
        )
    )


def next_unreviewed(
    *, reviewer: User, after: ReviewAssignment | None = None, cohort_id: int | None = None
) -> ReviewAssignment | None:
    pending = assignment_list_for_reviewer(reviewer=reviewer, cohort_id=cohort_id).filter(
        Q(review__isnull=True) | Q(review__is_submitted=False)
    )
    if after is not None:
        pending = pending.exclude(pk=after.pk)
    return pending.first()


def other_reviews(*, assignment: ReviewAssignment) -> list[Review]:
    return list(
        Review.objects.filter(
            assignment__application=assignment.application,
            assignment__is_active=True,
            is_submitted=True,
        )
        .exclude(assignment=assignment)
        .select_related("assignment__reviewer")
    )


@dataclass(frozen=True)
class ReviewerProgress:
    reviewer: User
    assigned: int
    submitted: int

    @property
    def remaining(self) -> int:
        return self.assigned - self.submitted

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.assigned) if self.assigned else 100


def reviewer_progress(*, cohort: Cohort) -> list[ReviewerProgress]:
    rows = (
        ReviewAssignment.objects.filter(
            application__cohort=cohort, is_active=True, application__status__in=REVIEWABLE_STATUSES
        )
        .values("reviewer")
        .annotate(assigned=Count("id"), submitted=Count("id", filter=Q(review__is_submitted=True)))
        .order_by()
    )
    counts = {row["reviewer"]: row for row in rows}
    users = User.objects.in_bulk(list(counts))
    return sorted(
        (
            ReviewerProgress(users[pk], row["assigned"], row["submitted"])
            for pk, row in counts.items()
        ),
        key=lambda p: (-p.remaining, p.reviewer.email),
    )


def is_overdue(cohort: Cohort) -> bool:
    return bool(cohort.review_deadline and timezone.now() > cohort.review_deadline)


def disagreements(*, cohort: Cohort, threshold: float) -> QuerySet[Application]:
    """Reviewed applications whose reviewers' totals differ by at least `threshold`."""
    return Application.objects.filter(
        cohort=cohort, review_count__gte=2, score_spread__gte=threshold
    ).order_by("-score_spread", "pk")


def score_histogram(
    *, cohort: Cohort, scale_min: int, scale_max: int, buckets_per_point: int = 2
) -> tuple[list[str], list[int]]:
    """Counts of applications per score band (raw scores), for the dashboard chart."""
    width = 1 / buckets_per_point
    edges = [
        scale_min + i * width for i in range(int((scale_max - scale_min) * buckets_per_point) + 1)
    ]
    counts = [0] * (len(edges))
    for score in Application.objects.filter(cohort=cohort, raw_score__isnull=False).values_list(
        "raw_score", flat=True
    ):
        index = min(int((score - scale_min) / width), len(edges) - 1)
        counts[index] += 1
    labels = [f"{edge:g}" for edge in edges]
    return labels, counts


def ranking(*, cohort: Cohort, order: str) -> QuerySet[Application]:
    field = "normalized_score" if order == "normalized" else "raw_score"
    return Application.objects.filter(cohort=cohort, review_count__gt=0).order_by(
        F(field).desc(nulls_last=True), "-review_count", "pk"
    )


def reviewers_with_open_reviews(*, cohort: Cohort) -> list[int]:
    return list(
        ReviewAssignment.objects.filter(
            application__cohort=cohort, is_active=True, application__status__in=REVIEWABLE_STATUSES
        )
        .filter(Q(review__isnull=True) | Q(review__is_submitted=False))
        .values_list("reviewer_id", flat=True)
        .distinct()
    )


def reviewer_role_exists(*, user: User, programme: Programme) -> bool:
    return ProgrammeRole.objects.filter(
        user=user, programme=programme, role=RoleKind.REVIEWER
    ).exists()
