"""Benchmark the staff pages of a cohort's applications at 100,000 applications.

Prints, for a logged-in programme admin going through django.test.Client (the whole middleware
stack and template rendering, no network):
- the median time and the number of queries of the list: its first page, page 1,000 in each
  sort that has one, searches by name and by email, filtered (sector + job level + search) and
  one status; and the slowest of these medians against the aim of 60 ms;
- the time and the peak Python memory (tracemalloc) of a full CSV export, consuming the
  streaming response, and the same for the XLSX export.

The database is BENCH_DATABASE_URL, default a throw-away PostgreSQL database
`cohortline_bench_apps` on 127.0.0.1 (created and dropped here), or a temporary SQLite file when
PostgreSQL is not reachable.
Run: .venv/bin/python bench/applications.py [--applications 100000] [--requests 20]
"""

import argparse
import datetime
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _common import bench_database, drop_postgres, production_env  # noqa: E402 - bench/ is the script's directory

DB_NAME = "cohortline_bench_apps"
LIST_AIM_MS = 60

FIRST = [
    "Aisha", "Wei Ling", "Ravi", "Siti", "Marcus", "Priya", "Daniel", "Nurul", "Kenji", "Mei",
    "Arjun", "Hui Min", "Farid", "Grace", "Jun Jie", "Lakshmi", "Omar", "Rachel", "Hafiz", "Chloe",
]  # fmt: skip
LAST = [
    "Tan", "Lim", "Lee", "Ng", "Wong", "Abdullah", "Rahman", "Kumar", "Pillai", "Goh", "Chua",
    "Ong", "Ismail", "Menon", "Teo", "Koh", "Yusof", "Nair", "Chen", "Fernandez",
]  # fmt: skip
EMPLOYERS = [
    "Harbour Logistics", "Meridian Data Centres", "Nimbus Cloud", "Lion City Clinic",
    "Straits Bank", "Orchid Manufacturing", "Public Utilities Board", "Kopi & Co",
    "Northpoint Retail", "Eastwind Energy", "",
]  # fmt: skip
MOTIVATIONS = [
    "I run the night shift in a data hall and want to automate the alerts we triage by hand.",
    "Our warehouse still plans routes on spreadsheets; I want to build a better forecast.",
    "As a union representative I need to understand how AI changes the jobs of our members.",
    "I have taught myself Python and want a structured path and a mentor to go further.",
    "My clinic wants to use language models for scheduling, safely. I want to lead that work.",
    "I maintain our company's reports and want to move into data engineering.",
]
PROGRAMMING = ["None yet", "A little", "Regularly at work", "Professionally"]
TRACKS = ["AI for operations", "Data engineering", "Applied machine learning", "AI policy"]
SUPPORT = ["Paid study time", "Course fees", "A mentor at work", "A project to work on"]


def answers(rng: random.Random) -> dict:
    supports = rng.random() < 0.55
    result = {
        "motivation": " ".join(rng.sample(MOTIVATIONS, 3)),
        "programming": rng.choice(PROGRAMMING),
        "track": rng.choice(TRACKS),
        "employer_supports": "yes" if supports else "no",
        "hours": str(rng.choice([3, 4, 6, 8, 10, 12])),
        "portfolio": f"https://github.com/example-{rng.randint(100, 999)}"
        if rng.random() < 0.4
        else "",
    }
    if supports:
        result["support_kind"] = rng.sample(SUPPORT, rng.randint(1, 3))
    return result


