"""Benchmark usage ingestion: 10,000 usage records posted in one request to /api/v1/usage.

One programme, one cohort, a GPU-hours pool, --participants participants with an allocation
each (limits high enough that no threshold is crossed), an integration token. The batch is
--records records spread over the participants, identified by email as providers send them.
For --rounds rounds, alternately:

- project (JSON): `POST /api/v1/usage` with the JSON batch through django.test.Client — the
  whole middleware stack, the token check, parsing, `services.usage_ingest` (validation,
  participant lookup, duplicate check, locks, insert, allocation update) and the per-record
  answer;
- project (CSV): the same records as text/csv;
- baseline: a bare `UsageRecord.objects.bulk_create` of the same rows in one transaction, with
  the allocation ids known in advance: no HTTP, no parsing, no validation, no duplicate check,
  no allocation update;
- COPY (PostgreSQL only): the same rows written by a bare COPY, the floor for writing them —
  the project writes by COPY too, so the ratio to it is what the API adds.

The records and the allocations' `used` are reset (and VACUUM ANALYZEd) between runs, untimed;
each project run is checked to accept every record. Prints records/s (median over the rounds),
the ratio project/baseline and the project request's number of SQL queries.

The database is BENCH_DATABASE_URL, default a throw-away PostgreSQL database
`cohortline_bench_ingestion` on 127.0.0.1 (created and dropped here), or a temporary SQLite
file when PostgreSQL is not reachable.
Run: .venv/bin/python bench/ingestion.py [--records 10000] [--participants 500] [--rounds 5]
     [--profile FILE]
"""

import argparse
import contextlib
import csv
import datetime
import io
import json
import os
import platform
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _common import bench_database, drop_postgres, production_env  # noqa: E402 - bench/ is the script's directory

DB_NAME = "cohortline_bench_ingestion"
FIELDS = ("event_id", "participant", "resource", "amount", "occurred_at")


def fill(participants: int):
    """A programme with a GPU pool, `participants` participants with an allocation each, an
    integration token. Returns the token's secret and {email: allocation id}."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from applications.enums import ApplicationStatus
    from applications.models import Application
    from cohorts.enums import CohortStatus
    from cohorts.models import Cohort
    from compute import services
    from compute.enums import Unit
    from compute.models import Allocation, ResourcePool, ResourceType
    from programmes.models import Programme
    from selection.models import Participant

    now = timezone.now()
    programme = Programme.objects.create(name="AI Forward 2026", slug="ai-forward-2026")
    cohort = Cohort.objects.create(
        programme=programme,
        name="March 2026",
        slug="march-2026",
        capacity=participants,
        opens_at=now - datetime.timedelta(days=120),
        closes_at=now - datetime.timedelta(days=90),
        starts_on=(now - datetime.timedelta(days=60)).date(),
        ends_on=(now + datetime.timedelta(days=120)).date(),
        status=CohortStatus.PUBLISHED,
    )
    gpu = ResourceType.objects.create(
        programme=programme, name="H100 GPU hours", slug="gpu-h100", unit=Unit.GPU_HOURS
    )
    limit = Decimal(100_000)
    pool = ResourcePool.objects.create(
        cohort=cohort,
        resource=gpu,
        total=limit * participants,
        allocated=limit * participants,
        default_grant=limit,
        valid_from=(now - datetime.timedelta(days=60)).date(),
        valid_until=(now + datetime.timedelta(days=120)).date(),
        hard_limit=True,
    )
    password = make_password("bench-password")
    admin = User.objects.create(email="admin@example.org", display_name="Farah Osman")
    users = User.objects.bulk_create(
        [
            User(email=f"participant{n:05d}@example.org", display_name=f"P {n}", password=password)
            for n in range(participants)
        ]
    )
    applications = Application.objects.bulk_create(
        [
            Application(
                cohort=cohort,
                applicant=user,
                status=ApplicationStatus.ACCEPTED,
                full_name=user.display_name,
                email=user.email,
                answers={},
            )
            for user in users
        ]
    )
    seats = Participant.objects.bulk_create(
        [
            Participant(application=application, cohort=cohort, user=application.applicant)
            for application in applications
        ]
    )
    allocations = Allocation.objects.bulk_create(
        [Allocation(pool=pool, participant=seat, user=seat.user, limit=limit) for seat in seats]
    )
    _token, secret = services.token_create(
        programme=programme, name="GPU cloud", resources=[gpu], actor=admin
    )
    by_email = {seat.user.email: a.pk for seat, a in zip(seats, allocations, strict=True)}
    return secret, by_email


def batch(count: int, emails: list[str]) -> list[dict]:
    """`count` records over the participants: a provider's day of GPU jobs."""
    from django.utils import timezone

    start = timezone.now() - datetime.timedelta(days=1)
    return [
        {
            "event_id": f"gpu-{start:%Y-%m-%d}-{n:06d}",
            "participant": emails[n % len(emails)],
            "resource": "gpu-h100",
            "amount": round(0.25 + (n % 17) * 0.5, 2),
            "occurred_at": (start + datetime.timedelta(seconds=8 * n)).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            ),
        }
        for n in range(count)
    ]


