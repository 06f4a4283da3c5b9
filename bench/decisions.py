"""Benchmark the commit of a selection run at 10,000 and 100,000 applications in one cohort.

For each size: one programme, one cohort of 1,000 seats, N applications in review (two reviews
each, scores, realistic attributes), one applicant user each, three quotas (frontline ≥ 30 %,
union members ≥ 20 %, women ≥ 40 %). A selection run is computed once with
`selection_run_start` + `selection_run_execute` ("solve", timed once). Then, for --rounds rounds,
alternately:

- project: the commit as the worker does it, `selection_run_commit` (marks the run
  "committing") then `selection_commit_execute` (statuses, waitlist ranks, events, offers, and
  the three kinds of decision letters staged for every applicant);
- baseline: the same writes by hand-written SQL through the same connection in one transaction
  (three UPDATEs, one INSERT … SELECT each for events and offers, one per letter kind and table
  with a constant letter), without the project's code.

The starting state is restored (and VACUUM ANALYZEd) between rounds, untimed; both ways are
checked to leave the same rows. Prints the medians, minimums and the ratio project/baseline (the
figure that matters on a shared machine), the project commit's number of SQL queries and the
decision counts. Nothing is enqueued or sent: the letters are staged and the task queue is
stubbed out.

The database is BENCH_DATABASE_URL, default a throw-away PostgreSQL database
`cohortline_bench_decisions` on 127.0.0.1 (created and dropped here), or a temporary SQLite file
when PostgreSQL is not reachable.
Run: .venv/bin/python bench/decisions.py [--sizes 10000,100000] [--rounds N]
     [--waitlist-length 2000|all] [--profile FILE]
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _common import bench_database, drop_postgres  # noqa: E402 - bench/ is the script's directory

DB_NAME = "cohortline_bench_decisions"
CAPACITY = 1000

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
]
# Applications from ICT and finance score higher, frontline workers lower: the quotas bind.
SCORE_BONUS = {"ict": 0.35, "finance": 0.2, "frontline": -0.3, "manager": 0.1}


def fill(count: int, seed: int, waitlist_length: int | None):
    """A programme, a cohort of CAPACITY seats with three quotas, `count` applicants in review."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.enums import EmployerSize, Gender, JobLevel, Residency, Sector
    from accounts.models import User
    from applications.enums import ApplicationStatus
    from applications.models import Application
    from cohorts.enums import CohortStatus
    from cohorts.models import Cohort
    from programmes.enums import RoleKind
    from programmes.models import Programme, ProgrammeRole
    from selection.models import Quota

    rng = random.Random(seed)
    now = timezone.now()
    programme = Programme.objects.create(name="AI Forward 2026", slug="ai-forward-2026")
    cohort = Cohort.objects.create(
        programme=programme,
        name="March 2026",
        slug="march-2026",
        capacity=CAPACITY,
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=30),
        starts_on=(now + datetime.timedelta(days=30)).date(),
        ends_on=(now + datetime.timedelta(days=200)).date(),
        status=CohortStatus.PUBLISHED,
        waitlist_length=waitlist_length,
    )
    for name, attribute, values, low in [
        ("Frontline", "job_level", ["frontline"], 30),
        ("Union members", "is_union_member", ["yes"], 20),
        ("Women", "gender", ["woman"], 40),
    ]:
        Quota.objects.create(
            cohort=cohort, name=name, attribute=attribute, values=values, min_percent=low
        )
    password = make_password("bench-password")
    admin = User.objects.create(
        email="admin@example.org", display_name="Farah Osman", password=password
    )
    ProgrammeRole.objects.create(user=admin, programme=programme, role=RoleKind.PROGRAMME_ADMIN)

    batch = 5000
    for start in range(0, count, batch):
        size = min(batch, count - start)
        names = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(size)]
        users = User.objects.bulk_create(
            [
                User(
                    email=f"applicant{n:06d}@example.org",
                    display_name=names[n - start],
                    password=password,
                )
                for n in range(start, start + size)
            ]
        )
        rows = []
        for user in users:
            sector = rng.choices(Sector.values, [22, 8, 10, 14, 8, 6, 6, 8, 8, 4, 4, 2])[0]
            job_level = rng.choices(JobLevel.values, [35, 35, 22, 8])[0]
            raw = rng.gauss(3.2, 0.6) + SCORE_BONUS.get(sector, 0) + SCORE_BONUS.get(job_level, 0)
            raw = min(5.0, max(1.0, raw))
            rows.append(
                Application(
                    cohort=cohort,
                    applicant=user,
                    status=ApplicationStatus.IN_REVIEW,
                    answers={
                        "motivation": " ".join(rng.sample(MOTIVATIONS, 2)),
                        "hours": str(rng.choice([3, 4, 6, 8, 10])),
                    },
                    full_name=user.display_name,
                    email=user.email,
                    residency=rng.choices(Residency.values, [60, 25, 12, 3])[0],
                    gender=rng.choices(Gender.values, [44, 50, 2, 1, 3])[0],
                    employer=rng.choice(EMPLOYERS),
                    employer_size=rng.choice(EmployerSize.values),
                    sector=sector,
                    job_level=job_level,
                    is_union_member=rng.random() < 0.3,
                    age_at_start=rng.randint(19, 64),
                    is_eligible=True,
                    submitted_at=now - datetime.timedelta(seconds=rng.randint(30, 59) * 86400),
                    review_count=2,
                    raw_score=round(raw, 4),
                    normalized_score=min(5.0, max(1.0, raw + rng.gauss(0, 0.15))),
                    score_spread=abs(rng.gauss(0, 0.5)),
                )
            )
        Application.objects.bulk_create(rows, batch_size=1000)
    return admin, cohort


