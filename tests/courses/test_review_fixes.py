"""Courses under attack and odd input: check-in after a cancellation, the scan endpoint's share
of the wrong-code limit, who comes back to a required course on rejoining, line numbers of the
results import, online links, times across daylight saving, and input no page should choke on
(huge numbers, NUL characters, the calendar's ends, binary files, too many rows)."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from courses import checkin, services
from courses.enums import AttendanceStatus, CourseKind, EnrollmentSource, EnrollmentStatus
from courses.models import AssessmentResult, Attendance, ClassSession, Course, Enrollment
from selection.models import Participant
from selection.signals import participant_joined, participant_left
from tests.factories import ParticipantFactory
from tests.factories.courses import (
    AssessmentFactory,
    ClassSessionFactory,
    CourseFactory,
    EnrollmentFactory,
)
from tests.pages import P

pytestmark = pytest.mark.django_db

COURSES = P + "courses/"
CHECK_IN = "/courses/check-in/"


# --- the world -------------------------------------------------------------------------------


@pytest.fixture
def seat(participant):
    return Participant.objects.select_related("cohort").get(user=participant)


@pytest.fixture
def cohort(seat):
    return seat.cohort


@pytest.fixture
def course(programme, cohort, staff):
    return CourseFactory(
        programme=programme, code="AI101", title="Applied AI", cohorts=[cohort], instructors=[staff]
    )


@pytest.fixture
def enrolled(course, cohort, seat):
    return EnrollmentFactory(course=course, cohort=cohort, user=seat.user)


@pytest.fixture
def session(course, cohort, enrolled):
    """Started ten minutes ago, ends in 110 minutes: open for check-in."""
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
        course=course, name="Quiz 1", max_score=Decimal("20"), pass_mark=Decimal("10")
    )


def _person(cohort, email: str):
    return ParticipantFactory(application__cohort=cohort, application__applicant__email=email).user


def _session_post(cohort, **extra) -> dict:
    data = {
        "cohort": cohort.pk,
        "day": "2030-05-06",
        "starts": "09:00",
        "ends": "11:00",
        "title": "Week 1",
        "place": "Lab 2",
        "online_url": "",
        "instructor": "",
        "capacity": "",
    }
    data.update(extra)
    return data


# --- check-in and cancellation ---------------------------------------------------------------


def test_a_check_in_after_the_session_was_cancelled_is_refused_even_with_a_stale_row(
    participant, session
):
    """The view read the session before staff cancelled it: the check-in re-reads it, locked,
    inside its transaction, and refuses."""
    stale = ClassSession.objects.get(pk=session.pk)
    services.session_cancel(session=session, actor=session.course.instructors.get())
    token = checkin.code_for(stale.pk, timezone.now()).token

    with pytest.raises(services.CoursesError, match="closed"):
        services.check_in_with_token(session=stale, user=participant, token=token)

    assert not Attendance.objects.exists()


def test_a_roster_mark_after_the_session_was_cancelled_is_refused_even_with_a_stale_row(
    participant, session, staff
):
    stale = ClassSession.objects.get(pk=session.pk)
    services.session_cancel(session=session, actor=staff)

    with pytest.raises(services.CoursesError, match="cancelled"):
        services.attendance_mark(
            session=stale, user=participant, status=AttendanceStatus.PRESENT, actor=staff
        )

    assert not Attendance.objects.exists()


def test_a_check_in_by_someone_withdrawn_meanwhile_is_refused(participant, session, enrolled):
    token = checkin.code_for(session.pk, timezone.now()).token
    Enrollment.objects.filter(pk=enrolled.pk).update(status=EnrollmentStatus.WITHDRAWN)

    with pytest.raises(services.CoursesError, match="not enrolled"):
        services.check_in_with_token(session=session, user=participant, token=token)

    assert not Attendance.objects.exists()


# --- the wrong-code limit covers the scan endpoint -------------------------------------------


def test_forged_scan_tokens_count_towards_the_wrong_code_limit(client, participant, session):
    client.force_login(participant)
    scan = f"/courses/check-in/{session.pk}/"
    for _ in range(10):
        response = client.post(scan, {"t": "forged"})
        assert response.status_code == 400

    # Now neither endpoint takes another try, not even the right code.
    code = checkin.code_for(session.pk, timezone.now())
    assert client.post(scan, {"t": code.token}).status_code == 429
    assert client.post(CHECK_IN, {"code": code.short}).status_code == 429
    assert not Attendance.objects.exists()


def test_alternating_between_the_code_and_the_scan_does_not_reset_the_count(
    client, participant, session
):
    client.force_login(participant)
    scan = f"/courses/check-in/{session.pk}/"
    for i in range(10):
        if i % 2:
            assert client.post(scan, {"t": "forged"}).status_code == 400
        else:
            assert client.post(CHECK_IN, {"code": "ZZZZZZ"}).status_code == 400

    code = checkin.code_for(session.pk, timezone.now())
    assert client.post(CHECK_IN, {"code": code.short}).status_code == 429
    assert client.post(scan, {"t": code.token}).status_code == 429
    assert not Attendance.objects.exists()


def test_a_blocked_scan_page_says_why(client, participant, session):
    client.force_login(participant)
    scan = f"/courses/check-in/{session.pk}/"
    for _ in range(10):
        client.post(CHECK_IN, {"code": "ZZZZZZ"})

    response = client.post(scan, {"t": "forged"})

    assert response.status_code == 429
    assert "Too many wrong codes" in response.content.decode()


def test_a_code_two_windows_old_is_refused(participant, session):
    now = timezone.now()
    old = checkin.code_for(session.pk, now - datetime.timedelta(seconds=2 * checkin.WINDOW_SECONDS))

    assert not checkin.matches_short(old.short, session_id=session.pk, moment=now)
    with pytest.raises(checkin.CodeError):
        checkin.read_token(old.token, session_id=session.pk, moment=now)


# --- who comes back to a required course on rejoining ----------------------------------------


def test_a_person_taken_off_a_required_course_by_staff_stays_off_when_joining_again(
    course, cohort, staff
):
    participant = ParticipantFactory(application__cohort=cohort)
    participant_joined.send(sender=Participant, participant=participant)
    enrollment = Enrollment.objects.get(user=participant.user)
    services.unenrol_by_staff(enrollment=enrollment, actor=staff)

    participant_joined.send(sender=Participant, participant=participant)  # a repeat, or a replay

    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.source) == (
        EnrollmentStatus.WITHDRAWN,
        EnrollmentSource.STAFF,
    )


def _leave_and_rejoin(participant: Participant) -> None:
    """As selection does it: the seat is deleted and `participant_left` sent; later a new seat
    (for the same application) and `participant_joined`."""
    Participant.objects.filter(pk=participant.pk).delete()
    participant_left.send(sender=Participant, participant=participant)
    again = Participant.objects.create(
        application=participant.application, cohort=participant.cohort, user=participant.user
    )
    participant_joined.send(sender=Participant, participant=again)


def test_a_person_who_left_and_joins_again_is_enrolled_again(course, cohort):
    participant = ParticipantFactory(application__cohort=cohort)
    participant_joined.send(sender=Participant, participant=participant)

    _leave_and_rejoin(participant)

    enrollment = Enrollment.objects.get()
    assert (enrollment.status, enrollment.source) == (
        EnrollmentStatus.ACTIVE,
        EnrollmentSource.AUTOMATIC,
    )


def test_a_person_enrolled_by_staff_who_left_and_joins_again_is_enrolled_again(
    course, cohort, staff
):
    participant = ParticipantFactory(application__cohort=cohort)
    services.enrol_by_staff(course=course, cohort=cohort, email=participant.user.email, actor=staff)

    _leave_and_rejoin(participant)

    assert Enrollment.objects.get().status == EnrollmentStatus.ACTIVE


def test_a_person_taken_off_by_staff_who_left_and_joins_again_stays_off(course, cohort, staff):
    participant = ParticipantFactory(application__cohort=cohort)
    participant_joined.send(sender=Participant, participant=participant)
    services.unenrol_by_staff(enrollment=Enrollment.objects.get(), actor=staff)

    _leave_and_rejoin(participant)

    assert Enrollment.objects.get().status == EnrollmentStatus.WITHDRAWN


def test_staff_can_still_enrol_someone_they_took_off(course, cohort, staff):
    user = _person(cohort, "wei@example.org")
    services.enrol_required(participant=Participant.objects.get(user=user))
    services.unenrol_by_staff(enrollment=Enrollment.objects.get(user=user), actor=staff)

    services.enrol_by_staff(course=course, cohort=cohort, email=user.email, actor=staff)

    assert Enrollment.objects.get(user=user).status == EnrollmentStatus.ACTIVE


# --- the results import ----------------------------------------------------------------------


def _import(client, assessment, content: bytes, name="results.csv"):
    course = assessment.course
    url = f"{COURSES}{course.pk}/assessments/{assessment.pk}/import/"
    return client.post(url, {"file": SimpleUploadedFile(name, content, "text/csv")})


def test_import_reports_the_line_where_a_record_starts_after_multi_line_comments(
    assessment, cohort, staff
):
    a = _person(cohort, "a@example.org")
    b = _person(cohort, "b@example.org")
    for user in (a, b):
        EnrollmentFactory(course=assessment.course, cohort=cohort, user=user)
    data = (
        "email,score,comment\n"
        'a@example.org,12,"Good work:\nclear,\nconcise"\n'
        "b@example.org,99,too high\n"
        "nobody@example.org,5,\n"
    )

    with pytest.raises(services.ImportRejected) as rejected:
        services.results_import(assessment=assessment, data=data, actor=staff)

    assert [line for line, _message in rejected.value.errors] == [5, 6]


def test_import_of_6000_rows_is_refused_without_checking_each(client, staff, assessment):
    client.force_login(staff)
    content = "".join(f"p{i}@example.org,5\n" for i in range(6000)).encode()

    response = _import(client, assessment, content)

    assert response.status_code == 400
    body = response.content.decode()
    assert "At most 5,000 rows" in body
    assert body.count("<li>") < 50
    assert not AssessmentResult.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        bytes(range(256)) * 10,  # binary, with NULs
        b"\x89PNG\r\n\x1a\n" + bytes(range(1, 256)) * 4,  # binary, not UTF-8
        "ä".encode("latin-1") * 10,
        b'"' + b"x" * 200_000,  # one field larger than the csv module's limit
        b'a@example.org,\r"unterminated',
    ],
)
def test_import_of_a_file_that_is_not_a_results_csv_is_a_400(client, staff, assessment, content):
    client.force_login(staff)

    response = _import(client, assessment, content, name="photo.png")

    assert response.status_code == 400
    assert not AssessmentResult.objects.exists()


def test_import_cannot_touch_people_outside_the_course(client, staff, assessment, course, cohort):
    outsider = _person(cohort, "out@example.org")
    Enrollment.objects.filter(user=outsider).delete()
    client.force_login(staff)

    response = _import(client, assessment, b"out@example.org,10\n")

    assert response.status_code == 400
    assert not AssessmentResult.objects.exists()
    assert not Enrollment.objects.filter(user=outsider).exists()


# --- online links ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://files.example.org/x", "data:text/html,<b>x</b>"]
)
def test_a_session_link_must_be_http_or_https(client, staff, course, cohort, url):
    client.force_login(staff)

    response = client.post(
        f"{COURSES}{course.pk}/sessions/new/", _session_post(cohort, online_url=url)
    )

    assert response.status_code == 400
    assert url.split(":")[0] in response.content.decode()  # the input is kept
    assert not ClassSession.objects.exists()


# --- times across daylight saving ------------------------------------------------------------


@pytest.fixture
def london(cohort):
    cohort.timezone = "Europe/London"
    cohort.save(update_fields=["timezone"])
    return cohort


def test_a_london_session_is_stored_at_the_right_moment_on_both_sides_of_the_change(
    client, staff, course, london
):
    client.force_login(staff)
    url = f"{COURSES}{course.pk}/sessions/new/"
    # Winter (GMT) and summer (BST) of 2030; clocks go forward on 31 March.
    client.post(url, _session_post(london, day="2030-03-30", starts="18:00", ends="20:00"))
    client.post(url, _session_post(london, day="2030-03-31", starts="18:00", ends="20:00"))

    starts = [s.starts_at for s in ClassSession.objects.order_by("starts_at")]
    assert starts == [
        datetime.datetime(2030, 3, 30, 18, 0, tzinfo=datetime.UTC),
        datetime.datetime(2030, 3, 31, 17, 0, tzinfo=datetime.UTC),
    ]
    # Editing shows the local times back, not UTC.
    edit = client.get(
        f"{COURSES}sessions/{ClassSession.objects.order_by('starts_at').last().pk}/edit/"
    )
    assert 'value="18:00"' in edit.content.decode()


def test_a_time_skipped_by_the_clock_change_is_refused(client, staff, course, london):
    client.force_login(staff)

    response = client.post(
        f"{COURSES}{course.pk}/sessions/new/",
        _session_post(london, day="2030-03-31", starts="01:15", ends="03:00"),
    )

    assert response.status_code == 400
    assert "does not exist" in response.content.decode()
    assert not ClassSession.objects.exists()


def test_a_session_over_the_autumn_change_keeps_its_real_length(client, staff, course, london):
    client.force_login(staff)

    response = client.post(
        f"{COURSES}{course.pk}/sessions/new/",
        _session_post(london, day="2030-10-27", starts="00:30", ends="02:30"),
    )

    assert response.status_code == 302
    session = ClassSession.objects.get()
    assert session.ends_at - session.starts_at == datetime.timedelta(hours=3)
    local = zoneinfo.ZoneInfo("Europe/London")
    assert timezone.localtime(session.starts_at, local).strftime("%H:%M") == "00:30"
    assert timezone.localtime(session.ends_at, local).strftime("%H:%M") == "02:30"


def test_a_singapore_session_is_eight_hours_ahead_all_year(client, staff, course, cohort):
    cohort.timezone = "Asia/Singapore"
    cohort.save(update_fields=["timezone"])
    client.force_login(staff)
    url = f"{COURSES}{course.pk}/sessions/new/"
    for day in ("2030-01-15", "2030-07-15"):
        client.post(url, _session_post(cohort, day=day, starts="09:00", ends="11:00"))

    assert [s.starts_at.hour for s in ClassSession.objects.all()] == [1, 1]


def test_moving_a_session_arms_its_reminder_again(client, staff, course, cohort):
    session = ClassSessionFactory(course=course, cohort=cohort)
    ClassSession.objects.filter(pk=session.pk).update(reminder_sent_at=timezone.now())
    client.force_login(staff)
    local = timezone.localtime(session.starts_at, cohort.tz)

    response = client.post(
        f"{COURSES}sessions/{session.pk}/edit/",
        _session_post(
            cohort,
            # A day later, in the day's middle: two hours from the session's own start could
            # cross midnight (late evening in the cohort's time zone) and end before it starts.
            day=(local.date() + datetime.timedelta(days=1)).isoformat(),
            starts="10:00",
            ends="12:00",
        ),
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.reminder_sent_at is None


# --- input no page should choke on -----------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "starts", "ends"),
    [
        ("0001-01-01", "00:00", "01:00"),
        ("9999-12-31", "22:00", "23:59"),
        ("1900-01-01", "09:00", "10:00"),
        ("2030-05-06", "11:00", "09:00"),
        ("2030-05-06", "09:00", "09:00"),
    ],
)
def test_a_session_at_the_calendars_ends_or_ending_before_it_starts_is_a_400(
    client, staff, course, cohort, day, starts, ends
):
    client.force_login(staff)

    response = client.post(
        f"{COURSES}{course.pk}/sessions/new/",
        _session_post(cohort, day=day, starts=starts, ends=ends),
    )

    assert response.status_code == 400
    assert f'value="{day}"' in response.content.decode()
    assert not ClassSession.objects.exists()


@pytest.mark.parametrize("capacity", [str(10**12), "-1", "1e30", "NaN"])
def test_a_huge_or_odd_capacity_is_a_400(client, staff, course, cohort, capacity):
    client.force_login(staff)

    session = client.post(
        f"{COURSES}{course.pk}/sessions/new/", _session_post(cohort, capacity=capacity)
    )
    edit = client.post(
        f"{COURSES}{course.pk}/edit/",
        {
            "code": "AI101",
            "title": "Applied AI",
            "kind": CourseKind.ELECTIVE,
            "hours": "24",
            "min_attendance": "80",
            "capacity": capacity,
            "cohorts": [cohort.pk],
        },
    )

    assert (session.status_code, edit.status_code) == (400, 400)
    assert Course.objects.get().capacity is None


@pytest.mark.parametrize("score", ["1e30", "1E+999999", "NaN", "-0.5", "Infinity", "20.001"])
def test_a_huge_or_odd_score_is_a_400(client, staff, assessment, participant, enrolled, score):
    client.force_login(staff)
    course = assessment.course

    one = client.post(
        f"{COURSES}{course.pk}/assessments/{assessment.pk}/results/",
        {"user": participant.pk, "score": score, "comment": ""},
    )
    many = _import(client, assessment, f"{participant.email},{score}\n".encode())

    assert (one.status_code, many.status_code) == (400, 400)
    assert not AssessmentResult.objects.exists()


@pytest.mark.parametrize("number", ["1e30", str(10**12), "99999.99"])
def test_huge_assessment_marks_are_a_400(client, staff, course, number):
    client.force_login(staff)

    response = client.post(
        f"{COURSES}{course.pk}/assessments/new/",
        {"name": "Exam", "kind": "exam", "max_score": number, "pass_mark": "1", "weight": number},
    )

    assert response.status_code == 400


@pytest.mark.parametrize("due_on", ["9999-12-31", "0001-01-01"])
def test_assessments_due_at_the_calendars_ends_show_everywhere(
    client, staff, participant, course, enrolled, due_on
):
    client.force_login(staff)
    created = client.post(
        f"{COURSES}{course.pk}/assessments/new/",
        {
            "name": "Exam",
            "kind": "exam",
            "max_score": "10",
            "pass_mark": "5",
            "weight": "1",
            "due_on": due_on,
        },
    )
    assert created.status_code == 302

    assert client.get(f"{COURSES}{course.pk}/").status_code == 200
    assert client.get(f"{COURSES}progress/").status_code == 200
    assert client.get(f"{COURSES}progress/{participant.pk}/").status_code == 200
    client.force_login(participant)
    assert client.get("/courses/").status_code == 200


def test_nul_characters_are_refused_everywhere_with_a_400(
    client, staff, course, cohort, assessment, participant, enrolled
):
    client.force_login(staff)
    nul = "bad\x00value"

    responses = [
        client.post(f"{COURSES}{course.pk}/sessions/new/", _session_post(cohort, title=nul)),
        client.post(f"{COURSES}{course.pk}/edit/", {"code": nul, "title": nul}),
        client.post(f"{COURSES}{course.pk}/enrolments/add/", {"cohort": cohort.pk, "email": nul}),
        client.post(
            f"{COURSES}{course.pk}/assessments/{assessment.pk}/results/",
            {"user": participant.pk, "score": "5", "comment": nul},
        ),
        client.post(
            f"{COURSES}progress/message/",
            {"cohort": cohort.pk, "target": "at_risk", "subject": nul, "body": nul},
        ),
    ]
    client.force_login(participant)
    responses.append(client.post(CHECK_IN, {"code": nul}))

    assert [r.status_code for r in responses] == [400] * 6


def test_a_message_subject_with_newlines_cannot_add_headers(client, staff, cohort, participant):
    from notifications.models import EmailMessage

    client.force_login(staff)
    course = CourseFactory(programme=cohort.programme, cohorts=[cohort])
    EnrollmentFactory(course=course, cohort=cohort, user=participant)

    response = client.post(
        f"{COURSES}progress/message/",
        {
            "cohort": cohort.pk,
            "target": "selected",
            "people": [participant.pk],
            "subject": "Hello\r\nBcc: victim@example.org",
            "body": "<script>alert(1)</script>",
        },
    )

    assert response.status_code == 302
    email = EmailMessage.objects.get(recipient=participant)
    assert email.subject == "Hello Bcc: victim@example.org"
    assert "<script>" not in email.body_html
    assert "&lt;script&gt;" in email.body_html


def test_session_form_errors_keep_the_input(client, staff, course, cohort):
    client.force_login(staff)

    response = client.post(
        f"{COURSES}{course.pk}/sessions/new/",
        _session_post(cohort, title="Keep me", starts="11:00", ends="10:00"),
    )

    assert response.status_code == 400
    assert 'value="Keep me"' in response.content.decode()


@time_machine.travel(datetime.datetime(2030, 3, 4, 2, 0, tzinfo=datetime.UTC), tick=False)
def test_the_feed_is_private_and_escapes_text(client, participant, course, cohort, enrolled):
    from courses.models import CalendarFeed

    ClassSessionFactory(
        course=course,
        cohort=cohort,
        title="Week 1\r\nATTENDEE:mailto:x@example.org",
        place="Room 1; floor 2, east\nEND:VEVENT",
        online_url="https://meet.example.org/a;b,c",
        starts_at=timezone.now() + datetime.timedelta(days=1),
        ends_at=timezone.now() + datetime.timedelta(days=1, hours=2),
    )
    feed = CalendarFeed.objects.create(user=participant)
    assert len(feed.token) >= 43  # 256 random bits, URL-safe base64

    response = client.get(f"/calendar/{feed.token}.ics")

    body = response.content.decode()
    assert response["Cache-Control"].startswith("private")
    assert "\nATTENDEE" not in body.replace("\r\n ", "")
    assert body.count("\r\nEND:VEVENT\r\n") == 1
    assert "Room 1\\; floor 2\\, east\\nEND:VEVENT" in body.replace("\r\n ", "")


# --- access: the other programme's ids, GET on POST-only endpoints, the export -----------------


@pytest.fixture
def elsewhere(other_programme):
    """A course of another programme with a session, an enrolment and an assessment."""
    from tests.factories import CohortFactory

    other_cohort = CohortFactory(programme=other_programme)
    other_course = CourseFactory(programme=other_programme, cohorts=[other_cohort])
    person = ParticipantFactory(application__cohort=other_cohort).user
    return {
        "course": other_course,
        "session": ClassSessionFactory(
            course=other_course,
            cohort=other_cohort,
            starts_at=timezone.now() - datetime.timedelta(minutes=5),
            ends_at=timezone.now() + datetime.timedelta(hours=1),
        ),
        "enrollment": EnrollmentFactory(course=other_course, cohort=other_cohort, user=person),
        "assessment": AssessmentFactory(course=other_course),
        "user": person,
    }


def test_ids_of_another_programme_are_404_and_nothing_changes(
    client, staff, course, elsewhere, session
):
    client.force_login(staff)
    other = elsewhere
    own_course = course.pk
    urls = [
        ("get", f"{COURSES}{other['course'].pk}/"),
        ("get", f"{COURSES}{other['course'].pk}/edit/"),
        ("get", f"{COURSES}sessions/{other['session'].pk}/roster/"),
        ("get", f"{COURSES}sessions/{other['session'].pk}/edit/"),
        ("get", f"{COURSES}sessions/{other['session'].pk}/check-in-code/"),
        ("post", f"{COURSES}sessions/{other['session'].pk}/cancel/"),
        ("post", f"{COURSES}sessions/{other['session'].pk}/roster/everyone-present/"),
        ("post", f"{COURSES}sessions/{other['session'].pk}/roster/{other['user'].pk}/"),
        # The own session, someone of another programme.
        ("post", f"{COURSES}sessions/{session.pk}/roster/{other['user'].pk}/"),
        ("post", f"{COURSES}{own_course}/enrolments/{other['enrollment'].pk}/remove/"),
        ("get", f"{COURSES}{own_course}/assessments/{other['assessment'].pk}/"),
        ("post", f"{COURSES}{own_course}/assessments/{other['assessment'].pk}/results/"),
        ("get", f"{COURSES}progress/{other['user'].pk}/"),
    ]

    statuses = [
        getattr(client, method)(url, {"status": AttendanceStatus.PRESENT}).status_code
        for method, url in urls
    ]

    assert statuses == [404] * len(urls)
    other["session"].refresh_from_db()
    other["enrollment"].refresh_from_db()
    assert not other["session"].is_cancelled
    assert other["enrollment"].status == EnrollmentStatus.ACTIVE
    assert not Attendance.objects.exists()


def test_post_only_endpoints_refuse_get_and_change_nothing(
    client, staff, course, session, enrolled, assessment, participant
):
    client.force_login(staff)
    urls = [
        f"{COURSES}settings/",
        f"{COURSES}{course.pk}/enrolments/add/",
        f"{COURSES}{course.pk}/enrolments/{enrolled.pk}/remove/",
        f"{COURSES}sessions/{session.pk}/cancel/",
        f"{COURSES}sessions/{session.pk}/roster/everyone-present/",
        f"{COURSES}sessions/{session.pk}/roster/{participant.pk}/?status=present",
        f"{COURSES}{course.pk}/assessments/{assessment.pk}/results/",
        f"{COURSES}{course.pk}/assessments/{assessment.pk}/import/",
        f"{COURSES}progress/message/",
        "/courses/calendar/feed/?action=create",
    ]

    assert [client.get(url).status_code for url in urls] == [405] * len(urls)
    session.refresh_from_db()
    enrolled.refresh_from_db()
    assert not session.is_cancelled and enrolled.status == EnrollmentStatus.ACTIVE
    assert not Attendance.objects.exists()


def test_the_check_in_code_page_is_for_staff_only(client, participant, session, reviewer):
    url = f"{COURSES}sessions/{session.pk}/check-in-code/"
    client.force_login(participant)
    assert client.get(url).status_code == 404
    client.force_login(reviewer)
    response = client.get(url)
    assert response.status_code == 403
    assert checkin.code_for(session.pk, timezone.now()).short not in response.content.decode()


def test_the_progress_export_neutralises_formulas(client, staff, cohort, participant, course):
    from tests.auth import sign_in_confirmed

    participant.display_name = '=HYPERLINK("http://evil.example","x")'
    participant.save(update_fields=["display_name"])
    course.title = "+cmd|' /C calc'!A0"
    course.save(update_fields=["title"])
    EnrollmentFactory(course=course, cohort=cohort, user=participant)
    sign_in_confirmed(client, staff)

    response = client.get(f"{COURSES}progress/export/?cohort={cohort.pk}")

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "\"'=HYPERLINK(" in text  # quoted by csv, prefixed by an apostrophe
    assert ",'+cmd|" in text
