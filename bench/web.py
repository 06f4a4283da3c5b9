"""Benchmark pages served by gunicorn under load, against Django's stock admin.

Gunicorn (2 sync workers, production settings, debug off, Redis as the cache when reachable)
serves a database with 100,000 applications in one cohort. C clients (threads) request one page
over and over for a fixed time; the project's page and its baseline take turns, round after round.
Prints, per case, the median requests per second over the rounds, p50 and p95 latency for both,
and the ratio project / baseline of requests per second:
1. the staff list of the cohort's applications (signed in as a programme admin who is also a
   superuser): first page, page 1,000 and a search, against the changelist of the same rows in a
   stock `AdminSite` with a plain `ModelAdmin` (bench/_web_urls.py), with the same three cases;
2. the landing page and the sign-up page, anonymous, against the stock admin's login page.
Every response must be a 200 with the expected content (rows, form), so that a redirect or an
error page is never measured.

Needs PostgreSQL: BENCH_DATABASE_URL, default a throw-away database `cohortline_bench_web` on
127.0.0.1 (created and dropped here). Redis: redis://127.0.0.1:6379/14 (flushed), else a cache per
process. Gunicorn is started here and stopped at the end.
Run: .venv/bin/python bench/web.py [--applications 100000] [--clients 4] [--seconds 8] [--rounds 3]
"""

import argparse
import datetime
import http.client
import importlib.util
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from _common import bench_database, drop_postgres, production_env  # noqa: E402 - bench/ is the script's directory

DB_NAME = "cohortline_bench_web"
REDIS_URL = "redis://127.0.0.1:6379/14"
WORKERS = 2
WARM_UP_SECONDS = 1.0
PAGE_SIZE = 50  # the staff list's and the stock changelist's (list_per_page)


