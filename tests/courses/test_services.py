"""Courses services: courses and the cohorts they are offered to, automatic, chosen and staff
enrolments, sessions moved and cancelled, the roster and self check-in, assessments and
results (one by one and from CSV), messages, calendar feeds and the reminders a day ahead.

The clock stands at NOW (Tuesday 1 December 2026, 18:00 in Singapore) unless a test moves it.
"""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from core.models import AuditEntry
from courses import checkin, services
from courses.enums import (
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
from courses.services import CoursesError, ImportRejected
from notifications.models import EmailMessage, Notification
from tests.factories import (
    AssessmentFactory,
    AssessmentResultFactory,
    AttendanceFactory,
    ClassSessionFactory,
    CohortFactory,
    CourseFactory,
    EnrollmentFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal
NOW = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC)
# Tuesday 8 December 2026, 19:00 in Singapore: a week ahead, at the start of a check-in window.
CLASS = datetime.datetime(2026, 12, 8, 11, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
DAY = datetime.timedelta(days=1)

NOT_OPEN = (
    "Check-in for this session is closed: it opens 15 minutes before the start and closes "
    "when the session ends."
)
NOTHING_OPEN = (
    "None of your sessions is open for check-in now: check-in opens 15 minutes before a session "
    "starts and closes when it ends."
)
WRONG_CODE = (
    "This code is not valid for your session now: codes change every 30 seconds. Type the code "
    "on the screen again."
)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="Main intake", slug="main")


@pytest.fixture
def other_cohort(programme):
    return CohortFactory(programme=programme, name="Evening intake", slug="evening")


@pytest.fixture
def ai101(programme, cohort, staff):
    """A required course offered to the main cohort, taught by the `staff` persona."""
    return CourseFactory(
        programme=programme,
        code="AI101",
        title="Foundations of machine learning",
        cohorts=[cohort],
        instructors=[staff],
    )


def _email(name: str) -> str:
    return name.lower().replace(" ", ".") + "@example.com"


def _person(cohort, name: str):
    """A participant of the cohort (made without the joining signal: no enrolment)."""
    return ParticipantFactory(
        application__cohort=cohort,
        application__applicant__display_name=name,
        application__applicant__email=_email(name),
    ).user


def _enrolled(course, cohort, name: str, **kwargs):
    user = _person(cohort, name)
    EnrollmentFactory(course=course, cohort=cohort, user=user, **kwargs)
    return user


def _elective(programme, cohort, code: str, **kwargs) -> Course:
    return CourseFactory(
        programme=programme, code=code, kind=CourseKind.ELECTIVE, cohorts=[cohort], **kwargs
    )


def _session(course, cohort, *, starts_at=CLASS, hours: int = 2, **kwargs) -> ClassSession:
    return ClassSessionFactory(
        course=course,
        cohort=cohort,
        starts_at=starts_at,
        ends_at=starts_at + hours * HOUR,
        **kwargs,
    )


def _enrolments(course) -> list[tuple[str, str, str]]:
    """(name, status, source) of everyone with an enrolment row in the course, sorted."""
    return sorted(
        Enrollment.objects.filter(course=course).values_list(
            "user__display_name", "status", "source"
        )
    )


def _notified(kind: str) -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__display_name", "text")
    )


def _mailed(kind: str) -> list[str]:
    return sorted(EmailMessage.objects.filter(kind=kind).values_list("to_email", flat=True))


def _audits(action: str) -> list[dict]:
    return list(
        AuditEntry.objects.filter(action=action).order_by("id").values_list("data", flat=True)
    )


def _says(message: str) -> str:
    """For pytest.raises(match=...): exactly this message."""
    return f"^{re.escape(message)}$"


def _new_course(programme, code: str = "AI101", kind: str = CourseKind.REQUIRED) -> Course:
    """What the course form hands to the service: an unsaved, validated instance."""
    return Course(
        programme=programme,
        code=code,
        title="Foundations of machine learning",
        kind=kind,
        hours=D("24"),
    )


# --- courses -------------------------------------------------------------------------------------


def test_course_save_creates_a_required_course_and_enrols_the_cohort(
    programme, cohort, other_cohort, staff, programme_admin
):
    _person(cohort, "Ana Lim")
    _person(cohort, "Ben Tan")
    _person(other_cohort, "Chen Wei")

    course, enrolled = services.course_save(
        course=_new_course(programme), cohorts=[cohort], instructors=[staff], actor=programme_admin
    )

    assert enrolled == 2
    assert _enrolments(course) == [
        ("Ana Lim", EnrollmentStatus.ACTIVE, EnrollmentSource.AUTOMATIC),
        ("Ben Tan", EnrollmentStatus.ACTIVE, EnrollmentSource.AUTOMATIC),
    ]
    assert set(Enrollment.objects.values_list("cohort", flat=True)) == {cohort.pk}
    assert list(course.instructors.all()) == [staff]
    assert list(course.cohorts.all()) == [cohort]
    assert _audits("courses.course_create") == [
        {"code": "AI101", "kind": "required", "cohorts": [cohort.pk], "enrolled": 2}
    ]


def test_course_save_of_an_elective_enrols_nobody(programme, cohort, programme_admin):
    _person(cohort, "Ana Lim")

    _course, enrolled = services.course_save(
        course=_new_course(programme, kind=CourseKind.ELECTIVE),
        cohorts=[cohort],
        instructors=[],
        actor=programme_admin,
    )

    assert enrolled == 0
    assert not Enrollment.objects.exists()


def test_course_save_refuses_a_code_the_programme_already_has(
    programme, other_programme, cohort, programme_admin
):
    CourseFactory(programme=programme, code="AI101")

    with pytest.raises(CoursesError) as error:
        services.course_save(
            course=_new_course(programme), cohorts=[cohort], instructors=[], actor=programme_admin
        )

    assert str(error.value) == "The programme already has a course with this code."
    assert Course.objects.filter(programme=programme).count() == 1
    assert not _audits("courses.course_create")
    # Another programme may use the same code.
    course, _ = services.course_save(
        course=_new_course(other_programme), cohorts=[], instructors=[], actor=programme_admin
    )
    assert course.code == "AI101"


def test_course_save_refuses_a_cohort_of_another_programme(
    programme, cohort, other_programme, programme_admin
):
    theirs = CohortFactory(programme=other_programme)
    _person(theirs, "Olga Other")

    with pytest.raises(CoursesError) as error:
        services.course_save(
            course=_new_course(programme),
            cohorts=[cohort, theirs],
            instructors=[],
            actor=programme_admin,
        )

    assert str(error.value) == "A course is offered only to cohorts of its own programme."
    assert not Course.objects.exists()
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("who", ["mentor", "reviewer", "outsider", "other_programme_admin"])
def test_course_save_refuses_an_instructor_who_is_not_on_the_programmes_staff(
    programme, cohort, programme_admin, request, who
):
    person = request.getfixturevalue(who)

    with pytest.raises(CoursesError) as error:
        services.course_save(
            course=_new_course(programme),
            cohorts=[cohort],
            instructors=[person],
            actor=programme_admin,
        )

    assert str(error.value) == f"{person.display_name} is not on the programme's staff."
    assert not Course.objects.exists()


def test_course_save_accepts_staff_and_programme_admins_as_instructors(
    programme, cohort, staff, programme_admin
):
    course, _ = services.course_save(
        course=_new_course(programme),
        cohorts=[cohort],
        instructors=[staff, programme_admin],
        actor=programme_admin,
    )
    assert set(course.instructors.all()) == {staff, programme_admin}


