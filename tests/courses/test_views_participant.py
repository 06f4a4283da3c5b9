"""Each person's own courses pages: their progress and electives, their calendar and secret
feed, and checking in to a session with its typed code or its QR code. Nobody sees anyone
else's data."""

import datetime
import html
import re
from decimal import Decimal
from urllib.parse import quote

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from courses import checkin
from courses.enums import (
    AttendanceSource,
    AttendanceStatus,
    CourseKind,
    EnrollmentSource,
    EnrollmentStatus,
)
from courses.models import Attendance, CalendarFeed, Enrollment
from programmes.enums import RoleKind
from selection.models import Participant
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
    UserFactory,
)
from tests.pages import breadcrumbs, empty

pytestmark = pytest.mark.django_db

MINE = "/courses/"
CALENDAR = "/courses/calendar/"
FEED_MANAGE = "/courses/calendar/feed/"
CHECK_IN = "/courses/check-in/"
NOW = timezone.now


# --- the world -------------------------------------------------------------------------------


@pytest.fixture
def seat(participant):
    return Participant.objects.select_related("cohort").get(user=participant)


@pytest.fixture
def cohort(seat):
    return seat.cohort


def _person(cohort, email: str, name: str = ""):
    """A new participant of the cohort."""
    return ParticipantFactory(
        application__cohort=cohort,
        application__applicant__email=email,
        application__applicant__display_name=name,
    ).user


def _course(programme, cohort, code="AI101", title="Applied AI", **extra):
    return CourseFactory(programme=programme, code=code, title=title, cohorts=[cohort], **extra)


def _session(course, cohort, *, starts_in=datetime.timedelta(days=7), hours=2, **extra):
    starts = timezone.now() + starts_in
    return ClassSessionFactory(
        course=course,
        cohort=cohort,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=hours),
        **extra,
    )


def _enrol(course, cohort, user, source=EnrollmentSource.AUTOMATIC):
    return EnrollmentFactory(course=course, cohort=cohort, user=user, source=source)


@pytest.fixture
def course(programme, cohort, participant):
    """AI101, 70 % attendance required; the participant attended 3 of the 4 sessions held and
    6 more are scheduled; one quiz passed with a comment, a project to come."""
    course = _course(programme, cohort, min_attendance=70)
    _enrol(course, cohort, participant)
    for week in range(4):
        held = _session(
            course, cohort, starts_in=-datetime.timedelta(days=28 - 7 * week), title=f"Week {week}"
        )
        status = AttendanceStatus.ABSENT if week == 0 else AttendanceStatus.PRESENT
        AttendanceFactory(session=held, user=participant, status=status)
    for week in range(4, 10):
        _session(
            course, cohort, starts_in=datetime.timedelta(days=7 * (week - 3)), title=f"Week {week}"
        )
    quiz = AssessmentFactory(
        course=course,
        name="Quiz 1",
        due_on=timezone.localdate() - datetime.timedelta(days=3),
        max_score=Decimal("20"),
        pass_mark=Decimal("10"),
    )
    AssessmentResultFactory(
        assessment=quiz, user=participant, score=Decimal("16"), comment="Clear answers."
    )
    AssessmentFactory(
        course=course,
        name="Capstone project",
        kind="project",
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    return course


def _body(response) -> str:
    return response.content.decode()


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip())


