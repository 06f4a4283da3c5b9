"""A programme admin exports more applications than the page builds at once: the export is
built in the background, its page shows the progress and then offers the file."""

import pytest
from playwright.sync_api import expect

from applications.enums import ApplicationStatus
from exports.enums import ExportStatus
from exports.models import Export
from tests.browser.conftest import sign_in
from tests.factories import ApplicationFactory, CohortFactory, ExportFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360])
def test_large_export_is_built_in_the_background_then_downloaded(
    live_server, page, axe_check, settings, programme, programme_admin, width
):
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    settings.COHORTLINE_EXPORT_INLINE_MAX_ROWS = 2
    cohort = CohortFactory(programme=programme, name="Main intake", slug="main")
    for n in range(3):
        ApplicationFactory(
            cohort=cohort, full_name=f"Applicant {n}", status=ApplicationStatus.SUBMITTED
        )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, programme_admin)

    # Still queued: the page polls and shows the progress bar.
    waiting = ExportFactory(
        programme=programme,
        requested_by=programme_admin,
        params={"cohort": "main", "filters": {"status": "submitted"}, "format": "csv"},
    )
    page.goto(f"{live_server.url}/programmes/{programme.slug}/exports/{waiting.pk}/")
    expect(page.get_by_test_id("export-status")).to_have_text("Queued")
    expect(page.get_by_test_id("export-progress")).to_be_visible()
    axe_check(page)
    Export.objects.filter(pk=waiting.pk).update(status=ExportStatus.FAILED, error="Test: stopped")
    expect(page.get_by_test_id("export-error")).to_contain_text("Test: stopped", timeout=6000)

    # Above the threshold: the export is built by a worker (eager here) and offered.
    page.goto(
        f"{live_server.url}/programmes/{programme.slug}/cohorts/main/applications/export/"
        "?format=xlsx"
    )
    expect(page.get_by_test_id("export-status")).to_have_text("Ready")
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_test_id("download").click()
    assert download.value.suggested_filename.startswith("ai-forward-2026-main-applications-")

    page.goto(f"{live_server.url}/programmes/{programme.slug}/exports/")
    expect(page.get_by_test_id("export-row")).to_have_count(2)
    axe_check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
