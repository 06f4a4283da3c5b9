"""Benchmark reviewer assignment: the algorithm against a plain heap greedy, then the run in the
database.

Part 1, pure Python (reviews.assignment), at each of --sizes submissions (one application per
applicant) and 300 reviewers, in two cases:
- spread: employers drawn from about 500 names, a third of the reviewers at one of them;
- concentrated: 60 % of the applicants at one employer, where a third of the reviewers work too;
the rest drawn from the 500 names.
2 % of all (reviewer, submission) pairs are forbidden at random; k=3. For --rounds rounds,
alternately:
- project: `assign_reviewers` (submissions with the fewest reviewers left under the applicant and
  employer rules first, per-employer heaps, then the balancing passes when needed);
- baseline: a plain heap greedy under the same rules: submissions in input order, one heap of
  (load, random tie-break, reviewer); reviewers who may not take the submission are popped, set
  aside and pushed back; no balancing.
Prints the medians, the median of the per-round ratios project/baseline, and each one's load
spread (busiest minus least busy reviewer) and shortfalls.

Part 2, the database (--db-applications, 0 skips it): one cohort of N submitted applications
and 60 reviewers, k=3. For --rounds rounds, alternately, each inside a transaction that is
rolled back afterwards (so both start from the same state, and nothing is sent):
- project: `assignment_run_execute` as the worker runs it (claim, preview, bulk writes,
  set-based status change with its events, one digest per reviewer);
- baseline: the path it replaced, as the web request did it: the same preview and bulk
  assignments, then `application_transition` application by application, and the digests.
Prints the medians, the ratio, and the number of SQL queries of each.

The database is BENCH_DATABASE_URL, default a throw-away PostgreSQL database
`cohortline_bench_review` on 127.0.0.1 (created and dropped here), or a temporary SQLite file
when PostgreSQL is not reachable.
Run: .venv/bin/python bench/review.py [--sizes 10000,100000] [--submissions N (one size)]
     [--reviewers 300] [--k 3] [--db-applications 10000] [--rounds 3]
"""

import argparse
import datetime
import heapq
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reviews.assignment import Reviewer, Submission, assign_reviewers  # noqa: E402

BIG_EMPLOYER = "Employer 0"


