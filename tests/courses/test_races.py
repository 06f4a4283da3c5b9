"""Courses under concurrency, on PostgreSQL with real threads: the last place of an elective,
the limit of electives, check-in racing the roster's "everyone present", and two reminder
beats at once."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from courses import checkin, services
from courses.enums import AttendanceSource, CourseKind, EnrollmentStatus
from courses.models import Attendance, ClassSession, Enrollment
from notifications.models import EmailMessage, Notification
from programmes.enums import RoleKind
from tests.factories import (
    ClassSessionFactory,
    CohortFactory,
    CourseFactory,
    EnrollmentFactory,
    ParticipantFactory,
    ProgrammeRoleFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FULL = "This course is full."
LIMIT = "You can take at most 1 electives and have chosen 1; drop one first."


def _race(target, args_list):
    """Run `target(*args)` for each args in threads that start together; return what each
    returned or the message of the CoursesError it raised."""
    barrier = threading.Barrier(len(args_list))
    outcomes: list = []
    crashes: list[BaseException] = []
    lock = threading.Lock()

    def run(*args):
        try:
            barrier.wait()
            outcome = target(*args)
        except services.CoursesError as exc:
            outcome = str(exc)
        except Exception as exc:  # noqa: BLE001 - a deadlock, say: fail the test, not the thread
            with lock:
                crashes.append(exc)
            return
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if crashes:
        raise crashes[0]
    return outcomes


def _people(cohort, count: int):
    return [ParticipantFactory(application__cohort=cohort).user for _ in range(count)]


def test_two_participants_racing_for_the_last_place_get_one_enrolment():
    cohort = CohortFactory()
    elective = CourseFactory(
        programme=cohort.programme, kind=CourseKind.ELECTIVE, capacity=1, cohorts=[cohort]
    )
    first, second = _people(cohort, 2)

    outcomes = _race(
        lambda user: services.elective_choose(course=elective, cohort=cohort, user=user),
        [(first,), (second,)],
    )

    assert sorted(isinstance(o, Enrollment) for o in outcomes) == [False, True]
    assert [o for o in outcomes if isinstance(o, str)] == [FULL]
    assert Enrollment.objects.filter(course=elective, status=EnrollmentStatus.ACTIVE).count() == 1


def test_ten_participants_racing_for_three_places_get_three():
    cohort = CohortFactory()
    elective = CourseFactory(
        programme=cohort.programme, kind=CourseKind.ELECTIVE, capacity=3, cohorts=[cohort]
    )
    people = _people(cohort, 10)

    outcomes = _race(
        lambda user: services.elective_choose(course=elective, cohort=cohort, user=user),
        [(user,) for user in people],
    )

    assert sorted(o for o in outcomes if isinstance(o, str)) == [FULL] * 7
    assert Enrollment.objects.filter(course=elective).count() == 3


def test_one_participant_choosing_two_electives_at_once_within_a_limit_of_one_gets_one():
    cohort = CohortFactory()
    admin = ProgrammeRoleFactory(programme=cohort.programme, role=RoleKind.PROGRAMME_ADMIN).user
    services.settings_save(programme=cohort.programme, max_electives=1, actor=admin)
    electives = [
        CourseFactory(programme=cohort.programme, kind=CourseKind.ELECTIVE, cohorts=[cohort])
        for _ in range(2)
    ]
    [user] = _people(cohort, 1)

    outcomes = _race(
        lambda course: services.elective_choose(course=course, cohort=cohort, user=user),
        [(course,) for course in electives],
    )

    assert [o for o in outcomes if isinstance(o, str)] == [LIMIT]
    assert Enrollment.objects.filter(user=user, status=EnrollmentStatus.ACTIVE).count() == 1


def test_the_same_elective_chosen_twice_at_once_is_one_row():
    cohort = CohortFactory()
    elective = CourseFactory(
        programme=cohort.programme, kind=CourseKind.ELECTIVE, capacity=5, cohorts=[cohort]
    )
    [user] = _people(cohort, 1)

    outcomes = _race(
        lambda: services.elective_choose(course=elective, cohort=cohort, user=user), [(), ()]
    )

    assert len({o.pk for o in outcomes}) == 1
    assert Enrollment.objects.count() == 1


def test_a_participant_choosing_an_elective_as_staff_enrol_them_is_one_row():
    cohort = CohortFactory()
    admin = ProgrammeRoleFactory(programme=cohort.programme, role=RoleKind.PROGRAMME_ADMIN).user
    electives = [
        CourseFactory(programme=cohort.programme, kind=CourseKind.ELECTIVE, cohorts=[cohort])
        for _ in range(4)
    ]
    people = _people(cohort, 4)

    def act(how, course, user):
        if how == "staff":
            return services.enrol_by_staff(
                course=course, cohort=cohort, email=user.email, actor=admin
            )
        return services.elective_choose(course=course, cohort=cohort, user=user)

    outcomes = _race(
        act,
        [
            (how, course, user)
            for course, user in zip(electives, people, strict=True)
            for how in ("staff", "self")
        ],
    )

    refused = sorted(o for o in outcomes if isinstance(o, str))
    assert len(refused) <= 4
    assert all(o.endswith("is already enrolled.") for o in refused)
    assert Enrollment.objects.count() == 4
    assert Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE).count() == 4


def test_everyone_present_racing_check_ins_leaves_one_row_per_person():
    cohort = CohortFactory()
    course = CourseFactory(programme=cohort.programme, cohorts=[cohort])
    instructor = ProgrammeRoleFactory(programme=cohort.programme, role=RoleKind.STAFF).user
    now = timezone.now()
    session = ClassSessionFactory(
        course=course,
        cohort=cohort,
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=2),
        instructor=instructor,
    )
    people = _people(cohort, 8)
    for user in people:
        EnrollmentFactory(course=course, cohort=cohort, user=user)
    token = checkin.code_for(session.pk, now).token

    def act(user):
        if user is None:
            return services.attendance_mark_all_present(session=session, actor=instructor, now=now)
        return services.check_in_with_token(session=session, user=user, token=token, now=now)

    outcomes = _race(act, [(None,), *[(user,) for user in people]])

    assert not [o for o in outcomes if isinstance(o, str)]
    marks = list(Attendance.objects.filter(session=session).values_list("user", "status"))
    assert sorted(user for user, _ in marks) == sorted(user.pk for user in people)
    assert {status for _, status in marks} == {"present"}
    checked_in = Attendance.objects.filter(source=AttendanceSource.CHECK_IN).count()
    # Whoever checked in before the roster was written says so; the others were "already" in.
    assert sum(1 for o in outcomes if isinstance(o, services.CheckIn) and not o.already) == (
        checked_in
    )


def test_one_person_checking_in_from_two_devices_at_once_is_one_row():
    cohort = CohortFactory()
    course = CourseFactory(programme=cohort.programme, cohorts=[cohort])
    now = timezone.now()
    session = ClassSessionFactory(
        course=course,
        cohort=cohort,
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=2),
    )
    [user] = _people(cohort, 1)
    EnrollmentFactory(course=course, cohort=cohort, user=user)
    code = checkin.code_for(session.pk, now)

    outcomes = _race(
        lambda how: (
            services.check_in_with_token(session=session, user=user, token=code.token, now=now)
            if how == "token"
            else services.check_in_with_code(user=user, code=code.short, now=now)
        ),
        [("token",), ("code",), ("token",)],
    )

    assert sorted(o.already for o in outcomes) == [False, True, True]
    assert Attendance.objects.count() == 1


def test_two_reminder_beats_at_once_remind_each_person_once():
    cohort = CohortFactory()
    course = CourseFactory(programme=cohort.programme, cohorts=[cohort])
    instructor = ProgrammeRoleFactory(programme=cohort.programme, role=RoleKind.STAFF).user
    now = timezone.now()
    sessions = [
        ClassSessionFactory(
            course=course,
            cohort=cohort,
            starts_at=now + datetime.timedelta(hours=hours),
            ends_at=now + datetime.timedelta(hours=hours + 2),
            instructor=instructor,
        )
        for hours in (2, 5, 20)
    ]
    people = _people(cohort, 6)
    for user in people:
        EnrollmentFactory(course=course, cohort=cohort, user=user)

    outcomes = _race(lambda: services.reminders_send(now=now), [(), ()])

    assert sum(outcomes) == 3
    reminders = Notification.objects.filter(kind="courses.session_reminder")
    assert reminders.count() == 3 * 7
    assert reminders.values("recipient", "dedupe_key").distinct().count() == 3 * 7
    assert EmailMessage.objects.filter(kind="courses.session_reminder").count() == 3 * 7
    assert ClassSession.objects.filter(reminder_sent_at=now).count() == len(sessions)