def vacuum() -> None:
    """What autovacuum does soon after a bulk load or a mass update, and a checkpoint so that
    the next round does not pay for the previous one's dirty pages."""
    from django.db import DatabaseError, connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
            with contextlib.suppress(DatabaseError):  # needs a superuser (or pg_checkpoint)
                cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")


def solve(*, cohort, admin, seed: int):
    """Start and compute a selection run; returns it and the seconds of selection_run_execute."""
    from selection import services

    run = services.selection_run_start(
        cohort=cohort,
        author=admin,
        score_kind="normalized",
        seats=CAPACITY,
        min_reviews=2,
        seed=seed,
    )
    started = time.perf_counter()
    run = services.selection_run_execute(run_id=run.pk)
    return run, time.perf_counter() - started


def project_commit(*, run, admin) -> tuple[float, dict]:
    """The commit as the worker does it. Returns seconds and the decision counts."""
    from selection import services

    started = time.perf_counter()
    services.selection_run_commit(run=run, actor=admin)
    counts = services.selection_commit_execute(run_id=run.pk)
    seconds = time.perf_counter() - started
    if counts is None:
        run.refresh_from_db()
        raise SystemExit(f"the project's commit did nothing: {run.error}")
    return seconds, counts


def sample_letters(cohort) -> dict[str, tuple[str, str, str, str]]:
    """One rendered letter per kind (subject, text, HTML, in-app text) for the baseline to
    write to everyone as a constant: as many bytes as the project writes, no templates."""
    from accounts.models import User
    from notifications import rendering
    from notifications.registry import get_kind
    from selection.services import DECISION_KINDS, _letter_context

    someone = User.objects.filter(applications__cohort=cohort).first()
    context = _letter_context(cohort, cohort.closes_at + datetime.timedelta(days=7))
    letters = {}
    for kind in DECISION_KINDS:
        done = rendering.render(
            kind=get_kind(kind), recipient=someone, context=context, url="/applications/"
        )
        letters[kind] = (done.subject, done.text, done.html, done.inapp)
    return letters


