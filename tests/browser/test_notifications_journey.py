"""The bell counts unread notifications; marking them read updates it without a reload."""

import re

import pytest
from playwright.sync_api import expect

from notifications import services
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _notify(user, role):
    services.notify(
        recipient=user,
        kind="programme.role_granted",
        context={
            "programme_name": "AI Forward 2026",
            "role_label": role,
            "granted_by": "Farah Osman",
        },
        url="/dashboard/",
    )


def test_bell_count_and_mark_read(live_server, page, axe_check):
    user = UserFactory(email="bell@example.com", display_name="Bella Lim")
    for role in ("Reviewer", "Mentor", "Staff / instructor"):
        _notify(user, role)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("bell@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    bell = page.locator("#nav-bell")
    expect(bell.get_by_test_id("bell-count")).to_have_text("3")
    bell.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_test_id("notification")).to_have_count(3)
    axe_check(page)

    # Mark one read: the item and the bell update in place (the page is not reloaded).
    page.evaluate("window.__stillHere = true")
    mark_mentor_read = page.get_by_role(
        "button", name=re.compile(r"^Mark read\W+You are now Mentor in AI Forward 2026")
    )
    mark_mentor_read.click()
    expect(bell.get_by_test_id("bell-count")).to_have_text("2")
    expect(mark_mentor_read).to_have_count(0)
    assert page.evaluate("window.__stillHere") is True

    page.get_by_test_id("mark-all-read").click()
    expect(bell.get_by_test_id("bell-count")).to_have_count(0)
    expect(page.get_by_role("button", name="Mark read", exact=False)).to_have_count(0)
    assert page.evaluate("window.__stillHere") is True
    axe_check(page)

    # A new notification shows up on the next page; opening it (a POST) marks it read.
    _notify(user, "Programme admin")
    page.goto(live_server.url + "/dashboard/")
    expect(page.locator("#nav-bell").get_by_test_id("bell-count")).to_have_text("1")
    page.goto(live_server.url + "/notifications/")
    page.get_by_role(
        "button", name="You are now Programme admin in AI Forward 2026.", exact=True
    ).click()
    expect(page).not_to_have_url(re.compile(r"/notifications/$"))  # off to its target
    expect(page.locator("#nav-bell").get_by_test_id("bell-count")).to_have_count(0)


def test_preferences_page_at_360_px(live_server, page, axe_check):
    UserFactory(email="prefs@example.com")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("prefs@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(live_server.url + "/notifications/preferences/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notification preferences")
    page.get_by_role("checkbox", name="Programme roles by email").uncheck()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_text("Your notification preferences are saved.")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Programme roles by email")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="Account security by email")).to_be_disabled()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)
