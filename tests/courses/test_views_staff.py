"""The programme's teaching pages, for its staff and admins: courses, sessions, enrolments,
the roster, the check-in code, assessments and results, and each cohort's progress."""

import datetime
import html
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import AuditEntry
from courses import checkin
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
    ClassSession,
    Course,
    CourseSettings,
    Enrollment,
)
from notifications.models import Notification
from selection.models import Participant
from tests.auth import sign_in_confirmed
from tests.factories import CohortFactory, ParticipantFactory
from tests.factories.courses import (
    AssessmentFactory,
    AssessmentResultFactory,
    AttendanceFactory,
    ClassSessionFactory,
    CourseFactory,
    EnrollmentFactory,
)
from tests.pages import P, breadcrumbs, confirm_forms, empty

pytestmark = pytest.mark.django_db

COURSES = P + "courses/"
NOW = datetime.datetime(2030, 3, 4, 2, 0, tzinfo=datetime.UTC)  # 10:00 in Singapore


# --- the world -------------------------------------------------------------------------------


@pytest.fixture
def seat(participant):
    participant.display_name = "Priya Nair"
    participant.save(update_fields=["display_name"])
    return Participant.objects.get(user=participant)


@pytest.fixture
def cohort(seat):
    return seat.cohort


@pytest.fixture
def course(programme, cohort, staff):
    return CourseFactory(
        programme=programme,
        code="AI101",
        title="Applied AI",
        cohorts=[cohort],
        instructors=[staff],
        hours=Decimal("24"),
    )


@pytest.fixture
def enrolled(course, cohort, seat):
    return EnrollmentFactory(course=course, cohort=cohort, user=seat.user)


@pytest.fixture
def session(course, cohort, enrolled):
    """Started ten minutes ago, ends in 110 minutes."""
    now = timezone.now()
    return ClassSessionFactory(
        course=course,
        cohort=cohort,
        title="Week 1",
        starts_at=now - datetime.timedelta(minutes=10),
        ends_at=now + datetime.timedelta(minutes=110),
    )


@pytest.fixture
def assessment(course):
    return AssessmentFactory(
        course=course,
        name="Quiz 1",
        max_score=Decimal("20"),
        pass_mark=Decimal("10"),
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )


def _person(cohort, email: str, name: str = ""):
    """A new participant of the cohort."""
    return ParticipantFactory(
        application__cohort=cohort,
        application__applicant__email=email,
        application__applicant__display_name=name,
    ).user


def _login(client, user):
    client.force_login(user)
    return client


def _body(response) -> str:
    return response.content.decode()


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip())


def _cells(body: str, testid: str) -> list[list[str]]:
    """The rows of the (first) table with this data-testid, as lists of cell texts."""
    table = body.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)
    return [[_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]


def _testid(body: str, testid: str) -> str:
    """The text of the first element with this data-testid (up to its first closing tag)."""
    return _text(body.split(f'data-testid="{testid}"', 1)[1].split(">", 1)[1].split("</", 1)[0])


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _problems(response) -> list[str]:
    """The errors a page shows, to explain a failed test."""
    return [
        _text(m)
        for m in re.findall(
            r"(?:alert-danger|invalid-feedback)[^>]*>(.*?)</(?:div|p|span|ul)>",
            _body(response),
            re.S,
        )
    ]


def _follow(client, response) -> str:
    assert response.status_code == 302, _problems(response)
    return _body(client.get(response["Location"]))


def _snapshot() -> dict:
    return {
        model.__name__: list(model.objects.order_by("pk").values_list())
        for model in (
            CourseSettings,
            Course,
            ClassSession,
            Enrollment,
            Attendance,
            Assessment,
            AssessmentResult,
            Notification,
        )
    }


def _refused_unchanged(client, url, data=None, status=(404,)):
    before = _snapshot()
    response = client.post(url, data or {})
    assert response.status_code in status, (url, response.status_code)
    assert _snapshot() == before
    return response


def _session_url(session, tail: str) -> str:
    return COURSES + f"sessions/{session.pk}/{tail}"


def _course_url(course, tail: str = "") -> str:
    return COURSES + f"{course.pk}/{tail}"


def _assessment_url(assessment, tail: str = "") -> str:
    return COURSES + f"{assessment.course_id}/assessments/{assessment.pk}/{tail}"


# --- access ----------------------------------------------------------------------------------


@pytest.fixture
def world(programme, cohort, course, enrolled, session, assessment, seat):
    """Every page and every action of the staff's teaching, with data that could leak."""
    AssessmentResultFactory(assessment=assessment, user=seat.user, comment="Secret comment")
    gets = [
        COURSES,
        COURSES + "new/",
        _course_url(course),
        _course_url(course, "edit/"),
        _course_url(course, "sessions/new/"),
        _course_url(course, "assessments/new/"),
        _assessment_url(assessment),
        _assessment_url(assessment, "edit/"),
        _session_url(session, "edit/"),
        _session_url(session, "roster/"),
        _session_url(session, "check-in-code/"),
        COURSES + "progress/",
        COURSES + f"progress/export/?cohort={cohort.pk}",
        COURSES + f"progress/{seat.user_id}/",
    ]
    posts = [
        (COURSES + "settings/", {"max_electives": "5"}),
        (
            COURSES + "new/",
            {"code": "X1", "title": "X", "kind": "required", "hours": "3", "min_attendance": "80"},
        ),
        (
            _course_url(course, "edit/"),
            {"code": "AI101", "title": "Renamed", "kind": "required", "hours": "3"},
        ),
        (
            _course_url(course, "sessions/new/"),
            {"cohort": cohort.pk, "day": "2031-01-01", "starts": "09:00", "ends": "10:00"},
        ),
        (_course_url(course, "enrolments/add/"), {"cohort": cohort.pk, "email": "x@example.com"}),
        (_course_url(course, f"enrolments/{enrolled.pk}/remove/"), {}),
        (
            _course_url(course, "assessments/new/"),
            {"name": "Exam", "kind": "exam", "max_score": "10", "pass_mark": "5", "weight": "1"},
        ),
        (
            _assessment_url(assessment, "edit/"),
            {"name": "Q", "kind": "quiz", "max_score": "10", "pass_mark": "5", "weight": "1"},
        ),
        (_assessment_url(assessment, "results/"), {"user": seat.user_id, "score": "1"}),
        (
            _assessment_url(assessment, "import/"),
            {"file": SimpleUploadedFile("r.csv", b"participant@example.com,3\n")},
        ),
        (
            _session_url(session, "edit/"),
            {"cohort": cohort.pk, "day": "2031-01-01", "starts": "09:00", "ends": "10:00"},
        ),
        (_session_url(session, "cancel/"), {}),
        (_session_url(session, f"roster/{seat.user_id}/"), {"status": "late"}),
        (_session_url(session, "roster/everyone-present/"), {}),
        (
            COURSES + "progress/message/",
            {"cohort": cohort.pk, "target": "at_risk", "subject": "Hi", "body": "Hello"},
        ),
    ]
    return gets, posts


@pytest.mark.parametrize(
    ("persona", "status"),
    [("outsider", 404), ("other_programme_admin", 404), ("participant", 404), ("mentor", 403)],
)
def test_pages_are_404_without_a_role_and_403_for_a_role_that_does_not_teach(
    client, request, world, persona, status
):
    gets, _posts = world
    _login(client, request.getfixturevalue(persona))
    for url in gets:
        response = client.get(url)
        assert response.status_code == status, url
        # The participant's name may show only as their own, in the navigation.
        main = _body(response).split("<main", 1)[-1]
        assert "Priya Nair" not in main and "Secret comment" not in _body(response)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("outsider", 404), ("other_programme_admin", 404), ("participant", 404), ("mentor", 403)],
)
def test_actions_refuse_everyone_but_the_teaching_staff_and_change_nothing(
    client, request, world, persona, status
):
    _gets, posts = world
    _login(client, request.getfixturevalue(persona))
    audit = AuditEntry.objects.count()
    for url, data in posts:
        _refused_unchanged(client, url, data, status=(status,))
    assert AuditEntry.objects.count() == audit


