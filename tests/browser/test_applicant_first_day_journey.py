"""An applicant's first day, at 360 and 1280 px with axe: a visitor reads who can apply before
signing up; someone too young is told so at the top, with no form to fill in for nothing; an
applicant offered a seat reads what accepting means, accepts, and sees next steps as a
participant, without the withdraw box."""

import datetime
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.enums import ApplicationStatus
from cohorts.enums import RuleOperator
from notifications.models import Notification
from selection.models import Participant
from tests.browser.conftest import sign_in
from tests.factories import (
    ApplicantProfileFactory,
    CohortFactory,
    EligibilityRuleFactory,
    OfferFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("COHORTLINE_SCREENSHOTS", "")


def _shot(page, name: str, width: int) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)


@pytest.mark.parametrize("width", [360, 1280])
def test_applicant_first_day(live_server, page, axe_check, settings, programme, width):
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    now = timezone.now()
    cohort = CohortFactory(
        programme=programme,
        name="Main intake",
        slug="main",
        description="Twelve weeks of applied AI for logistics teams.",
        commitment="About 6 hours a week: Tuesday and Thursday evenings, 19:00–21:00",
        capacity=40,
    )
    EligibilityRuleFactory(
        cohort=cohort, attribute="age_at_start", operator=RuleOperator.BETWEEN, values=["18", "65"]
    )
    EligibilityRuleFactory(
        cohort=cohort,
        attribute="residency",
        operator=RuleOperator.IN,
        values=["citizen", "permanent_resident"],
    )
    page.set_viewport_size({"width": width, "height": 800})
    page.on("dialog", lambda dialog: dialog.accept())

    # An anonymous visitor: from the landing page to the cohort's public page.
    page.goto(live_server.url + "/")
    axe_check(page)
    page.get_by_role("link", name="Dates and who can apply — Main intake").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Main intake")
    rules = page.get_by_test_id("public-rules")
    expect(rules).to_contain_text("Age when the cohort starts must be between 18 and 65")
    expect(rules).to_contain_text("Residency status must be one of: Citizen, Permanent resident")
    expect(page.get_by_test_id("commitment")).to_contain_text("About 6 hours a week")
    expect(page.get_by_test_id("apply")).to_have_text("Sign up to apply")
    _shot(page, "public", width)
    axe_check(page)

    # A 16-year-old with a profile: told at the top, no form to submit.
    young = ApplicantProfileFactory(
        user__email="young@example.com",
        full_name="Nur Aina",
        date_of_birth=datetime.date(cohort.starts_on.year - 16, 1, 1),
    ).user
    sign_in(page, live_server, young)
    page.goto(live_server.url + "/apply/ai-forward-2026/main/")
    message = page.get_by_test_id("cannot-apply")
    expect(message).to_contain_text("You cannot apply to this cohort")
    expect(message).to_contain_text("Age when the cohort starts must be between 18 and 65")
    expect(message).to_be_in_viewport()
    expect(page.locator("#application-form")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit application")).to_have_count(0)
    expect(page.get_by_role("link", name="Is your profile wrong? Correct it")).to_be_visible()
    _shot(page, "cannot-apply", width)
    axe_check(page)
    page.context.clear_cookies()

    # An applicant with an open offer in a cohort whose decisions are out.
    decided = CohortFactory(
        programme=programme,
        name="Spring intake",
        slug="spring",
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=30),
        starts_on=timezone.localdate() + datetime.timedelta(days=35),
        ends_on=timezone.localdate() + datetime.timedelta(days=116),
        commitment="About 6 hours a week: Tuesday and Thursday evenings",
        decisions_released_at=now - datetime.timedelta(days=1),
    )
    offered = ApplicantProfileFactory(user__email="offered@example.com", full_name="Siti").user
    offer = OfferFactory(
        application__cohort=decided,
        application__applicant=offered,
        application__status=ApplicationStatus.OFFERED,
    )
    sign_in(page, live_server, offered)
    page.goto(live_server.url + f"/applications/{offer.application_id}/")
    terms = page.get_by_test_id("offer-terms")
    expect(terms).to_contain_text(f"{decided.starts_on:%-d %B %Y} to {decided.ends_on:%-d %B %Y}")
    expect(terms).to_contain_text("About 6 hours a week: Tuesday and Thursday evenings")
    expect(terms).to_contain_text("(Asia/Singapore)")
    _shot(page, "offer", width)
    axe_check(page)
    page.get_by_test_id("accept-offer").click()
    expect(page.get_by_test_id("status")).to_have_text("Participant")
    participant = page.get_by_test_id("participant")
    expect(participant).to_contain_text("You are a participant of Spring intake")
    expect(participant).to_contain_text("Next steps")
    expect(page.get_by_role("button", name="Withdraw my application")).to_have_count(0)
    expect(page.get_by_test_id("leave")).to_contain_text("Leave the programme")
    _shot(page, "participant", width)
    axe_check(page)
    assert Participant.objects.filter(user=offered, cohort=decided).exists()
    assert Notification.objects.filter(recipient=offered, kind="selection.offer_accepted").exists()
