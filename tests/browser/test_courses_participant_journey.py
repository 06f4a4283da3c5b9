"""A participant follows their courses: from the navigation to their progress and forecast,
chooses an elective, checks in to the session under way with the code on the screen, sees it on
their page, and puts their sessions into their calendar app. At 360 and 1280 px, each page
checked with axe."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from courses import checkin
from courses.enums import AttendanceSource, AttendanceStatus, CourseKind
from courses.models import Attendance, CalendarFeed, Enrollment
from selection.models import Participant
from tests.browser.conftest import sign_in
from tests.factories import (
    AttendanceFactory,
    ClassSessionFactory,
    CourseFactory,
    EnrollmentFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _session(course, cohort, starts_in, title):
    starts = timezone.now() + starts_in
    return ClassSessionFactory(
        course=course,
        cohort=cohort,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        title=title,
    )


@pytest.mark.parametrize("width", [360, 1280])
def test_participant_follows_progress_chooses_an_elective_checks_in_and_subscribes(
    live_server, page, axe_check, settings, programme, participant, width
):
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    cohort = Participant.objects.get(user=participant).cohort
    course = CourseFactory(
        programme=programme, code="AI101", title="Applied AI", cohorts=[cohort], min_attendance=70
    )
    EnrollmentFactory(course=course, cohort=cohort, user=participant)
    for week in (1, 2):
        held = _session(course, cohort, -datetime.timedelta(days=15 - 7 * week), f"Week {week}")
        AttendanceFactory(session=held, user=participant, status=AttendanceStatus.PRESENT)
    now_session = _session(course, cohort, -datetime.timedelta(minutes=5), "Week 3")
    for week in (4, 5, 6):
        _session(course, cohort, datetime.timedelta(days=7 * (week - 3)), f"Week {week}")
    elective = CourseFactory(
        programme=programme,
        code="CV201",
        title="Computer vision",
        kind=CourseKind.ELECTIVE,
        cohorts=[cohort],
        capacity=10,
    )
    _session(elective, cohort, datetime.timedelta(days=14), "Images")

    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, participant)
    page.goto(live_server.url + "/")
    if width < 992:
        page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("link", name="My courses", exact=True).click()
    expect(page.get_by_role("heading", name="AI101 Applied AI")).to_be_visible()
    expect(page.get_by_test_id("forecast")).to_have_text(
        "You can miss at most 1 more session and still reach 70 %."
    )
    expect(page.get_by_test_id("overall-attendance")).to_contain_text("100 %")
    expect(page.get_by_test_id("electives-chosen")).to_contain_text(
        "You have chosen 0 of 2 electives."
    )
    axe_check(page)

    page.get_by_test_id("elective").filter(has_text="CV201").get_by_role(
        "button", name="Choose"
    ).click()
    expect(page.get_by_role("status").filter(has_text="You have chosen CV201")).to_be_visible()
    expect(page.get_by_test_id("electives-chosen")).to_contain_text(
        "You have chosen 1 of 2 electives."
    )
    assert Enrollment.objects.filter(user=participant, course=elective).exists()
    axe_check(page)

    # The session under way offers a check-in; the participant types the code on the screen.
    page.get_by_test_id("next-sessions").get_by_role("link", name="Check in").click()
    expect(page.get_by_test_id("open-sessions")).to_contain_text("AI101 Applied AI: Week 3")
    axe_check(page)
    code = checkin.code_for(now_session.pk, timezone.now()).short
    page.get_by_label("Check-in code").fill(code.lower())
    page.get_by_role("button", name="Check me in").click()
    expect(
        page.get_by_role("status").filter(has_text="You are checked in to AI101 — Week 3.")
    ).to_be_visible()
    expect(page.get_by_test_id("checked-in")).to_have_text("Checked in")
    assert list(
        Attendance.objects.filter(session=now_session, user=participant).values_list(
            "status", "source"
        )
    ) == [(AttendanceStatus.PRESENT, AttendanceSource.CHECK_IN)]
    axe_check(page)

    # The calendar: a private link for their calendar app.
    page.get_by_role("link", name="See your calendar").click()
    expect(page.get_by_test_id("calendar-day").first).to_be_visible()
    page.get_by_role("button", name="Create my calendar link").click()
    feed = CalendarFeed.objects.get(user=participant)
    expect(page.get_by_label("Your calendar link")).to_have_value(
        f"{live_server.url}/calendar/{feed.token}.ics"
    )
    axe_check(page)
