"""An applicant signs up, completes the profile, applies with a conditional question, uploads a
CV, submits and sees the status; staff filter the list and download the CSV."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from applications.demo import demo_pdf
from applications.models import Application
from cohorts.enums import QuestionType, RuleOperator
from tests.browser.conftest import sign_in
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    EligibilityRuleFactory,
    QuestionFactory,
)
from tests.factories.accounts import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_cohort(programme):
    cohort = CohortFactory(programme=programme, name="Main intake", slug="main")
    QuestionFactory(
        cohort=cohort,
        key="motivation",
        label="Why do you want to join?",
        type=QuestionType.LONG_TEXT,
        word_limit=50,
    )
    supports = QuestionFactory(
        cohort=cohort,
        key="supports",
        label="Does your employer support you?",
        type=QuestionType.YES_NO,
    )
    QuestionFactory(
        cohort=cohort,
        key="how",
        label="How does your employer support you?",
        type=QuestionType.MULTI_CHOICE,
        choices=["Paid study time", "Course fees"],
        depends_on=supports,
        show_when=["yes"],
    )
    EligibilityRuleFactory(
        cohort=cohort,
        attribute="residency",
        operator=RuleOperator.IN,
        values=["citizen", "permanent_resident"],
    )
    return cohort


def test_applicant_signs_up_and_applies(live_server, page, axe_check, open_cohort, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Main intake")).to_be_visible()
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Email").fill("lena.koh@example.com")
    page.locator("#id_password1").fill("lantern-orchid-river-7")
    page.locator("#id_password2").fill("lantern-orchid-river-7")
    page.get_by_role("button", name="Sign Up").click()
    link = re.search(r"http://[^\s]+/accounts/confirm-email/[^\s]+/", mail.outbox[-1].body).group(0)
    page.goto(link.replace("http://testserver", live_server.url))
    page.get_by_role("button", name="Confirm").click()

    # The profile comes first.
    page.get_by_label("Full name").fill("Lena Koh")
    page.get_by_label("Phone").fill("+65 8123 4567")
    page.get_by_label("Date of birth").fill("1991-04-02")
    page.get_by_label("Gender").select_option("woman")
    page.get_by_label("Residency status").select_option("citizen")
    page.get_by_label("Employer", exact=True).fill("Harbour Logistics")
    page.get_by_label("Employer size").select_option("sme")
    page.get_by_label("Sector").select_option("logistics")
    page.get_by_label("Job level").select_option("frontline")
    page.get_by_label("Highest education").select_option("diploma")
    page.get_by_label("Years of work experience").fill("9")
    page.get_by_role("button", name="Save profile").click()

    # Then the cohort from the dashboard.
    page.get_by_role("link", name="Apply — Main intake", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply to Main intake")
    expect(page.get_by_test_id("eligible")).to_be_visible()
    axe_check(page)

    conditional = page.get_by_text("How does your employer support you?")
    expect(conditional).to_be_hidden()
    page.get_by_label("Why do you want to join?").fill(
        "I plan routes by hand and want to forecast demand."
    )
    page.get_by_role("group", name="Does your employer support you?").get_by_label("Yes").check()
    expect(conditional).to_be_visible()
    page.get_by_label("Course fees").check()
    expect(page.get_by_test_id("saved")).to_be_visible()  # autosaved as a draft

    cv = tmp_path / "Lena Koh CV.pdf"
    cv.write_bytes(demo_pdf("Lena Koh"))
    page.get_by_label("Your CV (PDF, at most 5 MB)").set_input_files(str(cv))
    expect(page.get_by_test_id("cv-current")).to_contain_text("Lena Koh CV.pdf")

    # The draft survives a reload.
    page.reload()
    expect(page.get_by_label("Why do you want to join?")).to_have_value(
        "I plan routes by hand and want to forecast demand."
    )
    expect(page.get_by_label("Course fees")).to_be_checked()

    page.get_by_test_id("submit-application").click()
    expect(page.get_by_text("Please agree to the privacy notice to submit.")).to_be_visible()
    page.get_by_label(re.compile("I have read the privacy notice")).check()
    page.get_by_test_id("submit-application").click()

    expect(page.get_by_text("Your application is submitted.")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("Submitted")
    expect(page.get_by_test_id("timeline")).to_contain_text("Submitted")
    axe_check(page)
    application = Application.objects.get(applicant__email="lena.koh@example.com")
    assert application.answers["how"] == ["Course fees"]
    assert application.cv_name == "Lena Koh CV.pdf"


def test_application_form_at_360_px(live_server, page, axe_check, open_cohort, applicant):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(applicant.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(live_server.url + "/apply/ai-forward-2026/main/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply to Main intake")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)


def test_staff_filter_list_and_download_csv(
    live_server, page, axe_check, open_cohort, staff, settings
):
    ApplicationFactory(
        cohort=open_cohort, full_name="Frontline Fiona", job_level="frontline", sector="logistics"
    )
    ApplicationFactory(
        cohort=open_cohort, full_name="Manager Mo", job_level="manager", sector="finance"
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, staff)  # with the code of their authenticator app
    page.goto(live_server.url + "/programmes/ai-forward-2026/cohorts/main/applications/")
    expect(page.get_by_text("Frontline Fiona")).to_be_visible()
    expect(page.get_by_text("Manager Mo")).to_be_visible()
    axe_check(page)

    page.get_by_label("Job level").select_option("frontline")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("Frontline Fiona")).to_be_visible()
    expect(page.get_by_text("Manager Mo")).to_have_count(0)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    with open(download_info.value.path(), encoding="utf-8-sig") as csv_file:
        content = csv_file.read()
    assert "Frontline Fiona" in content
    assert "Manager Mo" not in content