def test_course_save_offering_another_cohort_enrols_only_the_newcomers(
    ai101, cohort, other_cohort, programme_admin, staff
):
    kept_out = _enrolled(ai101, cohort, "Ana Lim", status=EnrollmentStatus.WITHDRAWN)
    _enrolled(ai101, cohort, "Ben Tan")
    _person(cohort, "Chen Wei")
    _person(other_cohort, "Dara Singh")

    course, enrolled = services.course_save(
        course=ai101, cohorts=[cohort, other_cohort], instructors=[staff], actor=programme_admin
    )

    assert enrolled == 2  # Chen and Dara; Ana was withdrawn by staff and stays so
    assert _enrolments(course) == [
        ("Ana Lim", EnrollmentStatus.WITHDRAWN, EnrollmentSource.AUTOMATIC),
        ("Ben Tan", EnrollmentStatus.ACTIVE, EnrollmentSource.AUTOMATIC),
        ("Chen Wei", EnrollmentStatus.ACTIVE, EnrollmentSource.AUTOMATIC),
        ("Dara Singh", EnrollmentStatus.ACTIVE, EnrollmentSource.AUTOMATIC),
    ]
    assert kept_out.enrollments.get().status == EnrollmentStatus.WITHDRAWN
    # Saving again changes nothing.
    assert services.course_save(
        course=ai101, cohorts=[cohort, other_cohort], instructors=[staff], actor=programme_admin
    ) == (ai101, 0)
    assert _audits("courses.course_update")[-1]["enrolled"] == 0


def test_course_save_refuses_to_drop_a_cohort_that_has_sessions(
    ai101, cohort, other_cohort, programme_admin
):
    ai101.cohorts.add(other_cohort)
    _session(ai101, other_cohort, is_cancelled=True)

    with pytest.raises(CoursesError) as error:
        services.course_save(course=ai101, cohorts=[cohort], instructors=[], actor=programme_admin)

    assert str(error.value) == (
        "A cohort that has sessions of this course cannot be removed from it; delete or cancel "
        "its sessions first."
    )
    assert set(ai101.cohorts.all()) == {cohort, other_cohort}
    assert list(ai101.instructors.all())  # unchanged too


def test_course_save_dropping_a_cohort_withdraws_its_enrolments(
    ai101, cohort, other_cohort, programme_admin
):
    ai101.cohorts.add(other_cohort)
    _enrolled(ai101, cohort, "Ana Lim")
    _enrolled(ai101, other_cohort, "Dara Singh")
    _session(ai101, cohort)

    course, enrolled = services.course_save(
        course=ai101, cohorts=[cohort], instructors=[], actor=programme_admin
    )

    assert enrolled == 0
    assert list(course.cohorts.all()) == [cohort]
    assert _enrolments(course) == [
        ("Ana Lim", EnrollmentStatus.ACTIVE, EnrollmentSource.AUTOMATIC),
        ("Dara Singh", EnrollmentStatus.WITHDRAWN, EnrollmentSource.AUTOMATIC),
    ]


def test_settings_save_sets_the_limit_of_electives(programme, programme_admin):
    found = services.settings_save(programme=programme, max_electives=1, actor=programme_admin)
    again = services.settings_save(programme=programme, max_electives=3, actor=programme_admin)
    assert found.pk == again.pk
    again.refresh_from_db()
    assert again.max_electives == 3
    assert _audits("courses.settings_save") == [{"max_electives": 1}, {"max_electives": 3}]


# --- enrolment on joining and leaving ------------------------------------------------------------


def test_enrol_required_enrols_in_the_cohorts_required_courses_only(
    programme, ai101, cohort, other_cohort
):
    _elective(programme, cohort, "AI201")
    CourseFactory(programme=programme, code="AI102", cohorts=[other_cohort])
    participant = ParticipantFactory(application__cohort=cohort)

    assert services.enrol_required(participant=participant) == 1

    enrollment = Enrollment.objects.get()
    assert (enrollment.course, enrollment.cohort, enrollment.user) == (
        ai101,
        cohort,
        participant.user,
    )
    assert (enrollment.status, enrollment.source) == (
        EnrollmentStatus.ACTIVE,
        EnrollmentSource.AUTOMATIC,
    )


def test_enrol_required_brings_back_a_withdrawn_enrolment_without_a_second_row(ai101, cohort):
    participant = ParticipantFactory(application__cohort=cohort)
    EnrollmentFactory(
        course=ai101, cohort=cohort, user=participant.user, status=EnrollmentStatus.WITHDRAWN
    )

    assert services.enrol_required(participant=participant) == 1
    assert services.enrol_required(participant=participant) == 1

    assert Enrollment.objects.get().status == EnrollmentStatus.ACTIVE


def test_withdraw_leaver_withdraws_from_the_cohorts_courses_and_keeps_attendance(
    programme, ai101, cohort, other_cohort
):
    elective = _elective(programme, cohort, "AI201")
    ana = _enrolled(ai101, cohort, "Ana Lim")
    EnrollmentFactory(course=elective, cohort=cohort, user=ana, source=EnrollmentSource.CHOSEN)
    elsewhere = CourseFactory(programme=programme, cohorts=[other_cohort])
    EnrollmentFactory(course=elsewhere, cohort=other_cohort, user=ana)
    held = _session(ai101, cohort, starts_at=NOW - DAY)
    AttendanceFactory(session=held, user=ana)

    assert services.withdraw_leaver(cohort_id=cohort.pk, user_id=ana.pk) == 2
    assert services.withdraw_leaver(cohort_id=cohort.pk, user_id=ana.pk) == 0

    assert sorted(
        Enrollment.objects.filter(user=ana).values_list("course__code", "status")
    ) == sorted(
        [
            ("AI101", EnrollmentStatus.WITHDRAWN),
            ("AI201", EnrollmentStatus.WITHDRAWN),
            (elsewhere.code, EnrollmentStatus.ACTIVE),
        ]
    )
    assert Attendance.objects.filter(user=ana).count() == 1


# --- electives -----------------------------------------------------------------------------------


def test_elective_choose_enrols_the_participant(programme, cohort):
    elective = _elective(programme, cohort, "AI201")
    ana = _person(cohort, "Ana Lim")

    enrollment = services.elective_choose(course=elective, cohort=cohort, user=ana)

    assert (enrollment.course, enrollment.cohort, enrollment.user) == (elective, cohort, ana)
    assert (enrollment.status, enrollment.source) == (
        EnrollmentStatus.ACTIVE,
        EnrollmentSource.CHOSEN,
    )
    entry = AuditEntry.objects.get(action="courses.elective_choose")
    assert (entry.actor, entry.target_id) == (ana, str(enrollment.pk))


def test_elective_choose_refuses_a_required_course(ai101, cohort):
    ana = _person(cohort, "Ana Lim")
    with pytest.raises(
        CoursesError, match=_says("Required courses are not chosen: everyone takes them.")
    ):
        services.elective_choose(course=ai101, cohort=cohort, user=ana)


def test_elective_choose_refuses_someone_who_is_not_a_participant_of_the_cohort(
    programme, cohort, other_cohort, outsider
):
    elective = _elective(programme, cohort, "AI201")
    elective.cohorts.add(other_cohort)
    dara = _person(other_cohort, "Dara Singh")

    for user in (outsider, dara):
        with pytest.raises(CoursesError) as error:
            services.elective_choose(course=elective, cohort=cohort, user=user)
        assert str(error.value) == "Only participants of the cohort can take its courses."
    assert not Enrollment.objects.exists()


def test_elective_choose_refuses_a_course_not_offered_to_the_cohort(
    programme, cohort, other_cohort
):
    elective = _elective(programme, other_cohort, "AI201")
    ana = _person(cohort, "Ana Lim")

    with pytest.raises(CoursesError, match=_says("This course is not offered to your cohort.")):
        services.elective_choose(course=elective, cohort=cohort, user=ana)
    assert not Enrollment.objects.exists()


def test_elective_choose_twice_is_one_enrolment(programme, cohort):
    elective = _elective(programme, cohort, "AI201")
    ana = _person(cohort, "Ana Lim")

    first = services.elective_choose(course=elective, cohort=cohort, user=ana)
    second = services.elective_choose(course=elective, cohort=cohort, user=ana)

    assert first.pk == second.pk
    assert Enrollment.objects.count() == 1
    assert len(_audits("courses.elective_choose")) == 1


