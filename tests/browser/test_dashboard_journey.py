"""The programme dashboard in a real browser: the programme admin reads the funnel and follows a
bar to the list behind it; a partner viewer finds the dashboard from the menu, sees the same
charts with small counts hidden and cannot reach the lists."""

import pytest
from playwright.sync_api import expect

from programmes.enums import RoleKind
from tests.browser.conftest import sign_in
from tests.dashboards.world import extras, populated
from tests.factories import PartnerFactory, ProgrammeRoleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_menu(page, width):
    if width < 992:
        page.get_by_role("button", name="Toggle navigation").click()


def _wait_for_charts(page, count: int) -> None:
    """Wait until Chart.js (a deferred script) has drawn `count` charts."""
    page.wait_for_function(
        """(count) => typeof Chart !== "undefined"
             && [...document.querySelectorAll("canvas[data-dashboard-chart]")]
                  .filter((c) => Chart.getChart(c) !== undefined && c.width > 0).length === count""",
        arg=count,
    )


@pytest.mark.parametrize("width", [1280, 360])
def test_programme_admin_reads_the_funnel_and_opens_the_list_behind_a_bar(
    live_server, page, axe_check, settings, programme, programme_admin, width
):
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    cohort = populated(programme, per_depth=3)
    extras(cohort)
    page.set_viewport_size({"width": width, "height": 900})
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    sign_in(page, live_server, programme_admin)
    page.goto(live_server.url + f"/programmes/{programme.slug}/")
    page.get_by_test_id("dashboard-link").click()
    expect(page.get_by_role("heading", name="Dashboard of Main intake", level=1)).to_be_visible()
    expect(page.get_by_test_id("chart-funnel").locator("canvas")).to_be_visible()
    _wait_for_charts(page, 6)
    # The page is no wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    axe_check(page)

    # The figures behind the chart, as a table.
    funnel = page.get_by_test_id("chart-funnel")
    funnel.get_by_text("Table of the figures").click()
    table = funnel.get_by_test_id("table-funnel")
    expect(table.get_by_role("row", name="Applied")).to_contain_text("24")
    expect(table.get_by_role("row", name="Certified")).to_contain_text("3")
    axe_check(page)

    # The definitions of the steps are on the page.
    page.get_by_text("What each step counts").click()
    expect(page.get_by_test_id("step-definitions")).to_contain_text("Started an application")

    # A bar of the chart leads to the list behind it: the accepted applications.
    canvas = funnel.locator("canvas")
    canvas.scroll_into_view_if_needed()
    point = page.evaluate(
        """(id) => {
          const chart = Chart.getChart(document.getElementById(id));
          const bar = chart.getDatasetMeta(0).data[6];
          const box = chart.canvas.getBoundingClientRect();
          return {x: box.left + (bar.base + bar.x) / 2, y: box.top + bar.y};
        }""",
        "chart-funnel-canvas",
    )
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(f"**/cohorts/{cohort.slug}/applications/?status=accepted")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # Each chart's figures download as CSV.
    page.go_back()
    with page.expect_download() as download:
        page.get_by_test_id("chart-funnel").get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "ai-forward-2026-main-funnel.csv"
    assert errors == []


@pytest.mark.parametrize("width", [1280, 360])
def test_partner_viewer_sees_aggregates_only(
    live_server, page, axe_check, settings, programme, width
):
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    partner = PartnerFactory(name="Nimbus Cloud")
    programme.partners.add(partner)
    viewer = UserFactory(email="viewer@nimbus.example.org", display_name="Vera Viewer")
    ProgrammeRoleFactory(
        user=viewer, programme=programme, role=RoleKind.PARTNER_VIEWER, partner=partner
    )
    cohort = populated(programme, per_depth=3)
    extras(cohort)
    names = list(cohort.applications.values_list("full_name", flat=True))
    page.set_viewport_size({"width": width, "height": 900})

    sign_in(page, live_server, viewer)
    page.goto(live_server.url + "/")
    _open_menu(page, width)
    page.get_by_role("button", name=programme.name).click()
    page.get_by_test_id("nav-programme-dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard of Main intake", level=1)).to_be_visible()
    expect(page.get_by_test_id("aggregates-note")).to_contain_text("never a name")
    _wait_for_charts(page, 6)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    axe_check(page)

    funnel = page.get_by_test_id("chart-funnel")
    funnel.get_by_text("Table of the figures").click()
    table = funnel.get_by_test_id("table-funnel")
    expect(table.get_by_role("row", name="Certified")).to_contain_text("< 5")
    # No link to any list of people, and no name anywhere.
    expect(page.locator("main a[href*='/applications/']")).to_have_count(0)
    content = page.content()
    assert not [name for name in names if name in content]
    axe_check(page)

    # The lists themselves are refused.
    response = page.goto(
        live_server.url + f"/programmes/{programme.slug}/cohorts/{cohort.slug}/applications/"
    )
    assert response.status == 403
