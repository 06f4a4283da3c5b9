from typing import Any

from django.db import models

from .models import AuditEntry


def audit_record(
    *, actor: Any | None, action: str, target: models.Model | None = None, **data: Any
) -> AuditEntry:
    """Append an audit entry. Writes one row; never raises for a missing actor."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data,
    )
