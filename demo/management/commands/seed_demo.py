"""Build a realistic, deterministic demo programme. Safe to run again: it updates in place.

Each app builds its own part in its `demo.py`; this command only orchestrates them, in the
order the apps depend on each other, and prints the logins."""

import random

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import demo as accounts_demo
from applications import demo as applications_demo
from cohorts import demo as cohorts_demo
from compute import demo as compute_demo
from courses import demo as courses_demo
from mentoring import demo as mentoring_demo
from programmes import demo as programmes_demo
from reviews import demo as reviews_demo
from selection import demo as selection_demo

DEMO_PASSWORD = "cohortline-demo"  # noqa: S105 - printed for the demo on purpose


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--applicants", type=int, default=3000, help="Number of applicants (default 3,000)."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with debug off. The demo accounts share a published password.",
        )

    def handle(self, *args, seed: int, applicants: int, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password, including a superuser; "
                "it runs only with DJANGO_DEBUG on (or --force, never in production)."
            )
        # Emails written while seeding are sent when the transaction commits; the summary is
        # printed after them so that it ends the output.
        with transaction.atomic():
            programme, people, logins, compute, courses = self._build(
                random.Random(seed), applicants
            )
        self.stdout.write(self.style.SUCCESS(f"Demo programme '{programme.name}' is ready."))
        self.stdout.write(
            f"{len(people)} applicants with complete profiles; the first five have not applied yet."
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for label, email in logins:
            self.stdout.write(f"  {email:<32} {label}")
        self.stdout.write(
            f"Usage API token '{compute.token.name}' (shown once; each run makes a new one):"
        )
        self.stdout.write(f"  {compute.secret}")
        self.stdout.write("Report one usage record with it while the app runs:")
        self.stdout.write(f"  {compute.curl}")
        self.stdout.write(
            f"Courses: {courses.courses} courses; {courses.held} sessions held, "
            f"{courses.upcoming} to come; {courses.at_risk} of {courses.participants} "
            "participants at risk."
        )
        if courses.session_now_url:
            self.stdout.write(
                f"A session is in progress now; its roster and check-in code "
                f"({courses.instructor_email}):"
            )
            self.stdout.write(f"  {courses.session_now_url}")
        if courses.feed_url:
            self.stdout.write(
                f"Calendar feed of {courses.instructor_email} (a secret address; "
                "My courses → Calendar resets it):"
            )
            self.stdout.write(f"  {courses.feed_url}")

    def _build(self, rng: random.Random, applicants: int):
        password_hash = make_password(DEMO_PASSWORD)
        programme = programmes_demo.programme()
        admin = accounts_demo.user("admin", "Platform Admin", password_hash, superuser=True)
        logins = [("platform admin", admin.email)]
        programme_admin, team_logins = programmes_demo.team(programme, admin, password_hash)
        logins += team_logins
        # More people than submitted applications: some are drafts, some withdrew, five have
        # not started, so the demo shows every state.
        people = accounts_demo.applicants(
            rng, 5 + applicants + max(applicants // 8, 6), password_hash
        )
        if people:
            logins.append(("applicant (not applied yet)", people[0].email))
        cohort = cohorts_demo.cohort(programme)
        applications_demo.applications(rng, cohort, people, submitted=applicants)
        reviews_demo.reviews(rng, cohort)
        selection_demo.selection(rng, cohort, programme_admin or admin)
        compute = compute_demo.seed_demo(rng, cohort, programme_admin or admin)
        logins.append(
            ("participant (compute: usage, a top-up answered)", compute.participant_email)
        )
        mentoring = mentoring_demo.seed_demo(
            rng, cohort, programme_admin or admin, password_hash=password_hash
        )
        if mentoring.participant_email:
            logins.append(
                (
                    "participant (mentoring: a mentor, a session to rate)",
                    mentoring.participant_email,
                )
            )
        courses = courses_demo.seed_demo(
            rng,
            cohort,
            programme_admin or admin,
            featured=[compute.participant_email, mentoring.participant_email],
        )
        logins = _with_courses(logins, courses)
        outsider = accounts_demo.user("outsider", "Olivia Outsider", password_hash)
        logins.append(("user with no role and no profile", outsider.email))
        programmes_demo.announcement(programme, programme_admin)
        return programme, people, logins, compute, courses


def _with_courses(
    logins: list[tuple[str, str]], courses: courses_demo.DemoCourses
) -> list[tuple[str, str]]:
    """Say where each login shows courses; a featured participant not listed yet is added."""
    notes = {
        courses.instructor_email: (
            "courses: today's roster and check-in code, progress, who is at risk"
        ),
        courses.on_track_email: "My courses: on track, AI202 still open to choose",
        courses.at_risk_email: "My courses: at risk in AI102, with the forecast",
    }
    notes.pop("", None)
    result = []
    for label, email in logins:
        note = notes.pop(email, None)
        result.append((f"{label} — {note}" if note else label, email))
    result += [(f"participant — {note}", email) for email, note in notes.items()]
    return result
