"""Courses selectors: progress figures on a scenario worked out by hand, in the same number of
queries for one person as for three; rosters; whose sessions a calendar shows; electives on
offer; and who has a courses page."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from courses import progress, selectors
from courses.enums import AttendanceStatus, CourseKind, EnrollmentSource, EnrollmentStatus
from programmes.enums import RoleKind
from tests.factories import (
    AssessmentFactory,
    AssessmentResultFactory,
    AttendanceFactory,
    CalendarFeedFactory,
    ClassSessionFactory,
    CohortFactory,
    CourseFactory,
    EnrollmentFactory,
    ParticipantFactory,
    ProgrammeRoleFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="Main intake", slug="main")


@pytest.fixture
def other_cohort(programme):
    return CohortFactory(programme=programme, name="Evening intake", slug="evening")


@pytest.fixture
def ai101(programme, cohort):
    return CourseFactory(programme=programme, code="AI101", cohorts=[cohort])


def _email(name: str) -> str:
    return name.lower().replace(" ", ".") + "@example.com"


def _person(cohort, name: str):
    return ParticipantFactory(
        application__cohort=cohort,
        application__applicant__display_name=name,
        application__applicant__email=_email(name),
    ).user


def _enrolled(course, cohort, name: str, **kwargs):
    user = _person(cohort, name)
    EnrollmentFactory(course=course, cohort=cohort, user=user, **kwargs)
    return user


def _session(course, cohort, starts_at, *, hours: int = 2, **kwargs):
    return ClassSessionFactory(
        course=course,
        cohort=cohort,
        starts_at=starts_at,
        ends_at=starts_at + hours * HOUR,
        **kwargs,
    )


# --- progress ------------------------------------------------------------------------------------


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def scenario(programme, cohort, other_cohort, ai101, now):
    """AI101 (80 %) for the main cohort: four sessions held, one under way, one to come, one
    cancelled; a quiz due yesterday and a project due next week.

    Ana: present, late, excused, (unmarked) on the held ones; excused for the one to come;
    present at the cancelled one. Ben: present at all four held. Eve withdrew. Dara takes the
    course in the evening cohort, whose session is not the main cohort's."""
    ai101.cohorts.add(other_cohort)
    held = [_session(ai101, cohort, now - (10 - n) * DAY) for n in range(4)]
    under_way = _session(ai101, cohort, now - HOUR)
    upcoming = _session(ai101, cohort, now + 3 * DAY)
    cancelled = _session(ai101, cohort, now - 5 * DAY - HOUR, is_cancelled=True)
    evening = _session(ai101, other_cohort, now - 2 * DAY)
    quiz = AssessmentFactory(
        course=ai101, name="Quiz 1", due_on=timezone.localdate(now, cohort.tz) - DAY
    )
    AssessmentFactory(
        course=ai101, name="Project", due_on=timezone.localdate(now, cohort.tz) + 7 * DAY
    )

    ana = _enrolled(ai101, cohort, "Ana Lim")
    for session, status in zip(
        held[:3],
        [AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.EXCUSED],
        strict=True,
    ):
        AttendanceFactory(session=session, user=ana, status=status)
    AttendanceFactory(session=upcoming, user=ana, status=AttendanceStatus.EXCUSED)
    AttendanceFactory(session=cancelled, user=ana)

    ben = _enrolled(ai101, cohort, "Ben Tan")
    for session in held:
        AttendanceFactory(session=session, user=ben)
    AssessmentResultFactory(assessment=quiz, user=ben, score=D("80"))

    eve = _enrolled(ai101, cohort, "Eve Ong", status=EnrollmentStatus.WITHDRAWN)
    AttendanceFactory(session=held[0], user=eve)
    dara = _enrolled(ai101, other_cohort, "Dara Singh")
    AttendanceFactory(session=evening, user=dara)
    return {"ana": ana, "ben": ben, "under_way": under_way}