def as_csv(records: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()


def reset() -> None:
    """No usage recorded: every allocation back to nothing used."""
    from django.db import connection

    from compute.models import Allocation, UsageRecord

    UsageRecord.objects.all().delete()
    Allocation.objects.update(used=0, level_at=None, notified_80_at=None, notified_100_at=None)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
            with contextlib.suppress(Exception):  # needs a superuser (or pg_checkpoint)
                cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")


def project(client, secret: str, body: str, content_type: str, count: int) -> float:
    started = time.perf_counter()
    response = client.post(
        "/api/v1/usage",
        data=body,
        content_type=content_type,
        headers={"Authorization": f"Bearer {secret}"},
    )
    seconds = time.perf_counter() - started
    if response.status_code != 200 or response.json()["totals"]["accepted"] != count:
        raise SystemExit(
            f"the API did not accept the batch: {response.status_code} {response.content[:500]}"
        )
    return seconds


def baseline(records: list[dict], by_email: dict[str, int]) -> float:
    """The same rows by a bare bulk_create, allocation ids known, nothing checked."""
    from django.db import transaction
    from django.utils.dateparse import parse_datetime

    from compute.models import UsageRecord

    # What a caller that skips the API would have at hand: typed values.
    rows = [
        (
            by_email[r["participant"]],
            r["event_id"],
            Decimal(str(r["amount"])),
            parse_datetime(r["occurred_at"]),
        )
        for r in records
    ]
    started = time.perf_counter()
    with transaction.atomic():
        UsageRecord.objects.bulk_create(
            [
                UsageRecord(
                    allocation_id=allocation_id,
                    event_id=event_id,
                    amount=amount,
                    occurred_at=moment,
                    source="api",
                )
                for allocation_id, event_id, amount, moment in rows
            ],
            batch_size=2000,
        )
    return time.perf_counter() - started


def copy_floor(records: list[dict], by_email: dict[str, int]) -> float:
    """The same rows by a bare COPY in one transaction (PostgreSQL)."""
    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    rows = [
        (
            by_email[r["participant"]],
            r["event_id"],
            Decimal(str(r["amount"])),
            parse_datetime(r["occurred_at"]),
        )
        for r in records
    ]
    started = time.perf_counter()
    now = timezone.now()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(
            "COPY compute_usagerecord (allocation_id, event_id, amount, occurred_at, source, "
            "created_at) FROM STDIN"
        ) as copy,
    ):
        for allocation_id, event_id, amount, moment in rows:
            copy.write_row((allocation_id, event_id, amount, moment, "api", now))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--participants", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", default="", help="also profile one JSON request into FILE")
    args = parser.parse_args()
    if not 1 <= args.records <= 10_000 or args.participants < 1 or args.rounds < 1:
        parser.error("--records between 1 and 10,000; --participants and --rounds at least 1")

    database_url, made_postgres = bench_database(DB_NAME)
    # Production settings (debug off), served through the test client; no broker.
    os.environ.update(production_env(database_url))

    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    try:
        call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SHOW server_version")
                database = f"PostgreSQL {cursor.fetchone()[0]}"
            else:
                cursor.execute("SELECT sqlite_version()")
                database = f"SQLite {cursor.fetchone()[0]}"
        print(f"date: {datetime.date.today().isoformat()}")
        print(
            f"machine: {platform.node()} · {platform.platform()} · {os.cpu_count()} cores · "
            f"Python {platform.python_version()} · {database}"
        )
        print(f"database: {database_url.split('@')[-1].split('?')[0]}")

        secret, by_email = fill(args.participants)
        records = batch(args.records, sorted(by_email))
        body_json = json.dumps({"records": records})
        body_csv = as_csv(records)
        count = len(records)
        print(
            f"batch: {count:,} records over {args.participants:,} participants · "
            f"JSON {len(body_json) / 1e6:.2f} MB · CSV {len(body_csv) / 1e6:.2f} MB"
        )
        client = Client()

        # Untimed: warm both ways up and count the project's queries.
        reset()
        with CaptureQueriesContext(connection) as captured:
            project(client, secret, body_json, "application/json", count)
        print(f"project request: {len(captured)} SQL queries")
        reset()
        baseline(records, by_email)

        if args.profile:
            import cProfile

            reset()
            profiler = cProfile.Profile()
            profiler.enable()
            seconds = project(client, secret, body_json, "application/json", count)
            profiler.disable()
            profiler.dump_stats(args.profile)
            print(f"profiled JSON request: {seconds:.2f} s, stats in {args.profile}")

        postgres = connection.vendor == "postgresql"
        ways = {
            "project, JSON": lambda: project(client, secret, body_json, "application/json", count),
            "baseline, bulk_create": lambda: baseline(records, by_email),
            "project, CSV": lambda: project(client, secret, body_csv, "text/csv", count),
        }
        if postgres:
            ways["floor, COPY"] = lambda: copy_floor(records, by_email)
        timings: dict[str, list[float]] = {name: [] for name in ways}
        for number in range(1, args.rounds + 1):
            for name, way in ways.items():
                reset()
                timings[name].append(way())
            print(
                f"round {number}: "
                + " · ".join(f"{name} {seconds[-1]:.3f} s" for name, seconds in timings.items()),
                flush=True,
            )
        medians = {name: statistics.median(seconds) for name, seconds in timings.items()}
        for name, median in medians.items():
            print(
                f"{name + ':':23} median {median:.3f} s ({count / median:>6,.0f} records/s), "
                f"min {min(timings[name]):.3f} s"
            )
        for project_way in ("project, JSON", "project, CSV"):
            ratios = [
                f"{medians[project_way] / medians['baseline, bulk_create']:.2f} to bulk_create"
            ]
            if postgres:
                ratios.append(f"{medians[project_way] / medians['floor, COPY']:.2f} to COPY")
            print(f"ratio {project_way}: " + ", ".join(ratios) + " (medians)")
    finally:
        connections.close_all()
        if made_postgres:
            drop_postgres(DB_NAME)


if __name__ == "__main__":
    main()