def bench_applications():
    """bench/applications.py (its `fill`), loaded by path: the name `applications` is the
    project's app, ahead of bench/ on the path."""
    spec = importlib.util.spec_from_file_location("bench_applications", BENCH / "applications.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_flush(url: str) -> bool:
    """Empty the benchmark's Redis database (no page or rate limit cached by an earlier run);
    False when Redis is not reachable."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
        client.flushdb()
        return True
    except redis.RedisError:
        return False


def get(port: int, path: str, cookie: str = "") -> tuple[int, bytes]:
    """One GET on a new connection (gunicorn's sync workers close it after the response)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass
class Page:
    """A page to load, and what its body must hold to count as the page (not an error page)."""

    label: str
    path: str
    check: Callable[[bytes], bool]
    cookie: str = ""
    rates: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    def verify(self, port: int) -> None:
        status, body = get(port, self.path, self.cookie)
        if status != 200 or not self.check(body):
            raise RuntimeError(
                f"{self.label} {self.path}: HTTP {status}, not the expected page:\n"
                f"{body[:600].decode(errors='replace')}"
            )


def load(page: Page, port: int, clients: int, seconds: float) -> tuple[float, list[float]]:
    """`clients` threads GET the page in a loop for `seconds`: requests per second and the
    latency of each request. Raises at the first response that is not the page."""
    deadline = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures: list[str] = []

    def client(n: int) -> None:
        while time.perf_counter() < deadline and not failures:
            started = time.perf_counter()
            try:
                status, body = get(port, page.path, page.cookie)
            except OSError as error:
                failures.append(f"{type(error).__name__}: {error}")
                return
            latencies[n].append(time.perf_counter() - started)
            if status != 200 or not page.check(body):
                failures.append(f"HTTP {status}: {body[:300].decode(errors='replace')}")
                return

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{page.label} {page.path}: {failures[0]}")
    done = [t for per_client in latencies for t in per_client]
    return len(done) / elapsed, done


def compare(title: str, project: Page, baseline: Page, port: int, args) -> None:
    """Warm both up, then rounds of the project's page and the baseline's, alternately."""
    for page in (project, baseline):
        page.verify(port)
        load(page, port, args.clients, WARM_UP_SECONDS)
    for _ in range(args.rounds):
        for page in (project, baseline):
            rate, latencies = load(page, port, args.clients, args.seconds)
            page.rates.append(rate)
            page.latencies.extend(latencies)

    def summary(page: Page) -> str:
        p95 = statistics.quantiles(page.latencies, n=20)[18]
        return (
            f"{page.label} {statistics.median(page.rates):,.1f} req/s "
            f"(rounds {' / '.join(f'{r:.1f}' for r in page.rates)}; "
            f"p50 {statistics.median(page.latencies) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms)"
        )

    ratio = statistics.median(project.rates) / statistics.median(baseline.rates)
    print(f"{title}:\n  {summary(project)}\n  {summary(baseline)}\n  ratio {ratio:.2f}×")


def count_check(pattern: bytes, expected: int) -> Callable[[bytes], bool]:
    regex = re.compile(pattern)
    return lambda body: len(regex.findall(body)) == expected


def add_open_cohorts(count: int) -> None:
    """Published programmes, each with partners and a cohort open for applications, so that the
    landing page lists something."""
    from django.utils import timezone

    from cohorts.enums import CohortStatus
    from cohorts.models import Cohort
    from programmes.enums import PartnerKind
    from programmes.models import Partner, Programme

    now = timezone.now()
    for n in range(1, count + 1):
        programme = Programme.objects.create(
            name=f"Data Skills {n}",
            slug=f"data-skills-{n}",
            tagline="Practical data and AI skills for people in work.",
            description="Twelve weeks of evening classes, a mentor and real compute.",
            is_published=True,
        )
        programme.partners.set(
            [
                Partner.objects.create(name=f"Operator {n}", kind=PartnerKind.DATA_CENTRE),
                Partner.objects.create(name=f"Union {n}", kind=PartnerKind.UNION),
            ]
        )
        Cohort.objects.create(
            programme=programme,
            name=f"Intake {n}",
            slug=f"intake-{n}",
            description="Evening classes with a project at work and a mentor from the industry.",
            commitment="About 6 hours a week for 12 weeks",
            capacity=40,
            opens_at=now - datetime.timedelta(days=10),
            closes_at=now + datetime.timedelta(days=20 + n),
            starts_on=(now + datetime.timedelta(days=40)).date(),
            ends_on=(now + datetime.timedelta(days=130)).date(),
            status=CohortStatus.PUBLISHED,
        )


def session_cookie(user) -> str:
    """A signed-in session for `user`, made directly in the session store."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def start_gunicorn(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--worker-class", "sync",
        "--timeout", "120", "--log-level", "warning", "--no-control-socket",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    deadline = time.perf_counter() + 60
    while True:
        try:
            if get(port, "/healthz")[0] == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None or time.perf_counter() > deadline:
            raise RuntimeError(f"gunicorn did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    database_url, made_postgres = bench_database(DB_NAME)
    if not database_url.startswith("postgres"):
        print("bench/web.py needs PostgreSQL (BENCH_DATABASE_URL or 127.0.0.1:5432); skipped.")
        return
    has_redis = redis_flush(REDIS_URL)
    env = {
        **production_env(database_url),
        "DJANGO_SETTINGS_MODULE": "_web_settings",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "REDIS_URL": REDIS_URL if has_redis else "",
        "COHORTLINE_UNSAFE_PER_PROCESS_CACHE": "false" if has_redis else "true",
    }
    os.environ.update(env)
    # On the workers' path after the project (gunicorn's --pythonpath would put bench/ first,
    # where applications.py and notifications.py would hide the project's apps of those names).
    server_env = {**os.environ, "PYTHONPATH": str(BENCH)}

    import warnings

    import django

    # WhiteNoise warns that STATIC_ROOT does not exist; nothing here serves static files.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.urls import reverse

    from accounts.models import User
    from applications.models import Application
    from programmes.models import Programme

    server = None
    log_dir = Path(tempfile.mkdtemp(prefix="bench-web-"))
    try:
        call_command("migrate", verbosity=0)
        print(
            f"machine: {platform.node()} · nproc {os.cpu_count()} · Python "
            f"{platform.python_version()} · {time.strftime('%Y-%m-%d')}"
        )
        print(
            f"database: {database_url.split('@')[-1].split('?')[0]} · cache: "
            f"{REDIS_URL if has_redis else 'per process (Redis not reachable)'} · gunicorn "
            f"{WORKERS} sync workers · {args.clients} clients · {args.seconds:g} s a round · "
            f"{args.rounds} rounds"
        )
        started = time.perf_counter()
        admin, cohort = bench_applications().fill(args.applications, args.seed)
        Programme.objects.filter(pk=cohort.programme_id).update(is_published=True)
        open_cohorts = 3
        add_open_cohorts(open_cohorts)
        User.objects.filter(pk=admin.pk).update(is_superuser=True, is_staff=True)
        admin.refresh_from_db()
        rows = Application.objects.filter(cohort=cohort)
        total, listed = rows.count(), rows.exclude(status="draft").count()
        with connections["default"].cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(
            f"fill: {total:,} applications ({listed:,} not drafts) and {open_cohorts} open "
            f"cohorts in {time.perf_counter() - started:.1f} s"
        )
        connections.close_all()

        port = free_port()
        server = start_gunicorn(server_env, port, log_dir / "gunicorn.log")
        cookie = session_cookie(admin)

        list_path = reverse(
            "applications:cohort_applications", args=[cohort.programme.slug, cohort.slug]
        )
        project_rows = count_check(
            rb'href="' + re.escape(list_path.encode()) + rb'\d+/"', PAGE_SIZE
        )
        admin_rows = count_check(rb'class="action-select"', PAGE_SIZE)
        admin_path = f"/stock-admin/applications/application/?cohort__id__exact={cohort.pk}"
        project_page = min(1000, listed // PAGE_SIZE)
        admin_page = min(1000, total // PAGE_SIZE)
        print("1. staff list of the applications (signed in) vs the stock admin changelist")
        for title, project_query, admin_query in [
            ("first page", "", ""),
            (f"page {project_page:,}", f"?page={project_page}", f"&p={admin_page - 1}"),
            ("search 'tan'", "?q=tan", "&q=tan"),
        ]:
            compare(
                title,
                Page("project", list_path + project_query, project_rows, cookie),
                Page("stock admin", admin_path + admin_query, admin_rows, cookie),
                port,
                args,
            )

        print("2. public pages (anonymous) vs the stock admin's login page")
        landing = count_check(rb'data-testid="cohort-public-link"', open_cohorts)
        for title, path, check in [
            ("landing page", "/", landing),
            ("sign-up page", "/accounts/signup/", lambda body: b'name="password1"' in body),
        ]:
            compare(
                title,
                Page("project", path, check),
                Page("stock admin login", "/stock-admin/login/", lambda b: b'id="login-form"' in b),
                port,
                args,
            )
    finally:
        if server is not None:
            stop(server)
        connections.close_all()
        if made_postgres:
            drop_postgres(DB_NAME)
        if has_redis:
            redis_flush(REDIS_URL)


if __name__ == "__main__":
    main()