def _testid(body: str, testid: str) -> list[str]:
    """The text of each element with this data-testid (up to the first closing tag of its kind)."""
    found = re.findall(rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>', body, re.S)
    return [_text(chunk) for _tag, chunk in found]


def _cells(body: str, testid: str) -> list[list[str]]:
    table = body.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)
    return [[_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _enrolments() -> list:
    return list(Enrollment.objects.order_by("pk").values_list())


# --- my courses ------------------------------------------------------------------------------


def test_mine_shows_progress_forecast_assessments_and_what_is_left(client, participant, course):
    client.force_login(participant)
    response = client.get(MINE)
    assert response.status_code == 200
    body = _body(response)
    assert breadcrumbs(body) == [("Dashboard", "/dashboard/"), ("My courses", "")]
    assert body.count("<h1") == 1
    assert _testid(body, "overall-attendance") == [
        "Your attendance over all your courses so far: 75 %"
    ]
    assert _testid(body, "course-state") == ["on track"]
    assert _testid(body, "attendance") == [
        "Sessions attended 3 of 4 held (10 scheduled) Attendance 75 % (70 % required)"
    ]
    assert _testid(body, "forecast") == [
        "You can miss at most 2 more sessions and still reach 70 %."
    ]
    due = (timezone.localdate() - datetime.timedelta(days=3)).strftime("%-d %b %Y")
    later = (timezone.localdate() + datetime.timedelta(days=30)).strftime("%-d %b %Y")
    assert _cells(body, "assessments") == [
        [f"Quiz 1 Quiz · due {due}", due, "16 / 20 Clear answers.", "Passed"],
        [f"Capstone project Project · due {later}", later, "—", "Still to come"],
    ]
    assert _testid(body, "left") == ["6 more sessions Capstone project: not passed yet"]
    assert 'href="/courses/calendar/"' in body
    assert len(re.findall(r'data-testid="calendar-session"', body)) == 3


def test_mine_never_shows_another_persons_results_or_attendance(
    client, participant, cohort, course
):
    other = _person(cohort, "other@example.com", "Omar Other")
    _enrol(course, cohort, other)
    quiz = course.assessments.get(name="Quiz 1")
    AssessmentResultFactory(assessment=quiz, user=other, score=Decimal("4"), comment="SECRET")
    client.force_login(participant)
    body = _body(client.get(MINE))
    assert "SECRET" not in body
    assert "Omar Other" not in body
    assert _testid(body, "course-state") == ["on track"]

    # And the other person sees their own, not the participant's.
    client.force_login(other)
    body = _body(client.get(MINE))
    assert "Clear answers." not in body
    assert "4 / 20 SECRET" in _text(body)
    assert _testid(body, "course-state") == ["out of reach"]


def test_mine_for_an_outsider_is_an_empty_state(client, outsider, course):
    client.force_login(outsider)
    body = _body(client.get(MINE))
    assert empty(body) == [
        "You have no courses yet. When you join a cohort, its courses, your sessions and your "
        "progress appear here."
    ]
    assert "AI101" not in body


def test_mine_asks_to_sign_in(client):
    response = client.get(MINE)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/courses/"


def test_mine_lists_the_sessions_an_instructor_teaches_with_the_roster(
    client, programme, staff, cohort, course
):
    session = course.sessions.filter(starts_at__gt=timezone.now()).first()
    session.instructor = staff
    session.save(update_fields=["instructor"])
    client.force_login(staff)
    body = _body(client.get(MINE))
    assert 'data-testid="teaching"' in body
    roster = f'href="/programmes/{programme.slug}/courses/sessions/{session.pk}/roster/"'
    assert body.count(roster) == 1
    assert "You have no courses yet." not in body


@pytest.mark.parametrize("count", [1, 3])
def test_mine_queries_do_not_grow_with_courses(
    client, programme, participant, cohort, django_assert_num_queries, count
):
    for n in range(count):
        course = _course(programme, cohort, code=f"AI{n}", title=f"Course {n}")
        _enrol(course, cohort, participant)
        held = _session(course, cohort, starts_in=-datetime.timedelta(days=3))
        AttendanceFactory(session=held, user=participant)
        _session(course, cohort)
        AssessmentResultFactory(assessment=AssessmentFactory(course=course), user=participant)
        elective = _course(programme, cohort, code=f"EL{n}", kind=CourseKind.ELECTIVE)
        _session(elective, cohort)
    client.force_login(participant)
    # session, user, participations, progress (enrolments, session counts, marks, assessments,
    # results), electives (courses, mine, first sessions), max electives, upcoming, marks,
    # navigation and bell
    with django_assert_num_queries(16):
        assert client.get(MINE).status_code == 200


# --- electives -------------------------------------------------------------------------------


@pytest.fixture
def electives(programme, cohort):
    return [
        _course(programme, cohort, code=f"EL{n}", title=title, kind=CourseKind.ELECTIVE)
        for n, title in enumerate(("Computer vision", "Speech", "Robotics"))
    ]


def _choose(client, cohort, course):
    return client.post(f"/courses/{cohort.pk}/electives/{course.pk}/choose/", follow=True)


def _drop(client, cohort, course):
    return client.post(f"/courses/{cohort.pk}/electives/{course.pk}/drop/", follow=True)


def test_elective_choose_and_drop(client, participant, cohort, electives):
    client.force_login(participant)
    body = _body(client.get(MINE))
    assert _testid(body, "electives-chosen")[0].startswith("You have chosen 0 of 2 electives.")
    response = _choose(client, cohort, electives[0])
    assert _messages(response) == ["You have chosen EL0 Computer vision."]
    enrolment = Enrollment.objects.get(user=participant)
    assert (enrolment.course, enrolment.status, enrolment.source) == (
        electives[0],
        EnrollmentStatus.ACTIVE,
        EnrollmentSource.CHOSEN,
    )
    body = _body(response)
    assert _testid(body, "electives-chosen")[0].startswith("You have chosen 1 of 2 electives.")
    assert body.count('data-testid="elective-drop"') == 1
    response = _drop(client, cohort, electives[0])
    assert _messages(response) == ["You have dropped EL0 Computer vision."]
    assert Enrollment.objects.get(user=participant).status == EnrollmentStatus.WITHDRAWN


def test_elective_beyond_the_limit_is_refused_and_nothing_changes(
    client, participant, cohort, electives
):
    client.force_login(participant)
    _choose(client, cohort, electives[0])
    _choose(client, cohort, electives[1])
    before = _enrolments()
    response = _choose(client, cohort, electives[2])
    assert _messages(response) == [
        "You can take at most 2 electives and have chosen 2; drop one first."
    ]
    assert _enrolments() == before


def test_a_full_elective_is_refused_and_nothing_changes(client, participant, cohort, electives):
    full = electives[0]
    full.capacity = 1
    full.save(update_fields=["capacity"])
    _enrol(full, cohort, _person(cohort, "first@example.com"), EnrollmentSource.CHOSEN)
    client.force_login(participant)
    body = _body(client.get(MINE))
    first = body.split('data-testid="elective"', 2)[1]
    assert "Full" in first and "0 places left" in first and "elective-choose" not in first
    before = _enrolments()
    assert _messages(_choose(client, cohort, full)) == ["This course is full."]
    assert _enrolments() == before


def test_a_started_elective_cannot_be_chosen(client, participant, cohort, electives):
    _session(electives[0], cohort, starts_in=-datetime.timedelta(hours=1))
    client.force_login(participant)
    first = _body(client.get(MINE)).split('data-testid="elective"', 2)[1]
    assert "Started" in first and "elective-choose" not in first
    before = _enrolments()
    assert _messages(_choose(client, cohort, electives[0])) == [
        "This course has started; ask the programme team if you want to join it."
    ]
    assert _enrolments() == before


def test_electives_of_another_cohort_or_person_are_404(
    client, programme, participant, outsider, cohort, electives
):
    other_cohort = CohortFactory(programme=programme, name="Autumn intake", slug="autumn")
    theirs = _course(programme, other_cohort, code="EL9", kind=CourseKind.ELECTIVE)
    someone = _person(other_cohort, "someone@example.com")
    _enrol(theirs, other_cohort, someone, EnrollmentSource.CHOSEN)
    required = _course(programme, cohort, code="RQ1")
    before = _enrolments()
    client.force_login(participant)
    for url in (
        f"/courses/{other_cohort.pk}/electives/{theirs.pk}/choose/",  # not my cohort
        f"/courses/{other_cohort.pk}/electives/{theirs.pk}/drop/",
        f"/courses/{cohort.pk}/electives/{theirs.pk}/choose/",  # not offered to my cohort
        f"/courses/{cohort.pk}/electives/{required.pk}/choose/",  # not an elective
        f"/courses/{cohort.pk}/electives/999999/choose/",
    ):
        assert client.post(url).status_code == 404, url
    client.force_login(outsider)
    assert client.post(f"/courses/{cohort.pk}/electives/{electives[0].pk}/choose/").status_code == (
        404
    )
    assert _enrolments() == before


def test_electives_are_post_only(client, participant, cohort, electives):
    client.force_login(participant)
    assert client.get(f"/courses/{cohort.pk}/electives/{electives[0].pk}/choose/").status_code == (
        405
    )


# --- calendar and feed -----------------------------------------------------------------------


def test_calendar_groups_upcoming_sessions_by_day_in_the_cohorts_time_zone(
    client, programme, participant, cohort
):
    cohort.timezone = "America/New_York"
    cohort.save(update_fields=["timezone"])
    course = _course(programme, cohort)
    _enrol(course, cohort, participant)
    starts = (timezone.now() + datetime.timedelta(days=3)).replace(
        hour=23, minute=30, second=0, microsecond=0, tzinfo=datetime.UTC
    )
    ClassSessionFactory(
        course=course,
        cohort=cohort,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        title="Late lab",
        place="",
        online_url="https://meet.example.com/ai101",
    )
    _session(course, cohort, starts_in=-datetime.timedelta(days=2))  # past: not listed
    client.force_login(participant)
    body = _body(client.get(CALENDAR))
    local = timezone.localtime(starts, cohort.tz)
    assert local.date() == starts.date()  # in Singapore time it would be the next day
    assert _testid(body, "calendar-day") == [f"{local:%A %-d %B %Y}"]
    assert _testid(body, "timezone-note") == [
        "Times are in America/New_York time, your cohort's time zone."
    ]
    session_text = _testid(body, "calendar-session")[0]
    assert session_text.startswith(f"{local:%H:%M}–{local + datetime.timedelta(hours=1):%H:%M}")
    assert "AI101 Applied AI: Late lab" in session_text
    assert 'href="https://meet.example.com/ai101"' in body
    assert 'data-testid="roster-link"' not in body
    assert 'data-testid="feed-create"' in body


def test_calendar_feed_create_shows_the_full_url_then_reset_and_revoke(client, participant):
    client.force_login(participant)
    response = client.post(FEED_MANAGE, {"action": "create"}, follow=True)
    feed = CalendarFeed.objects.get(user=participant)
    assert _messages(response) == ["Your calendar link is ready: add it to your calendar app."]
    url = f"http://testserver/calendar/{feed.token}.ics"
    assert f'value="{url}"' in _body(response)
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 200

    response = client.post(FEED_MANAGE, {"action": "reset"}, follow=True)
    new = CalendarFeed.objects.get(user=participant)
    assert new.token != feed.token
    assert f'value="http://testserver/calendar/{new.token}.ics"' in _body(response)
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 404
    assert client.get(f"/calendar/{new.token}.ics").status_code == 200

    response = client.post(FEED_MANAGE, {"action": "revoke"}, follow=True)
    assert _messages(response) == ["Your calendar link is turned off."]
    assert not CalendarFeed.objects.exists()
    assert client.get(f"/calendar/{new.token}.ics").status_code == 404
    assert 'data-testid="feed-create"' in _body(response)


def test_feed_manage_refuses_an_unknown_action_and_get(client, participant):
    client.force_login(participant)
    assert client.post(FEED_MANAGE, {"action": "steal"}).status_code == 400
    assert client.get(FEED_MANAGE).status_code == 405
    assert not CalendarFeed.objects.exists()


def test_feed_is_the_persons_own_sessions_in_utc(client, programme, participant, cohort, staff):
    course = _course(programme, cohort)
    _enrol(course, cohort, participant)
    recent = _session(course, cohort, starts_in=-datetime.timedelta(days=10), title="Week 1")
    _session(course, cohort, starts_in=-datetime.timedelta(days=90), title="Long ago")
    upcoming = _session(course, cohort, title="Week 2", instructor=staff)
    cancelled = _session(course, cohort, title="Week 3", is_cancelled=True)
    # Another cohort's session of the same course: not theirs.
    _session(course, CohortFactory(programme=programme), title="Elsewhere")
    feed = CalendarFeedFactory(user=participant)
    response = client.get(f"/calendar/{feed.token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == "inline; filename=cohortline.ics"
    assert response["Cache-Control"] == "private, max-age=300"
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [
        "AI101 Applied AI: Week 1",
        "AI101 Applied AI: Week 2",
        "AI101 Applied AI: Week 3",
    ]
    assert [e.decoded("dtstart") for e in events] == [
        s.starts_at.replace(microsecond=0) for s in (recent, upcoming, cancelled)
    ]
    assert all(e["dtstart"].to_ical().endswith(b"Z") for e in events)
    assert all(e["dtend"].to_ical().endswith(b"Z") for e in events)
    assert [str(e["status"]) for e in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    feed.refresh_from_db()
    assert feed.last_read_at is not None


def test_feed_of_an_unknown_token_is_404(client, participant):
    CalendarFeedFactory(user=participant)
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    assert client.get(f"/calendar/{'x' * 70}.ics").status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_feed_queries_do_not_grow_with_sessions(
    client, programme, participant, cohort, django_assert_num_queries, count
):
    for n in range(count):
        course = _course(programme, cohort, code=f"AI{n}")
        _enrol(course, cohort, participant)
        _session(course, cohort)
    feed = CalendarFeedFactory(user=participant)
    # feed and its person, sessions, last read
    with django_assert_num_queries(3):
        response = client.get(f"/calendar/{feed.token}.ics")
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == count


# --- check-in by code ------------------------------------------------------------------------


@pytest.fixture
def now_session(programme, cohort, participant):
    """AI101 Week 3, started five minutes ago: open for check-in."""
    course = _course(programme, cohort)
    _enrol(course, cohort, participant)
    return _session(course, cohort, starts_in=-datetime.timedelta(minutes=5), title="Week 3")


def _code(session) -> str:
    return checkin.code_for(session.pk, timezone.now()).short


def _mark(user, session):
    return Attendance.objects.filter(user=user, session=session).values_list("status", "source")


def test_check_in_page_shows_the_form_and_the_open_sessions(client, participant, now_session):
    _session(now_session.course, now_session.cohort, title="Next week")
    client.force_login(participant)
    body = _body(client.get(CHECK_IN))
    assert body.count("<h1") == 1
    field = re.search(r'<input[^>]+name="code"[^>]*>', body).group(0)
    for attribute in ('autocomplete="off"', 'inputmode="text"', 'autocapitalize="characters"'):
        assert attribute in field
    assert 'for="id_code"' in body
    assert _testid(body, "open-sessions")[0].startswith("AI101 Applied AI: Week 3")
    assert "Next week" not in body


def test_check_in_with_the_code(client, participant, now_session):
    client.force_login(participant)
    response = client.post(CHECK_IN, {"code": _code(now_session).lower()}, follow=True)
    assert _messages(response) == ["You are checked in to AI101 — Week 3."]
    assert list(_mark(participant, now_session)) == [
        (AttendanceStatus.PRESENT, AttendanceSource.CHECK_IN)
    ]
    assert _testid(_body(response), "checked-in") == ["Checked in"]
    # Again (a second tap, a second device): told, nothing changes.
    response = client.post(CHECK_IN, {"code": _code(now_session)}, follow=True)
    assert _messages(response) == ["You were already checked in to AI101 — Week 3."]
    assert Attendance.objects.count() == 1


def _refused(client, code, message, status=400):
    before = list(Attendance.objects.order_by("pk").values_list())
    response = client.post(CHECK_IN, {"code": code})
    assert response.status_code == status
    body = _body(response)
    assert message in _text(body)
    assert re.search(rf'name="code"[^>]*value="{re.escape(code)}"', body), "typed code kept"
    assert list(Attendance.objects.order_by("pk").values_list()) == before
    return response


def test_check_in_with_an_expired_code_is_refused(client, participant, now_session):
    code = _code(now_session)
    client.force_login(participant)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2), tick=False):
        _refused(client, code, "This code is not valid for your session now")


def test_check_in_with_the_code_of_another_session_is_refused(
    client, programme, participant, now_session
):
    elsewhere = _session(
        now_session.course,
        CohortFactory(programme=programme),
        starts_in=-datetime.timedelta(minutes=5),
    )
    client.force_login(participant)
    _refused(client, _code(elsewhere), "This code is not valid for your session now")


def test_check_in_by_someone_not_enrolled_is_refused(client, outsider, now_session):
    client.force_login(outsider)
    _refused(client, _code(now_session), "None of your sessions is open for check-in now")


def test_check_in_outside_the_window_is_refused(client, participant, now_session):
    later = _session(now_session.course, now_session.cohort, starts_in=datetime.timedelta(hours=3))
    client.force_login(participant)
    with time_machine.travel(now_session.ends_at + datetime.timedelta(minutes=1), tick=False):
        _refused(client, _code(now_session), "None of your sessions is open for check-in now")
    _refused(client, _code(later), "This code is not valid for your session now")


def test_check_in_without_a_code_asks_for_one(client, participant, now_session):
    client.force_login(participant)
    response = client.post(CHECK_IN, {"code": ""})
    assert response.status_code == 400
    assert "This field is required." in _body(response)


def test_check_in_stops_after_ten_wrong_codes(client, participant, now_session):
    client.force_login(participant)
    for _ in range(10):
        assert client.post(CHECK_IN, {"code": "WRONG1"}).status_code == 400
    response = client.post(CHECK_IN, {"code": _code(now_session)})
    assert response.status_code == 429
    assert _testid(_body(response), "check-in-error") == [
        "Too many wrong codes: wait a few minutes, then type the code on the screen again."
    ]
    assert not Attendance.objects.exists()
    # Someone else is not held back.
    other = _person(now_session.cohort, "other@example.com")
    _enrol(now_session.course, now_session.cohort, other)
    client.force_login(other)
    assert client.post(CHECK_IN, {"code": _code(now_session)}).status_code == 302
    # Ten minutes later the participant may try again.
    client.force_login(participant)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        fresh = checkin.code_for(now_session.pk, timezone.now()).short
        assert client.post(CHECK_IN, {"code": fresh}).status_code == 302


# --- check-in by QR code ---------------------------------------------------------------------


def _scan_url(session, token=None):
    token = token if token is not None else checkin.code_for(session.pk, timezone.now()).token
    return f"/courses/check-in/{session.pk}/?t={token}", token


def test_scan_asks_to_sign_in_and_comes_back(client, now_session):
    url, token = _scan_url(now_session)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=" + quote(
        f"/courses/check-in/{now_session.pk}/?t={token}", safe="/"
    )


def test_scan_shows_the_session_and_checks_in(client, participant, now_session):
    client.force_login(participant)
    url, token = _scan_url(now_session)
    body = _body(client.get(url))
    assert _testid(body, "scan-session")[0].startswith("AI101 Applied AI Week 3")
    assert f'name="t" value="{token}"' in body
    response = client.post(f"/courses/check-in/{now_session.pk}/", {"t": token}, follow=True)
    assert _messages(response) == ["You are checked in to AI101 — Week 3."]
    assert list(_mark(participant, now_session)) == [
        (AttendanceStatus.PRESENT, AttendanceSource.CHECK_IN)
    ]
    response = client.post(f"/courses/check-in/{now_session.pk}/", {"t": token}, follow=True)
    assert _messages(response) == ["You were already checked in to AI101 — Week 3."]
    assert Attendance.objects.count() == 1


def _scan_refused(client, session, token, message):
    before = list(Attendance.objects.order_by("pk").values_list())
    response = client.post(f"/courses/check-in/{session.pk}/", {"t": token})
    assert response.status_code == 400
    assert _testid(_body(response), "check-in-error") == [message]
    assert list(Attendance.objects.order_by("pk").values_list()) == before


def test_scan_with_an_expired_token_is_refused(client, participant, now_session):
    token = checkin.code_for(now_session.pk, timezone.now()).token
    client.force_login(participant)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2), tick=False):
        _scan_refused(
            client,
            now_session,
            token,
            "This code has expired: codes change every 30 seconds. Scan the code on the screen "
            "again.",
        )


