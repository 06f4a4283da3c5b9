"""Delivery by chunks: one claim, one SMTP connection and a few UPDATEs for many messages, each
message still sent at most once and retried, failed or swept on its own."""

import datetime
import email
import socket
import threading

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction
from django.utils import timezone

from notifications import services
from notifications.enums import EmailStatus
from notifications.models import EmailMessage, NotificationPreference
from tests.factories import UserFactory

ROLE = "programme.role_granted"
CONTEXT = {"programme_name": "AI Forward 2026", "role_label": "Mentor", "granted_by": "Farah"}


class Sink:
    """An SMTP server on loopback. `replies` scripts the answers to a recipient's next messages
    (e.g. {"busy@example.com": [451]}); a recipient in `drop` has the connection cut under its
    first message."""

    def __init__(self):
        self.replies: dict[str, list[int]] = {}
        self.drop: set[str] = set()
        self.accepted: list[email.message.Message] = []
        self.connections = 0
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        (recipient,) = envelope.rcpt_tos
        with self.lock:
            if recipient in self.drop:
                self.drop.discard(recipient)
                server.transport.close()
                return "421 dropped"
            if self.replies.get(recipient):
                return f"{self.replies[recipient].pop(0)} scripted"
            self.accepted.append(email.message_from_bytes(envelope.original_content))
        return "250 OK"

    def to(self) -> list[str]:
        return [message["To"] for message in self.accepted]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def sink(settings):
    handler = Sink()
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


def _pending(*addresses: str) -> list[EmailMessage]:
    """One pending message to each address, written without enqueueing it."""
    people = [UserFactory(email=address) for address in addresses]
    services.notify_bulk(recipients=people, kind=ROLE, context=CONTEXT, staged=True)
    messages = EmailMessage.objects.filter(recipient__in=people)
    messages.update(status=EmailStatus.PENDING)
    return list(messages.order_by("pk"))


def _statuses(messages) -> list[str]:
    rows = dict(EmailMessage.objects.values_list("pk", "status"))
    return [rows[message.pk] for message in messages]


# --- one connection, outcomes per message ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30])
def test_chunk_sends_over_one_connection_with_a_constant_number_of_queries(
    sink, settings, django_assert_num_queries, count
):
    settings.NOTIFICATIONS_RECORD_EVERY = 100
    messages = _pending(*(f"person{n}@example.com" for n in range(count)))
    # The claim and the sent ones recorded (on PostgreSQL, with commits told not to wait for the
    # disk during the chunk, and told so again after it).
    around = 2 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(2 + around):
        outcome = services.email_chunk_send(message_ids=[m.pk for m in messages])
    assert outcome == services.ChunkOutcome(sent=count)
    assert sink.connections == 1
    assert sorted(sink.to()) == sorted(m.to_email for m in messages)
    assert _statuses(messages) == [EmailStatus.SENT] * count
    assert set(EmailMessage.objects.values_list("attempts", flat=True)) == {1}
    first = sink.accepted[0]
    assert first["Message-ID"] == f"<cohortline.{messages[0].pk}@testserver>"
    assert first["List-Unsubscribe"]  # optional kinds still carry their unsubscribe link


@pytest.mark.django_db
def test_chunk_takes_at_most_chunk_size_and_only_pending_due_messages(sink, settings):
    settings.NOTIFICATIONS_CHUNK_SIZE = 3
    messages = _pending(*(f"p{n}@example.com" for n in range(6)))
    later = timezone.now() + datetime.timedelta(minutes=5)
    EmailMessage.objects.filter(pk=messages[0].pk).update(status=EmailStatus.SENT)
    EmailMessage.objects.filter(pk=messages[1].pk).update(next_attempt_at=later)
    EmailMessage.objects.filter(pk=messages[2].pk).update(status=EmailStatus.STAGED)

    outcome = services.email_chunk_send(message_ids=[m.pk for m in messages])

    assert outcome.sent == 3
    assert sink.to() == ["p3@example.com", "p4@example.com", "p5@example.com"]
    assert _statuses(messages)[:3] == [EmailStatus.SENT, EmailStatus.PENDING, EmailStatus.STAGED]
    # Sent and staged messages are not claimed again: a repeated task does nothing.
    assert services.email_chunk_send(message_ids=[m.pk for m in messages]) == (
        services.ChunkOutcome()
    )
    assert len(sink.accepted) == 3