def test_pages_send_visitors_to_sign_in(client, world):
    gets, _posts = world
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_actions_are_post_only(client, programme_admin, world):
    _gets, posts = world
    _login(client, programme_admin)
    post_only = [
        url for url, _data in posts if not url.endswith(("new/", "edit/", "enrolments/add/"))
    ]
    for url in post_only:
        assert client.get(url).status_code == 405, url


def test_another_programmes_objects_are_404(
    client, programme, programme_admin, other_programme, world
):
    other_cohort = CohortFactory(programme=other_programme)
    other_course = CourseFactory(programme=other_programme, cohorts=[other_cohort])
    other_session = ClassSessionFactory(course=other_course, cohort=other_cohort)
    other_assessment = AssessmentFactory(course=other_course)
    _login(client, programme_admin)
    for url in (
        _course_url(other_course),
        _course_url(other_course, "edit/"),
        _session_url(other_session, "roster/"),
        _session_url(other_session, "check-in-code/"),
        _session_url(other_session, "edit/"),
        COURSES + f"{other_course.pk}/assessments/{other_assessment.pk}/",
        COURSES + f"progress/export/?cohort={other_cohort.pk}",
        COURSES + "999999/",
    ):
        assert client.get(url).status_code == 404, url
    _refused_unchanged(client, _session_url(other_session, "cancel/"))
    _refused_unchanged(client, _session_url(other_session, "roster/everyone-present/"))


def test_programme_page_links_courses_for_staff_and_admins_only(
    client, programme, programme_admin, staff, mentor
):
    link = f'href="{COURSES}" data-testid="courses-link"'
    assert link in _body(_login(client, programme_admin).get(P))
    assert link in _body(_login(client, staff).get(P))
    assert link not in _body(_login(client, mentor).get(P))


# --- the programme's courses -------------------------------------------------------------------


def test_overview_lists_courses_with_their_figures(
    client, programme, staff, cohort, course, enrolled, session
):
    ClassSessionFactory(
        course=course,
        cohort=cohort,
        starts_at=timezone.now() - datetime.timedelta(days=7),
        ends_at=timezone.now() - datetime.timedelta(days=7) + datetime.timedelta(hours=2),
    )
    ClassSessionFactory(course=course, cohort=cohort, is_cancelled=True)
    CourseFactory(programme=programme, code="EL200", title="Vision", kind=CourseKind.ELECTIVE)
    body = _body(_login(client, staff).get(COURSES))
    assert breadcrumbs(body) == [
        ("Dashboard", "/dashboard/"),
        ("AI Forward 2026", P),
        ("Courses", ""),
    ]
    assert "Courses (2)" in body
    assert _cells(body, "courses") == [
        [
            "AI101 Applied AI Required · 1 of 2 sessions held",
            "Required",
            "24",
            "Spring intake",
            "Ahmad Zulkifli",
            "1",
            "1 of 2",
        ],
        [
            "EL200 Vision Elective · 0 of 0 sessions held",
            "Elective",
            "24",
            "none yet",
            "—",
            "0",
            "0 of 0",
        ],
    ]
    assert f'href="{COURSES}new/"' in body and f'href="{COURSES}progress/"' in body


def test_overview_empty_says_what_to_do_next(client, programme, programme_admin):
    body = _body(_login(client, programme_admin).get(COURSES))
    assert empty(body) == [
        "No courses yet. Add the first course, offer it to a cohort, then schedule its sessions. "
        "New course"
    ]


def test_settings_save_the_electives_limit(client, programme, programme_admin):
    response = _login(client, programme_admin).post(COURSES + "settings/", {"max_electives": "3"})
    assert _follow(client, response)
    assert CourseSettings.objects.get(programme=programme).max_electives == 3
    assert _messages(client.get(COURSES)) == []  # shown once, on the redirect


def test_settings_refuse_a_bad_limit_and_keep_it(client, programme, programme_admin):
    response = _login(client, programme_admin).post(COURSES + "settings/", {"max_electives": "99"})
    assert response.status_code == 400
    assert 'value="99"' in _body(response)
    assert not CourseSettings.objects.exists()