def build(
    n_submissions: int,
    n_reviewers: int,
    forbidden_share: float,
    seed: int,
    concentrated: float = 0.0,
) -> tuple[list[Submission], list[Reviewer], set[tuple[int, int]]]:
    """`concentrated`: the share of applicants at BIG_EMPLOYER (0: no one in particular); then
    a third of the reviewers work there too."""
    rng = random.Random(seed)
    employers = [f"Employer {number}" for number in range(500)]

    def employer() -> str:
        if concentrated and rng.random() < concentrated:
            name = BIG_EMPLOYER
        else:
            name = rng.choice(employers)
        # Case and spacing vary, as typed by applicants; the assignment normalises them.
        return rng.choice(["", name.upper(), f" {name} "]) if not concentrated else name

    submissions = [
        Submission(id=number + 1, applicant_user_id=number + 1, employer=employer())
        for number in range(n_submissions)
    ]

    def reviewer_employer(number: int) -> str:
        if number % 3 != 0:
            return f"Reviewer firm {number % 40}"
        return BIG_EMPLOYER.lower() if concentrated else rng.choice(employers)

    reviewers = [
        # Reviewer user ids overlap a few applicants' ids, so some would review themselves.
        Reviewer(id=number + 1, user_id=number * 997 + 1, employer=reviewer_employer(number))
        for number in range(n_reviewers)
    ]
    total = n_submissions * n_reviewers
    forbidden = {
        (reviewers[pair % n_reviewers].id, submissions[pair // n_reviewers].id)
        for pair in rng.sample(range(total), int(total * forbidden_share))
    }
    return submissions, reviewers, forbidden


def plain_heap_greedy(
    submissions: list[Submission],
    reviewers: list[Reviewer],
    k: int,
    forbidden: set[tuple[int, int]],
    seed: int,
) -> dict[int, int]:
    """The baseline: k reviewers per submission in input order from one heap of loads, under the
    same rules (not the applicant, no declared conflict, not the same employer). Returns the
    load of each reviewer."""
    rng = random.Random(seed)
    employer = [r.employer.strip().casefold() for r in reviewers]
    load = [0] * len(reviewers)
    heap = [(0, rng.random(), i) for i in range(len(reviewers))]
    heapq.heapify(heap)
    for submission in submissions:
        own = submission.employer.strip().casefold()
        picked, set_aside = [], []
        while heap and len(picked) < k:
            entry = heapq.heappop(heap)
            i = entry[2]
            reviewer = reviewers[i]
            if (
                reviewer.user_id == submission.applicant_user_id
                or (own and employer[i] == own)
                or (reviewer.id, submission.id) in forbidden
            ):
                set_aside.append(entry)
            else:
                picked.append(i)
        for entry in set_aside:
            heapq.heappush(heap, entry)
        for i in picked:
            load[i] += 1
            heapq.heappush(heap, (load[i], rng.random(), i))
    return {reviewers[i].id: value for i, value in enumerate(load)}


def compare(label: str, n_submissions: int, args: argparse.Namespace, concentrated: float) -> None:
    submissions, reviewers, forbidden = build(
        n_submissions, args.reviewers, args.forbidden, args.seed, concentrated
    )
    times: dict[str, list[float]] = {"project": [], "baseline": []}
    for _round in range(args.rounds):
        started = time.perf_counter()
        result = assign_reviewers(
            submissions, reviewers, args.k, forbidden=forbidden, seed=args.seed
        )
        times["project"].append(time.perf_counter() - started)
        started = time.perf_counter()
        plain = plain_heap_greedy(submissions, reviewers, args.k, forbidden, args.seed)
        times["baseline"].append(time.perf_counter() - started)
    ratios = [p / b for p, b in zip(times["project"], times["baseline"], strict=True)]
    assigned = sum(len(ids) for ids in result.new.values())
    plain_spread = max(plain.values()) - min(plain.values())
    print(
        f"{label:<13} {n_submissions:>8,} {assigned:>9,} "
        f"{statistics.median(times['project']):>8.2f} s {statistics.median(times['baseline']):>8.2f} s "
        f"{statistics.median(ratios):>6.2f} ({min(ratios):.2f}–{max(ratios):.2f}) "
        f"{result.balance:>7} {plain_spread:>7} {len(result.shortfall):>6}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="10000,100000", help="submission counts, comma-separated"
    )
    parser.add_argument("--submissions", type=int, help="one size instead of --sizes")
    parser.add_argument("--reviewers", type=int, default=300)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--forbidden", type=float, default=0.02, help="share of pairs forbidden")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db-applications", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sizes = [args.submissions] if args.submissions else [int(s) for s in args.sizes.split(",")]

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()} ({platform.python_implementation()}); "
        f"{args.reviewers} reviewers, k={args.k}, {args.forbidden:.0%} of pairs forbidden, "
        f"medians of {args.rounds} rounds, project and baseline alternately"
    )
    print(
        f"{'case':<13} {'apps':>8} {'assigned':>9} {'project':>10} {'baseline':>10} "
        f"{'ratio project/baseline':>22} {'spread':>7} {'(base)':>7} {'short':>6}"
    )
    for size in sizes:
        for label, concentrated in (("spread", 0.0), ("60% one firm", 0.6)):
            compare(label, size, args, concentrated)
    if args.db_applications:
        database_run(args.db_applications, args.rounds)


DB_NAME = "cohortline_bench_review"
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def _postgres_url() -> str | None:
    try:
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=2) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
            conn.execute(f"CREATE DATABASE {DB_NAME}")
        return f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
    except Exception:  # noqa: BLE001
        return None


def _setup_django() -> tuple[str, bool]:
    database_url = os.environ.get("BENCH_DATABASE_URL")
    made_postgres = False
    if not database_url:
        database_url = _postgres_url()
        made_postgres = database_url is not None
    if not database_url:
        database_url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DJANGO_READ_DOT_ENV_FILE": "false",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DATABASE_URL": database_url,
            "REDIS_URL": "",
            "COHORTLINE_UNSAFE_PER_PROCESS_CACHE": "true",
            "CELERY_BROKER_URL": "",
            "DJANGO_PRIVATE_MEDIA_ROOT": tempfile.mkdtemp(),
        }
    )
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return database_url, made_postgres


