"""A reviewer on a phone (and at a desk): narrows the queue to one cohort, opens an application,
sees how long is left before the review deadline, scores on the 1–5 scales and picks the
recommendation, marked required. Each page checked with axe at 360 and 1280 px."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviews.models import ReviewAssignment, ReviewCriterion
from tests.browser.conftest import sign_in
from tests.factories import ApplicationFactory, CohortFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [360, 1280])
def test_reviewer_filters_the_queue_and_scores_on_the_scale(
    live_server, page, axe_check, settings, programme, reviewer, width
):
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    spring = CohortFactory(
        programme=programme,
        name="Spring intake",
        slug="spring",
        timezone="Asia/Singapore",
        is_blind_review=False,
        review_deadline=timezone.now() + datetime.timedelta(days=5, hours=2),
    )
    autumn = CohortFactory(programme=programme, name="Autumn intake", slug="autumn")
    for cohort in (spring, autumn):
        ReviewCriterion.objects.create(
            cohort=cohort,
            name="Motivation",
            weight=2,
            position=1,
            scale_labels={"1": "No evidence", "5": "Outstanding"},
        )
        ReviewCriterion.objects.create(cohort=cohort, name="Experience", weight=1, position=2)
    mine = ReviewAssignment.objects.create(
        application=ApplicationFactory(cohort=spring, full_name="Mei Lin Tan"), reviewer=reviewer
    )
    ReviewAssignment.objects.create(
        application=ApplicationFactory(cohort=autumn, full_name="Omar Haddad"), reviewer=reviewer
    )

    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, reviewer)
    page.goto(live_server.url + "/reviews/")
    expect(page.get_by_test_id("progress")).to_have_text("0 of 2 reviewed")
    axe_check(page)
    page.get_by_label("Cohort").select_option(label="Spring intake")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("progress")).to_have_text("0 of 1 reviewed")
    expect(page.get_by_role("link", name="Omar Haddad")).to_have_count(0)
    expect(page.get_by_test_id("review-deadline")).to_contain_text("5 days")
    axe_check(page)

    page.get_by_role("link", name="Mei Lin Tan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mei Lin Tan")
    deadline = page.get_by_test_id("review-deadline")
    expect(deadline).to_contain_text("5 days")
    expect(deadline).to_contain_text("(Asia/Singapore)")
    local = spring.review_deadline.astimezone(spring.tz)
    expect(deadline).to_contain_text(f"{local:%-d %B %Y, %H:%M}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Each scale reads as one row of five points, lowest on the left.
    motivation = page.get_by_role("group", name="Motivation")
    boxes = [motivation.locator("label.btn").nth(n).bounding_box() for n in range(5)]
    assert len({round(box["y"]) for box in boxes}) == 1
    assert [box["x"] for box in boxes] == sorted(box["x"] for box in boxes)
    expect(motivation.locator(".score-anchors")).to_contain_text("1 — No evidence")
    expect(motivation.locator(".score-anchors")).to_contain_text("5 — Outstanding")
    # The recommendation says it is required, as the other required fields do.
    expect(page.get_by_role("combobox", name="Recommendation (required)")).to_be_visible()
    axe_check(page)

    motivation.get_by_label("4").check()
    page.get_by_role("group", name="Experience (required)").get_by_label("3").check()
    page.get_by_role("combobox", name="Recommendation (required)").select_option("yes")
    page.get_by_label("Comment").fill("Clear goals.")
    page.get_by_test_id("submit-review").click()
    expect(page.get_by_text("Review submitted.")).to_be_visible()
    review = ReviewAssignment.objects.get(pk=mine.pk).review
    assert review.is_submitted and review.recommendation == "yes"
    assert sorted(review.scores.values()) == [3, 4]
