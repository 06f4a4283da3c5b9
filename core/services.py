import os
import sys
from typing import Any

from celery import current_task
from django.db import connection, models, transaction
from django.db.models.functions import Cast

from .models import AuditEntry
from .privacy_registry import mentioning
from .request_id import NO_REQUEST, current_request_id

_REQUEST_ID_LENGTH = AuditEntry._meta.get_field("request_id").max_length


def audit_context() -> str:
    """Where the action comes from: the request's id; "task:<name>:<id>" inside a background
    task; "command:<name>" in a management command run by manage.py; else blank (a shell
    started otherwise, a test)."""
    request_id = current_request_id()
    if request_id != NO_REQUEST:
        return request_id
    if current_task and current_task.request.id:
        return f"task:{current_task.name}:{current_task.request.id}"[:_REQUEST_ID_LENGTH]
    if len(sys.argv) > 1 and os.path.basename(sys.argv[0]) in ("manage.py", "django-admin"):
        return f"command:{sys.argv[1]}"[:_REQUEST_ID_LENGTH]
    return ""


def audit_record(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    programme: models.Model | int | None = None,
    **data: Any,
) -> AuditEntry:
    """Append an audit entry. Writes one row; never raises for a missing actor.

    `programme` (a programme or its id) files the entry in that programme's log, which its admins
    read; leave it out only for actions that belong to no programme (signing in, say). The
    request id, or the background task, is recorded with it.
    """
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        programme_id=programme.pk if isinstance(programme, models.Model) else programme,
        request_id=audit_context(),
        data=data,
    )


def audit_redact(
    *,
    needles: frozenset[str],
    redact,
    about: models.Q | None = None,
    forget: tuple[str, ...] = (),
) -> int:
    """The one change ever made to written entries: an erasure replaces a person's email
    addresses and names where an entry's data copied them (`redact(data)` returns the new
    data), and drops the keys `forget` (where a request came from: the IP address and user
    agent) from the entries `about` selects (those by or about the person). On PostgreSQL the
    append-only trigger lets it through only inside this function's transaction (the
    maintenance switch, set and cleared around the update). Returns the number of entries
    changed."""
    forgetting = models.Q(pk__in=[])
    if about is not None and forget:
        forgetting = about & models.Q(data__has_any_keys=list(forget))
    wanted = mentioning(needles, "data_text") | forgetting
    changed = 0
    with transaction.atomic():
        entries = list(
            AuditEntry._base_manager.annotate(data_text=Cast("data", models.TextField()))
            .filter(wanted)
            .only("pk", "data")
        )
        if not entries:
            return 0
        forget_in = set(
            AuditEntry._base_manager.filter(forgetting).values_list("pk", flat=True)
            if about is not None and forget
            else ()
        )
        postgres = connection.vendor == "postgresql"
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL cohortline.audit_maintenance = 'on'")
        try:
            for entry in entries:
                data = redact(entry.data)
                if entry.pk in forget_in and isinstance(data, dict):
                    data = {key: value for key, value in data.items() if key not in forget}
                if data != entry.data:
                    changed += AuditEntry._base_manager.filter(pk=entry.pk).update(data=data)
        finally:
            if postgres:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL cohortline.audit_maintenance = ''")
    return changed
