"""Every main page of every role, at 1280 and 360 px, on the demo data: axe finds no serious
or critical violation; the page has a title, exactly one h1, a visible keyboard focus and no
sideways scrolling. And the application form stays within the content security policy while
files are uploaded."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from applications.demo import demo_pdf
from cohorts.enums import QuestionType
from tests.browser.conftest import sign_in
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    QuestionFactory,
    SelectionRunFactory,
)
from tests.factories.accounts import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "cohortline-demo"
P = "/programmes/ai-forward-2026/"
# What sticks out of a page wider than the screen (tables scroll inside their own region).
WIDEST = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                 && !e.closest(".table-responsive"))
  .map((e) => `${e.tagName}.${e.className} ${(e.textContent || "").trim().slice(0, 40)}`)
  .slice(0, 10)"""


def _pages() -> dict[str, list[str]]:
    """email → the pages that person opens, read from the demo data."""
    from accounts.models import User
    from applications.models import Application
    from cohorts.models import Cohort
    from compute.models import ResourcePool
    from courses.models import Assessment, ClassSession, Course
    from mentoring.models import MatchingRun, Pairing
    from notifications.models import EmailMessage
    from reviews.models import ReviewAssignment
    from selection.models import SelectionRun

    cohort = Cohort.objects.get(programme__slug="ai-forward-2026", slug="main-intake")
    C = f"{P}cohorts/{cohort.slug}/"
    committed = SelectionRun.objects.get(cohort=cohort, status="committed")
    # A second, uncommitted run of the same result, to compare the two.
    SelectionRunFactory(
        cohort=cohort,
        author=committed.author,
        quotas=committed.quotas,
        selected=committed.selected,
        waitlist=committed.waitlist,
        scores=committed.scores,
        binding=committed.binding,
        pool_size=committed.pool_size,
    )
    application = Application.objects.exclude(status="draft").order_by("pk").first()
    draft = Application.objects.filter(status="draft").order_by("pk").first()
    # A participant with a mentor: the first by email, whoever the demo's lottery chose.
    pairing = (
        Pairing.objects.filter(cohort=cohort, status="active")
        .select_related("mentee", "mentor__user")
        .order_by("mentee__email")
        .first()
    )
    participant = pairing.mentee.email
    participant_app = Application.objects.get(cohort=cohort, applicant=pairing.mentee)
    reviewer = "reviewer.two@example.org"
    # The demo's committed selection closed its reviews: one more application to score.
    to_score = ReviewAssignment.objects.create(
        application=ApplicationFactory(cohort=cohort, status="in_review"),
        reviewer=User.objects.get(email=reviewer),
    )
    course = Course.objects.order_by("pk").first()
    session = ClassSession.objects.filter(course=course).order_by("pk").first()
    assessment = Assessment.objects.filter(course=course).order_by("pk").first()
    matching = MatchingRun.objects.order_by("pk").first()
    pool = ResourcePool.objects.order_by("pk").first()
    email = EmailMessage.objects.filter(scope__startswith="programme:").order_by("pk").first()
    return {
        "": ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"],
        "applicant001@example.org": [
            "/dashboard/",
            "/profile/",
            "/applications/",
            f"/apply/ai-forward-2026/{cohort.slug}/",
            "/notifications/",
            "/notifications/preferences/",
            "/profile/tokens/",
            "/profile/delete/",
        ],
        # An account deletion scheduled by the demo, still cancellable.
        "leaving@example.org": ["/profile/delete/"],
        draft.applicant.email: [
            f"/applications/{draft.pk}/",
            f"/apply/ai-forward-2026/{cohort.slug}/",
        ],
        participant: [
            "/dashboard/",
            f"/applications/{participant_app.pk}/",
            "/compute/",
            "/mentoring/",
            f"/mentoring/pairings/{pairing.pk}/",
            "/courses/",
            "/courses/calendar/",
            "/courses/check-in/",
            f"{P}mentoring/preferences/",
        ],
        reviewer: ["/reviews/", f"/reviews/{to_score.pk}/", f"{P}conflicts/"],
        pairing.mentor.user.email: [
            "/mentoring/",
            f"{P}mentoring/profile/",
            f"/mentoring/pairings/{pairing.pk}/",
        ],
        "admin@example.org": ["/dashboard/", P, f"{P}team/"],
        "staff@example.org": [
            f"{P}courses/",
            f"{P}courses/{course.pk}/",
            f"{P}courses/sessions/{session.pk}/roster/",
            f"{P}courses/{course.pk}/assessments/{assessment.pk}/",
            f"{P}courses/progress/",
        ],
        "programme.admin@example.org": [
            P,
            f"{P}team/",
            f"{P}edit/",
            f"{P}outbox/",
            f"{P}outbox/{email.pk}/",
            C,
            f"{C}applications/",
            f"{C}applications/{application.pk}/",
            f"{C}review/",
            f"{C}review/assign/",
            f"{C}review/dashboard/",
            f"{C}review/ranking/",
            f"{C}selection/",
            f"{C}selection/runs/{committed.number}/",
            f"{C}selection/runs/{committed.number + 1}/",
            f"{C}selection/compare/?a={committed.number}&b={committed.number + 1}",
            f"{C}selection/offers/",
            f"{P}retention/",
            f"{P}compute/",
            f"{P}compute/requests/",
            f"{P}compute/tokens/",
            f"{P}compute/pools/{pool.pk}/",
            f"{C}edit/",
            f"{C}about/",
            f"{C}applications/form-preview/",
            f"{P}outbox/?status=sent",
            f"{P}outbox/announce/",
            f"{P}mentoring/",
            f"{P}mentoring/runs/{matching.pk}/" if matching else f"{P}mentoring/",
            f"{P}courses/",
            f"{P}dashboard/",
        ],
        "partner.viewer@example.org": [P, f"{P}dashboard/"],
    }