def fill(count: int, seed: int):
    """A programme, one cohort with its questions, `count` applicants and their applications."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import generate_totp_secret
    from allauth.mfa.utils import encrypt
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.enums import EmployerSize, Gender, JobLevel, Residency, Sector
    from accounts.models import User
    from applications.enums import ApplicationStatus
    from applications.models import Application
    from cohorts.enums import CohortStatus, QuestionType
    from cohorts.models import ApplicationQuestion, Cohort
    from programmes.enums import RoleKind
    from programmes.models import Programme, ProgrammeRole

    rng = random.Random(seed)
    now = timezone.now()
    programme = Programme.objects.create(name="AI Forward 2026", slug="ai-forward-2026")
    cohort = Cohort.objects.create(
        programme=programme,
        name="March 2026",
        slug="march-2026",
        capacity=1000,
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now - datetime.timedelta(days=1),
        starts_on=(now + datetime.timedelta(days=30)).date(),
        ends_on=(now + datetime.timedelta(days=200)).date(),
        status=CohortStatus.PUBLISHED,
    )
    for position, (key, label, kind, choices) in enumerate(
        [
            ("motivation", "Why do you want to join?", QuestionType.LONG_TEXT, []),
            ("programming", "How much programming have you done?", QuestionType.CHOICE, PROGRAMMING),
            ("track", "Which track interests you most?", QuestionType.CHOICE, TRACKS),
            ("employer_supports", "Does your employer support you?", QuestionType.YES_NO, []),
            ("support_kind", "How does your employer support you?", QuestionType.MULTI_CHOICE, SUPPORT),
            ("hours", "How many hours a week can you commit?", QuestionType.NUMBER, []),
            ("portfolio", "A link to something you have built", QuestionType.URL, []),
        ]
    ):  # fmt: skip
        ApplicationQuestion.objects.create(
            cohort=cohort, position=position, key=key, label=label, type=kind, choices=choices
        )

    password = make_password("bench-password")
    admin = User.objects.create(
        email="admin@example.org", display_name="Farah Osman", password=password
    )
    ProgrammeRole.objects.create(user=admin, programme=programme, role=RoleKind.PROGRAMME_ADMIN)
    Authenticator.objects.create(
        user=admin, type=Authenticator.Type.TOTP, data={"secret": encrypt(generate_totp_secret())}
    )

    statuses = [
        (ApplicationStatus.SUBMITTED, 45),
        (ApplicationStatus.IN_REVIEW, 30),
        (ApplicationStatus.INELIGIBLE, 10),
        (ApplicationStatus.WITHDRAWN, 5),
        (ApplicationStatus.DRAFT, 10),
    ]
    status_values = [s for s, _ in statuses]
    status_weights = [w for _, w in statuses]
    batch = 5000
    for start in range(0, count, batch):
        size = min(batch, count - start)
        users = User.objects.bulk_create(
            [
                User(
                    email=f"applicant{n:06d}@example.org",
                    display_name=f"Applicant {n}",
                    password=password,
                )
                for n in range(start, start + size)
            ]
        )
        rows = []
        for user in users:
            status = rng.choices(status_values, status_weights)[0]
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            rows.append(
                Application(
                    cohort=cohort,
                    applicant=user,
                    status=status,
                    answers=answers(rng),
                    full_name=name,
                    email=user.email,
                    residency=rng.choices(Residency.values, [60, 25, 12, 3])[0],
                    gender=rng.choice(Gender.values),
                    employer=rng.choice(EMPLOYERS),
                    employer_size=rng.choice(EmployerSize.values),
                    sector=rng.choice(Sector.values),
                    job_level=rng.choices(JobLevel.values, [40, 35, 20, 5])[0],
                    is_union_member=rng.choice([True, False, None]),
                    age_at_start=rng.randint(19, 64),
                    is_eligible=rng.choices([True, False, None], [80, 15, 5])[0],
                    submitted_at=None
                    if status == ApplicationStatus.DRAFT
                    else now - datetime.timedelta(seconds=rng.randint(0, 29 * 86400)),
                )
            )
        Application.objects.bulk_create(rows, batch_size=1000)
    return admin, cohort


def median_ms(client, url: str, params: dict, requests: int) -> tuple[float, int, int]:
    """Median wall time of `requests` GETs (after one warm-up), its query count, its status."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    queries = len(captured)  # now: the next request clears the connection's query log
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url, params)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, queries, response.status_code


def export(client, url: str, fmt: str, *, traced: bool) -> tuple[float, int, int]:
    """Seconds, bytes and (when traced) peak traced memory of one full export."""
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    response = client.get(url, {"format": fmt})
    size = sum(len(chunk) for chunk in response.streaming_content)
    response.close()
    seconds = time.perf_counter() - started
    peak = 0
    if traced:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert response.status_code == 200, response.status_code
    return seconds, size, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    database_url, made_postgres = bench_database(DB_NAME)
    os.environ.update(production_env(database_url))

    import warnings

    import django

    # WhiteNoise warns that STATIC_ROOT does not exist; nothing here serves static files.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from applications.models import Application

    # Serve static URLs without a collectstatic manifest.
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    call_command("migrate", verbosity=0)

    print(
        f"machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}"
    )
    print(f"database: {database_url.split('@')[-1].split('?')[0]}")
    started = time.perf_counter()
    admin, cohort = fill(args.applications, args.seed)
    total = Application.objects.filter(cohort=cohort).count()
    listed = Application.objects.filter(cohort=cohort).exclude(status="draft").count()
    print(
        f"fill: {total:,} applications ({listed:,} not drafts) in {time.perf_counter() - started:.1f} s"
    )
    if connections["default"].vendor == "postgresql":
        # What autovacuum does soon after a bulk load: statistics and the visibility map (which
        # lets counts use index-only scans).
        with connections["default"].cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    client = Client()
    client.force_login(admin)
    slugs = [cohort.programme.slug, cohort.slug]
    list_url = reverse("applications:cohort_applications", args=slugs)
    export_url = reverse("applications:cohort_applications_export", args=slugs)
    slowest = 0.0
    for title, params in [
        ("list, first page", {}),
        ("list, page 1000 (newest first)", {"page": 1000}),
        ("list, page 1000 sorted by name", {"sort": "full_name", "page": 1000}),
        ("list, page 1000 oldest first", {"sort": "submitted_at", "page": 1000}),
        ("list, search by name", {"q": "tan"}),
        ("list, search by email", {"q": "applicant01234"}),
        ("list, sector + job level + search", {"sector": "ict", "job_level": "professional", "q": "tan"}),
        ("list, one status, page 300", {"status": "in_review", "page": 300}),
    ]:  # fmt: skip
        ms, queries, status = median_ms(client, list_url, params, args.requests)
        slowest = max(slowest, ms)
        print(
            f"{title}: median {ms:.1f} ms over {args.requests} requests · {queries} queries · HTTP {status}"
        )
    print(f"list, slowest median: {slowest:.1f} ms (aim: under {LIST_AIM_MS} ms)")

    for fmt in ("csv", "xlsx"):
        seconds, size, _ = export(client, export_url, fmt, traced=False)
        traced_seconds, _, peak = export(client, export_url, fmt, traced=True)
        print(
            f"{fmt} export of {listed:,} rows: {seconds:.1f} s, {size / 1e6:.1f} MB · "
            f"peak traced Python memory {peak / 1e6:.1f} MB ({traced_seconds:.1f} s with tracing)"
        )

    connections.close_all()
    if made_postgres:
        drop_postgres(DB_NAME)


if __name__ == "__main__":
    main()