def test_elective_choose_keeps_within_the_programmes_limit(programme, cohort, programme_admin):
    ana = _person(cohort, "Ana Lim")
    electives = [_elective(programme, cohort, f"AI20{n}") for n in range(3)]
    required = CourseFactory(programme=programme, cohorts=[cohort])
    EnrollmentFactory(course=required, cohort=cohort, user=ana)  # required ones do not count

    # The default limit is two.
    services.elective_choose(course=electives[0], cohort=cohort, user=ana)
    services.elective_choose(course=electives[1], cohort=cohort, user=ana)
    with pytest.raises(CoursesError) as error:
        services.elective_choose(course=electives[2], cohort=cohort, user=ana)
    assert str(error.value) == (
        "You can take at most 2 electives and have chosen 2; drop one first."
    )

    services.settings_save(programme=programme, max_electives=1, actor=programme_admin)
    with pytest.raises(CoursesError, match="at most 1 electives and have chosen 2"):
        services.elective_choose(course=electives[2], cohort=cohort, user=ana)
    assert Enrollment.objects.filter(user=ana, course__kind=CourseKind.ELECTIVE).count() == 2


def test_elective_choose_keeps_within_the_courses_places(programme, cohort, other_cohort):
    elective = _elective(programme, cohort, "AI201", capacity=2)
    elective.cohorts.add(other_cohort)
    # Places are counted across cohorts; a withdrawn enrolment frees its place.
    _enrolled(elective, other_cohort, "Dara Singh", source=EnrollmentSource.CHOSEN)
    _enrolled(elective, cohort, "Eve Ong", status=EnrollmentStatus.WITHDRAWN)
    ana = _person(cohort, "Ana Lim")
    ben = _person(cohort, "Ben Tan")

    services.elective_choose(course=elective, cohort=cohort, user=ana)
    with pytest.raises(CoursesError, match=_says("This course is full.")):
        services.elective_choose(course=elective, cohort=cohort, user=ben)

    assert not Enrollment.objects.filter(user=ben).exists()


def test_elective_choose_refuses_a_course_that_has_started(programme, cohort, other_cohort):
    elective = _elective(programme, cohort, "AI201")
    elective.cohorts.add(other_cohort)
    ana = _person(cohort, "Ana Lim")
    # Cancelled sessions and another cohort's sessions do not start the course for this one.
    _session(elective, cohort, starts_at=NOW - DAY, is_cancelled=True)
    _session(elective, other_cohort, starts_at=NOW - DAY)
    _session(elective, cohort, starts_at=NOW + DAY)

    services.elective_choose(course=elective, cohort=cohort, user=ana)
    services.elective_drop(enrollment=ana.enrollments.get(), user=ana)

    _session(elective, cohort, starts_at=NOW - MINUTE)
    with pytest.raises(CoursesError) as error:
        services.elective_choose(course=elective, cohort=cohort, user=ana)
    assert str(error.value) == (
        "This course has started; ask the programme team if you want to join it."
    )
    assert ana.enrollments.get().status == EnrollmentStatus.WITHDRAWN


def test_elective_choose_after_a_drop_brings_back_the_same_row(programme, cohort):
    elective = _elective(programme, cohort, "AI201")
    ana = _person(cohort, "Ana Lim")
    first = services.elective_choose(course=elective, cohort=cohort, user=ana)
    services.elective_drop(enrollment=first, user=ana)

    again = services.elective_choose(course=elective, cohort=cohort, user=ana)

    assert again.pk == first.pk
    assert (again.status, again.source) == (EnrollmentStatus.ACTIVE, EnrollmentSource.CHOSEN)
    assert Enrollment.objects.count() == 1


def test_elective_drop_withdraws_and_is_safe_to_repeat(programme, cohort):
    elective = _elective(programme, cohort, "AI201")
    ana = _person(cohort, "Ana Lim")
    enrollment = services.elective_choose(course=elective, cohort=cohort, user=ana)

    dropped = services.elective_drop(enrollment=enrollment, user=ana)
    again = services.elective_drop(enrollment=enrollment, user=ana)

    assert dropped.status == again.status == EnrollmentStatus.WITHDRAWN
    assert len(_audits("courses.elective_drop")) == 1
    # The place is free again, and the limit counts only active electives.
    assert services.elective_choose(
        course=_elective(programme, cohort, "AI202"), cohort=cohort, user=ana
    )


def test_elective_drop_refuses_someone_elses_or_a_required_enrolment(programme, ai101, cohort):
    elective = _elective(programme, cohort, "AI201")
    ana = _person(cohort, "Ana Lim")
    ben = _person(cohort, "Ben Tan")
    anas = services.elective_choose(course=elective, cohort=cohort, user=ana)
    required = EnrollmentFactory(course=ai101, cohort=cohort, user=ben)

    for enrollment in (anas, required):
        with pytest.raises(CoursesError, match=_says("Only electives you chose can be dropped.")):
            services.elective_drop(enrollment=enrollment, user=ben)

    assert {e.status for e in Enrollment.objects.all()} == {EnrollmentStatus.ACTIVE}


def test_elective_drop_refuses_once_the_course_has_started(programme, cohort):
    elective = _elective(programme, cohort, "AI201")
    ana = _person(cohort, "Ana Lim")
    enrollment = services.elective_choose(course=elective, cohort=cohort, user=ana)
    _session(elective, cohort, starts_at=NOW - HOUR)

    with pytest.raises(CoursesError) as error:
        services.elective_drop(enrollment=enrollment, user=ana)

    assert str(error.value) == (
        "This course has started; ask the programme team if you need to leave it."
    )
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE


# --- enrolment by staff --------------------------------------------------------------------------


def test_enrol_by_staff_finds_the_participant_by_email(programme, cohort, programme_admin):
    elective = _elective(programme, cohort, "AI201", capacity=1)
    _enrolled(elective, cohort, "Ben Tan", source=EnrollmentSource.CHOSEN)
    ana = _person(cohort, "Ana Lim")

    # Limits do not apply: the course is full.
    enrollment = services.enrol_by_staff(
        course=elective, cohort=cohort, email="  ANA.Lim@Example.com ", actor=programme_admin
    )

    assert (enrollment.user, enrollment.status, enrollment.source) == (
        ana,
        EnrollmentStatus.ACTIVE,
        EnrollmentSource.STAFF,
    )
    assert _audits("courses.enrol") == [{"user_id": ana.pk}]


def test_enrol_by_staff_refuses_a_cohort_the_course_is_not_offered_to(
    ai101, other_cohort, programme_admin
):
    dara = _person(other_cohort, "Dara Singh")
    with pytest.raises(CoursesError, match=_says("The course is not offered to this cohort.")):
        services.enrol_by_staff(
            course=ai101, cohort=other_cohort, email=dara.email, actor=programme_admin
        )
    assert not Enrollment.objects.exists()


def test_enrol_by_staff_refuses_someone_who_is_not_a_participant_of_the_cohort(
    ai101, cohort, other_cohort, programme_admin, outsider
):
    dara = _person(other_cohort, "Dara Singh")
    for email in (outsider.email, dara.email, "nobody@example.com"):
        with pytest.raises(CoursesError) as error:
            services.enrol_by_staff(course=ai101, cohort=cohort, email=email, actor=programme_admin)
        assert str(error.value) == f"No participant of Main intake has the email address {email}."
    assert not Enrollment.objects.exists()


def test_enrol_by_staff_refuses_someone_already_enrolled_and_brings_back_a_withdrawn_one(
    ai101, cohort, programme_admin
):
    ana = _enrolled(ai101, cohort, "Ana Lim")
    ben = _enrolled(ai101, cohort, "Ben Tan", status=EnrollmentStatus.WITHDRAWN)

    with pytest.raises(CoursesError, match=_says("Ana Lim is already enrolled.")):
        services.enrol_by_staff(course=ai101, cohort=cohort, email=ana.email, actor=programme_admin)
    back = services.enrol_by_staff(
        course=ai101, cohort=cohort, email=ben.email, actor=programme_admin
    )

    assert (back.status, back.source) == (EnrollmentStatus.ACTIVE, EnrollmentSource.STAFF)
    assert Enrollment.objects.count() == 2


def test_unenrol_by_staff_withdraws_and_keeps_attendance_and_results(
    ai101, cohort, programme_admin
):
    ana = _enrolled(ai101, cohort, "Ana Lim")
    enrollment = ana.enrollments.get()
    AttendanceFactory(session=_session(ai101, cohort, starts_at=NOW - DAY), user=ana)
    AssessmentResultFactory(assessment=AssessmentFactory(course=ai101), user=ana)

    services.unenrol_by_staff(enrollment=enrollment, actor=programme_admin)

    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.WITHDRAWN
    assert (Attendance.objects.count(), AssessmentResult.objects.count()) == (1, 1)
    assert _audits("courses.unenrol") == [{"user_id": ana.pk}]
    with pytest.raises(CoursesError, match=_says("This person is not enrolled any more.")):
        services.unenrol_by_staff(enrollment=enrollment, actor=programme_admin)