def test_course_create_enrols_the_cohorts_participants(
    client, programme, programme_admin, cohort, seat, staff
):
    _person(cohort, "second@example.com", "Sam Second")
    other_cohort = CohortFactory(programme=programme, name="Autumn intake")
    _login(client, programme_admin)
    form = _body(client.get(COURSES + "new/"))
    assert "Autumn intake" in form and "Ahmad Zulkifli (staff@example.com)" in form
    assert "Priya Nair" not in form  # participants do not teach
    response = client.post(
        COURSES + "new/",
        {
            "code": "AI102",
            "title": "Deep learning",
            "description": "Nets.",
            "kind": "required",
            "hours": "12.5",
            "min_attendance": "75",
            "cohorts": [cohort.pk],
            "instructors": [staff.pk],
        },
    )
    course = Course.objects.get(code="AI102")
    assert response["Location"] == _course_url(course)
    assert _messages(client.get(response["Location"])) == [
        "AI102 saved; 2 participants were enrolled."
    ]
    assert course.programme == programme and course.min_attendance == 75
    assert list(course.cohorts.all()) == [cohort] and list(course.instructors.all()) == [staff]
    assert Enrollment.objects.filter(course=course, status=EnrollmentStatus.ACTIVE).count() == 2
    assert not Enrollment.objects.filter(cohort=other_cohort).exists()


def test_course_create_refuses_bad_input_and_keeps_it(
    client, programme, programme_admin, other_programme, course
):
    foreign = CohortFactory(programme=other_programme)
    _login(client, programme_admin)
    response = client.post(
        COURSES + "new/",
        {
            "code": "",
            "title": "Typed title",
            "kind": "required",
            "hours": "0",
            "cohorts": [foreign.pk],
        },
    )
    assert response.status_code == 400
    body = _body(response)
    assert 'value="Typed title"' in body
    assert "Select a valid choice." in body  # another programme's cohort
    # A code the programme already has.
    response = client.post(
        COURSES + "new/",
        {
            "code": "AI101",
            "title": "Again",
            "kind": "required",
            "hours": "3",
            "min_attendance": "80",
        },
    )
    assert response.status_code == 400
    assert "The programme already has a course with this code." in _body(response)
    assert Course.objects.count() == 1


def test_course_edit_changes_it(client, programme, programme_admin, course, cohort, staff):
    _login(client, programme_admin)
    form = _body(client.get(_course_url(course, "edit/")))
    assert 'value="Applied AI"' in form
    response = client.post(
        _course_url(course, "edit/"),
        {
            "code": "AI101",
            "title": "Applied AI, revised",
            "kind": "required",
            "hours": "30",
            "min_attendance": "80",
            "cohorts": [cohort.pk],
        },
    )
    assert _follow(client, response)
    course.refresh_from_db()
    assert (course.title, course.hours, list(course.instructors.all())) == (
        "Applied AI, revised",
        Decimal("30"),
        [],
    )


def test_course_detail_shows_sessions_in_the_cohorts_time_zone(
    client, programme, staff, cohort, course, enrolled, assessment
):
    cohort.timezone = "America/New_York"
    cohort.save(update_fields=["timezone"])
    starts = datetime.datetime(2031, 7, 1, 13, 0, tzinfo=datetime.UTC)  # 09:00 in New York
    upcoming = ClassSessionFactory(
        course=course,
        cohort=cohort,
        title="Transformers",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        instructor=staff,
    )
    past = ClassSessionFactory(
        course=course,
        cohort=cohort,
        title="Intro",
        starts_at=datetime.datetime(2024, 1, 10, 14, 0, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2024, 1, 10, 16, 0, tzinfo=datetime.UTC),
    )
    AttendanceFactory(session=past, user=enrolled.user, status=AttendanceStatus.LATE)
    body = _body(_login(client, staff).get(_course_url(course)))
    assert breadcrumbs(body) == [
        ("Dashboard", "/dashboard/"),
        ("AI Forward 2026", P),
        ("Courses", COURSES),
        ("AI101", ""),
    ]
    assert "times in America/New_York" in body
    rows = _cells(body, "sessions")
    assert [row[:5] for row in rows] == [
        ["Wed 10 Jan 2024 09:00–11:00 Intro", "Intro Lab 2, 10 Science Park Road", "—", "1", "1"],
        [
            "Tue 1 Jul 2031 09:00–11:00 Transformers",
            "Transformers Lab 2, 10 Science Park Road",
            "Ahmad Zulkifli",
            "0",
            "0",
        ],
    ]
    # Only a session still to come can be cancelled, and it asks first.
    assert confirm_forms(body) == {
        _session_url(upcoming, "cancel/"): (
            "Cancel the session of 1 Jul 2031, 09:00? The people enrolled are told at once."
        ),
        _course_url(course, f"enrolments/{enrolled.pk}/remove/"): (
            "Take participant@example.com off AI101? Their attendance and results are kept."
        ),
    }
    assert _session_url(past, "roster/") in body
    assert [row[:3] for row in _cells(body, "enrolments")] == [
        [
            "Priya Nair participant@example.com Spring intake",
            "Spring intake",
            "Required course: enrolled on joining",
        ]
    ]
    assert _cells(body, "assessments")[0][0] == "Quiz 1 Quiz"


def test_course_detail_empty_lists_say_what_to_do_next(client, programme, staff):
    course = CourseFactory(programme=programme, code="EL1", kind=CourseKind.ELECTIVE)
    body = _body(_login(client, staff).get(_course_url(course)))
    assert empty(body) == [
        "The course is not offered to any cohort yet. Edit the course and choose its cohorts; "
        "then you can schedule sessions. Edit course",
        "Nobody is enrolled yet. Participants choose electives from their courses page; you can "
        "also add someone below.",
        "No assessments yet. Add the course's quizzes, projects and exams to record their "
        "results. New assessment",
    ]


def test_enrolment_add_and_remove(client, programme, staff, cohort, course, enrolled):
    other = _person(cohort, "second@example.com", "Sam Second")
    _login(client, staff)
    response = client.post(
        _course_url(course, "enrolments/add/"), {"cohort": cohort.pk, "email": "SECOND@example.com"}
    )
    assert response["Location"] == _course_url(course) + "#enrolments"
    assert _messages(client.get(_course_url(course))) == ["Sam Second is enrolled in AI101."]
    added = Enrollment.objects.get(course=course, user=other)
    assert (added.status, added.source) == (EnrollmentStatus.ACTIVE, EnrollmentSource.STAFF)

    response = client.post(_course_url(course, f"enrolments/{added.pk}/remove/"))
    assert response.status_code == 302
    added.refresh_from_db()
    assert added.status == EnrollmentStatus.WITHDRAWN


