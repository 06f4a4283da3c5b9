"""Capture the README screenshots from a running demo (`make demo` in another terminal).

Usage: .venv/bin/python docs/screenshots/capture.py [--base http://127.0.0.1:8000]
Writes <page>-desktop.png (1280 px wide) and <page>-mobile.png (360 px wide) beside this file.
"""

import argparse
import os
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
PASSWORD = "cohortline-demo"  # noqa: S105 - the printed demo password
# (file name, login email or None for a visitor, path)
PAGES = [
    ("landing", None, "/"),
    ("signup", None, "/accounts/signup/"),
    ("login", None, "/accounts/login/"),
    ("profile", "applicant001@example.org", "/profile/"),
    ("dashboard-applicant", "applicant001@example.org", "/dashboard/"),
    ("dashboard-programme-admin", "programme.admin@example.org", "/dashboard/"),
    ("programme", "reviewer.one@example.org", "/programmes/ai-forward-2026/"),
    ("team", "programme.admin@example.org", "/programmes/ai-forward-2026/team/"),
    ("mfa", "programme.admin@example.org", "/accounts/2fa/"),
    ("mfa-activate", "programme.admin@example.org", "/accounts/2fa/totp/activate/"),
    ("email", "applicant001@example.org", "/accounts/email/"),
    ("password-reset", None, "/accounts/password/reset/"),
    ("notifications", "reviewer.one@example.org", "/notifications/"),
    ("preferences", "reviewer.one@example.org", "/notifications/preferences/"),
    ("outbox", "programme.admin@example.org", "/programmes/ai-forward-2026/outbox/"),
    ("outbox-message", "programme.admin@example.org", "/programmes/ai-forward-2026/outbox/5390/"),
    ("announce", "programme.admin@example.org", "/programmes/ai-forward-2026/outbox/announce/"),
    ("apply", "applicant002@example.org", "/apply/ai-forward-2026/main-intake/"),
    ("my-applications", "applicant007@example.org", "/applications/"),
    ("cohort", "programme.admin@example.org", "/programmes/ai-forward-2026/cohorts/main-intake/"),
    (
        "applications",
        "staff@example.org",
        "/programmes/ai-forward-2026/cohorts/main-intake/applications/",
    ),
    ("programme-admin-view", "programme.admin@example.org", "/programmes/ai-forward-2026/"),
    ("review-queue", "reviewer.one@example.org", "/reviews/"),
    # The demo's selection is done, so no application is still in review: before taking this one,
    # put the application of reviewer.one's assignment 7 back in review (status "in_review") and
    # delete its review, in a throw-away copy of the demo database.
    ("review-score", "reviewer.one@example.org", "/reviews/7/"),
    (
        "review-dashboard",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/cohorts/main-intake/review/dashboard/",
    ),
    (
        "review-ranking",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/cohorts/main-intake/review/ranking/?order=normalized",
    ),
    (
        "review-assign",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/cohorts/main-intake/review/assign/",
    ),
    (
        "review-setup",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/cohorts/main-intake/review/",
    ),
    ("conflicts", "reviewer.one@example.org", "/programmes/ai-forward-2026/conflicts/"),
    (
        "selection",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/cohorts/main-intake/selection/",
    ),
    (
        "selection-run",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/cohorts/main-intake/selection/runs/1/?applicant=applicant050",
    ),
    (
        "selection-offers",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/cohorts/main-intake/selection/offers/",
    ),
    ("offer", "applicant083@example.org", "/applications/78/"),
    (
        "cohort-edit",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/cohorts/main-intake/edit/",
    ),
    ("bad-request", "applicant083@example.org", "/applications/?q=%00"),
    ("compute", "programme.admin@example.org", "/programmes/ai-forward-2026/compute/"),
    (
        "compute-pool",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/compute/pools/1/?level=80",
    ),
    (
        "compute-allocation",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/compute/allocations/55/",
    ),
    (
        "compute-requests",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/compute/requests/",
    ),
    (
        "compute-tokens",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/compute/tokens/",
    ),
    (
        "compute-pool-new",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/compute/pools/new/",
    ),
    (
        "compute-resource",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/compute/resources/1/",
    ),
    ("my-compute", "applicant075@example.org", "/compute/"),
    ("mentoring", "programme.admin@example.org", "/programmes/ai-forward-2026/mentoring/"),
    (
        "mentoring-run",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/mentoring/runs/1/",
    ),
    ("my-mentoring-mentor", "mentor.one@example.org", "/mentoring/"),
    ("mentoring-pairing-mentor", "mentor.one@example.org", "/mentoring/pairings/7/"),
    (
        "mentoring-profile",
        "mentor.one@example.org",
        "/programmes/ai-forward-2026/mentoring/profile/",
    ),
    ("my-mentoring-mentee", "applicant092@example.org", "/mentoring/"),
    ("mentoring-pairing-mentee", "applicant092@example.org", "/mentoring/pairings/7/"),
    (
        "mentoring-preferences",
        "applicant092@example.org",
        "/programmes/ai-forward-2026/mentoring/preferences/",
    ),
    ("cohort-public", None, "/programmes/ai-forward-2026/cohorts/main-intake/about/"),
    ("cohort-new", "programme.admin@example.org", "/programmes/ai-forward-2026/cohorts/new/"),
    (
        "question-new",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/cohorts/main-intake/questions/new/",
    ),
    (
        "form-preview",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/cohorts/main-intake/applications/form-preview/",
    ),
    ("participant", "applicant075@example.org", "/applications/"),
    ("courses", "programme.admin@example.org", "/programmes/ai-forward-2026/courses/"),
    ("course-detail", "staff@example.org", "/programmes/ai-forward-2026/courses/1/"),
    # The roster of the demo's session in progress: the top of it (500 people follow).
    (
        "roster",
        "staff@example.org",
        "/programmes/ai-forward-2026/courses/sessions/7/roster/",
        False,
    ),
    (
        "check-in-code",
        "staff@example.org",
        "/programmes/ai-forward-2026/courses/sessions/7/check-in-code/",
    ),
    (
        "assessment",
        "staff@example.org",
        "/programmes/ai-forward-2026/courses/2/assessments/3/",
        False,
    ),
    (
        "courses-progress",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/courses/progress/?at_risk=1",
    ),
    ("my-courses", "applicant092@example.org", "/courses/"),
    ("courses-calendar", "applicant092@example.org", "/courses/calendar/"),
    ("check-in", "applicant092@example.org", "/courses/check-in/"),
    (
        "certificates",
        "staff@example.org",
        "/programmes/ai-forward-2026/cohorts/main-intake/certificates/",
    ),
    (
        "certificates-rule",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/cohorts/main-intake/certificates/rule/",
    ),
    (
        "certificate-person",
        "staff@example.org",
        "/programmes/ai-forward-2026/cohorts/main-intake/certificates/people/47/",
    ),
    ("my-certificate", "applicant037@example.org", "/certificates/"),
    ("exports", "programme.admin@example.org", "/programmes/ai-forward-2026/exports/"),
    (
        "programme-dashboard",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/dashboard/",
    ),
    ("partner-dashboard", "partner.viewer@example.org", "/programmes/ai-forward-2026/dashboard/"),
    ("audit-log", "programme.admin@example.org", "/programmes/ai-forward-2026/audit/"),
    ("api-tokens", "programme.admin@example.org", "/profile/tokens/"),
    ("api-docs", "programme.admin@example.org", "/api/v1/docs"),
    ("privacy-consent", "applicant075@example.org", "/profile/privacy/"),
    ("consent-withdraw", "applicant075@example.org", "/applications/consent/withdraw/"),
    ("your-data", "applicant075@example.org", "/profile/data/"),
    # The demo's open correction request (applications.demo.disputes).
    ("dispute-applicant", "applicant013@example.org", "/applications/8/"),
    (
        "dispute-staff",
        "programme.admin@example.org",
        "/programmes/ai-forward-2026/cohorts/main-intake/applications/8/",
    ),
    ("erasure", "applicant037@example.org", "/profile/delete/"),
    ("erasure-scheduled", "leaving@example.org", "/profile/delete/"),
    ("retention", "programme.admin@example.org", "/programmes/ai-forward-2026/retention/"),
    ("export-detail", "programme.admin@example.org", "/programmes/ai-forward-2026/exports/1/"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--only", default="", help="comma-separated page names")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for name, email, path, *rest in PAGES:
            full_page = rest[0] if rest else True
            if only and name not in only:
                continue
            for label, width in (("desktop", 1280), ("mobile", 360)):
                context = browser.new_context(viewport={"width": width, "height": 800})
                page = context.new_page()
                if email:
                    page.goto(f"{args.base}/accounts/login/")
                    page.fill("input[name=login]", email)
                    page.fill("input[name=password]", PASSWORD)
                    page.click("main form button[type=submit]")
                    page.wait_for_load_state("networkidle")
                response = page.goto(f"{args.base}{path}")
                page.wait_for_load_state("networkidle")
                if response is not None and response.status >= 400:
                    # Ids in PAGES follow the default demo (`seed_demo`); say which went stale.
                    print(f"{name}: {path} answered {response.status}")
                if "/reauthenticate/" in page.url:
                    page.fill("input[name=password]", PASSWORD)
                    page.click("main form button[type=submit]")
                    page.wait_for_load_state("networkidle")
                page.screenshot(path=str(HERE / f"{name}-{label}.png"), full_page=full_page)
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