def test_scan_with_the_token_of_another_session_is_refused(client, participant, now_session):
    other = _session(now_session.course, now_session.cohort, starts_in=-datetime.timedelta(hours=1))
    client.force_login(participant)
    token = checkin.code_for(other.pk, timezone.now()).token
    _scan_refused(client, now_session, token, "This code is for another session.")
    _scan_refused(
        client,
        now_session,
        "forged",
        "This check-in code is not valid. Scan the code on the screen again.",
    )


def test_scan_by_someone_not_enrolled_is_refused_without_seeing_the_session(
    client, outsider, now_session
):
    client.force_login(outsider)
    token = checkin.code_for(now_session.pk, timezone.now()).token
    url = reverse("courses:check_in_scan", args=[now_session.pk])
    for response in (client.get(url, {"t": token}), client.post(url, {"t": token})):
        assert response.status_code == 403
        body = response.content.decode()
        assert "You are not enrolled in the course of this session" in body
        assert now_session.course.code not in body
    assert not Attendance.objects.filter(session=now_session).exists()


def test_scan_outside_the_window_is_refused(client, participant, now_session):
    later = _session(now_session.course, now_session.cohort, starts_in=datetime.timedelta(hours=2))
    client.force_login(participant)
    _scan_refused(
        client,
        later,
        checkin.code_for(later.pk, timezone.now()).token,
        "Check-in for this session is closed: it opens 15 minutes before the start and closes "
        "when the session ends.",
    )