def _fill(count: int):
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from applications.enums import ApplicationStatus
    from applications.models import Application
    from cohorts.enums import CohortStatus
    from cohorts.models import Cohort
    from programmes.enums import RoleKind
    from programmes.models import Programme, ProgrammeRole

    rng = random.Random(2026)
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
        reviewers_per_application=3,
    )
    password = make_password("bench-password")
    admin = User.objects.create(email="admin@example.org", display_name="Admin", password=password)
    ProgrammeRole.objects.create(user=admin, programme=programme, role=RoleKind.PROGRAMME_ADMIN)
    reviewers = User.objects.bulk_create(
        [
            User(email=f"reviewer{n:02d}@example.org", display_name=f"Reviewer {n}")
            for n in range(60)
        ]
    )
    ProgrammeRole.objects.bulk_create(
        [
            ProgrammeRole(user=u, programme=programme, role=RoleKind.REVIEWER, employer=f"Firm {i}")
            for i, u in enumerate(reviewers)
        ]
    )
    users = User.objects.bulk_create(
        [User(email=f"applicant{n:06d}@example.org", password=password) for n in range(count)],
        batch_size=5000,
    )
    Application.objects.bulk_create(
        [
            Application(
                cohort=cohort,
                applicant=user,
                status=ApplicationStatus.SUBMITTED,
                email=user.email,
                full_name=f"Applicant {n}",
                employer=f"Employer {rng.randrange(500)}",
                is_eligible=True,
                submitted_at=now,
            )
            for n, user in enumerate(users)
        ],
        batch_size=5000,
    )
    return admin, cohort


def _per_row_baseline(cohort, actor) -> int:
    """The path the run replaced: what the web request did, one transition per application."""
    from collections import defaultdict

    from applications import services as application_services
    from applications.enums import ApplicationStatus
    from applications.models import Application
    from notifications import services as notification_services
    from reviews import services as review_services
    from reviews.models import ReviewAssignment

    preview = review_services.assignment_preview(cohort=cohort)
    rows = [
        ReviewAssignment(application_id=app_id, reviewer_id=reviewer_id)
        for app_id, reviewer_ids in preview.new.items()
        for reviewer_id in reviewer_ids
    ]
    ReviewAssignment.objects.bulk_create(rows, batch_size=2000)
    for application in Application.objects.filter(
        pk__in=[a for a, ids in preview.new.items() if ids], status=ApplicationStatus.SUBMITTED
    ):
        application_services.application_transition(
            application=application,
            to_status=ApplicationStatus.IN_REVIEW,
            actor=actor,
            note="Reviewers assigned",
        )
    per_reviewer: dict[int, int] = defaultdict(int)
    for row in rows:
        per_reviewer[row.reviewer_id] += 1
    reviewers = {u.pk: u for u in preview.reviewers}
    for reviewer_id, count in per_reviewer.items():
        notification_services.notify(
            recipient=reviewers[reviewer_id],
            kind="review.assigned",
            context={"count": count, "cohort_name": cohort.name, "programme_name": "P"},
            url="/reviews/",
            scope=cohort.programme.notification_scope,
            dedupe_key=f"bench:{cohort.pk}",
        )
    return len(rows)


def database_run(count: int, rounds: int) -> None:
    database_url, made_postgres = _setup_django()
    from django.db import connection, connections, transaction

    from reviews import services as review_services
    from reviews.enums import JobStatus

    print(f"database: {database_url.split('@')[-1].split('?')[0]}")
    started = time.perf_counter()
    admin, cohort = _fill(count)
    print(f"fill: {count:,} applications, 60 reviewers in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    executed = [0]

    def count(execute, sql, params, many, context):
        executed[0] += 1
        return execute(sql, params, many, context)

    def project() -> tuple[float, int, int]:
        run = review_services.assignment_run_start(cohort=cohort, actor=admin)
        executed[0] = 0
        with connection.execute_wrapper(count):
            began = time.perf_counter()
            run = review_services.assignment_run_execute(run_id=run.pk)
            elapsed = time.perf_counter() - began
        assert run.status == JobStatus.DONE, run.error
        return elapsed, executed[0], run.assignments

    def baseline() -> tuple[float, int, int]:
        executed[0] = 0
        with connection.execute_wrapper(count):
            began = time.perf_counter()
            made = _per_row_baseline(cohort, admin)
            elapsed = time.perf_counter() - began
        return elapsed, executed[0], made

    timings: dict[str, list[float]] = {"project": [], "baseline": []}
    queries: dict[str, int] = {}
    for _round in range(rounds):
        for name, way in (("project", project), ("baseline", baseline)):
            with transaction.atomic():  # rolled back: every round starts from the same state
                elapsed, n_queries, made = way()
                transaction.set_rollback(True)
            timings[name].append(elapsed)
            queries[name] = n_queries
    project_ms = statistics.median(timings["project"]) * 1000
    baseline_ms = statistics.median(timings["baseline"]) * 1000
    print(
        f"assignment run (assignment_run_execute), {made:,} assignments: "
        f"median {project_ms:,.0f} ms, {queries['project']:,} queries"
    )
    print(
        f"baseline (per-row transitions in the request): median {baseline_ms:,.0f} ms, "
        f"{queries['baseline']:,} queries"
    )
    print(f"ratio project/baseline: {project_ms / baseline_ms:.2f}")
    connections.close_all()
    if made_postgres:
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
