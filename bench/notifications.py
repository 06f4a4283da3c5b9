"""Benchmark the notification outbox: staging, releasing and delivering email.

Prints:
- the time to stage 10,000 decision letters (render + bulk insert) and to release them (status
  update + publishing the fan-out tasks);
- delivery with two Celery worker processes to a local SMTP sink, alternately: the project's
  delivery (release 10,000 letters, wait until the outbox records every one sent) and a bare
  baseline (a Celery task that opens an SMTP connection and sends one message, per message), on
  the same Redis broker and sink; then the medians and their ratio.

Needs Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/13). The database is
BENCH_DATABASE_URL, default a throw-away PostgreSQL database `cohortline_bench` on 127.0.0.1
(created and dropped here), or a temporary SQLite file when PostgreSQL is not reachable. The
workers and the sink are started here and stopped at the end.
Run: .venv/bin/python bench/notifications.py [--letters 10000] [--bare 3000] [--rounds 3]
"""

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
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

WORKER_PROCESSES = 2
BARE_QUEUE = _common.BARE_QUEUE


class Sink:
    """An SMTP server on loopback that accepts and counts messages."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the baseline: one bare task per message -----------------------------------------------------


def bare_app(broker_url: str):
    """A Celery app of its own, configured as the project's (late acks, prefetch 1, JSON), with
    one task that sends one message over a new SMTP connection."""
    import smtplib
    from email.message import EmailMessage

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

    @app.task(name="bare.send_one")
    def send_one(host: str, port: int, to: str, subject: str, text: str, html: str) -> None:
        message = EmailMessage()
        message["From"] = "no-reply@cohortline.example.org"
        message["To"] = to
        message["Subject"] = subject
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        with smtplib.SMTP(host, port, timeout=20) as smtp:
            smtp.send_message(message)

    return app


def run_bare_worker() -> None:
    _common.run_bare_worker(bare_app(os.environ["BENCH_BARE_BROKER"]), processes=WORKER_PROCESSES)


def wait_until(predicate) -> None:
    _common.wait_until(predicate, timeout=900, what="delivery")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--bare", type=int, default=3_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bare-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_worker:
        run_bare_worker()
        return

    from aiosmtpd.controller import Controller

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()

    database_url, made_postgres = bench_database("cohortline_bench")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
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
        "CELERY_BROKER_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{controller.port}",
        "SITE_URL": "https://cohortline.example.org",
        "BENCH_BARE_BROKER": redis_url,
    }
    os.environ.update(env)

    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connections, transaction

    from accounts.models import User
    from config.celery import app
    from notifications import services
    from notifications.enums import EmailStatus
    from notifications.models import EmailMessage, Notification
    from notifications.registry import get_kind

    workers: list[subprocess.Popen] = []
    baseline = bare_app(redis_url)
    try:
        call_command("migrate", verbosity=0)
        for queue in ("celery", BARE_QUEUE):
            with app.connection_for_write() as conn:
                conn.default_channel.queue_purge(queue)

        print(
            f"machine: {platform.node()} · nproc {os.cpu_count()} · Python "
            f"{platform.python_version()} · {time.strftime('%Y-%m-%d')}"
        )
        print(f"database: {database_url.split('@')[-1].split('?')[0]} · broker: {redis_url}")

        password = make_password("bench-password")
        User.objects.bulk_create(
            [
                User(
                    email=f"person{n:05d}@example.org",
                    display_name=f"Person {n}",
                    password=password,
                )
                for n in range(args.letters)
            ],
            batch_size=2000,
        )
        people = list(User.objects.order_by("pk"))
        kind = get_kind("selection.not_selected")
        batch = "bench:decisions"

        started = time.perf_counter()
        staged = services.notify_bulk(
            recipients=people, kind=kind.name, context=kind.example, staged=True, batch=batch
        )
        seconds = time.perf_counter() - started
        print(
            f"stage {staged:,} decision letters (render, bulk insert): {seconds:.2f} s "
            f"({staged / seconds:,.0f}/s)"
        )
        letters = EmailMessage.objects.filter(batch=batch)
        sample = letters.order_by("pk").first()

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

        project_rates, bare_rates = [], []
        for round_number in range(1, args.rounds + 1):
            # The project: release the letters and wait until the outbox records all of them sent.
            letters.update(status=EmailStatus.STAGED, attempts=0, claimed_at=None, sent_at=None)
            Notification.objects.filter(batch=batch).update(is_staged=True)
            before = sink.count
            started = time.perf_counter()
            with transaction.atomic():
                released = services.staged_release(batch=batch)
            release_seconds = time.perf_counter() - started
            wait_until(lambda n=released: letters.filter(status=EmailStatus.SENT).count() == n)
            seconds = time.perf_counter() - started
            delivered = sink.count - before
            assert delivered == released, f"{delivered} delivered for {released} letters"
            project_rates.append(released / seconds)
            print(
                f"round {round_number} project: release {released:,} letters "
                f"({release_seconds:.2f} s), all recorded sent after {seconds:.1f} s "
                f"({released / seconds:,.0f}/s)"
            )

            # The baseline: one bare task per message, the same message, sink and broker.
            before = sink.count
            started = time.perf_counter()
            for n in range(args.bare):
                baseline.send_task(
                    "bare.send_one",
                    args=[
                        "127.0.0.1", controller.port, f"person{n:05d}@example.org",
                        sample.subject, sample.body_text, sample.body_html,
                    ],
                )  # fmt: skip
            wait_until(lambda start=before: sink.count - start >= args.bare)
            seconds = time.perf_counter() - started
            bare_rates.append(args.bare / seconds)
            print(
                f"round {round_number} baseline: {args.bare:,} one-message tasks delivered after "
                f"{seconds:.1f} s ({args.bare / seconds:,.0f}/s)"
            )

        project, bare = statistics.median(project_rates), statistics.median(bare_rates)
        print(
            f"median with {WORKER_PROCESSES} worker processes: project {project:,.0f} messages/s, "
            f"bare baseline {bare:,.0f} messages/s, ratio {project / bare:.2f}×; "
            f"{args.letters:,} letters in {args.letters / project:.1f} s"
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
        controller.stop()
        connections.close_all()
        if made_postgres:
            drop_postgres("cohortline_bench")


if __name__ == "__main__":
    main()
