import datetime

import factory
from django.db.models import Max
from django.utils import timezone

from mentoring.enums import (
    ForbiddenSource,
    LoggedBy,
    MatchingMode,
    PairingSource,
    PairingStatus,
    RunStatus,
    SessionMode,
)
from mentoring.models import (
    ForbiddenPair,
    MatchingRun,
    MenteePreference,
    MentoringSession,
    MentorProfile,
    Pairing,
)
from programmes.enums import RoleKind

from .cohorts import CohortFactory
from .programmes import ProgrammeFactory, ProgrammeRoleFactory
from .selection import ParticipantFactory


class MentorProfileFactory(factory.django.DjangoModelFactory):
    """A mentor of the programme (holding the mentor role) who takes three mentees."""

    class Meta:
        model = MentorProfile
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    user = factory.LazyAttribute(
        lambda o: ProgrammeRoleFactory(programme=o.programme, role=RoleKind.MENTOR).user
    )
    expertise = factory.LazyFunction(lambda: ["mlops", "python"])
    industries = factory.LazyFunction(lambda: ["ict"])
    languages = factory.LazyFunction(lambda: ["en"])
    employer = factory.Sequence(lambda n: f"Mentor Employer {n}")
    bio = "Twenty years in data engineering."
    availability = "Tuesday evenings"
    capacity = 3


class MenteePreferenceFactory(factory.django.DjangoModelFactory):
    """A participant's wishes: Python and MLOps, in English, from the ICT sector."""

    class Meta:
        model = MenteePreference
        skip_postgeneration_save = True

    cohort = factory.SubFactory(CohortFactory)
    user = factory.LazyAttribute(lambda o: ParticipantFactory(application__cohort=o.cohort).user)
    goals = "Move from support into ML engineering."
    topics = factory.LazyFunction(lambda: ["python", "mlops"])
    languages = factory.LazyFunction(lambda: ["en"])
    industry = "ict"


class ForbiddenPairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForbiddenPair

    mentor = factory.SubFactory(MentorProfileFactory)
    programme = factory.SelfAttribute("mentor.programme")
    mentee = factory.LazyAttribute(
        lambda o: ParticipantFactory(application__cohort__programme=o.programme).user
    )
    source = ForbiddenSource.ADMIN
    reason = "Line manager of the mentee."


def _next_number(cohort) -> int:
    return (MatchingRun.objects.filter(cohort=cohort).aggregate(n=Max("number"))["n"] or 0) + 1


class MatchingRunFactory(factory.django.DjangoModelFactory):
    """A run's preview, optimal, with the default weights."""

    class Meta:
        model = MatchingRun

    cohort = factory.SubFactory(CohortFactory)
    number = factory.LazyAttribute(lambda o: _next_number(o.cohort))
    mode = MatchingMode.OPTIMAL
    weights = factory.LazyFunction(
        lambda: {"topics": 3.0, "language": 2.0, "industry": 1.0, "wish": 2.0}
    )
    language_required = True
    status = RunStatus.PREVIEW
    summary = factory.LazyFunction(dict)


class PairingFactory(factory.django.DjangoModelFactory):
    """An active pairing of a participant and a mentor, introduced a week ago."""

    class Meta:
        model = Pairing

    cohort = factory.SubFactory(CohortFactory)
    mentee = factory.LazyAttribute(lambda o: ParticipantFactory(application__cohort=o.cohort).user)
    mentor = factory.SubFactory(
        MentorProfileFactory, programme=factory.SelfAttribute("..cohort.programme")
    )
    status = PairingStatus.ACTIVE
    source = PairingSource.ALGORITHM
    score = 5.0
    explanation = "shares 2 of 2 topics (mlops, python); a shared language (English)"
    started_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7))


class MentoringSessionFactory(factory.django.DjangoModelFactory):
    """An hour's video call the mentor logged yesterday, not yet rated."""

    class Meta:
        model = MentoringSession

    pairing = factory.SubFactory(PairingFactory)
    held_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    minutes = 60
    mode = SessionMode.VIDEO
    topics = "Model serving"
    summary = "Walked through a FastAPI model server."
    private_notes = "Needs confidence with Docker."
    logged_by = LoggedBy.MENTOR
    mentor_confirmed = True