@pytest.mark.django_db
def test_temporary_failure_retries_only_that_message(sink):
    messages = _pending("a@example.com", "busy@example.com", "c@example.com")
    sink.replies["busy@example.com"] = [451]

    outcome = services.email_chunk_send(message_ids=[m.pk for m in messages])

    assert (outcome.sent, outcome.retried, outcome.failed) == (2, 1, 0)
    assert 1 <= outcome.retry_in <= 2  # base 1 s in tests, plus up to 1 s of jitter
    assert sink.to() == ["a@example.com", "c@example.com"]
    assert sink.connections == 1  # a 4xx reply leaves the connection usable
    busy = EmailMessage.objects.get(pk=messages[1].pk)
    assert (busy.status, busy.attempts) == (EmailStatus.PENDING, 1)
    assert busy.last_error == "451 scripted"
    assert busy.next_attempt_at > timezone.now()

    # The retry (the same ids) claims only that message once it is due.
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=3)):
        outcome = services.email_chunk_send(message_ids=[m.pk for m in messages])
    assert outcome == services.ChunkOutcome(sent=1)
    assert sink.to() == ["a@example.com", "c@example.com", "busy@example.com"]
    busy.refresh_from_db()
    assert (busy.status, busy.attempts, busy.last_error) == (EmailStatus.SENT, 2, "")


@pytest.mark.django_db
def test_permanent_failure_marks_only_that_message_failed(sink):
    messages = _pending("a@example.com", "gone@example.com", "c@example.com")
    sink.replies["gone@example.com"] = [550]

    outcome = services.email_chunk_send(message_ids=[m.pk for m in messages])

    assert outcome == services.ChunkOutcome(sent=2, failed=1)
    assert _statuses(messages) == [EmailStatus.SENT, EmailStatus.FAILED, EmailStatus.SENT]
    gone = EmailMessage.objects.get(pk=messages[1].pk)
    assert (gone.last_error, gone.attempts) == ("550 scripted", 1)
    assert services.email_chunk_send(message_ids=[m.pk for m in messages]).failed == 0


@pytest.mark.django_db
def test_dropped_connection_mid_chunk_reconnects_and_continues(sink):
    messages = _pending(*(f"p{n}@example.com" for n in range(5)))
    sink.drop.add("p2@example.com")

    outcome = services.email_chunk_send(message_ids=[m.pk for m in messages])

    assert (outcome.sent, outcome.retried) == (4, 1)
    assert sink.connections == 2
    assert sink.to() == ["p0@example.com", "p1@example.com", "p3@example.com", "p4@example.com"]
    dropped = EmailMessage.objects.get(pk=messages[2].pk)
    # Whether the server took it before the line dropped is unknown: it goes again later, as
    # any message whose delivery failed on the way.
    assert dropped.status == EmailStatus.PENDING
    assert dropped.last_error.startswith("SMTPServerDisconnected")
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=3)):
        assert services.email_chunk_send(message_ids=[dropped.pk]).sent == 1
    assert sink.to().count("p2@example.com") == 1


