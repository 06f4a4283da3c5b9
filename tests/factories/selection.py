import datetime
from decimal import Decimal

import factory
from django.db.models import Max
from django.utils import timezone

from applications.enums import ApplicationStatus
from programmes.enums import RoleKind
from selection.enums import OfferStatus, RunStatus, ScoreKind
from selection.models import Offer, Participant, Quota, SelectionRun

from .applications import ApplicationFactory
from .cohorts import CohortFactory
from .programmes import ProgrammeRoleFactory


def _admin_of(programme):
    return ProgrammeRoleFactory(programme=programme, role=RoleKind.PROGRAMME_ADMIN).user


def _next_number(cohort) -> int:
    """Runs are numbered 1, 2, 3… per cohort, as selection_run_start numbers them."""
    return (SelectionRun.objects.filter(cohort=cohort).aggregate(n=Max("number"))["n"] or 0) + 1


class QuotaFactory(factory.django.DjangoModelFactory):
    """At least 20% of the seats for frontline workers."""

    class Meta:
        model = Quota

    cohort = factory.SubFactory(CohortFactory)
    name = factory.Sequence(lambda n: f"Quota {n}")
    attribute = "job_level"
    values = factory.LazyFunction(lambda: ["frontline"])
    min_percent = Decimal(20)
    max_percent = None


class SelectionRunFactory(factory.django.DjangoModelFactory):
    """A finished (not committed) run of the cohort, numbered after its last one.

    `committed=True` gives the cohort's committed run; a cohort has at most one."""

    class Meta:
        model = SelectionRun

    class Params:
        committed = factory.Trait(
            status=RunStatus.COMMITTED,
            committed_at=factory.LazyFunction(timezone.now),
            committed_by=factory.SelfAttribute("author"),
        )

    cohort = factory.SubFactory(CohortFactory)
    author = factory.LazyAttribute(lambda o: _admin_of(o.cohort.programme))
    number = factory.LazyAttribute(lambda o: _next_number(o.cohort))
    status = RunStatus.DONE
    progress = 100
    attempts = 1
    score_kind = ScoreKind.RAW
    seats = factory.LazyAttribute(lambda o: o.cohort.capacity)
    min_reviews = 1
    seed = factory.Sequence(lambda n: n + 1)
    result_status = "optimal"
    duration_ms = 1


def _committed_run(cohort) -> SelectionRun:
    """The cohort's committed run, made when it has none."""
    run = SelectionRun.objects.filter(cohort=cohort, status=RunStatus.COMMITTED).first()
    return run or SelectionRunFactory(cohort=cohort, committed=True)


class OfferFactory(factory.django.DjangoModelFactory):
    """An open offer of a seat, from the cohort's committed run, answerable for a week."""

    class Meta:
        model = Offer

    application = factory.SubFactory(ApplicationFactory, status=ApplicationStatus.OFFERED)
    run = factory.LazyAttribute(lambda o: _committed_run(o.application.cohort))
    status = OfferStatus.OPEN
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))


class ParticipantFactory(factory.django.DjangoModelFactory):
    """The applicant of an accepted application, a member of its cohort."""

    class Meta:
        model = Participant

    application = factory.SubFactory(ApplicationFactory, status=ApplicationStatus.ACCEPTED)
    cohort = factory.SelfAttribute("application.cohort")
    user = factory.SelfAttribute("application.applicant")
