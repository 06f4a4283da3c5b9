"""Migrations of the notifications app keep every row."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import ProgrammeFactory, UserFactory

BEFORE = [("notifications", "0002_decisions_exact")]
AFTER = [("notifications", "0003_scope")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def restore_schema(transactional_db):
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_scope_migration_keeps_rows_and_reverses(restore_schema):
    programme, other = ProgrammeFactory(), ProgrammeFactory()
    user = UserFactory()
    old = _migrate(BEFORE)
    Notification = old.get_model("notifications", "Notification")
    EmailMessage = old.get_model("notifications", "EmailMessage")
    notification = Notification.objects.create(
        recipient_id=user.pk, kind="programme.announcement", programme_id=programme.pk, text="Hi"
    )
    unscoped = Notification.objects.create(
        recipient_id=user.pk, kind="programme.announcement", text="Hello"
    )
    email = EmailMessage.objects.create(
        recipient_id=user.pk,
        to_email=user.email,
        kind="programme.announcement",
        programme_id=other.pk,
        subject="Kick-off",
        body_text="Text",
        body_html="<p>Text</p>",
        status="staged",
    )

    new = _migrate(AFTER)
    notifications = dict(
        new.get_model("notifications", "Notification").objects.values_list("pk", "scope")
    )
    emails = dict(new.get_model("notifications", "EmailMessage").objects.values_list("pk", "scope"))
    assert notifications == {notification.pk: f"programme:{programme.pk}", unscoped.pk: ""}
    assert emails == {email.pk: f"programme:{other.pk}"}
    assert programme.notification_scope == f"programme:{programme.pk}"

    old = _migrate(BEFORE)
    notifications = dict(
        old.get_model("notifications", "Notification").objects.values_list("pk", "programme_id")
    )
    emails = dict(
        old.get_model("notifications", "EmailMessage").objects.values_list("pk", "programme_id")
    )
    assert notifications == {notification.pk: programme.pk, unscoped.pk: None}
    assert emails == {email.pk: other.pk}