def test_enrolment_add_refuses_an_unknown_email_and_keeps_it(
    client, programme, staff, cohort, course
):
    response = _login(client, staff).post(
        _course_url(course, "enrolments/add/"), {"cohort": cohort.pk, "email": "nobody@example.com"}
    )
    assert response.status_code == 400
    body = _body(response)
    assert "No participant of Spring intake has the email address nobody@example.com." in body
    assert 'value="nobody@example.com"' in body
    assert not Enrollment.objects.exists()


# --- class sessions ----------------------------------------------------------------------------


def test_session_create_reads_the_times_in_the_cohorts_time_zone(
    client, programme, staff, cohort, course
):
    cohort.timezone = "Europe/London"
    cohort.save(update_fields=["timezone"])
    _login(client, staff)
    assert "Spring intake (Europe/London)" in _body(
        client.get(_course_url(course, "sessions/new/"))
    )
    response = client.post(
        _course_url(course, "sessions/new/"),
        {
            "cohort": cohort.pk,
            "day": "2031-07-01",
            "starts": "09:00",
            "ends": "11:30",
            "title": "Transformers",
            "place": "Room 4",
            "instructor": staff.pk,
        },
    )
    session = ClassSession.objects.get()
    assert response["Location"] == _course_url(course) + f"#cohort-{cohort.pk}"
    assert _messages(client.get(response["Location"])) == [
        "The session of Spring intake on Tue 1 Jul 2031, 09:00 is saved."
    ]
    # 09:00 in London in summer is 08:00 UTC.
    assert session.starts_at == datetime.datetime(2031, 7, 1, 8, 0, tzinfo=datetime.UTC)
    assert session.ends_at == datetime.datetime(2031, 7, 1, 10, 30, tzinfo=datetime.UTC)
    assert (session.title, session.instructor, session.course) == ("Transformers", staff, course)


def test_session_create_refuses_an_end_before_the_start_and_keeps_the_input(
    client, programme, staff, cohort, course
):
    response = _login(client, staff).post(
        _course_url(course, "sessions/new/"),
        {
            "cohort": cohort.pk,
            "day": "2031-07-01",
            "starts": "11:00",
            "ends": "09:00",
            "title": "Typed",
        },
    )
    assert response.status_code == 400
    body = _body(response)
    assert "The session must end after it starts, on the same day." in body
    assert 'value="Typed"' in body and 'value="2031-07-01"' in body and 'value="11:00"' in body
    assert not ClassSession.objects.exists()


def test_session_edit_shows_local_times_and_tells_the_people_when_moved(
    client, programme, staff, cohort, course, enrolled
):
    starts = datetime.datetime(2031, 7, 1, 1, 0, tzinfo=datetime.UTC)  # 09:00 in Singapore
    session = ClassSessionFactory(
        course=course, cohort=cohort, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
    )
    _login(client, staff)
    form = _body(client.get(_session_url(session, "edit/")))
    assert 'value="2031-07-01"' in form and 'value="09:00"' in form and 'value="11:00"' in form
    response = client.post(
        _session_url(session, "edit/"),
        {"cohort": cohort.pk, "day": "2031-07-02", "starts": "10:00", "ends": "12:00"},
    )
    assert response.status_code == 302, _problems(response)
    session.refresh_from_db()
    assert session.starts_at == datetime.datetime(2031, 7, 2, 2, 0, tzinfo=datetime.UTC)
    assert list(
        Notification.objects.filter(kind="courses.session_changed").values_list(
            "recipient", flat=True
        )
    ) == [enrolled.user_id]


def test_session_cancel_tells_the_people_and_refuses_twice(
    client, programme, staff, cohort, course, enrolled
):
    session = ClassSessionFactory(course=course, cohort=cohort)
    _login(client, staff)
    response = client.post(_session_url(session, "cancel/"))
    assert response["Location"] == _course_url(course) + f"#cohort-{cohort.pk}"
    assert _messages(client.get(response["Location"]))[0].endswith(
        "is cancelled; the people enrolled were told."
    )
    session.refresh_from_db()
    assert session.is_cancelled
    assert Notification.objects.filter(kind="courses.session_changed").count() == 1
    response = client.post(_session_url(session, "cancel/"), follow=True)
    assert _messages(response) == ["This session is already cancelled."]


# --- the roster --------------------------------------------------------------------------------


def _roster_names(body: str) -> list[str]:
    return [_text(n) for n in re.findall(r'data-testid="roster-name">(.*?)</legend>', body, re.S)]


def _counts(body: str) -> dict[str, str]:
    block = body.split('data-testid="roster-counts"', 1)[1].split("</ul>", 1)[0]
    return {
        key: _text(text)
        for key, text in re.findall(r'data-testid="count-([a-z]+)">(.*?)</li>', block, re.S)
    }


def _checked(body: str, user) -> list[str]:
    row = body.split(f'id="person-{user.pk}"', 1)[1].split("</li>", 1)[0]
    return re.findall(r'value="([a-z]+)" autocomplete="off" checked', row)


