"""Privacy in a real browser: an applicant asks for their account to be deleted from the account
settings (confirming their password when the sign-in is old), sees the date and cancels; a
programme admin sets the retention periods and reads what each cohort has due."""

import datetime
import time

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from accounts.middleware import SIGNED_IN_AT
from applications.enums import ApplicationStatus
from privacy.enums import CertificateChoice, ErasureStatus
from privacy.models import ErasureRequest
from privacy.selectors import add_months
from tests.browser.conftest import sign_in
from tests.factories import (
    ApplicationFactory,
    CertificateFactory,
    CohortFactory,
    ParticipantFactory,
)
from tests.factories.accounts import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What sticks out on the right of the screen, outside the tables that scroll on their own.
WIDEST = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                 && !e.closest(".table-responsive"))
  .map((e) => `${e.tagName}.${e.className} ${(e.textContent || "").trim().slice(0, 40)}`)
  .slice(0, 10)"""


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, (
        f"{page.url} scrolls sideways at {width} px: " + str(page.evaluate(WIDEST))
    )


def _open_menu(page, width: int) -> None:
    if width < 992:
        page.get_by_role("button", name="Toggle navigation").click()


def _age_the_sign_in(page) -> None:
    """Move the session's sign-in back beyond the re-authentication timeout, as if the person
    had signed in a while ago: the next sensitive action asks for the password again."""
    from importlib import import_module

    store = import_module(django_settings.SESSION_ENGINE).SessionStore
    [cookie] = [
        c for c in page.context.cookies() if c["name"] == django_settings.SESSION_COOKIE_NAME
    ]
    session = store(session_key=cookie["value"])
    session[SIGNED_IN_AT] = int(time.time()) - django_settings.ACCOUNT_REAUTHENTICATION_TIMEOUT - 60
    session.save()


def _send(page, button) -> bool:
    """Send the form; on allauth's confirmation page, type the password, after which the form
    sent is replayed. Whether the password was asked."""
    with page.expect_navigation():
        button.click()
    if "/reauthenticate/" not in page.url:
        return False
    expect(page.get_by_role("heading", name="Confirm it is you", level=1)).to_be_visible()
    page.locator('input[name="password"]').fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    # The replayed form is answered on this same address: what shows now is the erasure page.
    expect(page.get_by_role("heading", name="Confirm it is you")).to_have_count(0)
    return True


@pytest.mark.parametrize(
    ("width", "holds_certificate", "old_sign_in"),
    [(1280, False, False), (360, True, True)],
    ids=["1280", "360-certificate-password-prompt"],
)
def test_applicant_asks_for_deletion_then_cancels(
    live_server, page, axe_check, programme, applicant, width, holds_certificate, old_sign_in
):
    if holds_certificate:
        CertificateFactory(
            cohort=CohortFactory(programme=programme, name="Spring intake", slug="spring"),
            user=applicant,
            holder_name="Siti Abdullah",
        )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, applicant)
    if old_sign_in:
        _age_the_sign_in(page)

    # Account settings, then "Delete your account" in the settings menu.
    page.goto(live_server.url + "/dashboard/")
    _open_menu(page, width)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My profile").click()
    settings_nav = page.get_by_role("navigation", name="Account settings")
    settings_nav.get_by_role("link", name="Delete your account").click()
    expect(page.get_by_role("heading", name="Delete your account", level=1)).to_be_visible()
    expect(settings_nav.get_by_role("link", name="Delete your account")).to_have_attribute(
        "aria-current", "page"
    )
    form = page.get_by_test_id("erasure-form")
    revoke = form.get_by_role("radio", name="Revoke my certificates")
    if holds_certificate:
        expect(form.get_by_role("radio", name="Keep my certificates verifiable")).to_be_checked()
        expect(page.get_by_text("You hold 1 certificate.")).to_be_visible()
    else:
        expect(form.get_by_role("radio")).to_have_count(0)
    _fits(page, width)
    axe_check(page)

    # Sent without the box ticked: refused, and the choice made is still there.
    if holds_certificate:
        revoke.check()
    asked = _send(page, page.get_by_test_id("erasure-submit"))
    confirm = form.get_by_role("checkbox", name="I understand that this cannot be undone")
    expect(confirm).to_have_attribute("aria-invalid", "true")
    expect(form).to_contain_text("Tick the box to confirm that you want this.")
    expect(confirm).not_to_be_checked()
    if holds_certificate:
        expect(revoke).to_be_checked()
    assert not ErasureRequest.objects.exists()
    _fits(page, width)
    axe_check(page)

    # Ticked: scheduled (the password is asked at most once).
    confirm.check()
    asked = _send(page, page.get_by_test_id("erasure-submit")) or asked
    assert asked == old_sign_in
    scheduled = page.get_by_test_id("erasure-scheduled")
    expect(scheduled).to_contain_text("Your account is scheduled for deletion")
    erasure = ErasureRequest.objects.get(user=applicant)
    assert erasure.status == ErasureStatus.SCHEDULED
    expected_choice = CertificateChoice.REVOKE if holds_certificate else CertificateChoice.KEEP
    assert erasure.certificate_choice == expected_choice
    grace = datetime.timedelta(days=django_settings.COHORTLINE_ERASURE_GRACE_DAYS)
    assert abs(erasure.due_at - (timezone.now() + grace)) < datetime.timedelta(minutes=5)
    due = timezone.localtime(erasure.due_at)
    expect(scheduled).to_contain_text(f"It will be deleted on {due:%-d} {due:%B} {due:%Y}")
    if holds_certificate:
        expect(scheduled).to_contain_text("Your certificates will be revoked.")
    expect(page.get_by_role("status").filter(has_text="You can cancel until then")).to_be_visible()
    expect(page.get_by_test_id("erasure-form")).to_have_count(0)
    _fits(page, width)
    axe_check(page)

    # Cancelled: the form is back, with a message.
    page.get_by_role("button", name="Cancel the deletion").click()
    expect(page.get_by_role("status").filter(has_text="The deletion is cancelled")).to_be_visible()
    expect(page.get_by_test_id("erasure-form")).to_be_visible()
    expect(page.get_by_test_id("erasure-scheduled")).to_have_count(0)
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.CANCELLED
    assert erasure.cancelled_at is not None
    assert ErasureRequest.objects.filter(user=applicant).count() == 1
    _fits(page, width)
    axe_check(page)


def _retention_world(programme):
    """A cohort that ended about 30 months ago (past the default 24-month period) with one
    applicant not selected and one participant, and a cohort still running."""
    today = timezone.localdate()
    now = timezone.now()
    old = CohortFactory(
        programme=programme,
        name="Earlier intake",
        slug="earlier",
        opens_at=now - datetime.timedelta(days=1100),
        closes_at=now - datetime.timedelta(days=1070),
        starts_on=today - datetime.timedelta(days=1050),
        ends_on=today - datetime.timedelta(days=913),
    )
    ApplicationFactory(cohort=old, full_name="Nadia Rahman", status=ApplicationStatus.NOT_SELECTED)
    ParticipantFactory(application__cohort=old, application__full_name="Kumar Pillai")
    current = CohortFactory(programme=programme, name="Main intake", slug="main")
    ApplicationFactory(cohort=current, full_name="Lim Wei Ling")
    return old, current


@pytest.mark.parametrize("width", [1280, 360])
def test_programme_admin_sets_the_retention_periods(
    live_server, page, axe_check, settings, programme, programme_admin, width
):
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    old, current = _retention_world(programme)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, programme_admin)

    page.goto(f"{live_server.url}/programmes/{programme.slug}/")
    page.get_by_test_id("retention-link").click()
    expect(page.get_by_role("heading", name="Data retention", level=1)).to_be_visible()
    cohorts = page.get_by_test_id("retention-cohort")
    # Latest end first.
    expect(cohorts).to_have_count(2)
    expect(cohorts.nth(0)).to_contain_text("Main intake")
    expect(cohorts.nth(1)).to_contain_text("Earlier intake")
    old_card = cohorts.filter(has_text="Earlier intake")
    current_card = cohorts.filter(has_text="Main intake")
    for group in ("not_selected", "participants"):
        expect(old_card.get_by_test_id(f"retention-group-{group}")).to_contain_text("Due now")
        expect(old_card.get_by_test_id(f"retention-group-{group}")).to_contain_text(
            f"Anonymised from {add_months(old.ends_on, 24):%-d %b %Y} (24 months after the end)"
        )
    expect(current_card.get_by_test_id("retention-group-not_selected")).to_contain_text("Scheduled")
    expect(current_card.get_by_test_id("retention-group-participants")).to_contain_text("Nobody")
    expect(page.get_by_test_id("retention-due")).to_contain_text("2 applications are past")
    _fits(page, width)
    axe_check(page)

    # Out of range: refused, with the typed values kept.
    form = page.get_by_test_id("retention-form")
    not_selected = form.get_by_label("People not selected: keep their data for (months)")
    participants = form.get_by_label("Participants: keep their data for (months)")
    expect(not_selected).to_have_value("24")
    not_selected.fill("0")
    participants.fill("500")
    form.get_by_role("button", name="Save periods").click()
    expect(not_selected).to_have_attribute("aria-invalid", "true")
    expect(participants).to_have_attribute("aria-invalid", "true")
    expect(form).to_contain_text("greater than or equal to 1")
    expect(form).to_contain_text("less than or equal to 120")
    expect(not_selected).to_have_value("0")
    expect(participants).to_have_value("500")
    programme.refresh_from_db()
    assert (programme.retention_months_not_selected, programme.retention_months_participants) == (
        24,
        24,
    )
    _fits(page, width)
    axe_check(page)

    # Valid: saved, and the dates move. The participants of the old cohort are no longer due.
    not_selected.fill("12")
    participants.fill("36")
    form.get_by_role("button", name="Save periods").click()
    expect(page.get_by_role("status").filter(has_text="Retention periods saved.")).to_be_visible()
    programme.refresh_from_db()
    assert (programme.retention_months_not_selected, programme.retention_months_participants) == (
        12,
        36,
    )
    expect(not_selected).to_have_value("12")
    expect(participants).to_have_value("36")
    old_not_selected = old_card.get_by_test_id("retention-group-not_selected")
    old_participants = old_card.get_by_test_id("retention-group-participants")
    expect(old_not_selected).to_contain_text(
        f"Anonymised from {add_months(old.ends_on, 12):%-d %b %Y} (12 months after the end)"
    )
    expect(old_not_selected).to_contain_text("Due now")
    expect(old_participants).to_contain_text(
        f"Anonymised from {add_months(old.ends_on, 36):%-d %b %Y} (36 months after the end)"
    )
    expect(old_participants).to_contain_text("Scheduled")
    expect(current_card.get_by_test_id("retention-group-participants")).to_contain_text(
        f"Anonymised from {add_months(current.ends_on, 36):%-d %b %Y}"
    )
    expect(page.get_by_test_id("retention-due")).to_contain_text("1 application is past")
    _fits(page, width)
    axe_check(page)
