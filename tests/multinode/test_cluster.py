"""Several machines, tested: two web nodes, two Celery workers and a beat, each its own process
with its own working folder, sharing only PostgreSQL, Redis, an S3 bucket and an SMTP server.

What passes through one node is found through the other, so nothing the journeys need lives in
one process's memory or on one machine's disk:

1. An applicant signs in and uploads a CV through node A; a programme admin signs in with an
   authenticator code through node B and downloads the same bytes there. Neither node's folder
   holds a file afterwards.
2. A selection run started on node A is computed by a worker and its result shows on node B.
3. Hundreds of letters are being delivered when one worker is killed outright (SIGKILL, with
   its pool); the other worker and beat's outbox sweep deliver the rest. Every letter is
   recorded sent once; only a message on the wire at the moment of the kill may arrive twice,
   with the same Message-ID.

The processes run the production settings (config.settings.base) through
tests/multinode/settings.py, which changes only what plain http and a short test need. The
test makes a database of its own on the PostgreSQL server of DATABASE_URL (dropped at the end),
uses the Redis database of REDIS_URL for the cache and the one next to it for the broker (both
emptied at the start and the end), and a fresh bucket on the test S3 server.
Run it alone with `pytest tests/multinode -v`.
"""

import asyncio
import contextlib
import email
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
import redis
import requests
from aiosmtpd.controller import Controller
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings

from tests.conftest import redis_url
from tests.s3 import ACCESS_KEY, REGION, SECRET_KEY, s3_client

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.s3]

ROOT = Path(__file__).resolve().parents[2]
LETTERS = 600
# Each worker runs this many processes; the killed worker may have had this many messages on
# the wire, and only those may arrive twice.
CONCURRENCY = 2
# The SMTP server takes this long to accept each message, so that the kill falls in the middle
# of the delivery on any machine.
SINK_DELAY_SECONDS = 0.015
STARTUP_SECONDS = 90
# Variables of the environment the processes must not inherit from the test run.
INHERITED_PREFIXES = ("DJANGO_", "COHORTLINE_", "CELERY_", "NOTIFICATIONS_", "S3_", "AWS_")
INHERITED_NAMES = ("DATABASE_URL", "REDIS_URL", "CACHE_URL", "EMAIL_URL", "SITE_URL", "CLAMD_URL")


# --- The SMTP server --------------------------------------------------------------------------


class Sink:
    """Records the Message-ID of every message accepted, a little slowly."""

    def __init__(self):
        self.message_ids: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content)
        with self.lock:
            self.message_ids.append(message["Message-ID"])
        # Received before it is acknowledged: a sender killed now has the message on the wire.
        await asyncio.sleep(SINK_DELAY_SECONDS)
        return "250 OK"

    def received(self) -> list[str]:
        with self.lock:
            return list(self.message_ids)


# --- The processes ----------------------------------------------------------------------------


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path
    killed_on_purpose: bool = False

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tail(self, size: int = 4000) -> str:
        heading = f"--- {self.name} (exit {self.popen.poll()}), last lines of {self.log}:"
        return f"{heading}\n{self.output()[-size:]}"

    def signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)  # the process and its children (worker pool)


@dataclass
class Cluster:
    folder: Path
    env: dict[str, str]
    processes: dict[str, Process] = field(default_factory=dict)
    nodes: dict[str, str] = field(default_factory=dict)  # web node name → base URL
    node_folders: dict[str, Path] = field(default_factory=dict)
    data: dict = field(default_factory=dict)

    def start(self, name: str, args: list[str], *, cwd: Path, env: dict[str, str]) -> Process:
        log = self.folder / "logs" / f"{name}.log"
        with log.open("wb") as handle:
            popen = subprocess.Popen(
                args, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        process = Process(name, popen, log)
        self.processes[name] = process
        return process

    def died(self) -> list[Process]:
        return [p for p in self.processes.values() if not p.alive() and not p.killed_on_purpose]

    def check(self) -> None:
        """Fail, with their logs, when a process stopped that should be running."""
        dead = self.died()
        if dead:
            names = ", ".join(p.name for p in dead)
            pytest.fail(f"{names} stopped:\n" + "\n".join(p.tail() for p in dead), pytrace=False)

    def wait_until(self, predicate, *, timeout: float, what: str, interval: float = 0.2):
        deadline = time.monotonic() + timeout
        while True:
            self.check()
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                logs = "\n".join(p.tail(2000) for p in self.processes.values())
                pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}.\n{logs}")
            time.sleep(interval)

    def stop(self) -> None:
        running = [p for p in self.processes.values() if p.alive()]
        for process in running:
            process.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in running:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=max(deadline - time.monotonic(), 0.1))
        for process in self.processes.values():
            # Whatever is left of each group (a pool child that outlived its parent).
            process.signal_group(signal.SIGKILL)
            if process.popen.poll() is None:
                process.popen.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _clean_environment() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(INHERITED_PREFIXES) and key not in INHERITED_NAMES
    }