def baseline_commit(*, run_id: int, actor_id: int, letters: dict) -> float:
    """The same writes as the project's commit, by hand-written SQL in one transaction."""
    from django.db import connection, transaction
    from django.utils import timezone

    postgres = connection.vendor == "postgresql"
    if postgres:
        in_ids = "= ANY(%s)"
        ranked = "unnest(%s::bigint[], %s::integer[]) AS v(id, rank)"
        empty_json = "'{}'::jsonb"
    else:
        in_ids = "IN (SELECT value FROM json_each(%s))"
        ranked = (
            "(SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS rank "
            "FROM json_each(%s)) AS v"
        )
        empty_json = "'{}'"

    def ids(values: list[int]):
        return values if postgres else json.dumps(values)

    def loaded(value):
        return json.loads(value) if isinstance(value, str) else value

    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.programme_id, c.waitlist_length, c.offer_validity_days, r.selected, "
            "r.waitlist FROM cohorts_selectionrun r JOIN cohorts_cohort c ON c.id = r.cohort_id "
            "WHERE r.id = %s" + (" FOR UPDATE OF r, c" if postgres else ""),
            [run_id],
        )
        cohort_id, programme_id, length, validity, selected, waitlist = cursor.fetchone()
        selected, waitlist = loaded(selected), loaded(waitlist)
        chosen = set(selected)
        waiting = [pk for pk in waitlist if pk not in chosen]
        if length is not None:
            waiting = waiting[:length]
        cursor.execute(
            "UPDATE cohorts_application SET status = 'offered', updated_at = %s "
            f"WHERE id {in_ids} AND status = 'in_review'",
            [now, ids(selected)],
        )
        params = [waiting, list(range(1, len(waiting) + 1))]
        if not postgres:
            params = [json.dumps([[pk, rank] for pk, rank in zip(*params, strict=True)])]
        cursor.execute(
            "UPDATE cohorts_application AS a SET status = 'waitlisted', waitlist_rank = v.rank, "
            f"updated_at = %s FROM {ranked} WHERE a.id = v.id AND a.status = 'in_review'",
            [now, *params],
        )
        cursor.execute(
            "UPDATE cohorts_application SET status = 'not_selected', updated_at = %s "
            "WHERE cohort_id = %s AND status IN ('submitted', 'in_review')",
            [now, cohort_id],
        )
        cursor.execute(
            "INSERT INTO cohorts_applicationevent "
            "(application_id, actor_id, from_status, to_status, note, created_at) "
            "SELECT id, %s, 'in_review', status, CASE status WHEN 'offered' THEN 'Selected' "
            "WHEN 'waitlisted' THEN 'Waitlisted at position ' || waitlist_rank "
            "ELSE 'Not selected' END, %s FROM cohorts_application "
            "WHERE cohort_id = %s AND status IN ('offered', 'waitlisted', 'not_selected')",
            [actor_id, now, cohort_id],
        )
        cursor.execute(
            "INSERT INTO cohorts_offer (application_id, run_id, status, expires_at, "
            "decline_reason, is_promotion, created_at, updated_at) "
            "SELECT id, %s, 'open', %s, '', FALSE, %s, %s FROM cohorts_application "
            "WHERE cohort_id = %s AND status = 'offered'",
            [run_id, now + datetime.timedelta(days=validity), now, now, cohort_id],
        )
        batch = f"selection.decisions:{cohort_id}"
        for kind, status in [
            ("selection.offer", "offered"),
            ("selection.waitlisted", "waitlisted"),
            ("selection.not_selected", "not_selected"),
        ]:
            subject, text, html, inapp = letters[kind]
            cursor.execute(
                "INSERT INTO notifications_notification (recipient_id, kind, scope, "
                "text, url, is_staged, batch, created_at, updated_at) "
                "SELECT applicant_id, %s, %s, %s, '/applications/', TRUE, %s, %s, %s "
                "FROM cohorts_application WHERE cohort_id = %s AND status = %s",
                [kind, f"programme:{programme_id}", inapp, batch, now, now, cohort_id, status],
            )
            cursor.execute(
                "INSERT INTO notifications_emailmessage (recipient_id, to_email, kind, "
                "scope, subject, body_text, body_html, headers, status, attempts, "
                "last_error, batch, created_at, updated_at) "
                f"SELECT u.id, u.email, %s, %s, %s, %s, %s, {empty_json}, 'staged', 0, '', %s, "
                "%s, %s FROM cohorts_application a JOIN accounts_user u ON u.id = a.applicant_id "
                "WHERE a.cohort_id = %s AND a.status = %s",
                [
                    kind,
                    f"programme:{programme_id}",
                    subject,
                    text,
                    html,
                    batch,
                    now,
                    now,
                    cohort_id,
                    status,
                ],
            )
        cursor.execute(
            "UPDATE cohorts_selectionrun SET status = 'committed', committed_at = %s, "
            "committed_by_id = %s, progress = 100, updated_at = %s WHERE id = %s",
            [now, actor_id, now, run_id],
        )
    return time.perf_counter() - started


