"""Delivery through a real Redis broker, a real Celery worker and a real SMTP server on loopback."""

import contextlib
import email
import shutil
import socket
import subprocess
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from config.celery import app as celery_app
from notifications import services
from notifications.enums import EmailStatus
from notifications.models import EmailMessage
from tests.conftest import REQUIRE_SERVICES, redis_url
from tests.factories import UserFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

CONTEXT = {"programme_name": "AI Forward 2026", "role_label": "Mentor", "granted_by": "Farah"}


class SinkHandler:
    """Accepts mail, or answers with the scripted codes first (e.g. [421] or [550])."""

    def __init__(self):
        self.script: list[int] = []
        self.accepted: list[email.message.Message] = []
        self.attempts = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.attempts += 1
            if self.script:
                code = self.script.pop(0)
                return (
                    f"{code} scripted {'try again later' if code < 500 else 'mailbox unavailable'}"
                )
            self.accepted.append(email.message_from_bytes(envelope.original_content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    handler = SinkHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()


def _reset_producers():
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def celery_on(broker_url: str):
    """Point the Celery app at a real broker (tasks no longer eager) for the block."""
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    celery_app.conf.update(broker_url=broker_url, task_always_eager=False)
    _reset_producers()
    try:
        yield
    finally:
        celery_app.conf.update(saved)
        _reset_producers()


@contextlib.contextmanager
def real_worker():
    from celery.contrib.testing.worker import start_worker

    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    with start_worker(
        celery_app,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=30,
    ) as worker:
        yield worker


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _status(message_id):
    return EmailMessage.objects.get(pk=message_id).status


def test_message_is_delivered_exactly_once(smtp_sink):
    user = UserFactory(email="once@example.com")
    with celery_on(redis_url()), real_worker():
        delivery = services.notify(recipient=user, kind="programme.role_granted", context=CONTEXT)
        message_id = delivery.email.pk
        assert wait_for(lambda: _status(message_id) == EmailStatus.SENT)
        # The same message enqueued again (a redelivered or duplicated task) is not sent again.
        services.enqueue_emails([message_id, message_id])
        time.sleep(1.5)
    assert len(smtp_sink.accepted) == 1
    assert smtp_sink.accepted[0]["To"] == "once@example.com"
    assert smtp_sink.accepted[0]["Subject"] == "You are now Mentor in AI Forward 2026"
    assert smtp_sink.accepted[0].is_multipart()
    assert EmailMessage.objects.get(pk=message_id).attempts == 1


def test_421_then_success_gives_one_delivery(smtp_sink):
    smtp_sink.script = [421]
    user = UserFactory()
    with celery_on(redis_url()), real_worker():
        message_id = services.notify(
            recipient=user, kind="programme.role_granted", context=CONTEXT
        ).email.pk
        assert wait_for(lambda: _status(message_id) == EmailStatus.SENT)
    message = EmailMessage.objects.get(pk=message_id)
    assert message.attempts == 2
    assert smtp_sink.attempts == 2
    assert len(smtp_sink.accepted) == 1


def test_550_is_failed_and_not_retried(smtp_sink):
    smtp_sink.script = [550]
    user = UserFactory()
    with celery_on(redis_url()), real_worker():
        message_id = services.notify(
            recipient=user, kind="programme.role_granted", context=CONTEXT
        ).email.pk
        assert wait_for(lambda: _status(message_id) == EmailStatus.FAILED)
        time.sleep(2.5)  # longer than a retry would take
    message = EmailMessage.objects.get(pk=message_id)
    assert message.attempts == 1
    assert message.last_error.startswith("550")
    assert smtp_sink.attempts == 1
    assert smtp_sink.accepted == []


@contextlib.contextmanager
def private_redis(port: int):
    binary = shutil.which("redis-server")
    if binary is None:
        if REQUIRE_SERVICES:
            pytest.fail("redis-server is required to stop and restart a broker")
        pytest.skip("redis-server binary not found")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: _port_open(port), timeout=10), "private redis-server did not start"
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_request_succeeds_while_broker_is_down_and_mail_goes_out_after(
    client, smtp_sink, settings, programme, programme_admin
):
    settings.NOTIFICATIONS_STALE_PENDING_SECONDS = 0
    newcomer = UserFactory(email="newcomer@example.com")
    port = _free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    with celery_on(broker):
        with private_redis(port):
            pass  # the broker existed, and is now stopped
        client.force_login(programme_admin)
        started = time.monotonic()
        response = client.post(
            reverse("programmes:programme_team", args=[programme.slug]),
            {"email": "newcomer@example.com", "role": "mentor"},
        )
        elapsed = time.monotonic() - started
        assert response.status_code == 302
        assert elapsed < 10, f"the request waited {elapsed:.1f}s for the broker"
        message = EmailMessage.objects.get(recipient=newcomer)
        assert message.status == EmailStatus.PENDING
        assert smtp_sink.accepted == []

        # The broker comes back; the periodic sweeper enqueues what was left behind.
        with private_redis(port), real_worker():
            assert services.outbox_sweep() == 1
            assert wait_for(lambda: _status(message.pk) == EmailStatus.SENT)
    assert len(smtp_sink.accepted) == 1
    assert smtp_sink.accepted[0]["To"] == "newcomer@example.com"
