import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from courses.enums import (
    AssessmentKind,
    AttendanceSource,
    AttendanceStatus,
    CourseKind,
    EnrollmentSource,
    EnrollmentStatus,
)
from courses.models import (
    Assessment,
    AssessmentResult,
    Attendance,
    CalendarFeed,
    ClassSession,
    Course,
    Enrollment,
)

from .accounts import UserFactory
from .cohorts import CohortFactory
from .programmes import ProgrammeFactory


class CourseFactory(factory.django.DjangoModelFactory):
    """A required course of a programme; `cohorts=[...]` offers it to cohorts."""

    class Meta:
        model = Course
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"AI{100 + n}")
    title = factory.Sequence(lambda n: f"Applied AI, part {n + 1}")
    description = "Hands-on sessions with real data."
    kind = CourseKind.REQUIRED
    hours = Decimal("24")

    @factory.post_generation
    def cohorts(self, create, extracted, **kwargs):
        if create and extracted:
            self.cohorts.set(extracted)

    @factory.post_generation
    def instructors(self, create, extracted, **kwargs):
        if create and extracted:
            self.instructors.set(extracted)


class ClassSessionFactory(factory.django.DjangoModelFactory):
    """A two-hour session of a course for a cohort, a week from now by default."""

    class Meta:
        model = ClassSession

    course = factory.SubFactory(CourseFactory)
    cohort = factory.SubFactory(
        CohortFactory, programme=factory.SelfAttribute("..course.programme")
    )
    title = factory.Sequence(lambda n: f"Week {n + 1}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    place = "Lab 2, 10 Science Park Road"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        session = super()._create(model_class, *args, **kwargs)
        session.course.cohorts.add(session.cohort)
        return session


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    course = factory.SubFactory(CourseFactory)
    cohort = factory.SubFactory(
        CohortFactory, programme=factory.SelfAttribute("..course.programme")
    )
    user = factory.SubFactory(UserFactory)
    status = EnrollmentStatus.ACTIVE
    source = EnrollmentSource.AUTOMATIC


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(ClassSessionFactory)
    user = factory.SubFactory(UserFactory)
    status = AttendanceStatus.PRESENT
    source = AttendanceSource.ROSTER


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    course = factory.SubFactory(CourseFactory)
    name = factory.Sequence(lambda n: f"Quiz {n + 1}")
    kind = AssessmentKind.QUIZ
    max_score = Decimal("100")
    pass_mark = Decimal("50")
    weight = Decimal("1")
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))


class AssessmentResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentResult

    assessment = factory.SubFactory(AssessmentFactory)
    user = factory.SubFactory(UserFactory)
    score = Decimal("75")


class CalendarFeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarFeed

    user = factory.SubFactory(UserFactory)
