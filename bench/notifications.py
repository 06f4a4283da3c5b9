"""Benchmark the notification outbox: staging, releasing and delivering email.

Prints:
- the time to stage 10,000 emails (render + bulk insert) and to release them (status update
  + publishing the fan-out tasks);
- delivery throughput to a local SMTP sink with one and with two Celery worker processes.

Needs Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/13). The database is
BENCH_DATABASE_URL, default a throw-away PostgreSQL database `cohortline_bench` on 127.0.0.1
(created and dropped here), or a temporary SQLite file when PostgreSQL is not reachable.
Run: .venv/bin/python bench/notifications.py [--emails 10000] [--deliver 2000]
"""

import argparse
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _common import bench_database, drop_postgres  # noqa: E402 - bench/ is the script's directory


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--deliver", type=int, default=2_000)
    args = parser.parse_args()

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
    }
    os.environ.update(env)

    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction

    from accounts.models import User
    from config.celery import app
    from notifications import services
    from notifications.enums import EmailStatus
    from notifications.models import EmailMessage
    from programmes.models import Programme

    call_command("migrate", verbosity=0)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")

    print(
        f"machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}"
    )
    print(f"database: {database_url.split('@')[-1].split('?')[0]} · broker: {redis_url}")

    programme = Programme.objects.create(name="Bench Programme", slug="bench")
    password = make_password("bench-password")
    User.objects.bulk_create(
        [
            User(email=f"person{n:05d}@example.org", display_name=f"Person {n}", password=password)
            for n in range(args.emails)
        ],
        batch_size=2000,
    )
    people = list(User.objects.order_by("pk"))

    context = {
        "programme_name": programme.name,
        "subject": "Your decision letter",
        "message": "Dear applicant,\n\nThank you for applying to the programme.",
        "sender": "Programme team",
    }
    started = time.perf_counter()
    staged = services.notify_bulk(
        recipients=people,
        kind="programme.announcement",
        context=context,
        staged=True,
        scope=programme.notification_scope,
    )
    stage_seconds = time.perf_counter() - started
    print(
        f"stage {staged:,} emails (render, bulk insert): {stage_seconds:.2f} s ({staged / stage_seconds:,.0f}/s)"
    )

    started = time.perf_counter()
    with transaction.atomic():
        released = services.staged_release(scope=programme.notification_scope)
    release_seconds = time.perf_counter() - started
    print(f"release {released:,} emails (update + enqueue fan-out tasks): {release_seconds:.2f} s")

    # Delivery: reset to staged, then for each worker count release a batch and time it.
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    EmailMessage.objects.update(status=EmailStatus.STAGED)
    ids = list(EmailMessage.objects.order_by("pk").values_list("pk", flat=True))
    for workers, batch in ((1, ids[: args.deliver]), (2, ids[args.deliver : 2 * args.deliver])):
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                f"--concurrency={workers}",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for line in worker.stdout:
            if "ready." in line:
                break
        threading.Thread(
            target=lambda stream=worker.stdout: [None for _ in stream], daemon=True
        ).start()
        before = sink.count
        started = time.perf_counter()
        EmailMessage.objects.filter(pk__in=batch).update(status=EmailStatus.PENDING)
        services.enqueue_emails(batch)
        deadline = started + 600
        while time.perf_counter() < deadline:
            if EmailMessage.objects.filter(pk__in=batch, status=EmailStatus.SENT).count() == len(
                batch
            ):
                break
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        delivered = sink.count - before
        worker.terminate()
        worker.wait(timeout=60)
        print(
            f"deliver {delivered:,} emails with {workers} worker process(es): {seconds:.1f} s ({delivered / seconds:,.0f}/s)"
        )

    controller.stop()
    from django.db import connections

    connections.close_all()
    if made_postgres:
        drop_postgres("cohortline_bench")


if __name__ == "__main__":
    main()