def test_cohort_progress_counts_held_upcoming_excused_late_and_unmarked(
    scenario, cohort, ai101, now
):
    board = selectors.cohort_progress(cohort=cohort, now=now)

    assert [entry.user.display_name for entry in board] == ["Ana Lim", "Ben Tan"]
    ana, ben = board
    [ana_course] = ana.courses
    assert ana_course.course == ai101
    assert ana_course.forecast == progress.Forecast(
        required=80, scheduled=6, held=4, attended=2, excused_held=1, excused_upcoming=1
    )
    # 2 of 3 counted so far; 4 of the 4 counted needed, only 3 still possible.
    assert (ana_course.forecast.rate, ana_course.forecast.missed) == (66, 1)
    assert (ana_course.forecast.remaining, ana_course.forecast.can_miss) == (1, -1)
    assert ana_course.state == progress.UNREACHABLE
    assert [(line.assessment.name, line.state) for line in ana_course.assessments] == [
        ("Quiz 1", progress.MISSING),
        ("Project", progress.PENDING),
    ]
    assert ana_course.score is None
    assert ana.at_risk and ana.overall_rate == 66
    assert ana.reasons == ["AI101: 80 % out of reach", "AI101: Quiz 1 not handed in"]

    [ben_course] = ben.courses
    assert ben_course.forecast == progress.Forecast(
        required=80, scheduled=6, held=4, attended=4, excused_held=0, excused_upcoming=0
    )
    assert (ben_course.forecast.rate, ben_course.forecast.can_miss) == (100, 1)
    assert ben_course.state == progress.ON_TRACK
    assert [(line.state, line.result.score) for line in ben_course.assessments[:1]] == [
        (progress.PASSED, D("80"))
    ]
    assert ben_course.assessments_passed == 1
    assert [line.assessment.name for line in ben_course.assessments_left] == ["Project"]
    assert ben_course.score == D("80.0")
    assert not ben.at_risk and ben.reasons == [] and ben.completed == 0


def test_a_session_counts_as_held_once_it_has_ended(scenario, cohort, now):
    under_way = scenario["under_way"]

    later = selectors.cohort_progress(cohort=cohort, now=under_way.ends_at)

    ben = later[1].courses[0].forecast
    # The session under way has ended: held, and Ben (unmarked) missed it.
    assert (ben.held, ben.attended, ben.missed, ben.rate) == (5, 4, 1, 80)


def test_cohort_progress_narrowed_to_some_people(scenario, cohort, now):
    board = selectors.cohort_progress(cohort=cohort, user_ids=[scenario["ben"].pk], now=now)
    assert [entry.user for entry in board] == [scenario["ben"]]
    assert selectors.cohort_progress(cohort=cohort, user_ids=[], now=now) == []


def test_participant_progress_of_someone_without_courses_is_empty(cohort, now):
    nobody = _person(cohort, "Finn Koh")
    found = selectors.participant_progress(cohort=cohort, user=nobody, now=now)
    assert (found.user, found.courses, found.overall_rate, found.at_risk) == (
        nobody,
        [],
        None,
        False,
    )


def test_cohort_progress_lists_required_courses_before_electives(programme, cohort, now):
    ana = _person(cohort, "Ana Lim")
    for code, kind in [("AA900", CourseKind.ELECTIVE), ("ZZ100", CourseKind.REQUIRED)]:
        course = CourseFactory(programme=programme, code=code, kind=kind, cohorts=[cohort])
        EnrollmentFactory(course=course, cohort=cohort, user=ana)

    [entry] = selectors.cohort_progress(cohort=cohort, now=now)

    assert [c.course.code for c in entry.courses] == ["ZZ100", "AA900"]
    assert {c.state for c in entry.courses} == {progress.NOT_SCHEDULED}


def _crowd(programme, cohort, now, people: int):
    """`people` participants each in two courses with sessions, marks, assessments, results."""
    courses = [
        CourseFactory(programme=programme, cohorts=[cohort]),
        CourseFactory(programme=programme, cohorts=[cohort], kind=CourseKind.ELECTIVE),
    ]
    for course in courses:
        sessions = [_session(course, cohort, now + n * DAY) for n in (-3, -2, 2)]
        assessment = AssessmentFactory(course=course)
        for n in range(people):
            user = _enrolled(course, cohort, f"Person {course.code} {n}")
            AttendanceFactory(session=sessions[0], user=user)
            AttendanceFactory(session=sessions[2], user=user, status=AttendanceStatus.EXCUSED)
            AssessmentResultFactory(assessment=assessment, user=user)


@pytest.mark.parametrize("people", [1, 3])
def test_cohort_progress_query_count(programme, cohort, now, people, django_assert_num_queries):
    _crowd(programme, cohort, now, people)

    # enrolments, session counts, marks, assessments, results
    with django_assert_num_queries(5):
        board = selectors.cohort_progress(cohort=cohort, now=now)
        reasons = [entry.reasons for entry in board]

    assert len(board) == len(reasons) == 2 * people


