"""Benchmark the programme dashboard at 100,000 applications, against a plain page.

The cohort of bench/applications.py (its `fill`: 100,000 applicants and applications), where
every applicant also has a profile, and the later steps are filled in as a real cohort would
be: 2,000 offers, 1,000 participants with compute allocations in two pools, four courses of
ten sessions each with their attendance, 300 mentoring pairs with sessions, 400 certificates,
and quotas on gender and job level (so the funnel is drawn per value of both).

Signed in as a programme admin through django.test.Client (the whole middleware stack and
template rendering, no network: the server's time), the dashboard and a plain baseline take
turns, request after request: the baseline is the programme's own page (the same middleware,
session, roles and navigation, with a small template and almost no query of its own). Prints
the median time of each, their ratio, the dashboard's number of queries and the aim (300 ms).

The database is BENCH_DATABASE_URL, default a throw-away PostgreSQL database
`cohortline_bench_dashboard` on 127.0.0.1 (created and dropped here), or a temporary SQLite
file when PostgreSQL is not reachable.
Run: .venv/bin/python bench/dashboard.py [--applications 100000] [--requests 15]
"""

import argparse
import datetime
import importlib.util
import os
import platform
import random
import secrets
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from _common import bench_database, drop_postgres, production_env  # noqa: E402 - bench/ is the script's directory

DB_NAME = "cohortline_bench_dashboard"
AIM_MS = 300
OFFERS, PARTICIPANTS, PAIRS, CERTIFICATES = 2000, 1000, 300, 400


