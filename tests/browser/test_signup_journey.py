"""A newcomer signs up, verifies their email, completes the profile; each demo role signs in."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import ApplicantProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signup_verify_and_complete_profile(live_server, page, axe_check):
    page.goto(live_server.url + "/")
    axe_check(page)
    page.get_by_role("link", name="Create an account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
    axe_check(page)
    page.get_by_label("Email").fill("maya.tan@example.com")
    page.locator("#id_password1").fill("short")
    page.locator("#id_password2").fill("short")
    page.get_by_role("button", name="Sign Up").click()
    # A weak password is refused on the field and the email is kept.
    expect(page.get_by_text("This password is too short.")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value("maya.tan@example.com")

    page.locator("#id_password1").fill("lantern-orchid-river-7")
    page.locator("#id_password2").fill("lantern-orchid-river-7")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    axe_check(page)

    link = re.search(r"http://[^\s]+/accounts/confirm-email/[^\s]+/", mail.outbox[-1].body).group(0)
    page.goto(link.replace("http://testserver", live_server.url))
    page.get_by_role("button", name="Confirm").click()

    # Signed in on confirmation and sent to the profile.
    expect(page.get_by_role("heading", level=1)).to_have_text("Applicant profile")
    axe_check(page)
    page.get_by_label("Full name").fill("Maya Tan")
    page.get_by_label("Phone").fill("+65 8123 4567")
    page.get_by_label("Date of birth").fill("2999-01-01")
    page.get_by_label("Gender").select_option("woman")
    page.get_by_label("Residency status").select_option("citizen")
    page.get_by_label("Employer", exact=True).fill("Harbour Logistics")
    page.get_by_label("Employer size").select_option("sme")
    page.get_by_label("Sector").select_option("logistics")
    page.get_by_label("Job level").select_option("frontline")
    page.get_by_label("I am a member of a trade union").check()
    page.get_by_label("Highest education").select_option("diploma")
    page.get_by_label("Years of work experience").fill("6")
    page.get_by_role("button", name="Save profile").click()

    # A future birth date is refused and nothing typed is lost.
    expect(page.get_by_text("cannot be in the future")).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value("Maya Tan")
    expect(page.get_by_label("Sector")).to_have_value("logistics")
    axe_check(page)

    page.get_by_label("Date of birth").fill("1994-03-08")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Maya Tan")
    axe_check(page)

    profile = ApplicantProfile.objects.get(user__email="maya.tan@example.com")
    assert (profile.phone, profile.sector, profile.is_union_member) == (
        "+6581234567",
        "logistics",
        True,
    )


@pytest.mark.parametrize(
    ("email", "visible", "hidden"),
    [
        ("admin@example.org", ["Platform admin"], ["AI Forward 2026"]),
        ("programme.admin@example.org", ["AI Forward 2026", "Team and roles"], ["Platform admin"]),
        ("reviewer.one@example.org", ["AI Forward 2026"], ["Team and roles", "Platform admin"]),
        ("mentor.one@example.org", ["AI Forward 2026"], ["Team and roles", "Platform admin"]),
        ("staff@example.org", ["AI Forward 2026"], ["Team and roles", "Platform admin"]),
        ("applicant001@example.org", ["My profile"], ["AI Forward 2026", "Platform admin"]),
    ],
)
def test_demo_roles_see_their_navigation(
    live_server, page, settings, axe_check, email, visible, hidden
):
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False  # as in the demo
    call_command("seed_demo", applicants=2, force=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("cohortline-demo")
    page.get_by_role("button", name="Sign In").click()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Dashboard")).to_be_visible()
    for dropdown in nav.locator("[data-testid=nav-programme] > a").all():
        dropdown.click()
    for text in visible:
        expect(nav.get_by_text(text, exact=True).first).to_be_visible()
    for text in hidden:
        expect(nav.get_by_text(text, exact=True)).to_have_count(0)
    axe_check(page)


def test_navigation_collapses_at_360_px(live_server, page, axe_check):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/")
    toggle = page.get_by_role("button", name="Toggle navigation")
    expect(toggle).to_be_visible()
    toggle.click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")
    ).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    axe_check(page)
