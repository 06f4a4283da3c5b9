"""The audit trail is append-only: nobody changes or deletes an entry, not even a superuser."""

import pytest
from django.db import transaction
from django.urls import reverse

from core.models import AuditEntry, AuditEntryImmutableError
from core.request_id import clear_request_id
from core.services import audit_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(platform_admin):
    return audit_record(actor=platform_admin, action="programme.update", note="first")


def test_audit_entry_refuses_to_be_saved_again(entry):
    entry.action = "nothing.happened"
    with pytest.raises(AuditEntryImmutableError):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "programme.update"


def test_audit_entry_refuses_to_be_deleted(entry):
    with pytest.raises(AuditEntryImmutableError):
        entry.delete()
    with pytest.raises(AuditEntryImmutableError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AuditEntryImmutableError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_audit_entry_refuses_bulk_updates(entry):
    with pytest.raises(AuditEntryImmutableError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="nothing.happened")
    with pytest.raises(AuditEntryImmutableError):
        AuditEntry.objects.update(data={})
    entry.action = "nothing.happened"
    with pytest.raises(AuditEntryImmutableError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["action"])
    assert AuditEntry.objects.get(pk=entry.pk).action == "programme.update"


def test_audit_entry_outlives_its_actor():
    person = UserFactory(email="leaving@example.com")
    entry = audit_record(actor=person, action="account.login")

    person.delete()

    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor, entry.action) == (None, "account.login")