def test_roster_lists_everyone_enrolled_with_their_marks_and_the_counts(
    client, programme, staff, cohort, course, session, seat
):
    sam = _person(cohort, "sam@example.com", "Sam Second")
    zoe = _person(cohort, "zoe@example.com", "Zoe Zed")
    for user in (sam, zoe):
        EnrollmentFactory(course=course, cohort=cohort, user=user)
    AttendanceFactory(
        session=session, user=sam, status=AttendanceStatus.LATE, source=AttendanceSource.CHECK_IN
    )
    _person(cohort, "not.enrolled@example.com", "Nina Notenrolled")
    body = _body(_login(client, staff).get(_session_url(session, "roster/")))
    assert breadcrumbs(body) == [
        ("Dashboard", "/dashboard/"),
        ("AI Forward 2026", P),
        ("AI101", _course_url(course)),
        ("Roster", ""),
    ]
    assert _roster_names(body) == ["Priya Nair", "Sam Second", "Zoe Zed"]
    assert _counts(body) == {
        "present": "0 Present",
        "late": "1 Late",
        "excused": "0 Excused",
        "absent": "0 Absent",
        "unmarked": "2 Not marked",
    }
    assert _checked(body, sam) == ["late"]
    assert "Late · checked in with the code" in body
    assert 'data-testid="all-present"' in body
    assert f'href="{_session_url(session, "check-in-code/")}"' in body
    # Each row saves on change with htmx, and with a Save button without JavaScript.
    mark_url = _session_url(session, f"roster/{zoe.pk}/")
    assert f'hx-post="{mark_url}" hx-trigger="change" hx-target="#person-{zoe.pk}"' in body
    assert '<noscript><button type="submit"' in body


def test_roster_mark_without_javascript_saves_and_comes_back(
    client, programme, staff, session, seat
):
    _login(client, staff)
    response = client.post(_session_url(session, f"roster/{seat.user_id}/"), {"status": "late"})
    assert response["Location"] == _session_url(session, "roster/") + f"#person-{seat.user_id}"
    body = _body(client.get(response["Location"]))
    assert _checked(body, seat.user) == ["late"]
    mark = Attendance.objects.get(session=session, user=seat.user)
    assert (mark.status, mark.source, mark.marked_by) == ("late", AttendanceSource.ROSTER, staff)


