"""Benchmark bulk certificate issuing: 1,000 certificates, each a PDF and a signed credential.

Prints, with two Celery worker processes on a Redis broker, alternately:
- the project: one cohort of N eligible participants (a rule asking only for a staff sign-off,
  every participant signed off), a run started with `services.issue_run_start` (its task is
  published on commit), timed until the run is done; then checked: N valid certificates, each
  PDF in the private storage and each credential with a proof (the first three verified against
  the DID document). The "certificates.issued" emails (console backend) are published behind
  the chunk tasks and delivered mostly after the run is done; the time until the outbox records
  them all sent is printed apart, and the next round starts only then;
- a bare baseline: N Celery tasks, each drawing a one-page reportlab PDF with the name and a
  segno QR code, signing the JSON bytes of a small dict with Ed25519 and writing the PDF to a
  folder, on the same two worker processes and broker;
then the medians, certificates per second and the ratio project / baseline (time).

Needs PostgreSQL (BENCH_DATABASE_URL, default a throw-away database `cohortline_bench_certificates`
on 127.0.0.1, created and dropped here) and Redis (BENCH_REDIS_URL, default
redis://127.0.0.1:6379/4 for the cache, the broker on the next database); skipped without them.
The workers are started here and stopped at the end, also on failure.
Run: .venv/bin/python bench/certificates.py [--people 1000] [--rounds 3]
"""

import argparse
import datetime
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _common  # noqa: E402
from _common import (  # noqa: E402 - bench/ is the script's directory
    bench_database,
    drop_postgres,
    start_worker,
)

DB_NAME = "cohortline_bench_certificates"
WORKER_PROCESSES = 2
BARE_QUEUE = _common.BARE_QUEUE
AIM_SECONDS = 60


# --- the baseline: one bare task per certificate -------------------------------------------------


def bare_app(broker_url: str):
    """A Celery app of its own, configured as the project's (late acks, prefetch 1, JSON), with
    one task that draws, signs and writes one certificate: the plain minimum."""
    from celery import Celery

    app = Celery("bare", broker=broker_url)
    app.conf.update(
        task_default_queue=BARE_QUEUE,
        task_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
    )
    keys = {}

    @app.task(name="bare.certificate")
    def certificate(name: str, code: str, url: str, key_file: str, folder: str) -> None:
        import io
        import json

        import segno
        from cryptography.hazmat.primitives.serialization import load_pem_private_key
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.pdfgen import canvas

        if key_file not in keys:
            keys[key_file] = load_pem_private_key(Path(key_file).read_bytes(), password=None)
        buffer = io.BytesIO()
        width, height = landscape(A4)
        page = canvas.Canvas(buffer, pagesize=(width, height))
        page.setFont("Helvetica-Bold", 30)
        page.drawCentredString(width / 2, height / 2, name)
        rows = list(segno.make(url, error="m").matrix_iter(border=0))
        size = 86 / len(rows)
        path = page.beginPath()
        for r, row in enumerate(rows):
            for col, dark in enumerate(row):
                if dark:
                    path.rect(width - 156 + col * size, 164 - (r + 1) * size, size, size)
        page.drawPath(path, stroke=0, fill=1)
        page.showPage()
        page.save()
        claim = {"id": url, "name": name, "issued": datetime.date.today().isoformat()}
        signature = keys[key_file].sign(json.dumps(claim, sort_keys=True).encode())
        assert len(signature) == 64
        part = Path(folder) / f"{code}.part"
        part.write_bytes(buffer.getvalue())
        part.rename(part.with_suffix(".pdf"))

    return app


def run_bare_worker() -> None:
    _common.run_bare_worker(bare_app(os.environ["BENCH_BARE_BROKER"]), processes=WORKER_PROCESSES)


def wait_until(predicate) -> None:
    _common.wait_until(predicate, timeout=600, what="the work")


def reachable(database_url: str, redis_url: str) -> str:
    """Why the benchmark cannot run here, or ''."""
    if not database_url.startswith("postgres"):
        return "PostgreSQL (BENCH_DATABASE_URL or 127.0.0.1:5432)"
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return f"Redis ({redis_url})"
    return ""


