import datetime
import re
import smtplib

import pytest
import time_machine
from django.core import mail, signing
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications import rendering, selectors, services, tasks
from notifications.enums import EmailStatus
from notifications.models import EmailMessage, Notification, NotificationPreference
from notifications.registry import all_kinds, get_kind
from tests.factories import ProgrammeFactory, UserFactory
from tests.notifications.backends import reply

pytestmark = pytest.mark.django_db

ROLE = "programme.role_granted"
CONTEXT = {
    "programme_name": "AI Forward 2026",
    "role_label": "Reviewer",
    "granted_by": "Farah Osman",
}


def _notify(user, **kwargs):
    return services.notify(
        recipient=user,
        kind=kwargs.pop("kind", ROLE),
        context=kwargs.pop("context", CONTEXT),
        **kwargs,
    )


# --- notify ---------------------------------------------------------------------------------


def test_notify_writes_notification_and_email_and_sends_after_commit(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(email="maya@example.com", display_name="Maya Tan")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        delivery = _notify(user, url="/programmes/ai-forward-2026/")
        # Nothing leaves before the caller's transaction commits.
        assert mail.outbox == []

    assert len(callbacks) == 1
    assert delivery.notification.text == "You are now Reviewer in AI Forward 2026."
    assert delivery.notification.url == "/programmes/ai-forward-2026/"
    delivery.email.refresh_from_db()
    assert delivery.email.status == EmailStatus.SENT
    assert delivery.email.attempts == 1
    assert [m.to for m in mail.outbox] == [["maya@example.com"]]
    sent = mail.outbox[0]
    assert sent.subject == "You are now Reviewer in AI Forward 2026"
    assert "Farah Osman added you to the team of AI Forward 2026 as Reviewer." in sent.body
    assert "http://testserver/programmes/ai-forward-2026/" in sent.body
    html = sent.alternatives[0][0]
    assert "<strong>AI Forward 2026</strong>" in html
    assert sent.extra_headers["Message-ID"] == f"<cohortline.{delivery.email.pk}@testserver>"


def test_notify_renders_both_parts_without_external_assets():
    user = UserFactory()
    for kind in all_kinds():
        delivery = _notify(user, kind=kind.name, context=kind.example, url="/dashboard/")
        email = delivery.email
        assert email.subject and "{{" not in email.subject
        assert email.body_text.strip() and "{%" not in email.body_text
        assert email.body_html.startswith("<!DOCTYPE html>")
        assert "http://testserver/dashboard/" in email.body_text
        assert 'href="http://testserver/dashboard/"' in email.body_html
        # The HTML part loads nothing from anywhere: no images, stylesheets or scripts.
        assert not re.search(r"<(img|link|script)\b", email.body_html)
        assert "src=" not in email.body_html


def test_optional_kind_carries_unsubscribe_link_and_headers():
    user = UserFactory()
    email = _notify(user).email
    link = email.headers["List-Unsubscribe"].strip("<>")
    assert link.startswith("http://testserver/notifications/unsubscribe/")
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in email.body_text
    assert link in email.body_html


def test_mandatory_kind_has_no_unsubscribe():
    kind = get_kind("account.security")
    email = _notify(UserFactory(), kind=kind.name, context=kind.example).email
    assert email.headers == {}
    assert "cannot be switched off" in email.body_text


def test_notify_dedupe_key_never_writes_twice():
    user = UserFactory()
    first = _notify(user, dedupe_key="role:1")
    second = _notify(user, dedupe_key="role:1")
    assert first is not None and second is None
    assert Notification.objects.filter(recipient=user).count() == 1
    assert EmailMessage.objects.filter(recipient=user).count() == 1
    # Another recipient may use the same key.
    assert _notify(UserFactory(), dedupe_key="role:1") is not None


def test_dedupe_is_a_database_constraint():
    user = UserFactory()
    Notification.objects.create(recipient=user, kind=ROLE, text="x", dedupe_key="k")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=user, kind=ROLE, text="y", dedupe_key="k")
    EmailMessage.objects.create(
        recipient=user,
        to_email=user.email,
        kind=ROLE,
        subject="s",
        body_text="t",
        body_html="h",
        dedupe_key="k",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        EmailMessage.objects.create(
            recipient=user,
            to_email=user.email,
            kind=ROLE,
            subject="s",
            body_text="t",
            body_html="h",
            dedupe_key="k",
        )


def test_notify_respects_preferences():
    email_off = UserFactory()
    services.preference_set(
        user=email_off, kind=ROLE, is_email_enabled=False, is_in_app_enabled=True
    )
    delivery = _notify(email_off)
    assert delivery.email is None and delivery.notification is not None

    in_app_off = UserFactory()
    services.preference_set(
        user=in_app_off, kind=ROLE, is_email_enabled=True, is_in_app_enabled=False
    )
    delivery = _notify(in_app_off)
    assert delivery.notification is None and delivery.email is not None

    both_off = UserFactory()
    services.preference_set(
        user=both_off, kind=ROLE, is_email_enabled=False, is_in_app_enabled=False
    )
    assert _notify(both_off) is None
    assert not EmailMessage.objects.filter(recipient=both_off).exists()


def test_mandatory_kind_cannot_be_switched_off():
    user = UserFactory()
    with pytest.raises(services.PreferenceError):
        services.preference_set(
            user=user, kind="account.security", is_email_enabled=False, is_in_app_enabled=True
        )
    # Even a stored preference (written behind the service's back) is ignored.
    NotificationPreference.objects.create(
        user=user, kind="account.security", is_email_enabled=False, is_in_app_enabled=False
    )
    kind = get_kind("account.security")
    delivery = _notify(user, kind=kind.name, context=kind.example)
    assert delivery.email is not None and delivery.notification is not None


def test_notify_rejects_unknown_kind():
    with pytest.raises(ValueError, match="Unknown notification kind"):
        _notify(UserFactory(), kind="nonsense")


def test_caller_that_fails_after_notify_leaves_no_message_and_no_task(
    django_capture_on_commit_callbacks,
):
    user = UserFactory()

    def failing_service():
        with transaction.atomic():
            _notify(user)
            raise RuntimeError("the caller's own write failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        failing_service()

    assert callbacks == []
    assert not Notification.objects.exists()
    assert not EmailMessage.objects.exists()
    assert mail.outbox == []


def test_staged_message_waits_for_release(django_capture_on_commit_callbacks):
    user = UserFactory()
    programme, other = ProgrammeFactory(), ProgrammeFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = _notify(user, staged=True, scope=programme.notification_scope).email
        theirs = _notify(UserFactory(), staged=True, scope=other.notification_scope).email
    assert callbacks == []
    email.refresh_from_db()
    assert email.status == EmailStatus.STAGED
    assert mail.outbox == []
    # Staged means unseen: no notification in the centre, nothing on the bell.
    assert selectors.unread_count_for_user(user=user) == 0
    assert list(selectors.notification_list_for_user(user=user)) == []

    with django_capture_on_commit_callbacks(execute=True):
        released = services.staged_release(scope=programme.notification_scope)
    assert released == 1
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert len(mail.outbox) == 1
    assert selectors.unread_count_for_user(user=user) == 1
    # Another programme's staged messages stay staged; releasing again finds nothing.
    theirs.refresh_from_db()
    assert theirs.status == EmailStatus.STAGED
    assert services.staged_release(scope=programme.notification_scope) == 0


# --- notify_bulk ------------------------------------------------------------------------------


def test_notify_bulk_writes_rows_and_skips_deduped_and_opted_out(
    django_capture_on_commit_callbacks,
):
    programme = ProgrammeFactory()
    people = [UserFactory() for _ in range(5)]
    services.preference_set(
        user=people[0], kind=ROLE, is_email_enabled=False, is_in_app_enabled=True
    )
    _notify(people[1], dedupe_key="bulk-1")

    with django_capture_on_commit_callbacks(execute=True):
        count = services.notify_bulk(
            recipients=people,
            kind=ROLE,
            context=CONTEXT,
            scope=programme.notification_scope,
            dedupe_key="bulk-1",
        )
    assert count == 3  # people[0] opted out of email, people[1] already notified
    assert Notification.objects.filter(dedupe_key="bulk-1").count() == 5
    assert (
        EmailMessage.objects.filter(
            scope=programme.notification_scope, status=EmailStatus.SENT
        ).count()
        == 3
    )
    assert len(mail.outbox) == 3


@pytest.mark.parametrize("count", [3, 30])
def test_notify_bulk_query_count_does_not_grow(django_assert_num_queries, count):
    people = [UserFactory() for _ in range(count)]
    # preferences, savepoint + notifications insert + emails insert + release savepoint; on
    # PostgreSQL staged rows go through COPY, which the query log does not list
    from django.db import connection

    with django_assert_num_queries(3 if connection.vendor == "postgresql" else 5):
        services.notify_bulk(recipients=people, kind=ROLE, context=CONTEXT, staged=True)
    assert EmailMessage.objects.filter(status=EmailStatus.STAGED).count() == count


def test_enqueue_in_chunks_for_large_batches(monkeypatch):
    published = []
    monkeypatch.setattr(
        tasks.enqueue_emails_task,
        "apply_async",
        lambda args: published.append(("fan-out", len(args[0]))),
    )
    monkeypatch.setattr(
        tasks.email_chunk_send_task,
        "apply_async",
        lambda args: published.append(("chunk", args[0][0], len(args[0]))),
    )
    assert services.enqueue_emails(list(range(1, 2201)))
    assert published == [("fan-out", 1000), ("fan-out", 1000), ("fan-out", 200)]
    published.clear()
    services.enqueue_emails(list(range(1, 251)))
    assert published == [("chunk", 1, 100), ("chunk", 101, 100), ("chunk", 201, 50)]


def test_enqueue_survives_a_broker_outage(monkeypatch):
    from kombu.exceptions import OperationalError

    def down(**kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.email_chunk_send_task, "apply_async", down)
    assert services.enqueue_emails([1]) is False


# --- delivery ---------------------------------------------------------------------------------


def _pending(user=None):
    return _notify(user or UserFactory()).email


def test_email_send_is_at_most_once():
    email = _pending()
    assert services.email_send(message_id=email.pk).status == "sent"
    assert services.email_send(message_id=email.pk).status == "skipped"
    assert len(mail.outbox) == 1


def test_email_send_skips_a_row_claimed_by_another_worker():
    email = _pending()
    EmailMessage.objects.filter(pk=email.pk).update(
        status=EmailStatus.SENDING, claimed_at=timezone.now()
    )
    assert services.email_send(message_id=email.pk).status == "skipped"
    assert mail.outbox == []


@pytest.mark.parametrize(
    "failure",
    [
        reply(421, "Service not available, try again later"),
        reply(451, "Local error in processing"),
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        smtplib.SMTPRecipientsRefused({"a@example.com": (450, b"Mailbox busy")}),
    ],
    ids=["421", "451", "refused", "timeout", "disconnected", "rcpt-450"],
)
def test_transient_failure_is_retried_with_backoff(scripted_smtp, failure):
    email = _pending()
    scripted_smtp.append(failure)
    outcome = services.email_send(message_id=email.pk)
    assert outcome.status == "retry"
    assert 1 <= outcome.retry_in <= 2  # base 1 s in tests, plus up to 1 s of jitter
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.PENDING, 1)
    assert email.last_error
    assert email.next_attempt_at > timezone.now()

    # When the retry is due, the next attempt succeeds.
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=3)):
        assert services.email_send(message_id=email.pk).status == "sent"
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENT, 2)
    assert len(mail.outbox) == 1


