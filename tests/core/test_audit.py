"""The audit trail is append-only: nobody changes or deletes an entry, not even a superuser."""

import pytest
from django.db import transaction
from django.urls import reverse

from core.models import AuditEntry, AuditEntryImmutableError
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