# --- sessions ------------------------------------------------------------------------------------


def _new_session(course, cohort, **fields) -> ClassSession:
    values = {
        "course": course,
        "cohort": cohort,
        "title": "Week 1: linear models",
        "starts_at": CLASS,
        "ends_at": CLASS + 2 * HOUR,
        "place": "Lab 2",
        **fields,
    }
    return ClassSession(**values)


def test_session_save_creates_a_session_quietly(ai101, cohort, staff, programme_admin):
    _enrolled(ai101, cohort, "Ana Lim")

    session = services.session_save(
        session=_new_session(ai101, cohort, instructor=staff), actor=programme_admin
    )

    assert ClassSession.objects.get() == session
    assert not Notification.objects.exists()
    assert _audits("courses.session_create") == [
        {"starts_at": CLASS.isoformat(), "ends_at": (CLASS + 2 * HOUR).isoformat()}
    ]


@pytest.mark.parametrize("who", ["mentor", "outsider", "other_programme_admin"])
def test_session_save_refuses_an_instructor_who_is_not_staff(
    ai101, cohort, programme_admin, request, who
):
    with pytest.raises(
        CoursesError, match=_says("The instructor must be on the programme's staff.")
    ):
        services.session_save(
            session=_new_session(ai101, cohort, instructor=request.getfixturevalue(who)),
            actor=programme_admin,
        )
    assert not ClassSession.objects.exists()


def test_session_save_refuses_a_cohort_the_course_is_not_offered_to(
    ai101, other_cohort, programme_admin
):
    with pytest.raises(CoursesError, match=_says("The course is not offered to this cohort.")):
        services.session_save(session=_new_session(ai101, other_cohort), actor=programme_admin)
    assert not ClassSession.objects.exists()


def test_session_save_refuses_a_session_that_ends_before_it_starts(ai101, cohort, programme_admin):
    with pytest.raises(CoursesError, match=_says("A session must end after it starts.")):
        services.session_save(
            session=_new_session(ai101, cohort, ends_at=CLASS), actor=programme_admin
        )
    assert not ClassSession.objects.exists()


def test_moving_a_session_tells_the_enrolled_and_arms_its_reminder_again(
    ai101, cohort, programme_admin
):
    _enrolled(ai101, cohort, "Ana Lim")
    _enrolled(ai101, cohort, "Ben Tan")
    _enrolled(ai101, cohort, "Eve Ong", status=EnrollmentStatus.WITHDRAWN)
    session = _session(ai101, cohort, reminder_sent_at=NOW)

    session.starts_at = CLASS + DAY
    session.ends_at = CLASS + DAY + 3 * HOUR
    services.session_save(session=session, actor=programme_admin)

    session.refresh_from_db()
    assert session.reminder_sent_at is None
    moved = "AI101 has moved: Wednesday 9 December 2026, 19:00–22:00 (Asia/Singapore)"
    assert _notified("courses.session_changed") == [("Ana Lim", moved), ("Ben Tan", moved)]
    assert _mailed("courses.session_changed") == ["ana.lim@example.com", "ben.tan@example.com"]
    assert Notification.objects.filter(kind="courses.session_changed").first().url == (
        "/courses/calendar/"
    )
    assert len(_audits("courses.session_update")) == 1


def test_a_new_place_is_announced_but_keeps_the_reminder_sent(ai101, cohort, programme_admin):
    _enrolled(ai101, cohort, "Ana Lim")
    session = _session(ai101, cohort, reminder_sent_at=NOW)

    session.place = "Lab 3"
    services.session_save(session=session, actor=programme_admin)
    session.online_url = "https://meet.example.org/ai101"
    services.session_save(session=session, actor=programme_admin)

    session.refresh_from_db()
    assert session.reminder_sent_at == NOW
    assert Notification.objects.filter(kind="courses.session_changed").count() == 2


def test_a_new_topic_or_instructor_is_saved_without_telling_anyone(
    ai101, cohort, staff, programme_admin
):
    _enrolled(ai101, cohort, "Ana Lim")
    session = _session(ai101, cohort, reminder_sent_at=NOW)

    session.title = "Week 2: trees"
    session.instructor = staff
    services.session_save(session=session, actor=programme_admin)

    session.refresh_from_db()
    assert (session.title, session.instructor, session.reminder_sent_at) == (
        "Week 2: trees",
        staff,
        NOW,
    )
    assert not Notification.objects.exists()


def test_moving_a_past_or_cancelled_session_tells_nobody(ai101, cohort, programme_admin):
    _enrolled(ai101, cohort, "Ana Lim")
    past = _session(ai101, cohort, starts_at=NOW - 3 * DAY)
    cancelled = _session(ai101, cohort, is_cancelled=True)

    past.starts_at = NOW - 2 * DAY
    past.ends_at = NOW - 2 * DAY + HOUR
    services.session_save(session=past, actor=programme_admin)
    cancelled.starts_at = CLASS + DAY
    cancelled.ends_at = CLASS + DAY + HOUR
    services.session_save(session=cancelled, actor=programme_admin)

    assert not Notification.objects.exists()
    assert len(_audits("courses.session_update")) == 2


def test_session_cancel_cancels_and_tells_the_enrolled(ai101, cohort, programme_admin):
    _enrolled(ai101, cohort, "Ana Lim")
    _enrolled(ai101, cohort, "Eve Ong", status=EnrollmentStatus.WITHDRAWN)
    session = _session(ai101, cohort)

    cancelled = services.session_cancel(session=session, actor=programme_admin)

    assert cancelled.is_cancelled
    assert ClassSession.objects.get().is_cancelled
    assert _notified("courses.session_changed") == [
        (
            "Ana Lim",
            "AI101 on Tuesday 8 December 2026, 19:00–21:00 (Asia/Singapore) is cancelled",
        )
    ]
    assert _mailed("courses.session_changed") == ["ana.lim@example.com"]
    assert len(_audits("courses.session_cancel")) == 1


def test_session_cancel_refuses_a_session_that_has_taken_place_or_is_cancelled(
    ai101, cohort, programme_admin
):
    _enrolled(ai101, cohort, "Ana Lim")
    past = _session(ai101, cohort, starts_at=NOW - 2 * HOUR)  # ended just now
    cancelled = _session(ai101, cohort, is_cancelled=True)

    with pytest.raises(CoursesError) as error:
        services.session_cancel(session=past, actor=programme_admin)
    assert str(error.value) == "A session that has already taken place cannot be cancelled."
    with pytest.raises(CoursesError, match=_says("This session is already cancelled.")):
        services.session_cancel(session=cancelled, actor=programme_admin)

    past.refresh_from_db()
    assert not past.is_cancelled
    assert not Notification.objects.exists()
    assert not _audits("courses.session_cancel")


def test_a_session_under_way_can_be_cancelled(ai101, cohort, programme_admin):
    session = _session(ai101, cohort, starts_at=NOW - HOUR)
    assert services.session_cancel(session=session, actor=programme_admin).is_cancelled


# --- the roster ----------------------------------------------------------------------------------


def test_attendance_mark_marks_and_corrects_one_row(ai101, cohort, staff):
    ana = _enrolled(ai101, cohort, "Ana Lim")
    session = _session(ai101, cohort, starts_at=NOW - HOUR)

    first = services.attendance_mark(
        session=session, user=ana, status=AttendanceStatus.PRESENT, actor=staff
    )
    second = services.attendance_mark(
        session=session, user=ana, status=AttendanceStatus.LATE, actor=staff
    )

    assert first.pk == second.pk
    mark = Attendance.objects.get()
    assert (mark.status, mark.source, mark.marked_by) == (
        AttendanceStatus.LATE,
        AttendanceSource.ROSTER,
        staff,
    )
    assert _audits("courses.attendance_mark") == [
        {"user_id": ana.pk, "status": "present"},
        {"user_id": ana.pk, "status": "late"},
    ]
    assert AuditEntry.objects.filter(action="courses.attendance_mark").first().actor == staff


