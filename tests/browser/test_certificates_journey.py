"""A member of staff issues the cohort's certificates in bulk and watches the run finish; a
visitor with no account opens a certificate's verification link (the QR code's) and reads
"Valid"; after the staff revoke it, the same link says "Revoked" with the reason. The holder
finds the certificate on "My certificate". At 360 and 1280 px, each page checked with axe."""

import re
import shutil
import subprocess

import pytest
from django.core.files.storage import storages
from playwright.sync_api import expect

from certificates import services
from certificates.models import Certificate
from selection.models import Participant
from tests.browser.conftest import sign_in
from tests.factories import ParticipantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _scan_qr(certificate, tmp_path) -> str | None:
    """The link in the certificate PDF's QR code, read as a phone would read the printed page
    (the page drawn at 150 dpi, then decoded); None without pdftoppm and zbarimg, which
    .ci/run installs."""
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        return None
    with storages["private"].open(certificate.pdf_name, "rb") as handle:
        (tmp_path / "certificate.pdf").write_bytes(handle.read())
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-png",
            "-singlefile",
            str(tmp_path / "certificate.pdf"),
            str(tmp_path / "certificate"),
        ],
        check=True,
    )
    return subprocess.run(
        ["zbarimg", "--raw", "-q", str(tmp_path / "certificate.png")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def _fits(page, width: int) -> None:
    """Accessible, and no sideways scrolling (wide tables scroll inside their own region)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.mark.parametrize("width", [360, 1280])
def test_staff_issue_in_bulk_and_a_visitor_verifies(
    live_server, page, browser, axe_check, settings, programme, staff, participant, width, tmp_path
):
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    settings.SITE_URL = live_server.url
    cohort = Participant.objects.get(user=participant).cohort
    services.rule_save(
        cohort=cohort,
        actor=staff,
        achievement_name="Applied AI Practitioner",
        assessments_must_pass=False,
        requires_sign_off=True,
    )
    second = ParticipantFactory(
        application__cohort=cohort,
        application__applicant__email="sam@example.com",
        application__applicant__display_name="Sam Second",
    ).user
    ParticipantFactory(
        application__cohort=cohort,
        application__applicant__email="zoe@example.com",
        application__applicant__display_name="Zoe Waiting",
    )
    for user in (participant, second):
        services.sign_off(cohort=cohort, user=user, actor=staff)

    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, staff)
    board = live_server.url + f"/programmes/{programme.slug}/cohorts/{cohort.slug}/certificates/"
    page.goto(board)
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificates")
    expect(page.get_by_test_id("count-eligible")).to_have_text("2")
    expect(page.get_by_test_id("count-not_yet")).to_have_text("1")
    axe_check(page)
    _fits(page, width)

    # Issue to everyone eligible: the run's page shows its progress, then that it is done.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("issue-all").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Issuing certificates")
    expect(page.locator("progress")).to_be_attached()
    expect(page.get_by_test_id("run-done")).to_contain_text("2 certificates issued")
    axe_check(page)
    _fits(page, width)
    page.get_by_test_id("back-to-board").click()
    expect(page.get_by_test_id("count-issued")).to_have_text("2")
    expect(page.get_by_test_id("count-eligible")).to_have_text("0")
    certificate = Certificate.objects.get(user=participant)

    # A visitor, signed in nowhere, scans the QR code printed on the PDF and opens its link.
    link = _scan_qr(certificate, tmp_path) or live_server.url + f"/verify/{certificate.code}/"
    assert link == live_server.url + f"/verify/{certificate.code}/"
    visitor = browser.new_context(viewport={"width": width, "height": 800})
    try:
        public = visitor.new_page()
        public.goto(link)
        expect(public.get_by_test_id("verify-status")).to_contain_text("Valid")
        expect(public.get_by_test_id("holder")).to_have_text(certificate.holder_name)
        expect(public.get_by_test_id("signature")).to_contain_text("Signature checked")
        axe_check(public)
        _fits(public, width)

        # The staff revoke it, with a reason.
        page.get_by_role("link", name=participant.display_name or participant.email).click()
        page.get_by_label("Reason for revoking").fill("Issued by mistake")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_test_id("revoke").click()
        expect(page.get_by_test_id("certificate")).to_contain_text("Revoked")
        axe_check(page)
        _fits(page, width)

        public.reload()
        expect(public.get_by_test_id("verify-status")).to_contain_text("Revoked")
        expect(public.get_by_test_id("verify-status")).to_contain_text("Issued by mistake")
        axe_check(public)
        _fits(public, width)
    finally:
        visitor.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_holder_finds_the_certificate(
    live_server, page, axe_check, settings, staff, participant, width
):
    settings.SITE_URL = live_server.url
    cohort = Participant.objects.get(user=participant).cohort
    services.rule_save(
        cohort=cohort,
        actor=staff,
        achievement_name="Applied AI Practitioner",
        assessments_must_pass=False,
        requires_sign_off=True,
    )
    services.sign_off(cohort=cohort, user=participant, actor=staff)
    certificate = services.certificate_issue(cohort=cohort, user=participant, actor=staff)

    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, participant)
    page.goto(live_server.url + "/dashboard/")
    if width < 992:
        page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_test_id("nav-certificates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My certificate")
    expect(page.get_by_test_id("issued")).to_contain_text("Applied AI Practitioner")
    expect(page.get_by_test_id("share-url")).to_have_value(
        live_server.url + f"/verify/{certificate.code}/"
    )
    expect(page.get_by_test_id("linkedin")).to_have_attribute(
        "href",
        re.compile(
            r"^https://www\.linkedin\.com/profile/add\?startTask=CERTIFICATION_NAME"
            r"&name=Applied\+AI\+Practitioner&.*&certId=" + re.escape(certificate.code) + "$"
        ),
    )
    axe_check(page)
    _fits(page, width)
