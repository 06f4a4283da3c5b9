"""An applicant asks, on a phone, to correct a detail of an application that can no longer be
edited; programme staff see the request on the application's page and resolve it; the
applicant reads the response. Every page passes axe and fits its screen."""

import pytest
from playwright.sync_api import expect

from applications.enums import ApplicationStatus, DisputeStatus
from applications.models import ApplicationDispute
from tests.browser.conftest import sign_in
from tests.factories import ApplicationFactory, CohortFactory, QuestionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What sticks out of a page wider than the screen.
WIDEST = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map((e) => `${e.tagName}.${e.className}`).slice(0, 10)"""


@pytest.fixture
def application(programme, applicant):
    cohort = CohortFactory(
        programme=programme, name="Main intake", slug="main", allow_edit_after_submit=False
    )
    QuestionFactory(cohort=cohort, key="motivation", label="Why do you want to join?")
    return ApplicationFactory(
        cohort=cohort,
        applicant=applicant,
        full_name="Siti Abdullah",
        status=ApplicationStatus.IN_REVIEW,
        answers={"motivation": "To learn."},
    )


def test_applicant_disputes_and_staff_resolve(
    live_server, page, axe_check, application, applicant, staff
):
    page.set_viewport_size({"width": 360, "height": 800})
    sign_in(page, live_server, applicant)
    page.goto(f"{live_server.url}/applications/{application.pk}/")
    section = page.get_by_test_id("disputes")
    expect(section.get_by_role("heading")).to_have_text("Something wrong in your answers?")
    axe_check(page)
    assert page.evaluate(WIDEST) == []

    # Nothing typed: the form says so and keeps the choice.
    section.get_by_label("What is it about?").select_option(label="Employer")
    section.get_by_role("button", name="Send to the programme team").click()
    expect(page.get_by_text("Say what is wrong and what it should be.")).to_be_visible()
    expect(page.get_by_label("What is it about?")).to_have_value("profile:employer")
    assert page.evaluate(WIDEST) == []

    page.get_by_label("What is wrong, and what should it be?").fill(
        "My employer is Harbour Logistics Pte Ltd."
    )
    page.get_by_role("button", name="Send to the programme team").click()
    expect(page.get_by_text("Your request is sent to the programme team.")).to_be_visible()
    expect(page.get_by_test_id("dispute-list")).to_contain_text("Open")
    axe_check(page)

    # Staff, on a wide screen, see the request and resolve it.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, staff)
    page.goto(
        f"{live_server.url}/programmes/{application.cohort.programme.slug}/cohorts/"
        f"{application.cohort.slug}/applications/{application.pk}/"
    )
    expect(page.get_by_test_id("open-disputes-badge")).to_have_text("1 open correction request")
    request = page.get_by_test_id("open-dispute")
    expect(request).to_contain_text("About: Employer")
    expect(request).to_contain_text("My employer is Harbour Logistics Pte Ltd.")
    axe_check(page)
    assert page.evaluate(WIDEST) == []
    request.get_by_label("Response to the applicant (optional)").fill("Corrected in our records.")
    request.get_by_role("button", name="Mark resolved").click()
    expect(page.get_by_text("The request is resolved; the applicant is notified.")).to_be_visible()
    expect(page.get_by_test_id("open-disputes-badge")).to_have_count(0)
    assert ApplicationDispute.objects.get().status == DisputeStatus.RESOLVED

    # The applicant reads the response, on the phone again.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 360, "height": 800})
    sign_in(page, live_server, applicant)
    page.goto(f"{live_server.url}/applications/{application.pk}/")
    expect(page.get_by_test_id("dispute-response")).to_contain_text("Corrected in our records.")
    axe_check(page)
    assert page.evaluate(WIDEST) == []
