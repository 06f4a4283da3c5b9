"""The shared components in a real browser: a delete asks first and can be cancelled, the
breadcrumb trail leads back up, and a filtered list keeps its filter from page to page."""

import re

import pytest
from playwright.sync_api import expect

from cohorts.models import ApplicationQuestion
from notifications import services as notification_services
from programmes.enums import RoleKind
from tests.factories import CohortFactory, ProgrammeRoleFactory, QuestionFactory, UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_confirm_breadcrumbs_and_pages(
    live_server, page, axe_check, programme, settings, monkeypatch
):
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    monkeypatch.setattr("programmes.views.OUTBOX_PAGE_SIZE", 2)
    cohort = CohortFactory(programme=programme, slug="main", name="Main intake")
    QuestionFactory(cohort=cohort, label="Why now?")
    admin = UserFactory(email="admin@example.com", display_name="Ada Admin")
    ProgrammeRoleFactory(user=admin, programme=programme, role=RoleKind.PROGRAMME_ADMIN)
    for n in range(3):
        notification_services.notify(
            recipient=UserFactory(),
            kind="programme.announcement",
            context={
                "programme_name": programme.name,
                "subject": f"Staged {n}",
                "message": "Hello",
                "sender": "Ada",
            },
            scope=programme.notification_scope,
            staged=True,
        )

    page.set_viewport_size({"width": 360, "height": 800})
    _sign_in(page, live_server, admin.email)
    page.goto(live_server.url + "/programmes/ai-forward-2026/cohorts/main/")
    axe_check(page)

    # Cancelling the confirmation keeps the question; accepting deletes it.
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    # The button is named by its label and the visually hidden question label after it.
    delete_button = page.get_by_role("button", name=re.compile(r"^Delete\W+Why now\?$"))
    page.once("dialog", dismiss)
    delete_button.click()
    page.wait_for_load_state("networkidle")
    expect(delete_button).to_be_visible()
    assert asked and asked[0].startswith("Delete the question “Why now?”?")
    assert ApplicationQuestion.objects.filter(cohort=cohort).count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    delete_button.click()
    expect(page.get_by_test_id("empty").first).to_contain_text("No questions yet.")
    assert ApplicationQuestion.objects.filter(cohort=cohort).count() == 0

    # The trail leads back up: programme, then dashboard.
    trail = page.get_by_role("navigation", name="Breadcrumb")
    expect(trail.locator('[aria-current="page"]')).to_have_text("Main intake")
    trail.get_by_role("link", name="AI Forward 2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("AI Forward 2026")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")

    # A filtered list keeps its filter on the next page.
    page.goto(live_server.url + "/programmes/ai-forward-2026/outbox/")
    page.get_by_label("Status").select_option("staged")
    page.get_by_role("button", name="Filter").click()
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages).to_contain_text("Page 1 of 2")
    pages.get_by_role("link", name="Next").click()
    expect(page.get_by_role("navigation", name="Pages")).to_contain_text("Page 2 of 2")
    assert "status=staged" in page.url and "page=2" in page.url
    expect(page.get_by_label("Status")).to_have_value("staged")
    axe_check(page)
