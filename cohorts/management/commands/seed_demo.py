"""Build a realistic, deterministic demo programme. Safe to run again: it updates in place."""

import datetime
import random

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services as account_services
from accounts.enums import Education, EmployerSize, Gender, JobLevel, Residency, Sector
from accounts.models import User
from cohorts import services as cohort_services
from cohorts.enums import PartnerKind, RoleKind
from cohorts.models import Partner, Programme, ProgrammeRole
from notifications.models import EmailMessage

DEMO_PASSWORD = "cohortline-demo"  # noqa: S105 - printed for the demo on purpose
DEMO_DOMAIN = "example.org"

FIRST_NAMES = [
    "Aisha",
    "Wei Ling",
    "Ravi",
    "Siti",
    "Marcus",
    "Priya",
    "Daniel",
    "Nurul",
    "Kenji",
    "Mei",
    "Arjun",
    "Hui Min",
    "Farid",
    "Grace",
    "Jun Jie",
    "Lakshmi",
    "Omar",
    "Rachel",
    "Hafiz",
    "Yan Ting",
    "Benjamin",
    "Divya",
    "Irfan",
    "Chloe",
    "Suresh",
    "Xin Yi",
    "Zainab",
    "Ethan",
    "Kavitha",
    "Rizwan",
]
LAST_NAMES = [
    "Tan",
    "Lim",
    "Kumar",
    "Abdullah",
    "Ng",
    "Wong",
    "Rahman",
    "Lee",
    "Nair",
    "Chua",
    "Ismail",
    "Goh",
    "Pillai",
    "Teo",
    "Hassan",
    "Ong",
    "Menon",
    "Koh",
    "Yusof",
    "Chen",
]
EMPLOYERS = {
    EmployerSize.SME: [
        "Harbour Logistics",
        "Kopi Tech Studio",
        "Lion City Print",
        "Brightway Clinics",
    ],
    EmployerSize.LARGE: [
        "Meridian Data Centres",
        "Straits Bank",
        "Pacific Shipyards",
        "Nimbus Cloud",
    ],
    EmployerSize.PUBLIC_SECTOR: [
        "Ministry of Manpower",
        "National Library Board",
        "Public Hospital Group",
    ],
}
STAFF_PEOPLE = [
    # (local part, display name, role)
    ("programme.admin", "Farah Osman", RoleKind.PROGRAMME_ADMIN),
    ("reviewer.one", "Thomas Goh", RoleKind.REVIEWER),
    ("reviewer.two", "Anita Raj", RoleKind.REVIEWER),
    ("reviewer.three", "Ming Hui Lau", RoleKind.REVIEWER),
    ("reviewer.four", "Samuel Ortiz", RoleKind.REVIEWER),
    ("mentor.one", "Dr. Helena Park", RoleKind.MENTOR),
    ("mentor.two", "Vikram Shah", RoleKind.MENTOR),
    ("mentor.three", "Lydia Chan", RoleKind.MENTOR),
    ("staff", "Ahmad Zulkifli", RoleKind.STAFF),
]