# --- rosters -------------------------------------------------------------------------------------


@pytest.mark.parametrize("people", [1, 3])
def test_roster_query_count(ai101, cohort, now, people, django_assert_num_queries):
    session = _session(ai101, cohort, now - HOUR)
    for n in range(people):
        user = _enrolled(ai101, cohort, f"Person {n}")
        AttendanceFactory(session=session, user=user)

    with django_assert_num_queries(2):
        rows = selectors.roster(session=session)
        names = [row.user.display_name for row in rows]

    assert names == [f"Person {n}" for n in range(people)]


def test_roster_lists_the_enrolled_with_their_marks(ai101, cohort, other_cohort, now):
    session = _session(ai101, cohort, now - HOUR)
    ben = _enrolled(ai101, cohort, "Ben Tan")
    ana = _enrolled(ai101, cohort, "Ana Lim")
    _enrolled(ai101, cohort, "Chen Wei")
    eve = _enrolled(ai101, cohort, "Eve Ong", status=EnrollmentStatus.WITHDRAWN)
    ai101.cohorts.add(other_cohort)
    _enrolled(ai101, other_cohort, "Dara Singh")
    AttendanceFactory(session=session, user=ana, status=AttendanceStatus.LATE)
    AttendanceFactory(session=session, user=ben, status=AttendanceStatus.EXCUSED)
    AttendanceFactory(session=session, user=eve)

    rows = selectors.roster(session=session)

    assert [(r.user.display_name, r.status, r.source) for r in rows] == [
        ("Ana Lim", "late", "roster"),
        ("Ben Tan", "excused", "roster"),
        ("Chen Wei", "", ""),
    ]
    counts = selectors.roster_counts(rows)
    assert counts == {"present": 0, "late": 1, "excused": 1, "absent": 0, "": 1}
    assert selectors.roster_row(session=session, user_id=ana.pk).status == "late"
    assert selectors.roster_row(session=session, user_id=eve.pk) is None


def test_session_list_counts_marks_and_attendance(ai101, cohort, other_cohort, now):
    ai101.cohorts.add(other_cohort)
    first = _session(ai101, cohort, now - DAY)
    _session(ai101, other_cohort, now - DAY)
    ana = _enrolled(ai101, cohort, "Ana Lim")
    ben = _enrolled(ai101, cohort, "Ben Tan")
    AttendanceFactory(session=first, user=ana, status=AttendanceStatus.LATE)
    AttendanceFactory(session=first, user=ben, status=AttendanceStatus.ABSENT)

    sessions = list(selectors.session_list(course=ai101, cohort=cohort))

    assert [(s.pk, s.marked, s.attended) for s in sessions] == [(first.pk, 2, 1)]
    assert len(selectors.session_list(course=ai101)) == 2


# --- calendars -----------------------------------------------------------------------------------


def test_sessions_for_user_shows_only_the_sessions_of_their_cohort(
    programme, ai101, cohort, other_cohort, now
):
    ai101.cohorts.add(other_cohort)
    ana = _enrolled(ai101, cohort, "Ana Lim")
    mine = _session(ai101, cohort, now + DAY)
    cancelled = _session(ai101, cohort, now + 2 * DAY, is_cancelled=True)
    _session(ai101, other_cohort, now + DAY)  # the same course, another cohort
    dropped = CourseFactory(programme=programme, cohorts=[cohort])
    EnrollmentFactory(course=dropped, cohort=cohort, user=ana, status=EnrollmentStatus.WITHDRAWN)
    _session(dropped, cohort, now + DAY)
    _session(CourseFactory(programme=programme, cohorts=[cohort]), cohort, now + DAY)

    assert list(selectors.sessions_for_user(user=ana)) == [mine, cancelled]


def test_sessions_for_user_shows_an_instructor_the_sessions_they_teach(
    ai101, cohort, other_cohort, staff, now
):
    ai101.cohorts.add(other_cohort)
    ai101.instructors.add(staff)
    taught = [
        _session(ai101, cohort, now + DAY, instructor=staff),
        _session(ai101, other_cohort, now + 2 * DAY, instructor=staff),
    ]
    _session(ai101, cohort, now + 3 * DAY)  # the course's, but someone else teaches it

    assert list(selectors.sessions_for_user(user=staff)) == taught