def restore(*, cohort, run) -> None:
    """Back to the state before the commit (untimed): applications in review, no waitlist
    ranks, no offers, events or letters, the run done and uncommitted."""
    from django.db import connection, transaction

    from selection.services import decisions_batch

    with transaction.atomic(), connection.cursor() as cursor:
        batch = decisions_batch(cohort.pk)
        cursor.execute("DELETE FROM notifications_emailmessage WHERE batch = %s", [batch])
        cursor.execute("DELETE FROM notifications_notification WHERE batch = %s", [batch])
        cursor.execute("DELETE FROM cohorts_offer WHERE run_id = %s", [run.pk])
        cursor.execute(
            "DELETE FROM cohorts_applicationevent WHERE application_id IN "
            "(SELECT id FROM cohorts_application WHERE cohort_id = %s)",
            [cohort.pk],
        )
        cursor.execute(
            "UPDATE cohorts_application SET status = 'in_review', waitlist_rank = NULL "
            "WHERE cohort_id = %s",
            [cohort.pk],
        )
        cursor.execute(
            "UPDATE cohorts_selectionrun SET status = 'done', committed_at = NULL, "
            "committed_by_id = NULL, claimed_at = NULL, attempts = 0, progress = 100, "
            "error = '' WHERE id = %s",
            [run.pk],
        )
    vacuum()


def fingerprint(cohort, run) -> dict:
    """What a commit left behind, to check that both ways wrote the same rows."""
    from django.db.models import Count, Sum

    from applications.models import Application, ApplicationEvent
    from notifications.models import EmailMessage, Notification
    from selection.models import Offer, SelectionRun
    from selection.services import decisions_batch

    batch = decisions_batch(cohort.pk)
    applications = Application.objects.filter(cohort=cohort)
    return {
        "statuses": dict(applications.values_list("status").annotate(n=Count("id"))),
        "ranks": applications.aggregate(s=Sum("waitlist_rank"))["s"],
        "events": dict(
            ApplicationEvent.objects.filter(application__cohort=cohort)
            .values_list("to_status")
            .annotate(n=Count("id"))
        ),
        "offers": Offer.objects.filter(run=run, status="open").count(),
        "notifications": dict(
            Notification.objects.filter(batch=batch, is_staged=True)
            .values_list("kind")
            .annotate(n=Count("id"))
        ),
        "emails": dict(
            EmailMessage.objects.filter(batch=batch, status="staged")
            .values_list("kind")
            .annotate(n=Count("id"))
        ),
        "run": SelectionRun.objects.get(pk=run.pk).status,
    }


def flush() -> None:
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


