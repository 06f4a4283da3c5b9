"""Build a realistic, deterministic demo programme. Safe to run again: it updates in place.

Each app builds its own part in its `demo.py`; this command only orchestrates them, in the
order the apps depend on each other, and prints the logins."""

import logging
import random
from contextlib import contextmanager, redirect_stdout
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import demo as accounts_demo
from applications import demo as applications_demo
from applications.models import Application
from certificates import demo as certificates_demo
from cohorts import demo as cohorts_demo
from compute import demo as compute_demo
from compute.models import Allocation, UsageRecord
from courses import demo as courses_demo
from dashboards import demo as dashboards_demo
from demo import summary
from mentoring import demo as mentoring_demo
from mentoring.models import MentoringSession, Pairing
from notifications.models import EmailMessage
from privacy import demo as privacy_demo
from programmes import demo as programmes_demo
from programmes import services as programme_services
from reviews import demo as reviews_demo
from reviews.models import Review, ReviewAssignment
from selection import demo as selection_demo
from selection.models import Offer, Participant

DEMO_PASSWORD = "cohortline-demo"  # noqa: S105 - printed for the demo on purpose


class Command(BaseCommand):
    help = (
        "Build the demo programme. One line per step goes to the terminal (stderr); task logs "
        "and the emails written while seeding go to the log file; the logins go to stdout."
    )

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
        parser.add_argument(
            "--log",
            default=str(settings.VAR_DIR / "seed.log"),
            help="Where task logs and the emails printed while seeding go (default var/seed.log).",
        )

    def handle(self, *args, seed: int, applicants: int, force: bool, log: str, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password, including a superuser; "
                "it runs only with DJANGO_DEBUG on (or --force, never in production)."
            )
        Path(log).parent.mkdir(parents=True, exist_ok=True)
        with open(log, "w", encoding="utf-8") as log_file, _quiet(log_file):
            self._progress(f"Seeding the demo for {settings.SITE_URL} (details in {log})")
            # Emails written while seeding are sent (to the log) when the transaction commits.
            with transaction.atomic():
                built = self._build(random.Random(seed), applicants)
                # A server already running on this cache must not keep showing the old landing.
                programme_services.public_listing_refresh()
                written = EmailMessage.objects.count()
            self._progress(f"Emails: {written} written and sent to the log (no mail server)")
        self._summary(*built)

    def _progress(self, text: str) -> None:
        self.stderr.write(text, style_func=lambda line: line)

    def _summary(self, programme, compute, mentoring, courses, certificates, api, privacy) -> None:
        write = self.stdout.write
        write(
            self.style.SUCCESS(
                f"Demo programme '{programme.name}' is ready at {settings.SITE_URL}/"
            )
        )
        write(f"Demo logins, by role (password for all: {DEMO_PASSWORD}):")
        featured = {
            compute.participant_email: "participant (compute: usage, a top-up answered)",
            mentoring.participant_email: "participant (mentoring: a mentor, a session to rate)",
        }
        for email, note in {
            courses.on_track_email: "My courses: on track, AI202 still open to choose",
            courses.at_risk_email: "My courses: at risk in AI102, with the forecast",
        }.items():
            if email:
                featured[email] = f"{featured[email]} — {note}" if email in featured else note
        for line in summary.lines(
            summary.roles(programme, featured=featured, instructor_email=courses.instructor_email)
        ):
            write(line)
        site = settings.SITE_URL
        write(
            f"Programme dashboard (equity funnel, compute, mentoring, courses, certificates): "
            f"{site}/programmes/{programme.slug}/dashboard/"
        )
        write(f"Audit log of the programme: {site}/programmes/{programme.slug}/audit/")
        write(
            f"Data retention (what is anonymised when, {privacy.due_now} due now): "
            f"{site}{privacy.retention_url}"
        )
        write(
            f"Account deletion scheduled, cancellable for now: sign in as "
            f"{privacy.leaving_email} and open {site}/profile/delete/"
        )
        owner, secret, curl = api
        write(f"Read API token of {owner} (shown once; each run makes a new one):")
        write(f"  {secret}")
        write(f"Read the API with it (interactive docs, signed in: {site}/api/v1/docs):")
        write(f"  {curl}")
        write(f"Usage API token '{compute.token.name}' (shown once; each run makes a new one):")
        write(f"  {compute.secret}")
        write("Report one usage record with it while the app runs:")
        write(f"  {compute.curl}")
        write(
            f"Courses: {courses.courses} courses; {courses.held} sessions held, "
            f"{courses.upcoming} to come; {courses.at_risk} of {courses.participants} "
            "participants at risk."
        )
        if courses.session_now_url:
            write(
                f"A session is in progress now; its roster and check-in code "
                f"({courses.instructor_email}):"
            )
            write(f"  {courses.session_now_url}")
        if courses.feed_url:
            write(
                f"Calendar feed of {courses.instructor_email} (a secret address; "
                "My courses → Calendar resets it):"
            )
            write(f"  {courses.feed_url}")
        for line in summary.certificates(certificates):
            write(line)

    def _build(self, rng: random.Random, applicants: int):
        step = self._progress
        password_hash = make_password(DEMO_PASSWORD)
        programme = programmes_demo.programme()
        admin = accounts_demo.user("admin", "Platform Admin", password_hash, superuser=True)
        programme_admin, team = programmes_demo.team(programme, admin, password_hash)
        step(f"Programme: {programme.name}, its partners and a team of {len(team)}")
        # More people than submitted applications: some are drafts, some withdrew, five have
        # not started, so the demo shows every state.
        people = accounts_demo.applicants(
            rng, 5 + applicants + max(applicants // 8, 6), password_hash
        )
        step(f"Applicants: {len(people)} accounts with complete profiles")
        cohort = cohorts_demo.cohort(programme)
        applications_demo.applications(rng, cohort, people, submitted=applicants)
        step(
            f"Applications to {cohort.name}: "
            f"{Application.objects.filter(cohort=cohort).exclude(status='draft').count()} "
            "submitted or withdrawn, the rest drafts"
        )
        reviews_demo.reviews(rng, cohort)
        step(
            f"Reviews: {Review.objects.filter(assignment__application__cohort=cohort, is_submitted=True).count()} "
            f"scored of {ReviewAssignment.objects.filter(application__cohort=cohort).count()} assigned"
        )
        selection_demo.selection(rng, cohort, programme_admin or admin)
        step(
            f"Selection: {Offer.objects.filter(application__cohort=cohort).count()} offers, "
            f"{Participant.objects.filter(cohort=cohort).count()} participants"
        )
        applications_demo.export(cohort, programme_admin or admin)
        compute = compute_demo.seed_demo(rng, cohort, programme_admin or admin)
        step(
            f"Compute: {Allocation.objects.filter(pool__cohort=cohort).count()} quotas, "
            f"{UsageRecord.objects.filter(allocation__pool__cohort=cohort).count()} usage records"
        )
        mentoring = mentoring_demo.seed_demo(
            rng, cohort, programme_admin or admin, password_hash=password_hash
        )
        step(
            f"Mentoring: {Pairing.objects.filter(cohort=cohort).count()} pairs, "
            f"{MentoringSession.objects.filter(pairing__cohort=cohort).count()} sessions"
        )
        courses = courses_demo.seed_demo(
            rng,
            cohort,
            programme_admin or admin,
            featured=[compute.participant_email, mentoring.participant_email],
        )
        step(f"Courses: {courses.courses} courses, {courses.held + courses.upcoming} sessions")
        certificates = certificates_demo.seed_demo(cohort, programme_admin or admin)
        step(f"Certificates: {certificates.issued} issued, {certificates.revoked} revoked")
        applications_demo.disputes(cohort, programme_admin or admin)
        dashboards_demo.partner_viewer(programme, programme_admin or admin, password_hash)
        privacy = privacy_demo.seed_demo(rng, programme, password_hash)
        step(
            f"Privacy: two earlier cohorts (one anonymised after its retention period, "
            f"{privacy.due_now} applications due now) and an account deletion scheduled"
        )
        accounts_demo.user("outsider", "Olivia Outsider", password_hash)
        programmes_demo.announcement(programme, programme_admin)
        api_owner = programme_admin or admin
        api = (api_owner.email, *accounts_demo.api_token(api_owner))
        return programme, compute, mentoring, courses, certificates, api, privacy


@contextmanager
def _quiet(log_file):
    """Task logs (every eager task says it succeeded) and the console emails go to the log
    file instead of the terminal."""
    root = logging.getLogger()
    handlers = root.handlers[:]
    file_handler = logging.StreamHandler(log_file)
    for handler in handlers[:1]:
        file_handler.setFormatter(handler.formatter)
        for log_filter in handler.filters:
            file_handler.addFilter(log_filter)
    root.handlers = [file_handler]
    try:
        with redirect_stdout(log_file):
            yield
    finally:
        root.handlers = handlers
