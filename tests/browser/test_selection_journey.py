"""The admin runs a selection with a quota, reads why someone was chosen, commits it; the
applicant accepts the offer."""

import pytest
from playwright.sync_api import expect

from applications.enums import ApplicationStatus
from programmes.enums import RoleKind
from selection.models import Participant, Quota
from tests.factories import ApplicationFactory, CohortFactory, ProgrammeRoleFactory, UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_select_commit_and_accept(live_server, page, axe_check, programme, settings):
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    cohort = CohortFactory(programme=programme, slug="main", name="Main intake", capacity=2)
    winner = ApplicationFactory(
        cohort=cohort,
        full_name="Top Scorer",
        raw_score=4.9,
        normalized_score=4.9,
        review_count=2,
        job_level="manager",
        status=ApplicationStatus.IN_REVIEW,
    )
    ApplicationFactory(
        cohort=cohort,
        full_name="Second Best",
        raw_score=4.8,
        normalized_score=4.8,
        review_count=2,
        job_level="manager",
        status=ApplicationStatus.IN_REVIEW,
    )
    ApplicationFactory(
        cohort=cohort,
        full_name="Frontline Fatimah",
        raw_score=3.1,
        normalized_score=3.1,
        review_count=2,
        job_level="frontline",
        status=ApplicationStatus.IN_REVIEW,
    )
    Quota.objects.create(
        cohort=cohort, name="Frontline", attribute="job_level", values=["frontline"], min_percent=50
    )
    admin = UserFactory(email="selector@example.com", display_name="Sam Selector")
    ProgrammeRoleFactory(user=admin, programme=programme, role=RoleKind.PROGRAMME_ADMIN)

    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, live_server, admin.email)
    page.goto(live_server.url + "/programmes/ai-forward-2026/cohorts/main/selection/")
    axe_check(page)
    page.get_by_label("Rank by").select_option("raw")
    page.get_by_test_id("start-run").click()
    expect(page.get_by_test_id("selected-count")).to_have_text("2")
    expect(page.get_by_text("binds")).to_be_visible()
    page.get_by_label("Applicant name or application number").fill("Frontline Fatimah")
    page.get_by_role("button", name="Explain").click()
    expect(page.get_by_test_id("explanation")).to_contain_text("to meet the minimum of “Frontline”")
    axe_check(page)
    # Commit and release ask for confirmation first.
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("commit-run").click()
    expect(page.get_by_text("Committing run 1")).to_be_visible()
    # Without a broker the commit runs at once; with one, the page follows its progress.
    expect(page.get_by_test_id("run-status")).to_have_text("Committed")
    page.goto(live_server.url + "/programmes/ai-forward-2026/cohorts/main/selection/offers/")
    expect(page.get_by_test_id("seats")).to_contain_text("2 of 2 seats")
    page.get_by_test_id("release-decisions").click()
    expect(page.get_by_text("applicants now see their decisions")).to_be_visible()
    axe_check(page)

    page.context.clear_cookies()
    _sign_in(page, live_server, winner.applicant.email)
    page.goto(live_server.url + f"/applications/{winner.pk}/")
    axe_check(page)
    page.get_by_test_id("accept-offer").click()
    expect(page.get_by_text("You are now a participant.")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("Participant")
    assert Participant.objects.filter(application=winner).exists()
