"""Courses react to selection's signals: a participant who joins is enrolled in the required
courses of their cohort; one who leaves is withdrawn from its courses and keeps their history."""

import datetime

import pytest
from django.utils import timezone

from applications import services as application_services
from courses.enums import AttendanceStatus, CourseKind, EnrollmentSource, EnrollmentStatus
from courses.models import AssessmentResult, Attendance, Enrollment
from selection import services as selection_services
from selection.models import Participant
from selection.signals import participant_joined, participant_left
from tests.factories import (
    AssessmentFactory,
    AssessmentResultFactory,
    AttendanceFactory,
    ClassSessionFactory,
    CohortFactory,
    CourseFactory,
    EnrollmentFactory,
    OfferFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(programme):
    return CohortFactory(
        programme=programme,
        slug="main",
        name="Main intake",
        decisions_released_at=timezone.now() - datetime.timedelta(days=1),
    )


@pytest.fixture
def courses(programme, cohort):
    """Two required courses and an elective of the cohort, and a required course of another."""
    other = CohortFactory(programme=programme)
    return {
        "AI101": CourseFactory(programme=programme, code="AI101", cohorts=[cohort]),
        "AI102": CourseFactory(programme=programme, code="AI102", cohorts=[cohort, other]),
        "AI201": CourseFactory(
            programme=programme, code="AI201", kind=CourseKind.ELECTIVE, cohorts=[cohort]
        ),
        "AI301": CourseFactory(programme=programme, code="AI301", cohorts=[other]),
    }


def _join(cohort) -> Participant:
    """An applicant accepts their offer through selection's real flow (participant_joined)."""
    offer = OfferFactory(application__cohort=cohort)
    return selection_services.offer_accept(offer=offer, user=offer.application.applicant)


def _mine(user) -> list[tuple[str, str, str]]:
    return sorted(
        Enrollment.objects.filter(user=user).values_list("course__code", "status", "source")
    )


def test_accepting_an_offer_enrols_in_the_cohorts_required_courses(cohort, courses):
    participant = _join(cohort)

    assert _mine(participant.user) == [
        ("AI101", EnrollmentStatus.ACTIVE, EnrollmentSource.AUTOMATIC),
        ("AI102", EnrollmentStatus.ACTIVE, EnrollmentSource.AUTOMATIC),
    ]
    assert set(Enrollment.objects.values_list("cohort", flat=True)) == {cohort.pk}


def test_participant_joined_sent_as_selection_sends_it_enrols(cohort, courses):
    participant = ParticipantFactory(application__cohort=cohort)

    participant_joined.send(sender=Participant, participant=participant)
    participant_joined.send(sender=Participant, participant=participant)  # a repeat is harmless

    assert _mine(participant.user) == [
        ("AI101", EnrollmentStatus.ACTIVE, EnrollmentSource.AUTOMATIC),
        ("AI102", EnrollmentStatus.ACTIVE, EnrollmentSource.AUTOMATIC),
    ]


def test_joining_a_cohort_without_courses_enrols_in_nothing(programme):
    participant = _join(
        CohortFactory(
            programme=programme, decisions_released_at=timezone.now() - datetime.timedelta(days=1)
        )
    )
    assert not Enrollment.objects.filter(user=participant.user).exists()


def test_withdrawing_an_accepted_application_withdraws_from_the_cohorts_courses(cohort, courses):
    participant = _join(cohort)
    user = participant.user
    EnrollmentFactory(
        course=courses["AI201"], cohort=cohort, user=user, source=EnrollmentSource.CHOSEN
    )
    session = ClassSessionFactory(
        course=courses["AI101"],
        cohort=cohort,
        starts_at=timezone.now() - datetime.timedelta(days=2),
    )
    AttendanceFactory(session=session, user=user, status=AttendanceStatus.LATE)
    AssessmentResultFactory(assessment=AssessmentFactory(course=courses["AI101"]), user=user)

    application_services.application_withdraw(
        application=participant.application, actor=user, reason="New job"
    )

    assert not Participant.objects.filter(user=user).exists()
    assert _mine(user) == [
        ("AI101", EnrollmentStatus.WITHDRAWN, EnrollmentSource.AUTOMATIC),
        ("AI102", EnrollmentStatus.WITHDRAWN, EnrollmentSource.AUTOMATIC),
        ("AI201", EnrollmentStatus.WITHDRAWN, EnrollmentSource.CHOSEN),
    ]
    assert Attendance.objects.get().status == AttendanceStatus.LATE
    assert AssessmentResult.objects.filter(user=user).count() == 1


def test_participant_left_sent_as_selection_sends_it_withdraws_from_that_cohort_only(
    programme, cohort, courses
):
    participant = ParticipantFactory(application__cohort=cohort)
    participant_joined.send(sender=Participant, participant=participant)
    # The same person in another cohort of the programme keeps that cohort's course.
    other = courses["AI301"].cohorts.get()
    EnrollmentFactory(course=courses["AI301"], cohort=other, user=participant.user)

    Participant.objects.filter(pk=participant.pk).delete()  # as selection deletes the seat
    participant_left.send(sender=Participant, participant=participant)

    assert _mine(participant.user) == [
        ("AI101", EnrollmentStatus.WITHDRAWN, EnrollmentSource.AUTOMATIC),
        ("AI102", EnrollmentStatus.WITHDRAWN, EnrollmentSource.AUTOMATIC),
        ("AI301", EnrollmentStatus.ACTIVE, EnrollmentSource.AUTOMATIC),
    ]


def test_the_receivers_are_connected_once():
    joined = [key[0] for key, *_ in participant_joined.receivers]
    left = [key[0] for key, *_ in participant_left.receivers]
    assert (joined.count("courses.enrol_required"), left.count("courses.withdraw")) == (1, 1)