def eligible_cohort(number: int, people: int, staff):
    """A cohort of `people` participants, each eligible: the rule asks only for a staff sign-off
    and every one of them is signed off. Rows made with bulk_create."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from applications.enums import ApplicationStatus
    from applications.models import Application
    from certificates.models import CertificationRule, SignOff
    from cohorts.enums import CohortStatus
    from cohorts.models import Cohort
    from programmes.models import Programme
    from selection.models import Participant

    now = timezone.now()
    programme = Programme.objects.get(slug="ai-forward-2026")
    cohort = Cohort.objects.create(
        programme=programme,
        name=f"Round {number}",
        slug=f"round-{number}",
        capacity=people,
        opens_at=now - datetime.timedelta(days=200),
        closes_at=now - datetime.timedelta(days=170),
        starts_on=(now - datetime.timedelta(days=150)).date(),
        ends_on=(now - datetime.timedelta(days=1)).date(),
        status=CohortStatus.PUBLISHED,
    )
    CertificationRule.objects.create(
        cohort=cohort,
        assessments_must_pass=False,
        requires_sign_off=True,
        achievement_name="AI Forward 2026 graduate",
        achievement_description="Completed the AI Forward 2026 programme.",
    )
    password = make_password("bench-password")
    users = User.objects.bulk_create(
        [
            User(
                email=f"graduate{number}-{n:05d}@example.org",
                display_name=f"Graduate {number}-{n}",
                password=password,
            )
            for n in range(people)
        ],
        batch_size=1000,
    )
    applications = Application.objects.bulk_create(
        [
            Application(
                cohort=cohort,
                applicant=user,
                status=ApplicationStatus.ACCEPTED,
                answers={},
                full_name=user.display_name,
                email=user.email,
                residency="citizen",
                gender="woman",
                employer="Harbour Logistics",
                employer_size="sme",
                sector="logistics",
                job_level="frontline",
                is_union_member=True,
                age_at_start=35,
                is_eligible=True,
                submitted_at=now - datetime.timedelta(days=180),
            )
            for user in users
        ],
        batch_size=1000,
    )
    Participant.objects.bulk_create(
        [Participant(application=a, cohort=cohort, user=a.applicant) for a in applications],
        batch_size=1000,
    )
    SignOff.objects.bulk_create(
        [SignOff(cohort=cohort, user=user, signed_by=staff) for user in users], batch_size=1000
    )
    return cohort


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bare-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_worker:
        run_bare_worker()
        return

    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")
    base, _, number = redis_url.rpartition("/")
    broker_url = f"{base}/{int(number or 0) + 1}"
    database_url, made_postgres = bench_database(DB_NAME)
    missing = reachable(database_url, redis_url)
    if missing:
        print(f"bench/certificates.py needs {missing}; skipped.")
        if made_postgres:
            drop_postgres(DB_NAME)
        return

    scratch = Path(tempfile.mkdtemp(prefix="bench-certificates-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_READ_DOT_ENV_FILE": "false",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_URL": "consolemail://",
        "SITE_URL": "https://cohortline.example.org",
        "DJANGO_PRIVATE_MEDIA_ROOT": str(scratch / "private"),
        "COHORTLINE_SIGNING_KEYS_DIR": str(scratch / "keys"),
        "BENCH_BARE_BROKER": broker_url,
    }
    os.environ.update(env)

    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.files.storage import storages
    from django.core.management import call_command
    from django.db import connections, transaction

    from accounts.models import User
    from certificates import keys, selectors, services
    from certificates.enums import RunStatus
    from certificates.models import IssueRun
    from config.celery import app
    from notifications.enums import EmailStatus
    from notifications.models import EmailMessage
    from programmes.models import Programme

    ended = [RunStatus.DONE, RunStatus.FAILED]
    workers: list[subprocess.Popen] = []
    baseline = bare_app(broker_url)
    try:
        call_command("migrate", verbosity=0)
        for queue in ("celery", BARE_QUEUE):
            with app.connection_for_write() as conn:
                conn.default_channel.queue_purge(queue)
        key_id = keys.signing_key_create()
        key_file = str(keys.keys_dir() / f"{key_id}.pem")

        print(
            f"machine: {platform.node()} · nproc {os.cpu_count()} · Python "
            f"{platform.python_version()} · {time.strftime('%Y-%m-%d')}"
        )
        print(f"database: {database_url.split('@')[-1].split('?')[0]} · broker: {broker_url}")

        Programme.objects.create(name="AI Forward 2026", slug="ai-forward-2026")
        staff = User.objects.create(
            email="staff@example.org",
            display_name="Farah Osman",
            password=make_password("bench-password"),
        )

        workers.append(
            start_worker(
                [
                    sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
                    f"--concurrency={WORKER_PROCESSES}", "--loglevel=INFO", "--without-gossip",
                    "--without-mingle",
                ],
                env,
            )
        )  # fmt: skip
        workers.append(start_worker([sys.executable, __file__, "--bare-worker"], env))

        storage = storages["private"]
        project_times, bare_times = [], []
        for round_number in range(1, args.rounds + 1):
            # The project: a run over a fresh cohort, until the run is done.
            cohort = eligible_cohort(round_number, args.people, staff)
            started = time.perf_counter()
            with transaction.atomic():
                run = services.issue_run_start(cohort=cohort, actor=staff)
            wait_until(lambda r=run: IssueRun.objects.filter(pk=r.pk, status__in=ended).exists())
            seconds = time.perf_counter() - started
            run.refresh_from_db()
            assert run.status == RunStatus.DONE, f"run {run.status}: {run.error}"
            certificates = list(selectors.certificates_valid(cohort=cohort))
            assert len(certificates) == args.people == run.issued, (
                f"{len(certificates)} certificates, {run.issued} issued, {args.people} people"
            )
            for certificate in certificates:
                with storage.open(certificate.pdf_name) as file:
                    assert file.read(5) == b"%PDF-", certificate.pdf_name
                assert certificate.credential.get("proof", {}).get("proofValue"), certificate.code
            assert all(selectors.credential_verifies(certificate=c) for c in certificates[:3])
            project_times.append(seconds)
            # The emails were published after each certificate; let them go before going on.
            letters = EmailMessage.objects.filter(to_email__startswith=f"graduate{round_number}-")
            wait_until(lambda q=letters: q.filter(status=EmailStatus.SENT).count() == args.people)
            emailed = time.perf_counter() - started
            print(
                f"round {round_number} project: {args.people:,} certificates issued in "
                f"{seconds:.1f} s ({args.people / seconds:,.1f}/s; PDFs in storage, credentials "
                f"signed); their {args.people:,} emails recorded sent after {emailed:.1f} s"
            )

            # The baseline: one bare task per certificate, on the same workers and broker.
            folder = scratch / f"bare-{round_number}"
            folder.mkdir()
            started = time.perf_counter()
            for n in range(args.people):
                code = secrets.token_urlsafe(32)  # as long as the project's codes
                baseline.send_task(
                    "bare.certificate",
                    args=[
                        f"Graduate {round_number}-{n}", code,
                        f"https://cohortline.example.org/verify/{code}/", key_file, str(folder),
                    ],
                )  # fmt: skip
            wait_until(lambda f=folder: len(list(f.glob("*.pdf"))) >= args.people)
            seconds = time.perf_counter() - started
            bare_times.append(seconds)
            print(
                f"round {round_number} baseline: {args.people:,} bare tasks (PDF, Ed25519 "
                f"signature, file) done in {seconds:.1f} s ({args.people / seconds:,.1f}/s)"
            )

        project, bare = statistics.median(project_times), statistics.median(bare_times)
        verdict = "within" if project < AIM_SECONDS else "over"
        print(
            f"median with {WORKER_PROCESSES} worker processes: project {project:.1f} s "
            f"({args.people / project:,.1f} certificates/s), bare baseline {bare:.1f} s "
            f"({args.people / bare:,.1f}/s), ratio project/baseline {project / bare:.2f}× (time); "
            f"{args.people:,} certificates {verdict} the aim of {AIM_SECONDS} s"
        )
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        for queue in ("celery", BARE_QUEUE):
            with app.connection_for_write() as conn:
                conn.default_channel.queue_purge(queue)
        connections.close_all()
        if made_postgres:
            drop_postgres(DB_NAME)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