def _check_page(page, axe_check, width: int) -> None:
    assert page.title().strip(), f"no title on {page.url}"
    expect(page.locator("h1")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, (
        f"{page.url} scrolls sideways at {width} px: " + str(page.evaluate(WIDEST))
    )
    axe_check(page)
    # The keyboard focus shows: the skip link, then the next control, draw a ring.
    page.locator("body").focus()
    for _ in range(2):
        page.keyboard.press("Tab")
        ring = page.evaluate(
            """() => { const s = getComputedStyle(document.activeElement);
                 return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                        || s.boxShadow !== 'none'; }"""
        )
        assert ring, f"no visible focus on {page.url}"


@pytest.mark.parametrize("width", [1280, 360])
def test_every_main_page_passes_axe_with_one_h1_and_a_title(
    live_server, browser, axe_check, settings, width
):
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    call_command("seed_demo", applicants=12, seed=7, force=True, log="/dev/null")
    pages = _pages()
    failures = []
    for email, paths in pages.items():
        context = browser.new_context(
            viewport={"width": width, "height": 800}, reduced_motion="reduce"
        )
        page = context.new_page()
        if email:
            page.goto(live_server.url + "/accounts/login/")
            page.get_by_label("Email").fill(email)
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Sign In").click()
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
        for path in paths:
            response = page.goto(live_server.url + path)
            try:
                assert response.status == 200, f"{path} answered {response.status}"
                _check_page(page, axe_check, width)
            except AssertionError as exc:
                failures.append(f"{email or 'visitor'} {path}: {exc}")
        context.close()
    assert failures == [], "\n\n".join(failures)


@pytest.mark.parametrize("width", [1280, 360])
def test_application_form_uploads_break_no_content_security_rule(
    live_server, page, programme, applicant, tmp_path, width
):
    cohort = CohortFactory(programme=programme, name="Main intake", slug="main")
    QuestionFactory(cohort=cohort, key="portfolio", label="Portfolio (PDF)", type=QuestionType.FILE)
    errors = []
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP: ' + e.violatedDirective + ' ' + e.sourceFile + ':' + e.lineNumber))"
    )
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(applicant.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(live_server.url + "/apply/ai-forward-2026/main/")
    pdf = tmp_path / "Siti Abdullah CV.pdf"
    pdf.write_bytes(demo_pdf("Siti Abdullah"))
    page.get_by_label("Your CV (PDF, at most 5 MB)").set_input_files(str(pdf))
    expect(page.get_by_test_id("cv-current")).to_contain_text("Siti Abdullah CV.pdf")
    page.get_by_label("Portfolio (PDF)").set_input_files(str(pdf))
    expect(page.get_by_test_id("saved")).to_be_visible()
    page.get_by_label("Replace your CV (PDF, at most 5 MB)").set_input_files(str(pdf))
    expect(page.get_by_test_id("saved")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("cv-current")).to_be_visible()
    assert errors == []


@pytest.mark.parametrize("width", [1280, 360])
def test_quota_chart_reads_for_one_quota_and_for_many(
    live_server, page, axe_check, settings, programme, programme_admin, width
):
    """One quota met by one person is drawn on a 0–5 axis of whole numbers, not 0–1; more
    quotas get more height; the composition table fits and scrolls as a labelled region."""
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    cohort = CohortFactory(programme=programme, name="Main intake", slug="main", capacity=5)
    frontline = ApplicationFactory(cohort=cohort, job_level="frontline")
    others = [ApplicationFactory(cohort=cohort, job_level="manager") for _ in range(4)]
    selected = [frontline.pk] + [a.pk for a in others]
    one = [{"name": "Frontline", "attribute": "job_level", "values": ["frontline"],
            "min_percent": "20.00", "max_percent": None}]  # fmt: skip
    many = one + [
        {"name": f"Managers {n}", "attribute": "job_level", "values": ["manager"],
         "min_percent": None, "max_percent": "80.00"}
        for n in range(5)
    ]  # fmt: skip
    for quotas in (one, many):
        SelectionRunFactory(
            cohort=cohort,
            author=programme_admin,
            quotas=quotas,
            selected=selected,
            scores={str(pk): 3.0 for pk in selected},
        )

    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, programme_admin)
    heights = []
    for number, largest in ((1, 1), (2, 4)):
        page.goto(live_server.url + f"{P}cohorts/main/selection/runs/{number}/")
        page.wait_for_function(
            # A function: an expression would be polled with eval, which the CSP forbids.
            "() => typeof Chart !== 'undefined' && Chart.getChart('quota-chart') !== undefined"
        )
        axis = page.evaluate(
            "(() => { const x = Chart.getChart('quota-chart').scales.x;"
            " return {min: x.min, max: x.max, ticks: x.ticks.map(t => t.value)}; })()"
        )
        assert axis["min"] == 0 and axis["max"] >= max(5, largest)
        assert all(float(t).is_integer() for t in axis["ticks"]) and len(axis["ticks"]) >= 4
        heights.append(page.locator(".quota-chart").bounding_box()["height"])
        region = page.get_by_role("region", name="Selected per quota, with its bounds")
        expect(region).to_have_attribute("tabindex", "0")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        axe_check(page)
    assert heights[1] > heights[0]