def test_sessions_for_user_between_two_moments(ai101, cohort, now):
    ana = _enrolled(ai101, cohort, "Ana Lim")
    past = _session(ai101, cohort, now - 3 * DAY)
    under_way = _session(ai101, cohort, now - HOUR)
    soon = _session(ai101, cohort, now + HOUR)
    later = _session(ai101, cohort, now + 3 * DAY)

    assert list(selectors.sessions_for_user(user=ana, start=now)) == [under_way, soon, later]
    assert list(selectors.sessions_for_user(user=ana, start=now, end=now + DAY)) == [
        under_way,
        soon,
    ]
    assert list(selectors.sessions_for_user(user=ana, end=now)) == [past, under_way]
    assert list(selectors.upcoming_sessions(user=ana, now=now, limit=2)) == [under_way, soon]


@pytest.mark.parametrize("count", [1, 3])
def test_sessions_for_user_query_count(ai101, cohort, staff, now, count, django_assert_num_queries):
    ana = _enrolled(ai101, cohort, "Ana Lim")
    for n in range(count):
        _session(ai101, cohort, now + n * DAY, instructor=staff)

    with django_assert_num_queries(1):
        lines = [
            (s.course.code, s.cohort.programme.name, s.instructor.display_name)
            for s in selectors.sessions_for_user(user=ana)
        ]

    assert len(lines) == count


def test_feed_by_token_finds_only_a_real_token(participant):
    feed = CalendarFeedFactory(user=participant)
    assert selectors.feed_by_token(token=feed.token) == feed
    assert selectors.feed_by_token(token="") is None
    assert selectors.feed_by_token(token=feed.token[:-1]) is None
    assert selectors.feed_by_token(token=feed.token + "x" * 64) is None
    assert selectors.feed_get(user=participant) == feed


# --- electives and enrolments --------------------------------------------------------------------


def _elective(programme, cohort, code: str, **kwargs):
    return CourseFactory(
        programme=programme, code=code, kind=CourseKind.ELECTIVE, cohorts=[cohort], **kwargs
    )