class Command(BaseCommand):
    help = "Create or refresh the demo programme, its team and applicants (deterministic)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--applicants", type=int, default=40, help="Number of applicants (default 40)."
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
            programme, people, logins = self._build(random.Random(seed), applicants)
        self.stdout.write(self.style.SUCCESS(f"Demo programme '{programme.name}' is ready."))
        self.stdout.write(f"{len(people)} applicants with complete profiles.")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for label, email in logins:
            self.stdout.write(f"  {email:<32} {label}")

    def _build(self, rng: random.Random, applicants: int):
        password_hash = make_password(DEMO_PASSWORD)
        programme = self._programme()
        admin = self._user("admin", "Platform Admin", password_hash, superuser=True)
        logins = [("platform admin", admin.email)]
        programme_admin = None
        for local, name, role in STAFF_PEOPLE:
            user = self._user(local, name, password_hash)
            if not ProgrammeRole.objects.filter(user=user, programme=programme, role=role).exists():
                cohort_services.programme_role_grant(
                    programme=programme, user=user, role=role, granted_by=programme_admin or admin
                )
            programme_admin = programme_admin or user
            logins.append((RoleKind(role).label.lower(), user.email))
        people = self._applicants(rng, applicants, password_hash)
        if people:
            logins.append(("applicant", people[0].email))
        outsider = self._user("outsider", "Olivia Outsider", password_hash)
        logins.append(("user with no role and no profile", outsider.email))
        self._announcement(programme, programme_admin)
        return programme, people, logins

    def _announcement(self, programme: Programme, sender: User) -> None:
        """A staged message to the reviewers, waiting in the outbox to be read and released."""
        subject = "Review kick-off: scoring opens on 1 December"
        if EmailMessage.objects.filter(programme=programme, subject__endswith=subject).exists():
            return
        cohort_services.programme_announcement_stage(
            programme=programme,
            sender=sender,
            audience=RoleKind.REVIEWER,
            subject=subject,
            message=(
                "Dear reviewers,\n\n"
                "Thank you for joining the AI Forward 2026 panel. Scoring opens on 1 December and "
                "closes on 14 December. Each of you will receive about 750 applications; the "
                "rubric and the guidance for each criterion are on the review page.\n\n"
                "Please declare any conflict of interest before you start."
            ),
        )

    def _programme(self) -> Programme:
        partners = [
            Partner.objects.update_or_create(
                name=name, defaults={"kind": kind, "website": site, "description": text}
            )[0]
            for name, kind, site, text in [
                (
                    "Meridian Data Centres",
                    PartnerKind.DATA_CENTRE,
                    "https://meridian-dc.example.org",
                    "Operates four hyperscale data centres in the region.",
                ),
                (
                    "Nimbus Cloud",
                    PartnerKind.CLOUD,
                    "https://nimbus.example.org",
                    "Provides GPU hours and LLM tokens to every participant.",
                ),
                (
                    "United Tech Workers Union",
                    PartnerKind.UNION,
                    "https://utwu.example.org",
                    "Represents 60,000 workers across technology and logistics.",
                ),
            ]
        ]
        programme, _ = Programme.objects.update_or_create(
            slug="ai-forward-2026",
            defaults={
                "name": "AI Forward 2026",
                "tagline": "1,000 seats to move working people into AI-ready roles.",
                "description": (
                    "A six-month, part-time programme for working adults. Participants learn to "
                    "build and run AI systems on real infrastructure: 120 GPU hours and 20 million "
                    "LLM tokens each, a mentor from industry, and four courses ending in a "
                    "verifiable certificate. Frontline workers, SME employees and union members "
                    "have reserved seats."
                ),
                "is_published": True,
            },
        )
        programme.partners.set(partners)
        return programme

    def _user(self, local: str, name: str, password_hash: str, *, superuser: bool = False) -> User:
        email = f"{local}@{DEMO_DOMAIN}"
        user, _ = User.objects.update_or_create(
            email=email,
            defaults={
                "display_name": name,
                "password": password_hash,
                "is_superuser": superuser,
                "is_staff": superuser,
            },
        )
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def _applicants(self, rng: random.Random, count: int, password_hash: str) -> list[User]:
        people = []
        for number in range(1, count + 1):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            full_name = f"{first} {last}"
            user = self._user(f"applicant{number:03d}", full_name, password_hash)
            size = rng.choices(list(EmployerSize), weights=[35, 30, 15, 10, 10])[0]
            employer = rng.choice(EMPLOYERS[size]) if size in EMPLOYERS else ""
            age = rng.randint(21, 58)
            born = datetime.date(2026 - age, rng.randint(1, 12), rng.randint(1, 28))
            account_services.profile_save(
                user=user,
                data={
                    "full_name": full_name,
                    "phone": f"+65{rng.choice('689')}{rng.randint(1000000, 9999999)}",
                    "residency": rng.choices(list(Residency), weights=[60, 25, 12, 3])[0],
                    "date_of_birth": born,
                    "gender": rng.choices(list(Gender), weights=[45, 45, 3, 2, 5])[0],
                    "employer": employer,
                    "employer_size": size,
                    "sector": rng.choice(list(Sector)),
                    "job_level": rng.choices(list(JobLevel), weights=[40, 35, 18, 7])[0],
                    "is_union_member": rng.random() < 0.35,
                    "highest_education": rng.choice(list(Education)),
                    "years_of_experience": min(60, max(0, age - 21 - rng.randint(0, 4))),
                    "linkedin_url": (
                        f"https://www.linkedin.com/in/{first.lower().replace(' ', '')}-"
                        f"{last.lower()}-{number}"
                        if rng.random() < 0.6
                        else ""
                    ),
                },
            )
            people.append(user)
        return people
