"""What every benchmark needs before it can run the project: a database of its own (the one in
BENCH_DATABASE_URL, else a fresh PostgreSQL database, else SQLite in a temporary directory) and,
for those that measure requests, the production settings to run them under."""

import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def _fresh_postgres(name: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=2) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgres://postgres@127.0.0.1:5432/{name}"
    except Exception:  # noqa: BLE001
        return None


def bench_database(name: str) -> tuple[str, bool]:
    """The database URL to run against, and whether it is a PostgreSQL database made here (to be
    dropped with `drop_postgres(name)` at the end)."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url, False
    url = _fresh_postgres(name)
    if url:
        return url, True
    return f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3", False


def drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def production_env(database_url: str) -> dict[str, str]:
    """Production settings (debug off) for requests through the test client: one process, no
    Redis and no broker."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_READ_DOT_ENV_FILE": "false",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "COHORTLINE_UNSAFE_PER_PROCESS_CACHE": "true",  # one process, no Redis needed
        "CELERY_BROKER_URL": "",
        "DJANGO_PRIVATE_MEDIA_ROOT": tempfile.mkdtemp(),
    }


# --- Celery workers for the benchmarks that measure background work --------------------------

ROOT = Path(__file__).resolve().parent.parent
BARE_QUEUE = "bare"


def run_bare_worker(app, *, processes: int) -> None:
    """Serve a baseline's bare Celery app on BARE_QUEUE (in a process of its own)."""
    app.worker_main(
        [
            "worker",
            "--pool=prefork",
            f"--concurrency={processes}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            f"--queues={BARE_QUEUE}",
        ]
    )


def start_worker(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    """Start a worker and return once it says it is ready; its output is drained meanwhile."""
    worker = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    for line in worker.stdout:
        if "ready." in line:
            break
    else:
        raise RuntimeError(f"worker {command} stopped before it was ready")
    threading.Thread(target=lambda: [None for _ in worker.stdout], daemon=True).start()
    return worker


def wait_until(predicate, *, timeout: float, what: str = "the work") -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{what} did not finish")
        time.sleep(0.1)
