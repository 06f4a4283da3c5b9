"""A reviewer scores an application blind; the admin sees the score in the ranking and chart."""

import pytest
from playwright.sync_api import expect

from programmes.enums import RoleKind
from reviews.models import ReviewAssignment, ReviewCriterion
from tests.browser.conftest import sign_in
from tests.factories import ApplicationFactory, CohortFactory, ProgrammeRoleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_blind_review_then_ranking_and_chart(
    live_server, page, axe_check, programme, reviewer, settings
):
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    cohort = CohortFactory(
        programme=programme,
        slug="main",
        name="Main intake",
        is_blind_review=True,
        reviewers_per_application=1,
    )
    ReviewCriterion.objects.create(
        cohort=cohort,
        name="Motivation",
        weight=2,
        position=1,
        scale_labels={"1": "No evidence", "5": "Outstanding"},
    )
    ReviewCriterion.objects.create(cohort=cohort, name="Experience", weight=1, position=2)
    application = ApplicationFactory(
        cohort=cohort,
        full_name="Zed Secretname",
        email="zed@example.com",
        employer="Hidden Employer Ltd",
    )
    assignment = ReviewAssignment.objects.create(application=application, reviewer=reviewer)

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, reviewer)  # with the code of their authenticator app
    page.goto(live_server.url + "/reviews/")
    expect(page.get_by_test_id("progress")).to_have_text("0 of 1 reviewed")
    axe_check(page)
    page.get_by_test_id("next-unreviewed").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Application #{application.pk}")
    content = page.content()
    assert (
        "Zed Secretname" not in content
        and "zed@example.com" not in content
        and "Hidden Employer" not in content
    )
    axe_check(page)

    page.get_by_role("group", name="Motivation").get_by_label("5 — Outstanding").check()
    page.get_by_role("group", name="Experience").get_by_label("3").check()
    page.get_by_label("Recommendation").select_option("strong_yes")
    page.get_by_label("Comment").fill("Clear goals.")
    page.get_by_test_id("submit-review").click()
    expect(page.get_by_text("Review submitted.")).to_be_visible()
    expect(page.get_by_test_id("progress")).to_have_text("1 of 1 reviewed")
    assert ReviewAssignment.objects.get(pk=assignment.pk).review.is_submitted

    admin = UserFactory(email="review.admin@example.com", display_name="Rita Admin")
    ProgrammeRoleFactory(user=admin, programme=programme, role=RoleKind.PROGRAMME_ADMIN)
    page.context.clear_cookies()
    sign_in(page, live_server, admin)
    page.goto(live_server.url + "/programmes/ai-forward-2026/cohorts/main/review/ranking/")
    expect(page.get_by_role("link", name="Zed Secretname")).to_be_visible()
    expect(page.get_by_test_id("raw-score").first).to_have_text("4.33")
    axe_check(page)
    page.get_by_role("link", name="Dashboard", exact=True).last.click()
    expect(page.get_by_test_id("overall")).to_contain_text("1 of 1 reviews submitted (100%)")
    page.wait_for_function(
        # A function, not an expression: Playwright polls an expression with eval, which the
        # content security policy forbids once the first check has failed.
        "() => typeof Chart !== 'undefined' && Chart.getChart('score-chart') !== undefined"
    )
    assert (
        page.evaluate(
            "Chart.getChart('score-chart').data.datasets[0].data.reduce((a, b) => a + b, 0)"
        )
        == 1
    )
    axe_check(page)
