"""A programme admin sets up a new intake from an earlier one: the new cohort copies the
earlier set-up, a rule is made by ticking values, a quota shows only its attribute's values
and what its share is in seats, and the application form is previewed as applicants see it.
At 1280 and 360 px, each page checked with axe."""

import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cohorts.enums import QuestionType
from cohorts.models import Cohort, EligibilityRule
from selection.models import Quota
from tests.browser.conftest import sign_in
from tests.factories import (
    CohortFactory,
    EligibilityRuleFactory,
    QuestionFactory,
    QuotaFactory,
    ReviewCriterionFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("COHORTLINE_SCREENSHOTS")  # a folder to keep screenshots in, if set


def _shot(page, name, width):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 360])
def test_admin_sets_up_a_cohort_from_an_earlier_one(
    live_server, page, axe_check, settings, programme, programme_admin, width
):
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    spring = CohortFactory(programme=programme, name="Spring intake", slug="spring")
    track = QuestionFactory(
        cohort=spring,
        key="track",
        label="Which track interests you?",
        type=QuestionType.CHOICE,
        choices=["Operations", "Data"],
        position=1,
    )
    QuestionFactory(
        cohort=spring,
        key="why_data",
        label="Why data?",
        type=QuestionType.LONG_TEXT,
        depends_on=track,
        show_when=["Data"],
        position=2,
    )
    EligibilityRuleFactory(
        cohort=spring, attribute="age_at_start", operator="between", values=["18", "65"]
    )
    ReviewCriterionFactory(cohort=spring, name="Motivation")
    QuotaFactory(cohort=spring, name="Frontline", values=["frontline"], min_percent=20)

    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, programme_admin)

    # A new cohort, copying the spring intake; the slug follows the name as it is typed.
    page.goto(f"{live_server.url}/programmes/{programme.slug}/cohorts/new/")
    page.get_by_label("Copy the set-up of").select_option(str(spring.pk))
    expect(page.get_by_label("Copy the set-up of")).to_contain_text("Spring intake (started")
    # Next year's intake, whatever year the test runs in.
    year = timezone.localdate().year + 1
    page.get_by_label("Name").fill(f"Autumn intake {year}")
    expect(page.get_by_label("Slug")).to_have_value(f"autumn-intake-{year}")
    page.get_by_label("What taking part asks").fill("About 6 hours a week for 12 weeks")
    page.get_by_label("Seats").fill("3")
    page.get_by_label("Applications open").fill(f"{year}-07-01T09:00")
    page.get_by_label("Applications close").fill(f"{year}-08-01T23:59")
    page.get_by_label("Starts on").fill(f"{year}-09-01")
    page.get_by_label("Ends on").fill(f"{year + 1}-02-28")
    page.get_by_label("Days to answer an offer").fill("10")
    _shot(page, "cohort-form", width)
    axe_check(page)
    page.get_by_role("button", name="Save cohort").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Autumn intake {year}")
    autumn = Cohort.objects.get(slug=f"autumn-intake-{year}")
    assert (autumn.offer_validity_days, autumn.commitment) == (
        10,
        "About 6 hours a week for 12 weeks",
    )
    expect(page.locator("#questions")).to_contain_text("Which track interests you?")
    rules = page.get_by_test_id("rule")
    expect(rules).to_have_count(1)
    expect(rules).to_contain_text("Age when the cohort starts must be between 18 and 65")

    # A question: its key follows the wording, and only the fields of its type are shown.
    page.get_by_role("link", name="Add a question").click()
    page.get_by_role("textbox", name="Question").fill("Hours a week you can give")
    expect(page.get_by_role("textbox", name="Key")).to_have_value("hours_a_week_you_can_give")
    expect(page.get_by_label("Choices")).to_be_hidden()
    page.get_by_role("combobox", name="Type").select_option(label="Number")
    expect(page.get_by_label("Minimum")).to_be_visible()
    expect(page.get_by_label("Word limit")).to_be_hidden()
    expect(page.get_by_label("Choices")).to_be_hidden()
    page.get_by_label("Minimum").fill("4")
    _shot(page, "question-form", width)
    axe_check(page)
    page.get_by_role("button", name="Save question").click()
    expect(page.locator("#questions")).to_contain_text("Hours a week you can give")
    page.wait_for_load_state()  # htmx has taken over the rule form

    # A rule made by ticking the attribute's own values.
    page.get_by_label("Attribute").select_option(label="Residency status")
    values = page.locator("#rule-fields")
    expect(values.get_by_label("Permanent resident")).to_be_visible()
    expect(values.get_by_role("checkbox")).to_have_count(4)
    values.get_by_label("Citizen").check()
    values.get_by_label("Permanent resident").check()
    _shot(page, "cohort-detail", width)
    axe_check(page)
    page.get_by_role("button", name="Add rule").click()
    expect(rules.nth(1)).to_contain_text(
        "Residency status must be one of: Citizen, Permanent resident"
    )
    assert EligibilityRule.objects.get(cohort=autumn, attribute="residency").values == [
        "citizen",
        "permanent_resident",
    ]

    # A quota: only the chosen attribute's values, and its share in seats.
    page.goto(f"{live_server.url}/programmes/{programme.slug}/cohorts/{autumn.slug}/selection/")
    expect(page.locator("#quotas-heading").locator("..")).to_contain_text("Frontline")
    page.get_by_text("Add a quota").click()
    form = page.get_by_test_id("quota-form")
    expect(form.get_by_role("checkbox")).to_have_count(0)
    form.get_by_label("Name").fill("Women")
    form.get_by_label("Attribute").select_option(label="Gender")
    expect(form.get_by_role("checkbox")).to_have_count(5)
    form.get_by_label("Woman", exact=True).check()
    form.get_by_label("At least (% of seats)").fill("30")
    expect(page.get_by_test_id("quota-seats")).to_have_text("30 % of 3 seats = at least 1")
    _shot(page, "quota-form", width)
    axe_check(page)
    form.get_by_role("button", name="Add quota").click()
    expect(page.locator("#quotas-heading").locator("..")).to_contain_text("Women")
    assert Quota.objects.get(cohort=autumn, name="Women").values == ["woman"]

    # The form as applicants see it: a conditional question appears with its answer.
    page.goto(f"{live_server.url}{autumn.get_absolute_url()}")
    page.get_by_role("link", name="Preview as applicants see it").click()
    expect(page.get_by_test_id("preview-banner")).to_contain_text(
        "Preview — this is what applicants see."
    )
    expect(page.get_by_label("Why data?")).to_be_hidden()
    page.get_by_label("Which track interests you?").select_option("Data")
    expect(page.get_by_label("Why data?")).to_be_visible()
    _shot(page, "form-preview", width)
    axe_check(page)