def _next_redis_url(url: str) -> str:
    """The Redis database next to the test suite's: the one after it, or the one before the
    last (never database 0, which a developer's own worker or site may be using)."""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0)
    return parts._replace(path=f"/{number + 1 if number < 15 else number - 1}").geturl()


def _run_django(env: dict[str, str], *args: str, timeout: float = 180) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return result.stdout


def _http_ready(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


# --- The database -----------------------------------------------------------------------------


def _server_params() -> dict:
    db = settings.DATABASES["default"]
    return {
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or None,
    }


def _database_url(name: str) -> str:
    params = _server_params()
    auth = params["user"] + (f":{params['password']}" if params["password"] else "")
    return f"postgres://{auth}@{params['host']}:{params['port']}/{name}"


def _admin(sql: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **_server_params()) as conn:
        conn.execute(sql)


# --- The cluster ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster(s3_endpoint):
    folder = Path(tempfile.mkdtemp(prefix="cohortline-multinode-"))
    (folder / "logs").mkdir()
    database = f"{settings.DATABASES['default']['NAME']}_multinode"[:63]
    cache_url = redis_url()
    broker_url = _next_redis_url(cache_url)
    bucket = f"cohortline-multinode-{uuid.uuid4().hex[:12]}"
    s3 = s3_client(s3_endpoint)
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=_free_port())
    ports = {"a": _free_port(), "b": _free_port()}
    env = {
        **_clean_environment(),
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "tests.multinode.settings",
        "DJANGO_READ_DOT_ENV_FILE": "false",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "multinode-" + "k" * 50,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_LOG_LEVEL": "WARNING",
        "SITE_URL": f"http://127.0.0.1:{ports['a']}",
        "DATABASE_URL": _database_url(database),
        "REDIS_URL": cache_url,
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_ACCESS_KEY_ID": ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "S3_REGION": REGION,
        # 600 letters in a dozen chunks, spread over both workers.
        "NOTIFICATIONS_CHUNK_SIZE": "50",
    }
    cluster = Cluster(folder=folder, env=env)
    redises = [redis.Redis.from_url(url) for url in (cache_url, broker_url)]
    created_database = False
    try:
        for client in redises:
            client.flushdb()
        s3.create_bucket(Bucket=bucket)
        smtp.start()
        _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "{database}"')
        created_database = True
        _run_django(env, "manage.py", "migrate", "--noinput", "-v0")
        cluster.data = json.loads(
            _run_django(env, "-m", "tests.multinode.seed", "seed", str(LETTERS)).splitlines()[-1]
        )
        cluster.data.update(database=database, bucket=bucket, s3=s3, sink=sink)

        for name, port in ports.items():
            # A machine of its own: its working folder, its media folders, its temporary files.
            home = folder / f"node-{name}"
            for sub in ("media", "private", "tmp"):
                (home / sub).mkdir(parents=True)
            node_env = {
                **env,
                "DJANGO_MEDIA_ROOT": str(home / "media"),
                "DJANGO_PRIVATE_MEDIA_ROOT": str(home / "private"),
                "TMPDIR": str(home / "tmp"),
                "HOME": str(home),
            }
            cluster.start(
                f"web-{name}",
                [
                    sys.executable, "-m", "gunicorn", "config.wsgi:application",
                    "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60",
                    "--graceful-timeout", "5", "--no-control-socket",
                    "--pythonpath", str(ROOT),
                ],
                cwd=home,
                env=node_env,
            )  # fmt: skip
            cluster.nodes[name] = f"http://127.0.0.1:{port}"
            cluster.node_folders[name] = home
        for number in (1, 2):
            home = folder / f"worker-{number}"
            (home / "tmp").mkdir(parents=True)
            cluster.start(
                f"worker-{number}",
                [
                    sys.executable, "-m", "celery", "-A", "config", "worker",
                    "-n", f"worker{number}@multinode", f"--concurrency={CONCURRENCY}",
                    "--pool=prefork", "--loglevel=INFO", "--without-gossip", "--without-mingle",
                ],
                cwd=home,
                env={**env, "TMPDIR": str(home / "tmp"), "HOME": str(home)},
            )  # fmt: skip
        home = folder / "beat"
        home.mkdir()
        cluster.start(
            "beat",
            [
                sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO",
                "--schedule", str(home / "celerybeat-schedule"),
            ],
            cwd=home,
            env={**env, "TMPDIR": str(home), "HOME": str(home)},
        )  # fmt: skip

        for name, url in cluster.nodes.items():
            cluster.wait_until(
                lambda url=url: _http_ready(url + "/healthz"),
                timeout=STARTUP_SECONDS,
                what=f"node {name.upper()} to answer /healthz",
            )
        for number in (1, 2):
            process = cluster.processes[f"worker-{number}"]
            cluster.wait_until(
                lambda process=process: " ready." in process.output(),
                timeout=STARTUP_SECONDS,
                what=f"worker {number} to be ready",
            )
        beat = cluster.processes["beat"]
        cluster.wait_until(
            lambda: "beat: Starting..." in beat.output(), timeout=STARTUP_SECONDS, what="beat"
        )
        yield cluster
        cluster.check()
    finally:
        cluster.stop()
        smtp.stop()
        for client in redises:
            client.flushdb()
            client.close()
        with contextlib.suppress(s3.exceptions.NoSuchBucket):
            for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=obj["Key"])
            s3.delete_bucket(Bucket=bucket)
        if created_database:
            _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


