import factory
from django.utils import timezone

from applications.enums import ApplicationStatus
from programmes.enums import RoleKind
from reviews.enums import ConflictKind, JobStatus, Recommendation
from reviews.models import (
    AssignmentRun,
    ConflictOfInterest,
    Review,
    ReviewAssignment,
    ReviewCriterion,
)

from .applications import ApplicationFactory
from .cohorts import CohortFactory
from .programmes import ProgrammeFactory, ProgrammeRoleFactory


def _member(programme, role: str):
    """A new user holding `role` in `programme`."""
    return ProgrammeRoleFactory(programme=programme, role=role).user


class ReviewCriterionFactory(factory.django.DjangoModelFactory):
    """One line of the rubric, scored 1 to 5 with weight 1."""

    class Meta:
        model = ReviewCriterion

    cohort = factory.SubFactory(CohortFactory)
    position = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 1
    scale_min = 1
    scale_max = 5
    is_required = True


class ReviewAssignmentFactory(factory.django.DjangoModelFactory):
    """An application in review given to a reviewer of its programme (a new one unless passed)."""

    class Meta:
        model = ReviewAssignment

    application = factory.SubFactory(ApplicationFactory, status=ApplicationStatus.IN_REVIEW)
    reviewer = factory.LazyAttribute(
        lambda o: _member(o.application.cohort.programme, RoleKind.REVIEWER)
    )
    is_active = True


class ReviewFactory(factory.django.DjangoModelFactory):
    """A reviewer's draft review; `submitted=True` gives a submitted one with a recommendation."""

    class Meta:
        model = Review

    class Params:
        submitted = factory.Trait(
            is_submitted=True,
            submitted_at=factory.LazyFunction(timezone.now),
            recommendation=Recommendation.YES,
        )

    assignment = factory.SubFactory(ReviewAssignmentFactory)
    scores = factory.LazyFunction(dict)
    comment = ""
    is_submitted = False


class ConflictOfInterestFactory(factory.django.DjangoModelFactory):
    """A reviewer of the programme declaring a conflict with an employer."""

    class Meta:
        model = ConflictOfInterest

    programme = factory.SubFactory(ProgrammeFactory)
    reviewer = factory.LazyAttribute(lambda o: _member(o.programme, RoleKind.REVIEWER))
    kind = ConflictKind.EMPLOYER
    value = factory.Sequence(lambda n: f"Employer {n} Ltd")


class AssignmentRunFactory(factory.django.DjangoModelFactory):
    """A finished "assign reviewers" run, requested by an admin of the cohort's programme.

    Finished, so that several can exist for one cohort (only one may be queued or running)."""

    class Meta:
        model = AssignmentRun

    cohort = factory.SubFactory(CohortFactory)
    requested_by = factory.LazyAttribute(
        lambda o: _member(o.cohort.programme, RoleKind.PROGRAMME_ADMIN)
    )
    status = JobStatus.DONE
    progress = 100
    attempts = 1
    claimed_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)