def test_backoff_grows_exponentially(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 30
    delays = [services._backoff(attempt) for attempt in (1, 2, 3, 4)]
    for attempt, delay in zip((1, 2, 3, 4), delays, strict=True):
        assert 30 * 2 ** (attempt - 1) <= delay <= 30 * 2 ** (attempt - 1) + 30


@pytest.mark.parametrize(
    "failure",
    [
        reply(550, "No such user"),
        reply(554, "Transaction failed"),
        smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"No such user")}),
        smtplib.SMTPSenderRefused(553, b"Sender address rejected", "no-reply@cohortline.local"),
    ],
    ids=["550", "554", "rcpt-550", "sender-553"],
)
def test_permanent_failure_is_marked_failed_and_not_retried(scripted_smtp, failure):
    email = _pending()
    scripted_smtp.append(failure)
    assert services.email_send(message_id=email.pk).status == "failed"
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED
    assert email.last_error.startswith(str(getattr(failure, "smtp_code", "recipient refused")))
    assert services.email_send(message_id=email.pk).status == "skipped"
    assert mail.outbox == []


def test_transient_failures_stop_after_max_attempts(scripted_smtp, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    email = _pending()
    scripted_smtp.extend([reply(421), reply(421)])
    assert services.email_send(message_id=email.pk).status == "retry"
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        assert services.email_send(message_id=email.pk).status == "failed"
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.FAILED, 2)