@pytest.mark.parametrize(
    "status", [AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.ABSENT]
)
def test_attendance_mark_before_the_start_allows_only_excused(ai101, cohort, staff, status):
    ana = _enrolled(ai101, cohort, "Ana Lim")
    session = _session(ai101, cohort)

    with pytest.raises(CoursesError) as error:
        services.attendance_mark(session=session, user=ana, status=status, actor=staff)
    assert str(error.value) == (
        "The session has not started yet: only “excused” can be marked in advance."
    )
    services.attendance_mark(
        session=session, user=ana, status=AttendanceStatus.EXCUSED, actor=staff
    )
    assert Attendance.objects.get().status == AttendanceStatus.EXCUSED


def test_attendance_mark_refuses_someone_not_enrolled(ai101, cohort, other_cohort, staff):
    ai101.cohorts.add(other_cohort)
    session = _session(ai101, cohort, starts_at=NOW - HOUR)
    withdrawn = _enrolled(ai101, cohort, "Eve Ong", status=EnrollmentStatus.WITHDRAWN)
    elsewhere = _enrolled(ai101, other_cohort, "Dara Singh")  # the course, another cohort
    stranger = _person(cohort, "Finn Koh")

    for user in (withdrawn, elsewhere, stranger):
        with pytest.raises(CoursesError) as error:
            services.attendance_mark(
                session=session, user=user, status=AttendanceStatus.PRESENT, actor=staff
            )
        assert str(error.value) == f"{user.display_name} is not enrolled in this course."
    assert not Attendance.objects.exists()


def test_attendance_mark_refuses_a_cancelled_session_and_an_unknown_status(ai101, cohort, staff):
    ana = _enrolled(ai101, cohort, "Ana Lim")
    cancelled = _session(ai101, cohort, starts_at=NOW - HOUR, is_cancelled=True)
    held = _session(ai101, cohort, starts_at=NOW - HOUR)

    with pytest.raises(CoursesError, match=_says("This session was cancelled.")):
        services.attendance_mark(
            session=cancelled, user=ana, status=AttendanceStatus.PRESENT, actor=staff
        )
    with pytest.raises(CoursesError, match=_says("Choose present, late, excused or absent.")):
        services.attendance_mark(session=held, user=ana, status="asleep", actor=staff)
    assert not Attendance.objects.exists()


def test_attendance_mark_all_present_marks_only_the_unmarked(ai101, cohort, staff):
    session = _session(ai101, cohort, starts_at=NOW - HOUR)
    ana = _enrolled(ai101, cohort, "Ana Lim")
    ben = _enrolled(ai101, cohort, "Ben Tan")
    chen = _enrolled(ai101, cohort, "Chen Wei")
    eve = _enrolled(ai101, cohort, "Eve Ong", status=EnrollmentStatus.WITHDRAWN)
    AttendanceFactory(session=session, user=chen, status=AttendanceStatus.ABSENT)

    assert services.attendance_mark_all_present(session=session, actor=staff) == 2
    assert services.attendance_mark_all_present(session=session, actor=staff) == 0

    marks = dict(Attendance.objects.values_list("user", "status"))
    assert marks == {
        ana.pk: AttendanceStatus.PRESENT,
        ben.pk: AttendanceStatus.PRESENT,
        chen.pk: AttendanceStatus.ABSENT,
    }
    assert eve.pk not in marks
    assert set(
        Attendance.objects.filter(user__in=[ana, ben]).values_list("marked_by", flat=True)
    ) == {staff.pk}
    assert _audits("courses.attendance_all_present") == [{"count": 2}, {"count": 0}]


def test_attendance_mark_all_present_refuses_a_future_or_cancelled_session(ai101, cohort, staff):
    _enrolled(ai101, cohort, "Ana Lim")
    upcoming = _session(ai101, cohort)
    cancelled = _session(ai101, cohort, starts_at=NOW - HOUR, is_cancelled=True)

    with pytest.raises(CoursesError, match=_says("The session has not started yet.")):
        services.attendance_mark_all_present(session=upcoming, actor=staff)
    with pytest.raises(CoursesError, match=_says("This session was cancelled.")):
        services.attendance_mark_all_present(session=cancelled, actor=staff)
    assert not Attendance.objects.exists()


# --- self check-in -------------------------------------------------------------------------------


@pytest.fixture
def lesson(ai101, cohort, staff):
    """A two-hour session of AI101 from CLASS, taught by `staff`."""
    return _session(ai101, cohort, instructor=staff)


@pytest.fixture
def ana(ai101, cohort):
    return _enrolled(ai101, cohort, "Ana Lim")


def _token(session, moment) -> str:
    return checkin.code_for(session.pk, moment).token


def _short(session, moment) -> str:
    return checkin.code_for(session.pk, moment).short


@pytest.mark.parametrize(
    ("arrives", "status"),
    [
        (-15 * MINUTE, AttendanceStatus.PRESENT),
        (0 * MINUTE, AttendanceStatus.PRESENT),
        (15 * MINUTE, AttendanceStatus.PRESENT),
        (15 * MINUTE + datetime.timedelta(seconds=1), AttendanceStatus.LATE),
        (2 * HOUR - datetime.timedelta(seconds=1), AttendanceStatus.LATE),
    ],
)
def test_check_in_with_token_is_present_until_a_quarter_past_then_late(
    lesson, ana, arrives, status
):
    now = CLASS + arrives

    result = services.check_in_with_token(
        session=lesson, user=ana, token=_token(lesson, now), now=now
    )

    assert (result.session, result.already) == (lesson, False)
    mark = Attendance.objects.get()
    assert (mark.user, mark.status, mark.source, mark.marked_by) == (
        ana,
        status,
        AttendanceSource.CHECK_IN,
        None,
    )
    assert _audits("courses.check_in") == [{"status": status}]


def test_check_in_with_token_at_the_real_clock(lesson, ana, clock):
    clock.move_to(CLASS + 5 * MINUTE)
    token = _token(lesson, timezone.now())
    clock.move_to(CLASS + 5 * MINUTE + datetime.timedelta(seconds=45))  # the next window

    assert not services.check_in_with_token(session=lesson, user=ana, token=token).already
    assert Attendance.objects.get().status == AttendanceStatus.PRESENT


def test_check_in_twice_is_one_row(lesson, ana):
    now = CLASS + MINUTE
    token = _token(lesson, now)

    first = services.check_in_with_token(session=lesson, user=ana, token=token, now=now)
    replay = services.check_in_with_token(
        session=lesson, user=ana, token=token, now=now + 10 * datetime.timedelta(seconds=1)
    )
    later = services.check_in_with_code(
        user=ana, code=_short(lesson, now + 30 * MINUTE), now=now + 30 * MINUTE
    )

    assert (first.already, replay.already, later.already) == (False, True, True)
    mark = Attendance.objects.get()
    assert mark.status == AttendanceStatus.PRESENT  # not turned late by the later check-in
    assert len(_audits("courses.check_in")) == 1


def test_check_in_after_being_marked_present_on_the_roster_changes_nothing(lesson, ana, staff):
    AttendanceFactory(session=lesson, user=ana, status=AttendanceStatus.LATE, marked_by=staff)
    now = CLASS + MINUTE

    assert services.check_in_with_token(
        session=lesson, user=ana, token=_token(lesson, now), now=now
    ).already
    mark = Attendance.objects.get()
    assert (mark.status, mark.source, mark.marked_by) == (
        AttendanceStatus.LATE,
        AttendanceSource.ROSTER,
        staff,
    )


@pytest.mark.parametrize("earlier", [AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED])
def test_check_in_turns_an_absent_or_excused_mark_into_attendance(lesson, ana, staff, earlier):
    AttendanceFactory(session=lesson, user=ana, status=earlier, marked_by=staff)
    now = CLASS + 20 * MINUTE

    assert not services.check_in_with_token(
        session=lesson, user=ana, token=_token(lesson, now), now=now
    ).already
    mark = Attendance.objects.get()
    assert (mark.status, mark.source, mark.marked_by) == (
        AttendanceStatus.LATE,
        AttendanceSource.CHECK_IN,
        None,
    )


