"""An instructor takes the roster of a class that started ten minutes ago, on a phone: one
person late, one excused, then everyone else present with one button. The counts follow each
tap; a reload shows the marks kept. At 360 and 1280 px, each page checked with axe."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from courses.models import Attendance
from selection.models import Participant
from tests.browser.conftest import sign_in
from tests.factories import ParticipantFactory
from tests.factories.courses import ClassSessionFactory, CourseFactory, EnrollmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _row(page, name: str):
    return page.get_by_test_id("roster-row").filter(has_text=name)


@pytest.mark.parametrize("width", [360, 1280])
def test_instructor_marks_the_roster_on_a_phone(
    live_server, page, axe_check, settings, programme, staff, participant, width
):
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    participant.display_name = "Priya Nair"
    participant.save(update_fields=["display_name"])
    cohort = Participant.objects.get(user=participant).cohort
    course = CourseFactory(
        programme=programme, code="AI101", title="Applied AI", cohorts=[cohort], instructors=[staff]
    )
    people = [participant]
    for email, name in (("sam@example.com", "Sam Second"), ("zoe@example.com", "Zoe Zed")):
        people.append(
            ParticipantFactory(
                application__cohort=cohort,
                application__applicant__email=email,
                application__applicant__display_name=name,
            ).user
        )
    for user in people:
        EnrollmentFactory(course=course, cohort=cohort, user=user)
    now = timezone.now()
    session = ClassSessionFactory(
        course=course,
        cohort=cohort,
        title="Week 3: transformers",
        starts_at=now - datetime.timedelta(minutes=10),
        ends_at=now + datetime.timedelta(minutes=110),
        instructor=staff,
    )

    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, staff)
    # From the programme's page to the course, then to the session's roster.
    page.goto(live_server.url + f"/programmes/{programme.slug}/")
    page.get_by_test_id("courses-link").click()
    expect(page.get_by_test_id("courses")).to_contain_text("Applied AI")
    axe_check(page)
    page.get_by_role("link", name="AI101").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("AI101 Applied AI")
    axe_check(page)
    page.get_by_role("link", name="Roster").first.click()
    expect(page.get_by_test_id("roster-row")).to_have_count(3)
    expect(page.get_by_test_id("count-unmarked")).to_have_text("3 Not marked")
    axe_check(page)

    # One tap each: saved at once, and the counts follow.
    _row(page, "Sam Second").locator("label", has_text="Late").click()
    expect(_row(page, "Sam Second").get_by_test_id("roster-mark")).to_contain_text("Late")
    expect(page.get_by_test_id("count-late")).to_have_text("1 Late")
    expect(page.get_by_test_id("count-unmarked")).to_have_text("2 Not marked")
    _row(page, "Zoe Zed").locator("label", has_text="Excused").click()
    expect(_row(page, "Zoe Zed").get_by_test_id("roster-mark")).to_contain_text("Excused")
    expect(page.get_by_test_id("count-excused")).to_have_text("1 Excused")
    expect(page.get_by_test_id("count-unmarked")).to_have_text("1 Not marked")
    axe_check(page)

    page.get_by_test_id("all-present").click()
    expect(page.get_by_text("1 person marked present.")).to_be_visible()
    expect(page.get_by_test_id("count-present")).to_have_text("1 Present")
    expect(page.get_by_test_id("count-late")).to_have_text("1 Late")
    expect(page.get_by_test_id("count-excused")).to_have_text("1 Excused")
    expect(page.get_by_test_id("count-unmarked")).to_have_text("0 Not marked")
    axe_check(page)

    # A reload shows what was saved.
    page.reload()
    expect(_row(page, "Priya Nair").locator('input[value="present"]')).to_be_checked()
    expect(_row(page, "Sam Second").locator('input[value="late"]')).to_be_checked()
    expect(_row(page, "Zoe Zed").locator('input[value="excused"]')).to_be_checked()
    assert dict(
        Attendance.objects.filter(session=session).values_list("user__email", "status")
    ) == {
        "participant@example.com": "present",
        "sam@example.com": "late",
        "zoe@example.com": "excused",
    }

    # The check-in code for the room's screen.
    page.get_by_test_id("show-code").click()
    expect(page.get_by_test_id("qr")).to_be_visible()
    expect(page.get_by_test_id("short-code")).to_have_text(re.compile(r"^[A-Z2-9]{6}$"))
    axe_check(page)