def test_scan_of_an_unknown_session_is_404(client, participant, now_session):
    client.force_login(participant)
    assert client.get("/courses/check-in/999999/?t=x").status_code == 404
    assert client.post("/courses/check-in/999999/", {"t": "x"}).status_code == 404


def test_an_instructor_sees_a_roster_link_on_the_calendar(client, programme, cohort, staff):
    course = _course(programme, cohort, instructors=[staff])
    session = _session(course, cohort, instructor=staff)
    client.force_login(staff)
    body = _body(client.get(CALENDAR))
    assert f'href="/programmes/{programme.slug}/courses/sessions/{session.pk}/roster/"' in body


def test_the_other_programmes_role_holder_sees_nothing(client, other_programme, course):
    user = UserFactory(email="x@example.com")
    ProgrammeRoleFactory(user=user, programme=other_programme, role=RoleKind.STAFF)
    client.force_login(user)
    body = _body(client.get(MINE))
    assert "AI101" not in body
    assert "AI101" not in _body(client.get(CALENDAR))


@pytest.mark.parametrize("count", [1, 3])
def test_calendar_queries_do_not_grow_with_sessions(
    client, programme, participant, cohort, staff, django_assert_num_queries, count
):
    for n in range(count):
        course = _course(programme, cohort, code=f"AI{n}")
        _enrol(course, cohort, participant)
        _session(course, cohort, instructor=staff)
        _session(course, cohort, starts_in=datetime.timedelta(days=n + 1))
    CalendarFeedFactory(user=participant)
    client.force_login(participant)
    # session, user, roles, upcoming sessions, feed, navigation and bell
    with django_assert_num_queries(6):
        assert client.get(CALENDAR).status_code == 200