def bench_size(count: int, *, rounds: int, seed: int, waitlist_length, profile: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    print(f"\n== {count:,} applications in review, {CAPACITY:,} seats", flush=True)
    started = time.perf_counter()
    admin, cohort = fill(count, seed, waitlist_length)
    vacuum()
    print(f"fill: {count:,} users and applications in {time.perf_counter() - started:.1f} s")

    run, solve_seconds = solve(cohort=cohort, admin=admin, seed=seed)
    print(
        f"solve (selection_run_execute: load the pool, optimise, store): {solve_seconds:.2f} s · "
        f"pool {run.pool_size:,} · {run.result_status} · binding: {', '.join(run.binding) or 'none'}"
    )
    if run.result_status != "optimal":
        raise SystemExit(f"the run is not feasible: {run.conflict}")
    vacuum()

    # Untimed first rounds: warm both ways up, count the project's queries, compare the rows.
    with CaptureQueriesContext(connection) as captured:
        _, counts = project_commit(run=run, admin=admin)
    queries = len(captured)
    expected = fingerprint(cohort, run)
    letters = sample_letters(cohort)
    restore(cohort=cohort, run=run)
    baseline_commit(run_id=run.pk, actor_id=admin.pk, letters=letters)
    if fingerprint(cohort, run) != expected:
        raise SystemExit(
            f"the baseline wrote other rows:\n{fingerprint(cohort, run)}\nvs\n{expected}"
        )
    restore(cohort=cohort, run=run)
    total_letters = sum(expected["emails"].values())
    print(
        f"decisions: offered {counts['offered']:,} · waitlisted {counts['waitlisted']:,} · "
        f"not selected {counts['not_selected']:,} · {total_letters:,} letters staged "
        f"(and as many in-app notifications)"
    )
    print(f"project commit: {queries} SQL queries")

    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        seconds, _ = project_commit(run=run, admin=admin)
        profiler.disable()
        path = f"{profile}.{count}"
        profiler.dump_stats(path)
        print(f"profiled project commit: {seconds:.2f} s, stats in {path}")
        restore(cohort=cohort, run=run)

    project, baseline = [], []
    for number in range(1, rounds + 1):
        seconds, _ = project_commit(run=run, admin=admin)
        project.append(seconds)
        restore(cohort=cohort, run=run)
        seconds = baseline_commit(run_id=run.pk, actor_id=admin.pk, letters=letters)
        baseline.append(seconds)
        restore(cohort=cohort, run=run)
        print(
            f"round {number}: project {project[-1]:.2f} s · baseline {baseline[-1]:.2f} s · "
            f"ratio {project[-1] / baseline[-1]:.1f}",
            flush=True,
        )
    ratios = [p / b for p, b in zip(project, baseline, strict=True)]
    print(f"project commit:  median {statistics.median(project):.2f} s, min {min(project):.2f} s")
    print(f"baseline (SQL):  median {statistics.median(baseline):.2f} s, min {min(baseline):.2f} s")
    print(
        f"ratio project/baseline: {statistics.median(project) / statistics.median(baseline):.1f} "
        f"(medians), per round {min(ratios):.1f}–{max(ratios):.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="applications, comma-separated")
    parser.add_argument(
        "--rounds", type=int, default=None, help="default 3 below 50,000 applications, else 2"
    )
    parser.add_argument(
        "--waitlist-length",
        default="2000",
        help="the cohort's waitlist length, or 'all' to waitlist everyone not offered a seat",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", default="", help="also profile one commit into FILE.<size>")
    args = parser.parse_args()
    try:
        sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
        waitlist_length = None if args.waitlist_length == "all" else int(args.waitlist_length)
    except ValueError:
        parser.error("--sizes takes whole numbers; --waitlist-length a whole number or 'all'")
    if waitlist_length is not None and waitlist_length < 0:
        parser.error("--waitlist-length must not be negative")
    if not sizes or min(sizes) <= CAPACITY:
        parser.error(f"every size must be above the {CAPACITY:,} seats")

    database_url, made_postgres = bench_database(DB_NAME)
    # The test settings: tasks eager, no broker, a per-process cache, mail kept in memory.
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DJANGO_READ_DOT_ENV_FILE": "false",
            "DATABASE_URL": database_url,
            "REDIS_URL": "",
            "CELERY_BROKER_URL": "",
        }
    )

    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    from notifications import tasks as notification_tasks
    from selection import tasks as cohort_tasks

    assert settings.CELERY_TASK_ALWAYS_EAGER and not settings.CELERY_BROKER_URL
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
    print(
        "waitlist length: "
        + ("everyone not offered a seat" if waitlist_length is None else f"{waitlist_length:,}")
    )

    # The worker is this process: the run and the commit are called directly, so the tasks that
    # the services enqueue after commit are stubbed out; an email task would be a bug (staged
    # letters are never sent before their release).
    stubs = {
        task: mock.patch.object(task, "apply_async")
        for task in (
            cohort_tasks.selection_run_task,
            cohort_tasks.selection_commit_task,
            notification_tasks.send_email_task,
            notification_tasks.email_chunk_send_task,
            notification_tasks.enqueue_emails_task,
        )
    }
    started = {task: stub.start() for task, stub in stubs.items()}
    try:
        for number, count in enumerate(sizes):
            if number:
                flush()
            rounds = args.rounds or (3 if count < 50_000 else 2)
            bench_size(
                count,
                rounds=rounds,
                seed=args.seed,
                waitlist_length=waitlist_length,
                profile=args.profile,
            )
        sent = sum(
            started[task].call_count
            for task in (
                notification_tasks.send_email_task,
                notification_tasks.email_chunk_send_task,
                notification_tasks.enqueue_emails_task,
            )
        )
        assert sent == 0, f"{sent} email task(s) enqueued"
    finally:
        for stub in stubs.values():
            stub.stop()
        connections.close_all()
        if made_postgres:
            drop_postgres(DB_NAME)


if __name__ == "__main__":
    main()