def test_audit_admin_is_read_only_for_superusers(client, platform_admin, entry):
    client.force_login(platform_admin)

    changelist = client.get(reverse("admin:core_auditentry_changelist"))
    assert changelist.status_code == 200
    body = changelist.content.decode()
    assert "programme.update" in body
    assert "delete_selected" not in body
    assert 'name="action"' not in body
    assert changelist.context["cl"].model_admin.get_actions(changelist.wsgi_request) == {}

    detail = client.get(reverse("admin:core_auditentry_change", args=[entry.pk]))
    assert detail.status_code == 200  # view only
    assert 'name="_save"' not in detail.content.decode()
    assert "/delete/" not in detail.content.decode()

    delete_url = reverse("admin:core_auditentry_delete", args=[entry.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:core_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    change = client.post(
        reverse("admin:core_auditentry_change", args=[entry.pk]), {"action": "nothing.happened"}
    )
    assert change.status_code == 403
    assert client.get(reverse("admin:core_auditentry_add")).status_code == 403

    assert AuditEntry.objects.get(pk=entry.pk).action == "programme.update"


# --- what every entry records ---------------------------------------------------------------


def test_audit_record_files_the_entry_under_its_programme(programme, platform_admin):
    by_object = audit_record(actor=platform_admin, action="programme.update", programme=programme)
    by_id = audit_record(actor=platform_admin, action="programme.update", programme=programme.pk)
    nowhere = audit_record(actor=platform_admin, action="account.login")

    assert AuditEntry.objects.get(pk=by_object.pk).programme_id == programme.pk
    assert AuditEntry.objects.get(pk=by_id.pk).programme_id == programme.pk
    assert AuditEntry.objects.get(pk=nowhere.pk).programme_id is None


@pytest.fixture
def outside_requests():
    """No request id left over from an earlier test's request on this thread."""
    clear_request_id()


def test_audit_record_outside_a_request_keeps_no_request_id(outside_requests, platform_admin):
    entry = audit_record(actor=platform_admin, action="programme.update")
    assert AuditEntry.objects.get(pk=entry.pk).request_id == ""


def test_audit_record_in_a_request_keeps_its_request_id(client, programme, programme_admin):
    client.force_login(programme_admin)
    response = client.get(
        reverse("programmes:programme_audit_export", args=[programme.slug]),
        HTTP_X_REQUEST_ID="support-ticket-4711",
    )
    assert response.status_code == 200
    b"".join(response.streaming_content)
    entry = AuditEntry.objects.get(action="programme.audit_export")
    assert (entry.request_id, entry.programme_id, entry.actor) == (
        "support-ticket-4711",
        programme.pk,
        programme_admin,
    )


def test_audit_record_in_a_task_keeps_the_task_and_its_id(outside_requests, platform_admin):
    from celery import shared_task

    @shared_task(name="tests.audit_in_a_task")
    def record(user_id):
        return audit_record(actor=None, action="programme.update", user=user_id).pk

    pk = record.apply(args=[platform_admin.pk], task_id="abc123").get()

    assert AuditEntry.objects.get(pk=pk).request_id == "task:tests.audit_in_a_task:abc123"


def test_audit_entry_programme_cannot_be_changed_later(programme, other_programme, entry):
    entry.programme_id = other_programme.pk
    with pytest.raises(AuditEntryImmutableError):
        entry.save()
    with pytest.raises(AuditEntryImmutableError):
        AuditEntry.objects.filter(pk=entry.pk).update(programme_id=other_programme.pk)
    assert AuditEntry.objects.get(pk=entry.pk).programme_id is None


# --- below the ORM (PostgreSQL) -------------------------------------------------------------


def _raw(sql, params):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.postgres
def test_database_refuses_to_update_an_audit_entry(entry, platform_admin):
    from django.db import DatabaseError

    with (
        pytest.raises(DatabaseError, match="audit entries cannot be changed"),
        transaction.atomic(),
    ):
        _raw("UPDATE core_auditentry SET action = %s WHERE id = %s", ["nothing.happened", entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        # Not even setting the actor to NULL together with another change.
        _raw("UPDATE core_auditentry SET actor_id = NULL, data = '{}' WHERE id = %s", [entry.pk])
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.action, entry.data, entry.actor_id) == (
        "programme.update",
        {"note": "first"},
        platform_admin.pk,
    )


@pytest.mark.postgres
def test_database_refuses_to_delete_an_audit_entry(entry):
    from django.db import DatabaseError

    with (
        pytest.raises(DatabaseError, match="audit entries cannot be changed"),
        transaction.atomic(),
    ):
        _raw("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    # Django's own delete path, which skips the queryset's refusal, meets the trigger too.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry._base_manager.filter(pk=entry.pk)._raw_delete(AuditEntry.objects.db)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.postgres
def test_database_lets_a_deleted_user_leave_their_entries_pseudonymised():
    person = UserFactory(email="leaving.pg@example.com")
    entry = audit_record(actor=person, action="account.login", note="kept")

    person.delete()

    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor_id, entry.action, entry.data) == (None, "account.login", {"note": "kept"})


def test_audit_admin_shows_programme_and_request_and_finds_by_request_id(
    client, platform_admin, programme
):
    audit_record(actor=platform_admin, action="programme.update", programme=programme)
    found = AuditEntry.objects.create(action="programme.update", request_id="req-find-me-123")
    client.force_login(platform_admin)

    changelist = client.get(reverse("admin:core_auditentry_changelist"), {"q": "req-find-me-123"})

    assert list(changelist.context["cl"].result_list) == [found]
    detail = client.get(reverse("admin:core_auditentry_change", args=[found.pk]))
    assert "req-find-me-123" in detail.content.decode()


def test_audit_record_in_a_management_command_keeps_its_name(
    outside_requests, platform_admin, monkeypatch
):
    monkeypatch.setattr("sys.argv", ["manage.py", "seed_demo", "--seed", "3"])
    entry = audit_record(actor=platform_admin, action="programme.update")
    assert AuditEntry.objects.get(pk=entry.pk).request_id == "command:seed_demo"


def test_audit_entry_refuses_to_be_overwritten_through_a_new_object(entry):
    """A new object given an existing entry's id is an INSERT (refused), never an UPDATE."""
    from django.db import IntegrityError

    forged = AuditEntry(pk=entry.pk, action="nothing.happened", target_type="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()
    with pytest.raises(AuditEntryImmutableError):
        AuditEntry.objects.bulk_create(
            [AuditEntry(pk=entry.pk, action="nothing.happened")],
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["action"],
        )
    with pytest.raises(AuditEntryImmutableError):
        AuditEntry.objects.update_or_create(pk=entry.pk, defaults={"action": "nothing.happened"})
    assert AuditEntry.objects.get(pk=entry.pk).action == "programme.update"


@pytest.mark.parametrize(
    "model",
    [
        "programmes.programmerole",
        "courses.attendance",
        "compute.allocationrequest",
        "compute.integrationtoken",
        "mentoring.matchingrun",
        "mentoring.pairing",
    ],
)
def test_audited_changes_cannot_be_made_in_the_admin(client, platform_admin, model):
    """These rows change only through the services, which audit them: the admin shows them and
    offers no way to add, change or delete one."""
    app_label, model_name = model.split(".")
    client.force_login(platform_admin)
    changelist = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert changelist.status_code == 200
    assert client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code == 403