@pytest.mark.django_db
def test_unreachable_server_defers_the_whole_chunk(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()  # nothing listens
    messages = _pending("a@example.com", "b@example.com")

    outcome = services.email_chunk_send(message_ids=[m.pk for m in messages])

    assert (outcome.sent, outcome.retried) == (0, 2)
    assert _statuses(messages) == [EmailStatus.PENDING] * 2
    assert set(EmailMessage.objects.values_list("attempts", flat=True)) == {1}
    assert "ConnectionRefusedError" in EmailMessage.objects.get(pk=messages[0].pk).last_error


@pytest.mark.django_db
def test_chunk_out_of_time_hands_back_what_it_did_not_try(
    sink, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_CHUNK_SECONDS = 0
    messages = _pending("a@example.com", "b@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.email_chunk_send(message_ids=[m.pk for m in messages])
        assert outcome == services.ChunkOutcome(handed_back=2)
        rows = EmailMessage.objects.order_by("pk")
        assert [(r.status, r.attempts) for r in rows] == [(EmailStatus.PENDING, 0)] * 2
        settings.NOTIFICATIONS_CHUNK_SECONDS = 60
    # After commit the handed-back messages are enqueued again (tasks run eagerly here).
    assert sorted(sink.to()) == ["a@example.com", "b@example.com"]
    assert _statuses(messages) == [EmailStatus.SENT] * 2


# --- a worker that dies -------------------------------------------------------------------------


class WorkerKilled(BaseException):
    """Stands for the end of a worker process in the middle of a chunk."""


class SnapshotBackend(LocmemBackend):
    """Locmem, which on the fourth message notes the outbox as a killed worker would leave it,
    then stops."""

    snapshot: list[str] = []

    def send_messages(self, messages):
        if len(mail.outbox) == 3:
            SnapshotBackend.snapshot = list(
                EmailMessage.objects.order_by("pk").values_list("status", flat=True)
            )
            raise WorkerKilled
        return super().send_messages(messages)


@pytest.mark.django_db
def test_sent_messages_are_recorded_every_few_so_a_killed_worker_resends_at_most_that_many(
    settings,
):
    settings.NOTIFICATIONS_RECORD_EVERY = 2
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery_chunks.SnapshotBackend"
    messages = _pending(*(f"p{n}@example.com" for n in range(6)))
    with pytest.raises(WorkerKilled):
        services.email_chunk_send(message_ids=[m.pk for m in messages])
    # Killed while sending the fourth: two recorded, one sent but not yet recorded.
    assert SnapshotBackend.snapshot == [EmailStatus.SENT] * 2 + [EmailStatus.SENDING] * 4


@pytest.mark.django_db
def test_claimed_then_abandoned_chunk_is_swept_once_the_claim_expires(settings):
    settings.NOTIFICATIONS_STALE_PENDING_SECONDS = 0
    messages = _pending(*(f"p{n}@example.com" for n in range(5)))
    assert services.email_send(message_id=messages[0].pk).status == "sent"
    # A worker claims the chunk, records two as sent, and dies.
    claimed_at, claimed = services._claim(ids=[m.pk for m in messages], limit=100)
    assert [m.pk for m in claimed] == [m.pk for m in messages[1:]]
    EmailMessage.objects.filter(pk__in=[messages[1].pk, messages[2].pk]).update(
        status=EmailStatus.SENT, sent_at=claimed_at
    )
    mail.outbox.clear()

    # While the claim is live, no one else may send its messages.
    assert services.email_chunk_send(message_ids=[m.pk for m in messages]).sent == 0
    assert services.outbox_sweep() == 0
    assert mail.outbox == []

    expired = settings.NOTIFICATIONS_STALE_SENDING_SECONDS + 1
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=expired)):
        assert services.outbox_sweep() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["p3@example.com", "p4@example.com"]
    assert _statuses(messages) == [EmailStatus.SENT] * 5
    assert [m.attempts for m in EmailMessage.objects.order_by("pk")] == [1, 1, 1, 2, 2]


@pytest.mark.django_db
def test_late_outcomes_of_an_expired_claim_do_not_overwrite_a_later_one(settings):
    (message,) = _pending("a@example.com")
    old_claim, _ = services._claim(ids=[message.pk], limit=100)
    EmailMessage.objects.filter(pk=message.pk).update(status=EmailStatus.PENDING)  # swept
    with time_machine.travel(old_claim + datetime.timedelta(minutes=11)):
        new_claim, _ = services._claim(ids=[message.pk], limit=100)
    ledger = services._Ledger(old_claim)
    ledger.add_failure(message, transient=False, reason="550 too late")
    ledger.record(unsent=[])
    message.refresh_from_db()
    assert (message.status, message.claimed_at, message.last_error) == (
        EmailStatus.SENDING,
        new_claim,
        "",
    )


# --- what is not to be sent stays unsent --------------------------------------------------------


@pytest.mark.django_db
def test_staged_and_opted_out_messages_are_not_delivered(sink, django_capture_on_commit_callbacks):
    opted_out = UserFactory(email="off@example.com")
    NotificationPreference.objects.create(
        user=opted_out, kind=ROLE, is_email_enabled=False, is_in_app_enabled=True
    )
    people = [UserFactory(email="a@example.com"), opted_out, UserFactory(email="b@example.com")]
    with django_capture_on_commit_callbacks(execute=True):
        written = services.notify_bulk(
            recipients=people, kind=ROLE, context=CONTEXT, staged=True, batch="letters"
        )
    assert written == 2
    ids = list(EmailMessage.objects.values_list("pk", flat=True))
    assert services.email_chunk_send(message_ids=ids) == services.ChunkOutcome()
    assert sink.accepted == []

    with django_capture_on_commit_callbacks(execute=True):
        assert services.staged_release(batch="letters") == 2
    assert sorted(sink.to()) == ["a@example.com", "b@example.com"]
    assert sink.connections == 1  # the two released letters went out as one chunk


# --- concurrent workers on PostgreSQL -----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_take_disjoint_chunks_without_waiting():
    """A claim holding its rows locked (its transaction still open) does not make a second claim
    of the same ids wait: the second takes the next rows (SKIP LOCKED)."""
    ids = [m.pk for m in _pending(*(f"p{n}@example.com" for n in range(250)))]
    first_claimed = threading.Event()
    second_done = threading.Event()
    claims: dict[str, list[int]] = {}
    waited = []

    def first():
        try:
            with transaction.atomic():
                claims["first"] = [m.pk for m in services._claim(ids=ids, limit=100)[1]]
                first_claimed.set()
                waited.append(not second_done.wait(timeout=10))
        finally:
            connection.close()

    def second():
        try:
            first_claimed.wait(timeout=10)
            claims["second"] = [m.pk for m in services._claim(ids=ids, limit=100)[1]]
            second_done.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert waited == [False], "the second claim waited for the first to commit"
    assert claims["first"] == ids[:100]
    assert claims["second"] == ids[100:200]
    assert EmailMessage.objects.filter(status=EmailStatus.PENDING).count() == 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_chunks_send_every_message_exactly_once(sink, settings):
    settings.NOTIFICATIONS_CHUNK_SIZE = 20
    ids = [m.pk for m in _pending(*(f"p{n}@example.com" for n in range(120)))]
    barrier = threading.Barrier(6)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            while sent := services.email_chunk_send(message_ids=ids).sent:
                outcomes.append(sent)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(outcomes) == 120
    assert sorted(sink.to()) == sorted(f"p{n}@example.com" for n in range(120))
    assert EmailMessage.objects.filter(status=EmailStatus.SENT, attempts=1).count() == 120