def test_check_in_with_an_expired_token_is_refused(lesson, ana):
    now = CLASS + 5 * MINUTE
    assert not services.check_in_with_token(
        session=lesson,
        user=ana,
        token=_token(lesson, now - 30 * datetime.timedelta(seconds=1)),
        now=now,
    ).already
    Attendance.objects.all().delete()

    with pytest.raises(CoursesError) as error:
        services.check_in_with_token(
            session=lesson, user=ana, token=_token(lesson, now - 2 * MINUTE), now=now
        )
    assert str(error.value) == (
        "This code has expired: codes change every 30 seconds. Scan the code on the screen again."
    )
    assert not Attendance.objects.exists()


def test_check_in_with_another_sessions_token_or_a_forged_one_is_refused(
    ai101, cohort, lesson, ana
):
    other = _session(ai101, cohort, starts_at=CLASS)
    now = CLASS + MINUTE

    with pytest.raises(CoursesError, match=_says("This code is for another session.")):
        services.check_in_with_token(session=lesson, user=ana, token=_token(other, now), now=now)
    with pytest.raises(CoursesError, match=re.escape("This check-in code is not valid")):
        services.check_in_with_token(
            session=lesson, user=ana, token=_token(lesson, now)[:-2], now=now
        )
    assert not Attendance.objects.exists()


def test_check_in_refuses_someone_not_enrolled(ai101, cohort, lesson, outsider, staff):
    withdrawn = _enrolled(ai101, cohort, "Eve Ong", status=EnrollmentStatus.WITHDRAWN)
    now = CLASS + MINUTE

    for user in (withdrawn, outsider, staff):
        with pytest.raises(CoursesError) as error:
            services.check_in_with_token(
                session=lesson, user=user, token=_token(lesson, now), now=now
            )
        assert str(error.value) == (
            "You are not enrolled in AI101, so you cannot check in to its session."
        )
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    "moment",
    [CLASS - 15 * MINUTE - datetime.timedelta(seconds=1), CLASS + 2 * HOUR, CLASS + DAY],
    ids=["before it opens", "as it ends", "the day after"],
)
def test_check_in_outside_the_window_is_refused(lesson, ana, moment):
    with pytest.raises(CoursesError) as error:
        services.check_in_with_token(
            session=lesson, user=ana, token=_token(lesson, moment), now=moment
        )
    assert str(error.value) == NOT_OPEN
    assert not Attendance.objects.exists()


def test_check_in_to_a_cancelled_session_is_refused(lesson, ana, programme_admin):
    services.session_cancel(session=lesson, actor=programme_admin)
    lesson.refresh_from_db()
    now = CLASS + MINUTE

    with pytest.raises(CoursesError, match=re.escape("Check-in for this session is closed")):
        services.check_in_with_token(session=lesson, user=ana, token=_token(lesson, now), now=now)
    with pytest.raises(CoursesError) as error:
        services.check_in_with_code(user=ana, code=_short(lesson, now), now=now)
    assert str(error.value) == NOTHING_OPEN
    assert not Attendance.objects.exists()


def test_check_in_with_code_as_typed(lesson, ana):
    now = CLASS + 20 * MINUTE
    code = _short(lesson, now - 30 * datetime.timedelta(seconds=1))  # the previous window's
    typed = f" {code[:3].lower()}-{code[3:]} "

    result = services.check_in_with_code(user=ana, code=typed, now=now)

    assert (result.session, result.already) == (lesson, False)
    mark = Attendance.objects.get()
    assert (mark.session, mark.user, mark.status, mark.source) == (
        lesson,
        ana,
        AttendanceStatus.LATE,
        AttendanceSource.CHECK_IN,
    )


def test_check_in_with_a_stale_or_wrong_code_is_refused(ai101, cohort, lesson, ana):
    now = CLASS + MINUTE
    stranger = _session(CourseFactory(programme=ai101.programme, cohorts=[cohort]), cohort)

    for code in (
        _short(lesson, now - MINUTE),  # two windows old
        _short(stranger, now),  # a session she is not enrolled in
        "AAAAAA",
    ):
        with pytest.raises(CoursesError) as error:
            services.check_in_with_code(user=ana, code=code, now=now)
        assert str(error.value) == WRONG_CODE
    with pytest.raises(CoursesError, match=_says("Type the code shown on the screen.")):
        services.check_in_with_code(user=ana, code=" - ", now=now)
    assert not Attendance.objects.exists()


def test_check_in_with_code_when_no_session_is_open(lesson, ana):
    for moment in (CLASS - HOUR, CLASS + 2 * HOUR):
        with pytest.raises(CoursesError) as error:
            services.check_in_with_code(user=ana, code=_short(lesson, moment), now=moment)
        assert str(error.value) == NOTHING_OPEN


def test_check_in_with_code_finds_the_right_one_of_two_open_sessions(
    programme, ai101, cohort, lesson, ana
):
    other_course = CourseFactory(programme=programme, code="AI102", cohorts=[cohort])
    EnrollmentFactory(course=other_course, cohort=cohort, user=ana)
    overlapping = _session(other_course, cohort, starts_at=CLASS + 30 * MINUTE)
    now = CLASS + 20 * MINUTE

    result = services.check_in_with_code(user=ana, code=_short(overlapping, now), now=now)

    assert result.session == overlapping
    assert list(Attendance.objects.values_list("session", "status")) == [
        (overlapping.pk, AttendanceStatus.PRESENT)
    ]


def test_the_instructor_cannot_check_in_to_their_own_session(lesson, staff):
    now = CLASS + MINUTE
    with pytest.raises(CoursesError) as error:
        services.check_in_with_code(user=staff, code=_short(lesson, now), now=now)
    assert str(error.value) == NOTHING_OPEN


# --- assessments and results ---------------------------------------------------------------------


def test_assessment_save_creates_and_updates(ai101, programme_admin):
    assessment = Assessment(
        course=ai101, name="Project", kind="project", max_score=D("40"), pass_mark=D("20")
    )

    services.assessment_save(assessment=assessment, actor=programme_admin)
    assessment.pass_mark = D("40")
    services.assessment_save(assessment=assessment, actor=programme_admin)

    assert Assessment.objects.get().pass_mark == D("40")
    assert _audits("courses.assessment_create") == [{"max_score": "40", "pass_mark": "20"}]
    assert _audits("courses.assessment_update") == [{"max_score": "40", "pass_mark": "40"}]


def test_assessment_save_refuses_a_pass_mark_above_the_maximum(ai101, programme_admin):
    assessment = Assessment(
        course=ai101, name="Project", kind="project", max_score=D("40"), pass_mark=D("40.01")
    )
    with pytest.raises(
        CoursesError, match=_says("The pass mark cannot be above the maximum score.")
    ):
        services.assessment_save(assessment=assessment, actor=programme_admin)
    assert not Assessment.objects.exists()


@pytest.fixture
def quiz(ai101):
    return AssessmentFactory(course=ai101, name="Quiz 1", max_score=D("20"), pass_mark=D("10"))


def test_result_record_records_and_corrects_one_row(quiz, ai101, cohort, staff):
    ana = _enrolled(ai101, cohort, "Ana Lim")

    first = services.result_record(
        assessment=quiz, user=ana, score="12.5", comment=" Good start ", actor=staff
    )
    second = services.result_record(
        assessment=quiz, user=ana, score="14,25", comment="", actor=staff
    )

    assert first.pk == second.pk
    result = AssessmentResult.objects.get()
    assert (result.score, result.comment, result.recorded_by) == (D("14.25"), "", staff)
    assert _audits("courses.result_record") == [
        {"user_id": ana.pk, "score": "12.5"},
        {"user_id": ana.pk, "score": "14.25"},
    ]


@pytest.mark.parametrize("score", [0, "0", D("20"), "20.00", " 7 ", "1.230", 3])
def test_result_record_accepts_scores_within_the_bounds(quiz, ai101, cohort, staff, score):
    ana = _enrolled(ai101, cohort, "Ana Lim")
    result = services.result_record(assessment=quiz, user=ana, score=score, comment="", actor=staff)
    result.refresh_from_db()
    assert result.score == D(str(score).strip())