def _uncovered(page, locator) -> bool:
    """Whether the element itself is what a tap at its centre hits."""
    box = locator.bounding_box()
    return page.evaluate(
        "([x, y, el]) => { const hit = document.elementFromPoint(x, y);"
        " return hit === el || el.contains(hit); }",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, locator.element_handle()],
    )


@pytest.mark.parametrize("width", [360, 1280])
def test_programme_page_shows_cohorts_first_and_folds_the_archived(
    live_server, page, axe_check, settings, programme, programme_admin, width
):
    import datetime

    from django.utils import timezone

    from cohorts.enums import CohortStatus
    from tests.factories import PartnerFactory

    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    programme.description = "A six-month, part-time programme for working adults. " * 6
    programme.save(update_fields=["description"])
    for kind in ("cloud", "union"):
        programme.partners.add(PartnerFactory(kind=kind))
    now = timezone.now()
    for n in range(7):
        CohortFactory(
            programme=programme,
            name=f"Intake {2020 + n}",
            status=CohortStatus.ARCHIVED if n < 3 else CohortStatus.PUBLISHED,
            opens_at=now - datetime.timedelta(days=365 * (7 - n)),
        )

    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, programme_admin)
    page.goto(live_server.url + P)
    cohorts = page.get_by_test_id("cohorts")
    live = page.get_by_test_id("live-cohorts").get_by_test_id("cohort")
    expect(live).to_have_count(4)
    expect(live.first).to_contain_text("Intake 2026")
    archived = page.get_by_test_id("archived-cohorts")
    expect(archived.get_by_role("link", name="Intake 2020")).to_be_hidden()
    new_cohort = page.get_by_test_id("new-cohort")
    assert _uncovered(page, new_cohort)
    new_cohort.scroll_into_view_if_needed()
    assert _uncovered(page, new_cohort)
    for n in range(4):
        live.nth(n).scroll_into_view_if_needed()
        assert _uncovered(page, live.nth(n).get_by_role("link"))
    # Nothing overlaps: the cohorts end above the boxes that follow, the page above its footer.
    footer_top = page.locator("footer").bounding_box()["y"]
    role_box = page.get_by_role("heading", name="Your role").bounding_box()
    cohorts_box = cohorts.bounding_box()
    assert cohorts_box["y"] + cohorts_box["height"] <= footer_top
    if width < 992:
        assert cohorts_box["y"] + cohorts_box["height"] <= role_box["y"]
    axe_check(page)
    archived.get_by_text("3 archived cohorts").click()
    expect(archived.get_by_role("link", name="Intake 2020")).to_be_visible()
    cohorts_box = cohorts.bounding_box()
    assert cohorts_box["y"] + cohorts_box["height"] <= page.locator("footer").bounding_box()["y"]
    axe_check(page)