def test_email_retry_sends_a_failed_message_again(
    scripted_smtp, django_capture_on_commit_callbacks
):
    email = _pending()
    scripted_smtp.append(reply(550))
    services.email_send(message_id=email.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.email_retry(message=email) is True
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert services.email_retry(message=email) is False


def test_send_email_task_runs_the_service():
    email = _pending()
    assert tasks.send_email_task.apply(args=[email.pk]).get() == "sent"
    assert tasks.send_email_task.apply(args=[email.pk]).get() == "skipped"


# --- sweeper ----------------------------------------------------------------------------------


def test_sweeper_enqueues_pending_left_behind_and_recovers_dead_workers():
    old = timezone.now() - datetime.timedelta(minutes=30)
    left_behind = _pending()
    fresh = _pending()
    dead_worker = _pending()
    later = _pending()
    EmailMessage.objects.filter(pk=left_behind.pk).update(updated_at=old)
    EmailMessage.objects.filter(pk=dead_worker.pk).update(
        status=EmailStatus.SENDING, claimed_at=old, updated_at=old
    )
    EmailMessage.objects.filter(pk=later.pk).update(
        updated_at=old, next_attempt_at=timezone.now() + datetime.timedelta(minutes=5)
    )

    assert services.outbox_sweep() == 2

    statuses = dict(EmailMessage.objects.values_list("pk", "status"))
    assert statuses == {
        left_behind.pk: EmailStatus.SENT,
        fresh.pk: EmailStatus.PENDING,
        dead_worker.pk: EmailStatus.SENT,
        later.pk: EmailStatus.PENDING,
    }
    # A second sweep right away finds nothing to do.
    assert services.outbox_sweep() == 0
    assert tasks.sweep_outbox_task.apply().get() == 0


# --- read state, preferences, tokens ------------------------------------------------------------


def test_mark_read_and_all_read_touch_only_own_notifications():
    me, other = UserFactory(), UserFactory()
    mine = [_notify(me).notification for _ in range(3)]
    theirs = _notify(other).notification
    services.notification_mark_read(user=me, notification=mine[0])
    services.notification_mark_read(user=me, notification=theirs)
    assert selectors.unread_count_for_user(user=me) == 2
    assert selectors.unread_count_for_user(user=other) == 1
    assert services.notification_mark_all_read(user=me) == 2
    assert selectors.unread_count_for_user(user=me) == 0
    assert selectors.unread_count_for_user(user=other) == 1


def test_preference_rows_default_on_and_mandatory_always_on(django_assert_num_queries):
    user = UserFactory()
    services.preference_set(user=user, kind=ROLE, is_email_enabled=False, is_in_app_enabled=True)
    with django_assert_num_queries(1):
        rows = {
            row.kind.name: (row.is_email_enabled, row.is_in_app_enabled)
            for row in selectors.preference_rows_for_user(user=user)
        }
    assert rows == {
        "account.security": (True, True),
        "programme.role_granted": (False, True),
        "programme.announcement": (True, True),
        "application.submitted": (True, True),
        "application.deadline_reminder": (True, True),
        "application.withdrawn": (True, True),
        "application.dispute_resolved": (True, True),
        "selection.offer": (True, True),
        "selection.offer_reminder": (True, True),
        "selection.offer_accepted": (True, True),
        "selection.offer_declined": (True, True),
        "selection.waitlisted": (True, True),
        "selection.not_selected": (True, True),
        "review.assigned": (True, True),
        "review.reminder": (True, True),
        "compute.threshold": (True, True),
        "compute.topup_decided": (True, True),
        "mentoring.introduced": (True, True),
        "mentoring.session_logged": (True, True),
        "mentoring.nudge": (True, True),
        "mentoring.stalled": (True, True),
        "mentoring.ended": (True, True),
        "courses.session_reminder": (True, True),
        "courses.session_changed": (True, True),
        "courses.message": (True, True),
        "certificates.issued": (True, True),
        "certificates.revoked": (True, True),
        "privacy.erasure_scheduled": (True, True),
        "privacy.erasure_cancelled": (True, True),
    }


def test_unsubscribe_token_roundtrip_and_tamper():
    token = rendering.unsubscribe_token(user_id=42, kind=ROLE)
    assert rendering.read_unsubscribe_token(token) == (42, ROLE)
    with pytest.raises(signing.BadSignature):
        rendering.read_unsubscribe_token(
            token[:-2] + ("A" if token[-1] != "A" else "B") + token[-1]
        )


def test_unsubscribe_keeps_in_app():
    user = UserFactory()
    services.unsubscribe(user=user, kind=ROLE)
    pref = NotificationPreference.objects.get(user=user, kind=ROLE)
    assert (pref.is_email_enabled, pref.is_in_app_enabled) == (False, True)


def test_notification_kinds_command_lists_every_kind(capsys):
    call_command("notification_kinds")
    out = capsys.readouterr().out
    for kind in all_kinds():
        assert kind.name in out
    assert "account.security             mandatory" in out


def test_copy_columns_name_every_column_of_the_outbox_tables():
    """Staged letters are written with COPY on PostgreSQL, naming each column: a new field
    must be added there too."""
    from notifications.services import EMAIL_COLUMNS, NOTIFICATION_COLUMNS

    def columns(model):
        return {f.column for f in model._meta.concrete_fields} - {"id"}

    assert set(EMAIL_COLUMNS) == columns(EmailMessage)
    assert set(NOTIFICATION_COLUMNS) == columns(Notification)
