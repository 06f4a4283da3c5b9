import datetime

import factory
from django.utils import timezone

from certificates.enums import CertificateStatus, Requirement, RunStatus
from certificates.models import Certificate, CertificationRule, IssueRun, SignOff, Waiver
from certificates.services import new_code

from .accounts import UserFactory
from .cohorts import CohortFactory
from .courses import (
    AssessmentFactory,
    AssessmentResultFactory,
    AttendanceFactory,
    ClassSessionFactory,
    CourseFactory,
    EnrollmentFactory,
)
from .mentoring import MentoringSessionFactory, PairingFactory
from .selection import ParticipantFactory


class CertificationRuleFactory(factory.django.DjangoModelFactory):
    """A rule asking only for one mentoring session; `required_courses=[...]` adds courses."""

    class Meta:
        model = CertificationRule
        skip_postgeneration_save = True

    cohort = factory.SubFactory(CohortFactory)
    min_mentoring_sessions = 1
    assessments_must_pass = False
    achievement_name = factory.LazyAttribute(lambda o: f"{o.cohort.programme.name} graduate")
    achievement_description = "Completed the programme's courses and mentoring."

    @factory.post_generation
    def required_courses(self, create, extracted, **kwargs):
        if create and extracted:
            self.required_courses.set(extracted)


class WaiverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Waiver

    cohort = factory.SubFactory(CohortFactory)
    user = factory.SubFactory(UserFactory)
    requirement = Requirement.MENTORING
    reason = "Mentor left the programme in week 3."
    waived_by = factory.SubFactory(UserFactory)


class SignOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignOff

    cohort = factory.SubFactory(CohortFactory)
    user = factory.SubFactory(UserFactory)
    signed_by = factory.SubFactory(UserFactory)


class CertificateFactory(factory.django.DjangoModelFactory):
    """A stored certificate row, without PDF or signed credential (services.certificate_issue
    makes real ones)."""

    class Meta:
        model = Certificate

    code = factory.LazyFunction(new_code)
    cohort = factory.SubFactory(CohortFactory)
    user = factory.SubFactory(UserFactory)
    holder_name = factory.LazyAttribute(lambda o: o.user.display_name or o.user.email)
    programme_name = factory.LazyAttribute(lambda o: o.cohort.programme.name)
    cohort_name = factory.LazyAttribute(lambda o: o.cohort.name)
    issuer_name = "Cohortline"
    issued_on = factory.LazyFunction(timezone.localdate)
    status = CertificateStatus.VALID


class IssueRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IssueRun

    cohort = factory.SubFactory(CohortFactory)
    requested_by = factory.SubFactory(UserFactory)
    status = RunStatus.QUEUED


def mentored_participant(cohort, *, sessions: int = 1, name: str = ""):
    """A participant of `cohort` with a mentor and `sessions` confirmed sessions."""
    extra = {"application__applicant__display_name": name} if name else {}
    participant = ParticipantFactory(application__cohort=cohort, **extra)
    pairing = PairingFactory(cohort=cohort, mentee=participant.user)
    for _ in range(sessions):
        MentoringSessionFactory(pairing=pairing)
    return participant.user


def held_course(cohort, **fields):
    """A course of the cohort's programme with one session held and one quiz already due."""
    course = CourseFactory(programme=cohort.programme, cohorts=[cohort], **fields)
    start = timezone.now() - datetime.timedelta(days=3)
    ClassSessionFactory(course=course, cohort=cohort, starts_at=start)
    AssessmentFactory(course=course, due_on=timezone.localdate() - datetime.timedelta(days=1))
    return course


def course_taken(course, cohort, user, *, attended: bool = True, score=75) -> None:
    """`user` enrolled in a `held_course`, present (or absent) and their quiz marked."""
    EnrollmentFactory(course=course, cohort=cohort, user=user)
    if attended:
        AttendanceFactory(session=course.sessions.get(cohort=cohort), user=user)
    AssessmentResultFactory(assessment=course.assessments.get(), user=user, score=score)