@pytest.mark.parametrize(
    ("score", "message"),
    [
        ("-0.01", "The score must be between 0 and 20."),
        ("20.01", "The score must be between 0 and 20."),
        ("1e3", "The score must be between 0 and 20."),
        ("1.234", "Scores have at most two decimals."),
        ("0.001", "Scores have at most two decimals."),
        ("abc", "“abc” is not a number."),
        ("", "“” is not a number."),
        ("12 points", "“12 points” is not a number."),
        ("NaN", "“NaN” is not a number."),
        ("sNaN", "“sNaN” is not a number."),
        ("Infinity", "“Infinity” is not a number."),
        ("-inf", "“-inf” is not a number."),
        (None, "“None” is not a number."),
    ],
)
def test_result_record_refuses_a_score_that_is_not_one(quiz, ai101, cohort, staff, score, message):
    ana = _enrolled(ai101, cohort, "Ana Lim")
    with pytest.raises(CoursesError) as error:
        services.result_record(assessment=quiz, user=ana, score=score, comment="", actor=staff)
    assert str(error.value) == message
    assert not AssessmentResult.objects.exists()


def test_result_record_refuses_someone_not_enrolled(quiz, ai101, cohort, staff, outsider):
    withdrawn = _enrolled(ai101, cohort, "Eve Ong", status=EnrollmentStatus.WITHDRAWN)
    for user in (withdrawn, outsider):
        with pytest.raises(CoursesError) as error:
            services.result_record(assessment=quiz, user=user, score="10", comment="", actor=staff)
        assert str(error.value) == f"{user.display_name} is not enrolled in this course."
    assert not AssessmentResult.objects.exists()


# --- results from CSV ----------------------------------------------------------------------------


@pytest.fixture
def class_list(ai101, cohort):
    """Ana, Ben and Chen enrolled in AI101."""
    return [_enrolled(ai101, cohort, name) for name in ("Ana Lim", "Ben Tan", "Chen Wei")]


def _results(assessment) -> dict[str, tuple[Decimal, str]]:
    return {
        r.user.email: (r.score, r.comment)
        for r in AssessmentResult.objects.filter(assessment=assessment).select_related("user")
    }


@pytest.mark.parametrize(
    "data",
    [
        "ana.lim@example.com,15\nben.tan@example.com,9.5,Resit\n",
        "email,score,comment\nana.lim@example.com,15,\nben.tan@example.com,9.5,Resit\n",
        "Email;Score;Comment\r\nana.lim@example.com;15;\r\nben.tan@example.com;9,5;Resit\r\n",
        "ana.lim@example.com\t15\nben.tan@example.com\t9.5\tResit\n",
        b"\xef\xbb\xbfemail,score\nANA.LIM@example.com,15\n\n  \nben.tan@example.com,9.50,Resit\n",
        '"ana.lim@example.com","15"\n"ben.tan@example.com","9.5","Resit"\n',
    ],
    ids=["plain", "header", "semicolons", "tabs", "bom", "quoted"],
)
def test_results_import_reads_the_common_shapes_of_csv(quiz, class_list, staff, data):
    assert services.results_import(assessment=quiz, data=data, actor=staff) == 2
    assert _results(quiz) == {
        "ana.lim@example.com": (D("15"), ""),
        "ben.tan@example.com": (D("9.5"), "Resit"),
    }
    assert _audits("courses.results_import") == [{"created": 2, "updated": 0}]


def test_results_import_keeps_commas_and_semicolons_inside_comments(quiz, class_list, staff):
    data = (
        'ana.lim@example.com,15,"Clear, careful work"\n'
        "ben.tan@example.com,12,Tidy; thorough\n"
        "chen.wei@example.com,10,\n"
    )
    assert services.results_import(assessment=quiz, data=data, actor=staff) == 3
    assert _results(quiz)["ana.lim@example.com"] == (D("15"), "Clear, careful work")
    assert _results(quiz)["ben.tan@example.com"] == (D("12"), "Tidy; thorough")


def test_results_import_of_one_semicolon_row_with_a_decimal_comma(quiz, class_list, staff):
    """Excel in a European locale: semicolons between cells, commas in numbers."""
    assert services.results_import(assessment=quiz, data="ana.lim@example.com;7,5\n", actor=staff)
    assert _results(quiz) == {"ana.lim@example.com": (D("7.5"), "")}


def test_results_import_updates_existing_results(quiz, class_list, staff, programme_admin):
    ana, ben, _chen = class_list
    AssessmentResultFactory(assessment=quiz, user=ana, score=D("5"), recorded_by=staff)
    AssessmentResultFactory(assessment=quiz, user=ben, score=D("6"), comment="Kept")

    data = "email,score,comment\nana.lim@example.com,18,Much better\nchen.wei@example.com,11\n"
    assert services.results_import(assessment=quiz, data=data, actor=programme_admin) == 2

    assert _results(quiz) == {
        "ana.lim@example.com": (D("18"), "Much better"),
        "ben.tan@example.com": (D("6"), "Kept"),
        "chen.wei@example.com": (D("11"), ""),
    }
    assert set(
        AssessmentResult.objects.filter(user__in=[ana]).values_list("recorded_by", flat=True)
    ) == {programme_admin.pk}
    assert AssessmentResult.objects.count() == 3
    assert _audits("courses.results_import") == [{"created": 1, "updated": 1}]


def test_results_import_reports_every_bad_row_with_its_line_and_writes_nothing(
    quiz, class_list, staff, other_cohort
):
    ana = class_list[0]
    AssessmentResultFactory(assessment=quiz, user=ana, score=D("5"))
    elsewhere = _person(other_cohort, "Dara Singh")
    data = "\n".join(
        [
            "email,score,comment",
            "ana.lim@example.com,18",
            "nobody@example.com,10",
            "Ana.Lim@example.com,12",
            "ben.tan@example.com,21",
            "chen.wei@example.com,10,ok,extra",
            "ben.tan@example.com",
            "chen.wei@example.com,",
            "",
            f"{elsewhere.email},3",
            "ben.tan@example.com,ten",
        ]
    )

    with pytest.raises(ImportRejected) as error:
        services.results_import(assessment=quiz, data=data, actor=staff)

    assert error.value.errors == [
        (3, "nobody@example.com is not enrolled in this course."),
        (4, "Ana.Lim@example.com is also on line 2."),
        (5, "The score must be between 0 and 20."),
        (6, "Too many columns: expected email, score, comment."),
        (7, "Expected email, score and an optional comment."),
        (8, "“” is not a number."),
        (10, "dara.singh@example.com is not enrolled in this course."),
        (11, "“ten” is not a number."),
    ]
    assert str(error.value) == "Nothing was imported: 8 rows have problems."
    assert _results(quiz) == {"ana.lim@example.com": (D("5"), "")}
    assert not _audits("courses.results_import")


def test_results_import_of_a_semicolon_file_with_a_bad_row_names_that_row(quiz, class_list, staff):
    data = "email;score\nana.lim@example.com;15\nben.tan@example.com;12;ok;extra\n"
    with pytest.raises(ImportRejected) as error:
        services.results_import(assessment=quiz, data=data, actor=staff)
    assert error.value.errors == [(3, "Too many columns: expected email, score, comment.")]


def test_results_import_refuses_a_file_that_is_not_utf8(quiz, class_list, staff):
    data = "ana.lim@example.com,15,Très bien\n".encode("latin-1")
    with pytest.raises(ImportRejected) as error:
        services.results_import(assessment=quiz, data=data, actor=staff)
    assert error.value.errors == [(0, "The file is not UTF-8 text; save it as CSV UTF-8.")]
    assert not AssessmentResult.objects.exists()


@pytest.mark.parametrize("data", [b"", "", "email,score,comment\n", "\n\n ,  \n"])
def test_results_import_refuses_a_file_without_rows(quiz, class_list, staff, data):
    with pytest.raises(ImportRejected) as error:
        services.results_import(assessment=quiz, data=data, actor=staff)
    assert error.value.errors == [(0, "The file has no rows.")]


def test_results_import_refuses_more_than_five_thousand_rows(quiz, class_list, staff):
    data = "ana.lim@example.com,1\n" + "nobody@example.com,1\n" * 5000
    with pytest.raises(ImportRejected) as error:
        services.results_import(assessment=quiz, data=data, actor=staff)
    assert error.value.errors == [(0, "At most 5,000 rows can be imported at once.")]


