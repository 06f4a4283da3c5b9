"""A newcomer with a long email address signs up on a phone and on a laptop: the verify page
offers to send the link again, nothing is wider than the screen, and the first sign-in opens on
the profile form."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_horizontal_scroll(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.mark.parametrize("width", [360, 1280])
def test_signup_with_a_long_email_then_first_sign_in(live_server, page, axe_check, width):
    email = f"hui.min.chua.of.the.very.long.department.name.{width}@operations.example.com"
    page.set_viewport_size({"width": width, "height": 740})
    page.goto(live_server.url + "/accounts/signup/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
    page.get_by_label("Email").fill(email)
    page.locator("#id_password1").fill("lantern-orchid-river-7")
    page.locator("#id_password2").fill("lantern-orchid-river-7")
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    resend = page.get_by_role("button", name="Send the link again")
    expect(resend).to_be_visible()
    _no_horizontal_scroll(page, width)
    axe_check(page)
    resend.click()
    expect(page.get_by_role("status")).to_contain_text("a new link is on its way")
    _no_horizontal_scroll(page, width)

    # Signing in before confirming shows the same page, with the long address in no message.
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("lantern-orchid-river-7")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    _no_horizontal_scroll(page, width)

    link = re.search(r"http://[^\s]+/accounts/confirm-email/[^\s]+/", mail.outbox[0].body).group(0)
    page.goto(link.replace("http://testserver", live_server.url))
    expect(page.get_by_text(email)).to_be_visible()
    _no_horizontal_scroll(page, width)
    axe_check(page)
    page.get_by_role("button", name="Confirm").click()

    # First sign-in: one message, and the profile form starts on the first screen.
    expect(page.get_by_role("heading", level=1)).to_have_text("Applicant profile")
    expect(page.locator(".messages .alert")).to_have_count(1)
    full_name = page.get_by_label("Full name")
    expect(full_name).to_be_in_viewport()
    _no_horizontal_scroll(page, width)
    axe_check(page)


def test_long_email_in_an_account_message_wraps_at_360(live_server, page, axe_check):
    from tests.browser.conftest import sign_in
    from tests.factories import UserFactory
    from tests.factories.accounts import PASSWORD

    user = UserFactory(email="hui.min.chua.of.the.very.long.department.name@operations.example.com")
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, live_server, user)
    page.goto(live_server.url + "/accounts/email/")
    page.get_by_label("Email").fill(
        "another.very.long.address.for.the.same.person@operations.example.com"
    )
    page.get_by_role("button", name="Add email address").click()
    # Changing addresses asks for the password again.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".messages .alert").first).to_contain_text("We have sent a link to")
    _no_horizontal_scroll(page, 360)
    axe_check(page)


@pytest.mark.parametrize("width", [360, 1280])
def test_two_factor_page_and_a_long_email_in_the_menu(live_server, page, axe_check, width):
    """Someone with no name yet and a 60-character address: the menu toggle ends in an
    ellipsis (the whole address in its title and the menu's header), the two-factor pages read
    in sentence case, and the page comes before the settings menu on a phone."""
    from tests.browser.conftest import sign_in
    from tests.factories import UserFactory
    from tests.factories.accounts import PASSWORD

    email = f"siew.ling.tan.of.operations.team.{width:04d}@operations.example.com"
    assert len(email) == 60
    user = UserFactory(email=email, display_name="")
    page.set_viewport_size({"width": width, "height": 740})
    sign_in(page, live_server, user)
    page.goto(live_server.url + "/accounts/2fa/")

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Two-factor authentication")
    expect(page).to_have_title("Two-factor authentication · Cohortline")
    expect(page.get_by_role("heading", level=2)).to_have_text(
        ["Authenticator app", "Recovery codes", "Account settings"]
        if width < 992
        else ["Authenticator app", "Recovery codes"]
    )
    expect(page.get_by_role("link", name="Set up an authenticator app")).to_be_visible()
    text = page.locator("body").inner_text()
    assert [t for t in ("Two-Factor", "Authenticator App", "Recovery Codes") if t in text] == []
    settings_nav = page.get_by_role("navigation", name="Account settings")
    content_box, nav_box = heading.bounding_box(), settings_nav.bounding_box()
    if width < 992:
        assert nav_box["y"] > content_box["y"]  # the page first, the settings menu after it
    else:
        assert nav_box["x"] < content_box["x"]  # the settings menu on the left
    _no_horizontal_scroll(page, width)
    axe_check(page)

    # The user menu: the address, cut short with an ellipsis, whole in the title and the header.
    if width < 992:
        page.get_by_role("button", name="Toggle navigation").click()
    toggle = page.get_by_test_id("user-menu-toggle")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("title", email)
    name = toggle.locator(".user-menu-name")
    assert name.evaluate("el => el.scrollWidth > el.clientWidth"), "the address is not cut short"
    assert name.evaluate("el => getComputedStyle(el).textOverflow") == "ellipsis"
    assert name.bounding_box()["width"] <= 16 * 16 + 1
    toggle.click()
    header = page.get_by_test_id("user-menu-header")
    expect(header).to_be_visible()
    expect(header).to_have_text(email)
    header_box = header.bounding_box()
    assert header_box["x"] >= 0 and header_box["x"] + header_box["width"] <= width
    _no_horizontal_scroll(page, width)
    axe_check(page)

    # Setting up the app: a password check first, then the steps, in sentence case.
    page.keyboard.press("Escape")
    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    expect(
        page.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Turn on", exact=True)).to_be_visible()
    text = page.locator("body").inner_text()
    assert [t for t in ("Activate", "Authenticator App", "Authenticator Secret") if t in text] == []
    _no_horizontal_scroll(page, width)
    axe_check(page)
