"""The demo's courses: built by `seed_demo` (courses/demo.py) on a small programme."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from cohorts.models import Cohort
from courses import progress, selectors
from courses.enums import ATTENDED, AttendanceStatus, CourseKind, EnrollmentStatus
from courses.models import (
    Assessment,
    AssessmentResult,
    Attendance,
    CalendarFeed,
    ClassSession,
    Course,
    CourseSettings,
    Enrollment,
)
from notifications.models import Notification
from selection.models import Participant

pytestmark = pytest.mark.django_db


def _login(out: str, marker: str) -> str:
    return next(line for line in out.splitlines() if marker in line).split()[0]


def _snapshot():
    return (
        sorted(Course.objects.values_list("code", "kind", "hours", "capacity")),
        sorted(ClassSession.objects.values_list("course__code", "starts_at", "is_cancelled")),
        sorted(Enrollment.objects.values_list("course__code", "user__email", "status", "source")),
        sorted(Attendance.objects.values_list("session_id", "user__email", "status", "source")),
        sorted(AssessmentResult.objects.values_list("assessment__name", "user__email", "score")),
        Notification.objects.filter(kind__startswith="courses.").count(),
    )


def test_seed_demo_teaches_four_courses_with_attendance_results_and_people_at_risk(capsys):
    call_command("seed_demo", applicants=40, seed=7, force=True)
    out = capsys.readouterr().out
    cohort = Cohort.objects.get(slug="main-intake")
    programme = cohort.programme
    now = timezone.now()
    today = timezone.localdate(now, cohort.tz)

    # Two required courses and two electives, taught by the programme's staff.
    courses = {c.code: c for c in Course.objects.filter(programme=programme)}
    assert {code: (c.kind, c.hours) for code, c in courses.items()} == {
        "AI101": (CourseKind.REQUIRED, Decimal(24)),
        "AI102": (CourseKind.REQUIRED, Decimal(30)),
        "AI201": (CourseKind.ELECTIVE, Decimal(20)),
        "AI202": (CourseKind.ELECTIVE, Decimal(16)),
    }
    assert courses["AI202"].capacity == 120
    assert CourseSettings.objects.get(programme=programme).max_electives == 2
    staff = set(selectors.staff_of_programme(programme=programme))
    for course in courses.values():
        assert set(course.cohorts.all()) == {cohort}
        assert set(course.instructors.all()) <= staff and course.instructors.exists()
    assert courses["AI101"].instructors.filter(email="staff@example.org").exists()

    # Weekly sessions whose hours add up to the course's: some held, one in progress, more to
    # come; all at 19:00 in the cohort's time zone but the one in progress.
    sessions = ClassSession.objects.filter(cohort=cohort).select_related("course")
    for code, course in courses.items():
        mine = sessions.filter(course=course, is_cancelled=False)
        minutes = sum((s.ends_at - s.starts_at).total_seconds() / 60 for s in mine)
        assert Decimal(minutes) / 60 == course.hours, code
    held = sessions.filter(is_cancelled=False, ends_at__lte=now)
    running = sessions.filter(is_cancelled=False, starts_at__lte=now, ends_at__gt=now)
    upcoming = sessions.filter(is_cancelled=False, starts_at__gt=now)
    assert held.count() == 6 + 5 + 4
    assert [s.course.code for s in running] == ["AI101"]
    assert running[0].instructor.email == "staff@example.org"
    assert upcoming.count() >= 20
    assert sessions.filter(is_cancelled=True).count() == 1
    for session in sessions.exclude(pk=running[0].pk):
        assert timezone.localtime(session.starts_at, cohort.tz).time() == datetime.time(19, 0)
    assert not held.filter(reminder_sent_at__isnull=True).exists()
    assert not upcoming.filter(reminder_sent_at__isnull=False).exists()
    # AI202 has not started, so participants can still choose it.
    first_ai202 = selectors.first_session_start(course=courses["AI202"], cohort_id=cohort.pk)
    assert first_ai202 > now

    # Everyone in the required courses; electives within the limit and the places.
    participants = set(Participant.objects.filter(cohort=cohort).values_list("user_id", flat=True))
    assert len(participants) >= 5
    active = Enrollment.objects.filter(cohort=cohort, status=EnrollmentStatus.ACTIVE)
    for code in ("AI101", "AI102"):
        assert set(active.filter(course__code=code).values_list("user_id", flat=True)) == (
            participants
        )
    electives = active.filter(course__kind=CourseKind.ELECTIVE)
    assert electives.filter(course__code="AI201").exists()
    for user_id in participants:
        assert electives.filter(user_id=user_id).count() <= 2
    assert electives.filter(course__code="AI202").count() <= 120 - 5

    # Attendance of the sessions held, by enrolled people only; check-ins to the session in
    # progress; nothing but "excused" marked on a session that has not started.
    marks = Attendance.objects.filter(session__cohort=cohort)
    assert marks.filter(session__in=held, status__in=ATTENDED).count() >= held.count()
    assert marks.filter(session__in=running, status__in=ATTENDED, source="check_in").exists()
    assert set(marks.filter(session__in=upcoming).values_list("status", flat=True)) <= {
        AttendanceStatus.EXCUSED
    }
    for mark in marks.select_related("session"):
        assert active.filter(course_id=mark.session.course_id, user_id=mark.user_id).exists()

    # Results of the assessments already due, none of those to come.
    assert Assessment.objects.filter(course__programme=programme).count() == 8
    due = Assessment.objects.filter(course__programme=programme, due_on__lt=today)
    assert due.count() == 4
    for assessment in due:
        assert assessment.results.count() >= assessment.course.enrollments.count() // 2
    assert not AssessmentResult.objects.exclude(assessment__in=due).exists()

    # Someone is at risk; the participants printed are on track and at risk in AI102.
    board = {entry.user.email: entry for entry in selectors.cohort_progress(cohort=cohort)}
    assert any(entry.at_risk for entry in board.values())
    on_track = _login(out, "My courses: on track")
    behind = _login(out, "My courses: at risk in AI102")
    assert on_track != behind
    assert {c.course.code: c.state for c in board[on_track].courses} == {
        "AI101": progress.ON_TRACK,
        "AI102": progress.ON_TRACK,
        "AI201": progress.ON_TRACK,
    }
    assert not active.filter(user__email=on_track, course__code="AI202").exists()
    ai102 = next(c for c in board[behind].courses if c.course.code == "AI102")
    assert (ai102.state, ai102.forecast.rate, ai102.forecast.can_miss) == (
        progress.AT_RISK,
        60,
        0,
    )
    assert [c.course.code for c in board[behind].courses if c.at_risk] == ["AI102"]
    # Those behind in AI102 were written to, and nobody else.
    written = set(
        Notification.objects.filter(kind="courses.message").values_list(
            "recipient__email", flat=True
        )
    )
    assert behind in written
    assert written == {
        email
        for email, entry in board.items()
        if any(c.course.code == "AI102" and c.forecast.below_now for c in entry.courses)
    }

    # The printout says where to look: the instructor's login says what to try in the courses,
    # the participants above are printed with what their courses show, and the roster of the
    # session in progress and the instructor's calendar feed follow.
    printed = {}  # login → its line
    for line in out.splitlines():
        words = line.split()
        if words and "@" in words[0]:
            printed.setdefault(words[0], line)
    assert "courses" in printed["staff@example.org"].lower()
    assert "My courses: on track" in printed[on_track]
    assert "My courses: at risk in AI102" in printed[behind]
    at_risk = sum(entry.at_risk for entry in board.values())
    assert f"{at_risk} of {len(participants)} participants at risk" in out
    assert f"/programmes/{programme.slug}/courses/sessions/{running[0].pk}/roster/" in out
    feed = CalendarFeed.objects.get(user__email="staff@example.org")
    assert f"/calendar/{feed.token}.ics" in out


def test_seed_demo_twice_keeps_the_courses_data():
    call_command("seed_demo", applicants=20, seed=7, force=True)
    first = _snapshot()
    assert first[3]
    call_command("seed_demo", applicants=20, seed=7, force=True)
    assert _snapshot() == first
