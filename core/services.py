import os
import sys
from typing import Any

from celery import current_task
from django.db import models

from .models import AuditEntry
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