def _query(cluster: Cluster, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(dbname=cluster.data["database"], **_server_params()) as conn:
        return conn.execute(sql, params).fetchall()


def _files_under(folder: Path) -> list[str]:
    return sorted(str(path) for path in folder.rglob("*") if not path.is_dir())


# --- Signing in over HTTP ---------------------------------------------------------------------

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _csrf(response: requests.Response) -> str:
    match = CSRF.search(response.text)
    assert match, f"no CSRF token on {response.url} ({response.status_code})"
    return match.group(1)


def _totp(secret: str) -> str:
    """The code an authenticator app shows now, computed as allauth checks it (no tolerance for
    the previous step: a code close to the end of its 30 seconds waits for the next one)."""
    if time.time() % 30 > 27:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _sign_in(base: str, email_address: str, password: str, totp_secret: str = ""):
    http = requests.Session()
    form = http.get(f"{base}/accounts/login/", timeout=30)
    assert form.status_code == 200, form.text[:2000]
    response = http.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": _csrf(form), "login": email_address, "password": password},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:3000]
    if totp_secret:
        assert response.headers["Location"].endswith("/accounts/2fa/authenticate/")
        form = http.get(f"{base}/accounts/2fa/authenticate/", timeout=30)
        response = http.post(
            f"{base}/accounts/2fa/authenticate/",
            data={"csrfmiddlewaretoken": _csrf(form), "code": _totp(totp_secret)},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.text[:3000]
    dashboard = http.get(f"{base}/dashboard/", timeout=30)
    assert dashboard.status_code == 200, dashboard.text[:2000]
    assert dashboard.url.endswith("/dashboard/"), dashboard.url
    return http


@pytest.fixture(scope="module")
def staff(cluster):
    """The programme admin, signed in with password and authenticator code on node B."""
    data = cluster.data
    return _sign_in(
        cluster.nodes["b"], data["staff"], data["password"], totp_secret=data["totp_secret"]
    )


# --- The journeys -----------------------------------------------------------------------------


def _cv() -> bytes:
    """A PDF above FILE_UPLOAD_MAX_MEMORY_SIZE, so the upload passes through a temporary file."""
    body = os.urandom(3 * 1024 * 1024).replace(b"%%EOF", b"%%EOG")
    return b"%PDF-1.4\n" + body + b"\n%%EOF\n"


def test_a_cv_uploaded_through_one_node_is_downloaded_through_the_other(cluster, staff):
    data, a, b = cluster.data, cluster.nodes["a"], cluster.nodes["b"]
    applicant = _sign_in(a, data["applicant"], data["password"])
    page = applicant.get(f"{a}/apply/{data['programme']}/{data['cohort']}/", timeout=30)
    assert page.status_code == 200, page.text[:2000]
    application_id = int(re.search(r'action="/applications/(\d+)/save/"', page.text).group(1))
    cv = _cv()
    response = applicant.post(
        f"{a}/applications/{application_id}/submit/",
        data={"csrfmiddlewaretoken": _csrf(page), "stage": "draft", "consent": "on"},
        files={"cv": ("Siti Abdullah CV.pdf", cv, "application/pdf")},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302, response.text[:3000]
    assert response.headers["Location"] == f"/applications/{application_id}/"

    # In the bucket, not on a machine.
    keys = [obj["Key"] for obj in data["s3"].list_objects_v2(Bucket=data["bucket"])["Contents"]]
    assert len(keys) == 1, keys

    download = staff.get(
        f"{b}/programmes/{data['programme']}/cohorts/{data['cohort']}/applications/"
        f"{application_id}/cv/",
        timeout=60,
    )
    assert download.status_code == 200, download.text[:2000]
    assert download.content == cv
    # The applicant, still signed in, reads their own CV back through node B as well.
    own = applicant.get(f"{b}/applications/{application_id}/files/cv/", timeout=60)
    assert (own.status_code, own.content == cv) == (200, True)

    for name, folder in cluster.node_folders.items():
        assert _files_under(folder) == [], f"node {name.upper()} wrote files on its disk"


def test_a_selection_run_started_on_one_node_shows_its_result_on_the_other(cluster, staff):
    data, a, b = cluster.data, cluster.nodes["a"], cluster.nodes["b"]
    home = f"/programmes/{data['programme']}/cohorts/{data['cohort']}/selection/"
    form = staff.get(a + home, timeout=30)
    assert form.status_code == 200, form.text[:2000]
    response = staff.post(
        a + home,
        data={
            "csrfmiddlewaretoken": _csrf(form),
            "score_kind": "raw",
            "seats": "3",
            "min_reviews": "1",
            "seed": "",
            "run": "",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:3000]
    run_path = response.headers["Location"]
    assert run_path.startswith(home + "runs/"), run_path

    status = re.compile(r'data-testid="run-status">([^<]+)<')

    def finished():
        page = staff.get(b + run_path, timeout=30)
        assert page.status_code == 200, page.text[:2000]
        label = status.search(page.text).group(1).strip()
        return page if label in ("Done", "Failed") else None

    page = cluster.wait_until(finished, timeout=60, what="the selection run", interval=0.5)
    assert status.search(page.text).group(1).strip() == "Done", page.text[:3000]
    selected = re.search(r'data-testid="selected-count">([^<]+)<', page.text).group(1)
    assert selected == "3"


def test_a_worker_killed_in_the_middle_of_a_delivery_loses_and_repeats_nothing(cluster):
    data, sink = cluster.data, cluster.data["sink"]
    rows = _query(
        cluster,
        "SELECT id FROM notifications_emailmessage WHERE batch = %s",
        (data["letters_batch"],),
    )
    assert len(rows) == LETTERS
    expected = {f"<cohortline.{pk}@127.0.0.1>" for (pk,) in rows}

    def letters_received() -> list[str]:
        return [message_id for message_id in sink.received() if message_id in expected]

    released = json.loads(
        _run_django(cluster.env, "-m", "tests.multinode.seed", "release").splitlines()[-1]
    )
    assert released == {"released": LETTERS}

    # Under way: some letters received, most not yet. Then one worker dies with its pool.
    cluster.wait_until(
        lambda: len(letters_received()) >= LETTERS // 6,
        timeout=60,
        what="the delivery to start",
        interval=0.005,
    )
    victim = cluster.processes["worker-1"]
    victim.killed_on_purpose = True
    victim.signal_group(signal.SIGKILL)
    victim.popen.wait(timeout=10)
    at_kill = len(letters_received())
    assert at_kill < LETTERS, "every letter was delivered before the kill: slow the sink down"
    sent_at_kill = dict(
        _query(
            cluster,
            "SELECT id, sent_at FROM notifications_emailmessage "
            "WHERE batch = %s AND status = 'sent'",
            (data["letters_batch"],),
        )
    )
    assert "notifications.send_email_chunk" in victim.output(), victim.tail()

    def all_sent():
        counts = dict(
            _query(
                cluster,
                "SELECT status, count(*) FROM notifications_emailmessage "
                "WHERE batch = %s GROUP BY status",
                (data["letters_batch"],),
            )
        )
        return counts if counts.get("sent") == LETTERS else None

    cluster.wait_until(all_sent, timeout=90, what="every letter to be recorded sent")
    # Recorded sent means handed over: the last ones have reached the sink.
    cluster.wait_until(
        lambda: set(letters_received()) == expected, timeout=10, what="every letter received"
    )

    received = Counter(letters_received())
    repeated = {message_id: n for message_id, n in received.items() if n > 1}
    # Only what the killed worker's processes had on the wire, once more each.
    assert len(repeated) <= CONCURRENCY, repeated
    assert all(n == 2 for n in repeated.values()), repeated
    ids_repeated = {int(message_id.split(".")[1].split("@")[0]) for message_id in repeated}
    assert not ids_repeated & set(sent_at_kill), "a letter recorded sent went out again"
    # A letter recorded sent before the kill was never recorded sent again.
    after = dict(
        _query(
            cluster,
            "SELECT id, sent_at FROM notifications_emailmessage WHERE id = ANY(%s)",
            (list(sent_at_kill),),
        )
    )
    assert after == sent_at_kill
    # The survivors are still up: the kill took one worker, nothing else.
    cluster.check()