# --- messages ------------------------------------------------------------------------------------


def test_message_participants_writes_to_each_and_is_audited(
    programme, ai101, cohort, programme_admin
):
    people = [_enrolled(ai101, cohort, name) for name in ("Ana Lim", "Ben Tan")]

    sent = services.message_participants(
        programme=programme,
        users=people,
        subject=" Your attendance in AI101 ",
        body="We noticed you missed the last two sessions.\n",
        actor=programme_admin,
    )

    assert sent == 2
    text = "Farah Osman of AI Forward 2026: Your attendance in AI101"
    assert _notified("courses.message") == [("Ana Lim", text), ("Ben Tan", text)]
    email = EmailMessage.objects.filter(kind="courses.message").first()
    assert email.subject == "Your attendance in AI101"
    assert "We noticed you missed the last two sessions." in email.body_text
    assert {n.scope for n in Notification.objects.all()} == {programme.notification_scope}
    assert _audits("courses.message") == [{"recipients": 2, "subject": "Your attendance in AI101"}]


def test_message_participants_needs_someone_to_write_to(programme, programme_admin):
    with pytest.raises(CoursesError, match=_says("Choose at least one person to write to.")):
        services.message_participants(
            programme=programme, users=[], subject="Hi", body="Hello", actor=programme_admin
        )
    assert not Notification.objects.exists()
    assert not _audits("courses.message")


# --- calendar feeds ------------------------------------------------------------------------------


def test_feed_create_is_one_feed_per_person(participant):
    first = services.feed_create(user=participant)
    second = services.feed_create(user=participant)
    assert first.pk == second.pk
    assert len(first.token) >= 43
    assert CalendarFeed.objects.count() == 1


def test_feed_reset_gives_a_new_secret_and_the_old_one_stops_working(participant):
    from courses import selectors

    feed = services.feed_create(user=participant)
    old = feed.token

    reset = services.feed_reset(user=participant)

    assert reset.pk == feed.pk
    assert reset.token != old
    assert selectors.feed_by_token(token=old) is None
    assert selectors.feed_by_token(token=reset.token) == reset
    assert len(_audits("courses.feed_reset")) == 1


def test_feed_reset_without_a_feed_makes_one(participant):
    feed = services.feed_reset(user=participant)
    assert CalendarFeed.objects.get() == feed


def test_feed_revoke_deletes_the_feed_once(participant, outsider):
    services.feed_create(user=participant)
    services.feed_create(user=outsider)

    assert services.feed_revoke(user=participant) is True
    assert services.feed_revoke(user=participant) is False

    assert list(CalendarFeed.objects.values_list("user", flat=True)) == [outsider.pk]
    assert len(_audits("courses.feed_revoke")) == 1


def test_feed_touch_writes_at_most_every_ten_minutes(participant, clock):
    feed = services.feed_create(user=participant)

    services.feed_touch(feed=feed)
    feed.refresh_from_db()
    assert feed.last_read_at == NOW
    clock.shift(9 * MINUTE)
    services.feed_touch(feed=feed)
    feed.refresh_from_db()
    assert feed.last_read_at == NOW
    clock.shift(2 * MINUTE)
    services.feed_touch(feed=feed)
    feed.refresh_from_db()
    assert feed.last_read_at == NOW + 11 * MINUTE


# --- reminders -----------------------------------------------------------------------------------


def _reminded() -> list[tuple[str, str]]:
    return _notified("courses.session_reminder")


def test_reminders_send_reminds_the_enrolled_and_the_instructor_a_day_ahead(
    programme, ai101, cohort, staff
):
    _enrolled(ai101, cohort, "Ana Lim")
    _enrolled(ai101, cohort, "Ben Tan")
    _enrolled(ai101, cohort, "Eve Ong", status=EnrollmentStatus.WITHDRAWN)
    soon = _session(ai101, cohort, starts_at=NOW + 2 * HOUR, instructor=staff)
    edge = _session(ai101, cohort, starts_at=NOW + DAY)
    _session(ai101, cohort, starts_at=NOW + DAY + MINUTE)  # not yet
    _session(ai101, cohort, starts_at=NOW + 3 * HOUR, is_cancelled=True)
    _session(ai101, cohort, starts_at=NOW)  # starting now: too late
    _session(ai101, cohort, starts_at=NOW - HOUR)

    assert services.reminders_send() == 2

    soon_text = "AI101 starts within a day: Tuesday 1 December 2026, 20:00–22:00 (Asia/Singapore)"
    edge_text = "AI101 starts within a day: Wednesday 2 December 2026, 18:00–20:00 (Asia/Singapore)"
    assert _reminded() == sorted(
        [
            ("Ahmad Zulkifli", soon_text),
            ("Ana Lim", soon_text),
            ("Ana Lim", edge_text),
            ("Ben Tan", soon_text),
            ("Ben Tan", edge_text),
        ]
    )
    assert len(_mailed("courses.session_reminder")) == 5
    assert set(ClassSession.objects.filter(reminder_sent_at=NOW).values_list("pk", flat=True)) == {
        soon.pk,
        edge.pk,
    }


def test_reminders_send_twice_reminds_once(ai101, cohort, clock):
    _enrolled(ai101, cohort, "Ana Lim")
    _session(ai101, cohort, starts_at=NOW + 2 * HOUR)

    assert services.reminders_send() == 1
    clock.shift(15 * MINUTE)
    assert services.reminders_send() == 0

    assert len(_reminded()) == 1
    assert EmailMessage.objects.filter(kind="courses.session_reminder").count() == 1


def test_a_moved_session_is_reminded_again(ai101, cohort, programme_admin, clock):
    _enrolled(ai101, cohort, "Ana Lim")
    session = _session(ai101, cohort, starts_at=NOW + 2 * HOUR)
    assert services.reminders_send() == 1

    clock.shift(HOUR)
    session.starts_at = NOW + 5 * HOUR
    session.ends_at = NOW + 6 * HOUR
    services.session_save(session=session, actor=programme_admin)
    assert services.reminders_send() == 1

    assert [text for _, text in _reminded()] == [
        "AI101 starts within a day: Tuesday 1 December 2026, 20:00–22:00 (Asia/Singapore)",
        "AI101 starts within a day: Tuesday 1 December 2026, 23:00–00:00 (Asia/Singapore)",
    ]
    assert Notification.objects.filter(kind="courses.session_changed").count() == 1


def test_a_reminder_armed_again_without_a_move_is_not_sent_twice(ai101, cohort):
    _enrolled(ai101, cohort, "Ana Lim")
    session = _session(ai101, cohort, starts_at=NOW + 2 * HOUR)
    services.reminders_send()

    ClassSession.objects.filter(pk=session.pk).update(reminder_sent_at=None)
    services.reminders_send()

    assert len(_reminded()) == 1


def test_an_instructor_who_is_also_enrolled_is_reminded_once(ai101, cohort, staff):
    EnrollmentFactory(course=ai101, cohort=cohort, user=staff)
    _session(ai101, cohort, starts_at=NOW + 2 * HOUR, instructor=staff)

    assert services.reminders_send() == 1
    assert [name for name, _ in _reminded()] == ["Ahmad Zulkifli"]


def test_reminders_send_respects_switched_off_reminders(ai101, cohort):
    from notifications.models import NotificationPreference

    ana = _enrolled(ai101, cohort, "Ana Lim")
    NotificationPreference.objects.create(
        user=ana, kind="courses.session_reminder", is_email_enabled=False, is_in_app_enabled=True
    )
    _session(ai101, cohort, starts_at=NOW + 2 * HOUR)

    services.reminders_send()

    assert len(_reminded()) == 1
    assert not EmailMessage.objects.filter(kind="courses.session_reminder").exists()


def test_reminders_send_of_a_session_nobody_takes_still_claims_it(ai101, cohort):
    session = _session(ai101, cohort, starts_at=NOW + 2 * HOUR)
    assert services.reminders_send() == 1
    session.refresh_from_db()
    assert session.reminder_sent_at == NOW
    assert not Notification.objects.exists()