def test_electives_for_shows_each_elective_with_places_and_start(
    programme, ai101, cohort, other_cohort, now
):
    ana = _person(cohort, "Ana Lim")
    chosen = _elective(programme, cohort, "AI201", capacity=2)
    full = _elective(programme, cohort, "AI202", capacity=1)
    open_ended = _elective(programme, cohort, "AI203")
    _elective(programme, other_cohort, "AI204")  # not offered here
    EnrollmentFactory(course=chosen, cohort=cohort, user=ana, source=EnrollmentSource.CHOSEN)
    _enrolled(full, cohort, "Ben Tan", source=EnrollmentSource.CHOSEN)
    _enrolled(full, cohort, "Chen Wei", source=EnrollmentSource.STAFF)  # staff go past the limit
    _enrolled(open_ended, cohort, "Eve Ong", status=EnrollmentStatus.WITHDRAWN)
    first = _session(chosen, cohort, now + 2 * DAY)
    _session(chosen, cohort, now + DAY, is_cancelled=True)
    _session(full, cohort, now - DAY)

    offers = selectors.electives_for(cohort=cohort, user=ana)

    assert [(o.course.code, o.enrolled, o.seats_left, o.starts_at, o.started) for o in offers] == [
        ("AI201", True, 1, first.starts_at, False),
        ("AI202", False, 0, now - DAY, True),
        ("AI203", False, None, None, False),
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_electives_for_query_count(programme, cohort, now, count, django_assert_num_queries):
    ana = _person(cohort, "Ana Lim")
    for n in range(count):
        course = _elective(programme, cohort, f"AI2{n:02}", capacity=5)
        _session(course, cohort, now + DAY)
        EnrollmentFactory(course=course, cohort=cohort, user=ana)

    with django_assert_num_queries(3):
        offers = selectors.electives_for(cohort=cohort, user=ana)

    assert [o.enrolled for o in offers] == [True] * count


def test_electives_taken_and_seats_count_active_enrolments_only(programme, ai101, cohort):
    ana = _enrolled(ai101, cohort, "Ana Lim")
    taken = _elective(programme, cohort, "AI201")
    dropped = _elective(programme, cohort, "AI202")
    EnrollmentFactory(course=taken, cohort=cohort, user=ana)
    EnrollmentFactory(course=dropped, cohort=cohort, user=ana, status=EnrollmentStatus.WITHDRAWN)
    _enrolled(taken, cohort, "Ben Tan")

    assert selectors.electives_taken(cohort_id=cohort.pk, user=ana) == 1
    assert selectors.elective_seats_taken(course=taken) == 2
    assert selectors.elective_seats_taken(course=dropped) == 0


def test_max_electives_defaults_to_two(programme):
    assert selectors.max_electives(programme=programme) == 2
    assert selectors.settings_get(programme=programme).pk is None


def test_first_session_start_ignores_cancelled_sessions_and_other_cohorts(
    ai101, cohort, other_cohort, now
):
    ai101.cohorts.add(other_cohort)
    _session(ai101, cohort, now - DAY, is_cancelled=True)
    _session(ai101, other_cohort, now - 2 * DAY)
    second = _session(ai101, cohort, now + 2 * DAY)
    _session(ai101, cohort, now + 3 * DAY)

    assert selectors.first_session_start(course=ai101, cohort_id=cohort.pk) == second.starts_at
    assert selectors.first_session_start(course=ai101, cohort_id=0) is None


def test_participant_get_by_email_finds_only_the_cohorts_participants(
    cohort, other_cohort, outsider
):
    ana = _person(cohort, "Ana Lim")
    dara = _person(other_cohort, "Dara Singh")

    assert selectors.participant_get_by_email(cohort=cohort, email=" ANA.LIM@example.com ") == ana
    assert selectors.participant_get_by_email(cohort=cohort, email=dara.email) is None
    assert selectors.participant_get_by_email(cohort=cohort, email=outsider.email) is None


def test_enrolled_users_by_email_is_keyed_by_lower_case_email(ai101, cohort):
    ana = _person(cohort, "Ana Lim")
    ana.email = "Ana.Lim@Example.com"
    ana.save(update_fields=["email"])
    EnrollmentFactory(course=ai101, cohort=cohort, user=ana)
    _enrolled(ai101, cohort, "Eve Ong", status=EnrollmentStatus.WITHDRAWN)

    assert selectors.enrolled_users_by_email(course=ai101) == {"ana.lim@example.com": ana}


def test_staff_of_programme_are_its_staff_and_admins(
    programme, staff, programme_admin, mentor, reviewer, other_programme_admin
):
    inactive = ProgrammeRoleFactory(programme=programme, role=RoleKind.STAFF).user
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])

    assert list(selectors.staff_of_programme(programme=programme)) == [staff, programme_admin]
    assert selectors.is_instructor_candidate(programme=programme, user=staff)
    assert not selectors.is_instructor_candidate(programme=programme, user=mentor)
    assert not selectors.is_instructor_candidate(programme=programme, user=other_programme_admin)


@pytest.mark.parametrize("count", [1, 3])
def test_course_list_for_programme_query_count(
    programme, cohort, staff, now, count, django_assert_num_queries
):
    for n in range(count):
        course = CourseFactory(programme=programme, cohorts=[cohort], instructors=[staff])
        _session(course, cohort, now - DAY)
        _session(course, cohort, now + DAY)
        _session(course, cohort, now + 2 * DAY, is_cancelled=True)
        _enrolled(course, cohort, f"Person {n}")

    # courses with counts, cohorts, instructors
    with django_assert_num_queries(3):
        courses = list(selectors.course_list_for_programme(programme=programme))
        lines = [
            (c.enrolled, c.sessions_scheduled, c.sessions_held, len(c.cohorts.all()))
            for c in courses
        ]
        [list(c.instructors.all()) for c in courses]

    assert lines == [(1, 2, 1, 1)] * count


# --- who has a courses page ----------------------------------------------------------------------


def test_has_courses(programme, ai101, cohort, staff, mentor, outsider, now):
    enrolled = _enrolled(ai101, cohort, "Ana Lim")
    waiting = _person(cohort, "Ben Tan")  # their cohort has courses, no enrolment yet
    elsewhere = _person(CohortFactory(programme=programme), "Dara Singh")
    _session(ai101, cohort, now + DAY, instructor=staff)
    ai101.instructors.add(mentor)  # listed on the course, no session yet

    assert selectors.has_courses(user=enrolled)
    assert selectors.has_courses(user=waiting)
    assert selectors.has_courses(user=staff)
    assert selectors.has_courses(user=mentor)
    assert not selectors.has_courses(user=elsewhere)
    assert not selectors.has_courses(user=outsider)


def test_has_courses_is_one_query(participant, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert not selectors.has_courses(user=participant)