def bench_applications():
    """bench/applications.py (its `fill`), loaded by path: the name `applications` is the
    project's app, ahead of bench/ on the path."""
    spec = importlib.util.spec_from_file_location("bench_applications", BENCH / "applications.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fill_later_steps(cohort, admin, seed: int) -> None:
    """Profiles for every applicant, then offers, participants, compute, courses, mentoring
    and certificates for the best reviewed applications, in bulk."""
    from django.utils import timezone

    from accounts.enums import Education
    from accounts.models import ApplicantProfile
    from applications.enums import ApplicationStatus
    from applications.models import Application
    from certificates.models import Certificate
    from compute.models import Allocation, ResourcePool, ResourceType
    from courses.enums import AttendanceSource, AttendanceStatus, EnrollmentSource
    from courses.models import Attendance, ClassSession, Course, Enrollment
    from mentoring.enums import LoggedBy, PairingStatus, SessionMode
    from mentoring.models import MentoringSession, MentorProfile, Pairing
    from selection.enums import OfferStatus, RunStatus
    from selection.models import Offer, Participant, Quota, SelectionRun

    rng = random.Random(seed)
    now = timezone.now()
    programme = cohort.programme
    fields = ["residency", "gender", "employer", "employer_size", "sector", "job_level"]
    rows = Application.objects.filter(cohort=cohort).values_list(
        "applicant_id", *fields, "is_union_member"
    )
    profiles = [
        ApplicantProfile(
            full_name=f"Applicant {n}",
            phone="+65 6000 0000",
            date_of_birth=datetime.date(1960 + rng.randint(0, 45), rng.randint(1, 12), 1),
            highest_education=rng.choice(Education.values),
            years_of_experience=rng.randint(0, 40),
            is_union_member=bool(union),
            user_id=user_id,
            **dict(zip(fields, values, strict=True)),
        )
        for n, (user_id, *values, union) in enumerate(rows)
    ]
    ApplicantProfile.objects.bulk_create(profiles, batch_size=2000)
    ApplicantProfile.objects.update(created_at=now - datetime.timedelta(days=60))

    Quota.objects.create(
        cohort=cohort, name="Women", attribute="gender", values=["woman"], min_percent=40
    )
    Quota.objects.create(
        cohort=cohort, name="Frontline", attribute="job_level", values=["frontline"], min_percent=20
    )
    reviewed = list(
        Application.objects.filter(
            cohort=cohort, status=ApplicationStatus.IN_REVIEW, is_eligible=True
        )
        .order_by("pk")
        .values_list("pk", "applicant_id")[:OFFERS]
    )
    Application.objects.filter(cohort=cohort, status=ApplicationStatus.IN_REVIEW).update(
        review_count=2
    )
    run = SelectionRun.objects.create(
        cohort=cohort,
        author=admin,
        number=1,
        status=RunStatus.COMMITTED,
        seats=OFFERS,
        committed_at=now,
        committed_by=admin,
    )
    accepted = reviewed[:PARTICIPANTS]
    Offer.objects.bulk_create(
        Offer(
            application_id=pk,
            run=run,
            status=OfferStatus.ACCEPTED if index < PARTICIPANTS else OfferStatus.OPEN,
            expires_at=now + datetime.timedelta(days=7),
        )
        for index, (pk, _user) in enumerate(reviewed)
    )
    Application.objects.filter(pk__in=[pk for pk, _u in reviewed]).update(
        status=ApplicationStatus.OFFERED
    )
    Application.objects.filter(pk__in=[pk for pk, _u in accepted]).update(
        status=ApplicationStatus.ACCEPTED
    )
    participants = Participant.objects.bulk_create(
        Participant(application_id=pk, cohort=cohort, user_id=user) for pk, user in accepted
    )

    for n, (name, unit) in enumerate([("H100 GPU hours", "gpu_hours"), ("LLM tokens", "tokens")]):
        resource = ResourceType.objects.create(
            programme=programme, name=name, slug=f"resource-{n}", unit=unit
        )
        pool = ResourcePool.objects.create(
            cohort=cohort,
            resource=resource,
            total=Decimal(200_000),
            allocated=Decimal(100 * len(participants)),
            valid_from=now.date(),
            valid_until=(now + datetime.timedelta(days=180)).date(),
        )
        Allocation.objects.bulk_create(
            Allocation(
                pool=pool,
                participant=seat,
                user_id=seat.user_id,
                limit=Decimal(100),
                used=Decimal(rng.randint(0, 100)),
            )
            for seat in participants
        )

    for n in range(4):
        course = Course.objects.create(
            programme=programme, code=f"AI10{n}", title=f"Course {n}", hours=Decimal(20)
        )
        course.cohorts.add(cohort)
        Enrollment.objects.bulk_create(
            Enrollment(
                course=course,
                cohort=cohort,
                user_id=seat.user_id,
                source=EnrollmentSource.AUTOMATIC,
            )
            for seat in participants
        )
        sessions = ClassSession.objects.bulk_create(
            ClassSession(
                course=course,
                cohort=cohort,
                starts_at=now - datetime.timedelta(days=7 * (10 - week)),
                ends_at=now - datetime.timedelta(days=7 * (10 - week), hours=-2),
            )
            for week in range(10)
        )
        Attendance.objects.bulk_create(
            (
                Attendance(
                    session=session,
                    user_id=seat.user_id,
                    status=rng.choices(
                        [AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.ABSENT],
                        [80, 10, 10],
                    )[0],
                    source=AttendanceSource.ROSTER,
                )
                for session in sessions
                for seat in participants
            ),
            batch_size=5000,
        )

    mentors = [
        MentorProfile.objects.create(programme=programme, user=user, capacity=20)
        for user in type(admin).objects.filter(pk__in=[u for _pk, u in reviewed[-20:]])
    ]
    pairings = Pairing.objects.bulk_create(
        Pairing(
            cohort=cohort,
            mentee_id=seat.user_id,
            mentor=mentors[n % len(mentors)],
            status=PairingStatus.ACTIVE,
            started_at=now - datetime.timedelta(days=60),
            last_session_on=(now - datetime.timedelta(days=rng.randint(1, 30))).date(),
        )
        for n, seat in enumerate(participants[:PAIRS])
    )
    MentoringSession.objects.bulk_create(
        MentoringSession(
            pairing=pairing,
            held_on=(now - datetime.timedelta(days=week * 7)).date(),
            minutes=45,
            mode=SessionMode.VIDEO,
            logged_by=LoggedBy.MENTOR,
            mentor_confirmed=True,
        )
        for pairing in pairings
        for week in range(3)
    )
    Certificate.objects.bulk_create(
        Certificate(
            code=secrets.token_urlsafe(32),
            cohort=cohort,
            user_id=seat.user_id,
            holder_name="Holder",
            programme_name=programme.name,
            cohort_name=cohort.name,
            issuer_name="Cohortline",
            issued_on=now.date(),
        )
        for seat in participants[:CERTIFICATES]
    )
    Application.objects.filter(cohort=cohort, status=ApplicationStatus.DRAFT).update(
        is_eligible=None
    )


def timed(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    database_url, made_postgres = bench_database(DB_NAME)
    os.environ.update(production_env(database_url))
    try:
        run(args, database_url)
    finally:
        if made_postgres:
            from django.db import connections

            connections.close_all()
            drop_postgres(DB_NAME)


def run(args, database_url: str) -> None:

    import warnings

    import django

    # WhiteNoise warns that STATIC_ROOT does not exist; nothing here serves static files.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    from applications.models import Application

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
    admin, cohort = bench_applications().fill(args.applications, args.seed)
    fill_later_steps(cohort, admin, args.seed)
    total = Application.objects.filter(cohort=cohort).count()
    print(
        f"fill: {total:,} applications and their later steps in {time.perf_counter() - started:.1f} s"
    )
    if connections["default"].vendor == "postgresql":
        with connections["default"].cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    client = Client()
    client.force_login(admin)
    dashboard = reverse("dashboards:cohort_dashboard", args=[cohort.programme.slug, cohort.slug])
    baseline = reverse("cohorts:programme_detail", args=[cohort.programme.slug])
    for url in (dashboard, baseline):  # warm up: connections, templates, caches
        timed(client, url)
    with CaptureQueriesContext(connection) as captured:
        timed(client, dashboard)
    queries = len(captured)
    times = {dashboard: [], baseline: []}
    for _ in range(args.requests):
        for url in (dashboard, baseline):  # alternating, so that drift hits both alike
            times[url].append(timed(client, url))
    ms = {url: statistics.median(values) * 1000 for url, values in times.items()}
    print(
        f"dashboard: median {ms[dashboard]:.1f} ms over {args.requests} requests · "
        f"{queries} queries (aim: under {AIM_MS} ms)"
    )
    print(f"baseline (the programme's page): median {ms[baseline]:.1f} ms")
    print(f"ratio dashboard / baseline: {ms[dashboard] / ms[baseline]:.1f}")
    # Where the dashboard's time goes: each section alone (queries and Python).
    from dashboards import tables

    cohort.programme = cohort.programme
    for section in tables.SECTIONS:
        spent = []
        for _ in range(3):
            started = time.perf_counter()
            tables.build(cohort=cohort, full=True, sections=[section])
            spent.append(time.perf_counter() - started)
        print(f"  section {section}: median {statistics.median(spent) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