def test_roster_mark_with_htmx_returns_the_row_and_the_counts(
    client, programme, staff, session, seat
):
    _login(client, staff)
    response = client.post(
        _session_url(session, f"roster/{seat.user_id}/"),
        {"status": "excused"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = _body(response)
    assert body.lstrip().startswith(f'<li class="list-group-item py-3" id="person-{seat.user_id}"')
    assert "<html" not in body and "<h1" not in body
    assert _checked(body, seat.user) == ["excused"]
    assert '<div id="roster-counts" hx-swap-oob="innerHTML">' in body
    assert _counts(body)["excused"] == "1 Excused"
    assert Attendance.objects.get(session=session, user=seat.user).status == "excused"


def test_roster_mark_before_the_start_allows_only_excused(
    client, programme, staff, course, cohort, enrolled, seat
):
    future = ClassSessionFactory(course=course, cohort=cohort)
    _login(client, staff)
    body = _body(client.get(_session_url(future, "roster/")))
    assert 'data-testid="not-started"' in body and 'data-testid="all-present"' not in body
    url = _session_url(future, f"roster/{seat.user_id}/")
    refused = "The session has not started yet: only “excused” can be marked in advance."
    # With htmx: the row comes back with the reason (409, which htmx swaps in).
    response = client.post(url, {"status": "present"}, headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert refused in _body(response) and _checked(_body(response), seat.user) == ["present"]
    # Without: the page again, the choice kept, the reason shown.
    response = client.post(url, {"status": "present"})
    assert response.status_code == 400
    assert refused in _body(response) and _checked(_body(response), seat.user) == ["present"]
    assert not Attendance.objects.exists()
    assert client.post(url, {"status": "excused"}).status_code == 302
    assert Attendance.objects.get().status == "excused"


def test_roster_mark_refuses_junk_and_people_not_on_the_roster(
    client, programme, staff, cohort, session, seat
):
    stranger = _person(cohort, "stranger@example.com")
    _login(client, staff)
    response = client.post(_session_url(session, f"roster/{seat.user_id}/"), {"status": "asleep"})
    assert response.status_code == 400
    assert "Choose present, late, excused or absent." in _body(response)
    _refused_unchanged(client, _session_url(session, f"roster/{stranger.pk}/"), {"status": "late"})
    assert not Attendance.objects.exists()


def test_roster_everyone_present_marks_only_those_not_marked(
    client, programme, staff, cohort, course, session, seat
):
    sam = _person(cohort, "sam@example.com", "Sam Second")
    EnrollmentFactory(course=course, cohort=cohort, user=sam)
    AttendanceFactory(session=session, user=sam, status=AttendanceStatus.ABSENT)
    _login(client, staff)
    response = client.post(_session_url(session, "roster/everyone-present/"))
    assert response["Location"] == _session_url(session, "roster/")
    body = _body(client.get(response["Location"]))
    assert _counts(body)["present"] == "1 Present" and _counts(body)["absent"] == "1 Absent"
    assert dict(Attendance.objects.values_list("user__email", "status")) == {
        "participant@example.com": "present",
        "sam@example.com": "absent",
    }


@pytest.mark.parametrize("count", [1, 3])
def test_roster_query_count(
    client, programme, staff, cohort, course, session, seat, django_assert_num_queries, count
):
    for n in range(count - 1):
        user = _person(cohort, f"p{n}@example.com", f"Person {n}")
        EnrollmentFactory(course=course, cohort=cohort, user=user)
        AttendanceFactory(session=session, user=user, status=AttendanceStatus.LATE)
    _login(client, staff)
    # session, user, roles (with the authenticator), session, marks, enrolments, navigation and bell
    with django_assert_num_queries(7):
        response = client.get(_session_url(session, "roster/"))
    assert len(_roster_names(_body(response))) == count


# --- the check-in code -------------------------------------------------------------------------


def test_checkin_display_shows_the_code_during_the_window(
    client, programme, staff, course, cohort, enrolled
):
    with time_machine.travel(NOW, tick=False):
        session = ClassSessionFactory(
            course=course,
            cohort=cohort,
            starts_at=NOW + datetime.timedelta(minutes=5),
            ends_at=NOW + datetime.timedelta(hours=2),
        )
        _login(client, staff)
        response = client.get(_session_url(session, "check-in-code/"))
        body = _body(response)
        code = checkin.code_for(session.pk, NOW)
        assert _testid(body, "short-code") == code.short
        assert '<svg viewBox="0 0 ' in body and 'aria-label="QR code: scan it' in body
        assert "http://testserver/courses/check-in/" in body
        assert "0 of 1 present so far." in body
        poll = f'hx-get="{_session_url(session, "check-in-code/")}?part=code"'
        assert poll + ' hx-trigger="every 20s" hx-swap="outerHTML"' in body
        assert response["Cache-Control"] == "private, no-store"
        # The inline SVG needs nothing the policy forbids: no inline style, no data: URI.
        assert "style=" not in body.split('data-testid="qr"', 1)[1].split("</svg>", 1)[0]
        assert "data:" not in body

        # Polling returns the block alone, with the code of its moment.
        later = NOW + datetime.timedelta(seconds=40)
    with time_machine.travel(later, tick=False):
        response = client.get(
            _session_url(session, "check-in-code/") + "?part=code", headers={"HX-Request": "true"}
        )
        part = _body(response)
        assert part.lstrip().startswith('<div id="checkin-code"') and "<h1" not in part
        assert _testid(part, "short-code") == checkin.code_for(session.pk, later).short
        assert checkin.code_for(session.pk, later).short != code.short


def test_checkin_display_says_when_it_opens_and_when_it_closed(
    client, programme, staff, course, cohort, enrolled
):
    starts = datetime.datetime(2031, 7, 1, 1, 0, tzinfo=datetime.UTC)  # 09:00 in Singapore
    future = ClassSessionFactory(
        course=course, cohort=cohort, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
    )
    past = ClassSessionFactory(
        course=course,
        cohort=cohort,
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        ends_at=timezone.now() - datetime.timedelta(hours=1),
    )
    _login(client, staff)
    body = _body(client.get(_session_url(future, "check-in-code/")))
    assert _testid(body, "checkin-closed") == (
        "Check-in opens on Tuesday 1 July 2031 at 08:45, 15 minutes before the session starts. "
        "Keep this page open: the code appears by itself."
    )
    assert 'data-testid="short-code"' not in body and 'data-testid="qr"' not in body
    assert 'hx-trigger="every 20s"' in body
    body = _body(client.get(_session_url(past, "check-in-code/")))
    assert _testid(body, "checkin-closed") == (
        "Check-in closed when the session ended. Correct marks on the roster."
    )
    assert 'hx-trigger="every 20s"' not in body and 'data-testid="short-code"' not in body


# --- assessments and results -------------------------------------------------------------------


def test_assessment_create_and_edit(client, programme, staff, course):
    _login(client, staff)
    response = client.post(
        _course_url(course, "assessments/new/"),
        {
            "name": "Final exam",
            "kind": "exam",
            "max_score": "100",
            "pass_mark": "60",
            "weight": "2",
            "due_on": "2031-06-30",
        },
    )
    assessment = Assessment.objects.get()
    assert response["Location"] == _assessment_url(assessment)
    assert (assessment.course, assessment.pass_mark, assessment.weight) == (
        course,
        Decimal("60"),
        Decimal("2"),
    )
    body = _body(client.get(response["Location"]))
    assert _testid(body, "assessment-facts") == (
        "Exam · pass mark 60 of 100 · weight 2 · due 30 Jun 2031"
    )
    response = client.post(
        _assessment_url(assessment, "edit/"),
        {
            "name": "Final exam",
            "kind": "exam",
            "max_score": "100",
            "pass_mark": "50",
            "weight": "1",
        },
    )
    assert response.status_code == 302, _problems(response)
    assessment.refresh_from_db()
    assert (assessment.pass_mark, assessment.due_on) == (Decimal("50"), None)


def test_assessment_refuses_a_pass_mark_above_the_maximum_and_keeps_the_input(
    client, programme, staff, course
):
    response = _login(client, staff).post(
        _course_url(course, "assessments/new/"),
        {"name": "Typed", "kind": "quiz", "max_score": "10", "pass_mark": "12", "weight": "1"},
    )
    assert response.status_code == 400
    body = _body(response)
    assert "The pass mark cannot be above the maximum score." in body
    assert 'value="Typed"' in body and 'value="12"' in body
    assert not Assessment.objects.exists()


def test_assessment_detail_lists_results(
    client, programme, staff, course, assessment, seat, enrolled, cohort
):
    sam = _person(cohort, "sam@example.com", "Sam Second")
    EnrollmentFactory(course=course, cohort=cohort, user=sam)
    AssessmentResultFactory(
        assessment=assessment, user=seat.user, score=Decimal("15"), comment="Good"
    )
    AssessmentResultFactory(assessment=assessment, user=sam, score=Decimal("9.5"))
    body = _body(_login(client, staff).get(_assessment_url(assessment)))
    assert "Results (2 of 2 enrolled)" in body
    assert _cells(body, "results") == [
        ["Priya Nair participant@example.com", "15", "passed Good", "Good"],
        ["Sam Second sam@example.com", "9.50", "not passed", "—"],
    ]


def test_result_record_saves_and_corrects(client, programme, staff, assessment, seat, enrolled):
    _login(client, staff)
    url = _assessment_url(assessment, "results/")
    response = client.post(url, {"user": seat.user_id, "score": "12", "comment": "Fine"})
    assert response["Location"] == _assessment_url(assessment) + "#results"
    assert _messages(client.get(response["Location"])) == ["Priya Nair: 12 recorded."]
    client.post(url, {"user": seat.user_id, "score": "18.25", "comment": ""})
    result = AssessmentResult.objects.get()
    assert (result.score, result.comment, result.recorded_by) == (Decimal("18.25"), "", staff)


def test_result_record_refuses_bad_input_and_keeps_it(
    client, programme, staff, assessment, seat, enrolled, cohort
):
    stranger = _person(cohort, "stranger@example.com")
    _login(client, staff)
    url = _assessment_url(assessment, "results/")
    response = client.post(url, {"user": seat.user_id, "score": "25", "comment": "Typed comment"})
    assert response.status_code == 400
    body = _body(response)
    assert "The score must be between 0 and 20.00." in body
    assert 'value="25"' in body and "Typed comment" in body
    response = client.post(url, {"user": stranger.pk, "score": "5"})
    assert response.status_code == 400
    assert "Select a valid choice." in _body(response)
    assert not AssessmentResult.objects.exists()


def _upload(content: bytes, name: str = "results.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_results_import_writes_every_row(
    client, programme, staff, assessment, seat, enrolled, cohort, course
):
    sam = _person(cohort, "sam@example.com", "Sam Second")
    EnrollmentFactory(course=course, cohort=cohort, user=sam)
    _login(client, staff)
    response = client.post(
        _assessment_url(assessment, "import/"),
        {
            "file": _upload(
                "email,score,comment\nparticipant@example.com,17,Très bien\nSAM@example.com,8\n".encode()
            )
        },
    )
    assert response["Location"] == _assessment_url(assessment) + "#results"
    assert _messages(client.get(response["Location"])) == ["2 results imported."]
    assert dict(AssessmentResult.objects.values_list("user__email", "comment")) == {
        "participant@example.com": "Très bien",
        "sam@example.com": "",
    }


def test_results_import_lists_every_bad_row_and_imports_nothing(
    client, programme, staff, assessment, seat, enrolled
):
    _login(client, staff)
    response = client.post(
        _assessment_url(assessment, "import/"),
        {
            "file": _upload(
                b"email,score\n"
                b"participant@example.com,12\n"
                b"nobody@example.com,5\n"
                b"participant@example.com,30\n"
                b"participant@example.com,abc\n"
            )
        },
    )
    assert response.status_code == 400
    body = _body(response)
    assert "Nothing was imported: 3 rows have problems." in body
    problems = body.split('data-testid="import-problems">', 1)[1].split("</ul>", 1)[0]
    assert [_text(li) for li in re.findall(r"<li>(.*?)</li>", problems, re.S)] == [
        "Line 3: nobody@example.com is not enrolled in this course.",
        "Line 4: participant@example.com is also on line 2.",
        "Line 5: participant@example.com is also on line 2.",
    ]
    assert not AssessmentResult.objects.exists()


def test_results_import_says_why_a_file_cannot_be_read(
    client, programme, staff, assessment, seat, enrolled, monkeypatch
):
    _login(client, staff)
    url = _assessment_url(assessment, "import/")
    response = client.post(
        url, {"file": _upload("participant@example.com,12,Très\n".encode("latin-1"))}
    )
    assert response.status_code == 400
    assert "The file is not UTF-8 text." in _body(response)
    response = client.post(url, {"file": _upload(b"x" * (2 * 1024 * 1024 + 1))})
    assert response.status_code == 400
    assert "The file is larger than 2 MB; split it into smaller files." in _body(response)
    response = client.post(url, {"file": _upload(b"")})
    assert response.status_code == 400
    response = client.post(url, {"file": _upload(b"\n\n")})
    assert response.status_code == 400
    assert "The file has no rows." in _body(response)
    assert not AssessmentResult.objects.exists()


# --- progress ----------------------------------------------------------------------------------


def _held(course, cohort, days_ago: int):
    starts = timezone.now() - datetime.timedelta(days=days_ago)
    return ClassSessionFactory(
        course=course, cohort=cohort, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
    )


@pytest.fixture
def progress_world(course, cohort, enrolled, seat, assessment):
    """Two sessions held: Priya missed both (out of reach), Sam attended both (on track, a quiz
    to come); Zoe takes no course."""
    sam = _person(cohort, "sam@example.com", "Sam Second")
    _person(cohort, "zoe@example.com", "Zoe Zed")
    EnrollmentFactory(course=course, cohort=cohort, user=sam)
    for days in (14, 7):
        held = _held(course, cohort, days)
        AttendanceFactory(session=held, user=seat.user, status=AttendanceStatus.ABSENT)
        AttendanceFactory(session=held, user=sam, status=AttendanceStatus.PRESENT)
    return sam


def _progress_rows(body: str) -> list[list[str]]:
    """Name, attendance, courses (with the reasons shown under them on a phone), reasons."""
    return [row[1:] for row in _cells(body, "progress")]


def test_progress_lists_the_cohorts_participants_with_their_state(
    client, programme, staff, progress_world, cohort
):
    body = _body(_login(client, staff).get(COURSES + "progress/"))
    assert breadcrumbs(body) == [
        ("Dashboard", "/dashboard/"),
        ("AI Forward 2026", P),
        ("Courses", COURSES),
        ("Progress", ""),
    ]
    assert "Participants of Spring intake (3)" in body
    assert _progress_rows(body) == [
        [
            "Priya Nair participant@example.com",
            "0 %",
            "AI101: out of reach AI101: 80 % out of reach",
            "AI101: 80 % out of reach",
        ],
        ["Sam Second sam@example.com", "100 %", "AI101: on track", "—"],
        ["Zoe Zed zoe@example.com", "—", "no courses", "—"],
    ]
    assert f'href="{COURSES}progress/export/?cohort={cohort.pk}"' in body
    assert 'form="message-form"' in body


def test_progress_filters_those_at_risk_and_ignores_junk(
    client, programme, staff, progress_world, cohort
):
    _login(client, staff)
    body = _body(client.get(COURSES + "progress/", {"cohort": cohort.pk, "at_risk": "1"}))
    assert "At risk in Spring intake (1)" in body
    assert [row[0] for row in _progress_rows(body)] == ["Priya Nair participant@example.com"]
    body = _body(client.get(COURSES + "progress/", {"cohort": "nope", "page": "x"}))
    assert len(_progress_rows(body)) == 3


def test_progress_of_a_cohort_without_anyone_at_risk_says_so(client, programme, staff, cohort):
    body = _body(_login(client, staff).get(COURSES + "progress/", {"at_risk": "1"}))
    assert empty(body) == ["Nobody in this cohort is at risk."]


@pytest.mark.parametrize("at_risk", ["", "1"])
@pytest.mark.parametrize("count", [1, 3])
def test_progress_query_count(
    client,
    programme,
    staff,
    course,
    cohort,
    seat,
    enrolled,
    assessment,
    django_assert_num_queries,
    count,
    at_risk,
):
    held = _held(course, cohort, 7)
    AttendanceFactory(session=held, user=seat.user, status=AttendanceStatus.ABSENT)
    for n in range(count - 1):
        user = _person(cohort, f"p{n}@example.com", f"Person {n}")
        EnrollmentFactory(course=course, cohort=cohort, user=user)
        AttendanceFactory(session=held, user=user, status=AttendanceStatus.ABSENT)
        AssessmentResultFactory(assessment=assessment, user=user)
    _login(client, staff)
    # session, user, roles (with the authenticator), cohorts, the page (count and seats; none
    # when filtered: everyone's progress is the list), progress (enrolments, sessions, marks,
    # assessments, results), navigation and bell
    with django_assert_num_queries(10 if at_risk else 12):
        response = client.get(COURSES + "progress/", {"at_risk": at_risk})
    assert len(_progress_rows(_body(response))) == count


def test_progress_message_to_the_people_ticked(
    client, programme, staff, progress_world, cohort, seat
):
    outsider_seat = ParticipantFactory()  # of another cohort: never written to
    _login(client, staff)
    response = client.post(
        COURSES + "progress/message/",
        {
            "cohort": cohort.pk,
            "target": "selected",
            "people": [progress_world.pk, outsider_seat.user_id],
            "subject": "Catch up",
            "body": "Come and see us.",
        },
    )
    assert response["Location"] == COURSES + f"progress/?cohort={cohort.pk}"
    assert _messages(client.get(response["Location"])) == ["Your message was sent to 1 person."]
    assert list(
        Notification.objects.filter(kind="courses.message").values_list("recipient", flat=True)
    ) == [progress_world.pk]


def test_progress_message_to_everyone_at_risk(
    client, programme, staff, progress_world, cohort, seat
):
    _login(client, staff)
    response = client.post(
        COURSES + "progress/message/",
        {"cohort": cohort.pk, "target": "at_risk", "subject": "Attendance", "body": "Talk to us."},
    )
    assert response.status_code == 302
    assert list(
        Notification.objects.filter(kind="courses.message").values_list("recipient", flat=True)
    ) == [seat.user_id]


def test_progress_message_refuses_bad_input_and_keeps_it(
    client, programme, staff, progress_world, cohort
):
    _login(client, staff)
    response = client.post(
        COURSES + "progress/message/",
        {"cohort": cohort.pk, "target": "selected", "subject": "", "body": "Typed body"},
    )
    assert response.status_code == 400
    body = _body(response)
    assert "Tick at least one person in the list, or write to everyone at risk." in body
    assert "This field is required." in body and "Typed body" in body
    # A ticked person stays ticked.
    response = client.post(
        COURSES + "progress/message/",
        {"cohort": cohort.pk, "target": "selected", "people": [progress_world.pk], "body": "x"},
    )
    assert (
        f'value="{progress_world.pk}" id="pick-{progress_world.pk}" form="message-form" checked'
        in _body(response)
    )
    assert not Notification.objects.filter(kind="courses.message").exists()


def test_progress_export_asks_who_is_asking_then_gives_the_csv(
    client, programme, programme_admin, progress_world, cohort
):
    url = COURSES + f"progress/export/?cohort={cohort.pk}"
    client.force_login(programme_admin)
    # Twenty minutes after signing in, the password is asked for first.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=20)):
        response = client.get(url)
    assert response.status_code == 302 and "/reauthenticate/" in response["Location"]
    assert not AuditEntry.objects.filter(action="courses.progress_export").exists()

    sign_in_confirmed(client, programme_admin)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="ai-forward-2026-spring-progress-'
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("cohort,email,name,overall_attendance_percent,course_code")
    assert lines[1:] == [
        "Spring intake,participant@example.com,Priya Nair,0,AI101,Applied AI,required,"
        "out of reach,0,2,2,0,80,,,0,1,AI101: 80 % out of reach",
        "Spring intake,sam@example.com,Sam Second,100,AI101,Applied AI,required,"
        "on track,2,2,2,100,80,0,,0,1,",
    ]
    entry = AuditEntry.objects.get(action="courses.progress_export")
    assert (entry.actor, entry.data) == (programme_admin, {"cohort": cohort.pk, "rows": 2})


def test_participant_progress_shows_each_course_in_full(
    client, programme, staff, progress_world, seat, course, cohort, assessment
):
    ClassSessionFactory(course=course, cohort=cohort)  # a third session, to come
    body = _body(_login(client, staff).get(COURSES + f"progress/{progress_world.pk}/"))
    assert breadcrumbs(body) == [
        ("Dashboard", "/dashboard/"),
        ("AI Forward 2026", P),
        ("Progress", COURSES + "progress/"),
        ("Sam Second", ""),
    ]
    assert _testid(body, "attendance") == (
        "Attended 2 of 2 sessions held (3 scheduled) · 100 % of 80 % required"
    )
    assert _testid(body, "forecast") == ("You must attend every remaining session to reach 80 %.")
    assert "1 session left · 1 assessment not passed yet" in body
    assert _cells(body, "assessment-lines") == [
        ["Quiz 1", assessment.due_on.strftime("%-d %b %Y"), "—", "to come"]
    ]
    body = _body(client.get(COURSES + f"progress/{seat.user_id}/"))
    assert _testid(body, "forecast") == "80 % is no longer reachable — talk to your programme team."
    assert "AI101: 80 % out of reach" in body


def test_participant_progress_is_404_for_someone_not_in_the_programme(
    client, programme, staff, programme_admin, other_programme, progress_world
):
    elsewhere = ParticipantFactory(application__cohort=CohortFactory(programme=other_programme))
    _login(client, staff)
    for user_id in (programme_admin.pk, elsewhere.user_id, 999999):
        assert client.get(COURSES + f"progress/{user_id}/").status_code == 404


def test_progress_export_without_a_cohort_is_the_first_cohort_listed(
    client, programme, staff, progress_world, cohort
):
    sign_in_confirmed(client, staff)
    response = client.get(COURSES + "progress/export/")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 3 and "Spring intake,sam@example.com" in text


def test_progress_message_without_a_cohort_is_refused(client, programme, staff, progress_world):
    response = _login(client, staff).post(
        COURSES + "progress/message/",
        {"cohort": "junk", "target": "at_risk", "subject": "Typed subject", "body": "x"},
    )
    assert response.status_code == 400
    assert "Choose the cohort whose participants you write to." in _body(response)
    assert 'value="Typed subject"' in _body(response)
    assert not Notification.objects.filter(kind="courses.message").exists()
