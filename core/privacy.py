"""Core's part of a person's data: who at a programme opened, downloaded or changed it.

The audit log's entries that target the person's account or one of their objects (the targets
the other parts gave), written by somebody else. The person sees what was done, when, in which
programme and by what kind of person (programme staff, a platform administrator, the system),
not the staff member's name or email: those are the staff member's own personal data, and the
programme answers for its staff (docs/operations.md, "Answering an access request").
"""

from collections import defaultdict

from django.contrib.admin.models import LogEntry
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import AuditEntry
from core.privacy_registry import (
    Erased,
    ErasureScope,
    PersonalData,
    PrivacyPart,
    Target,
    mentioning,
    redact,
    target_of,
    when,
)
from core.services import audit_redact


def _by(entry: AuditEntry) -> str:
    if entry.actor is None:
        return "system"
    if entry.actor.is_superuser:
        return "platform administrator"
    return "programme staff"


def _what(action: str) -> str:
    verb = action.rsplit(".", 1)[-1]
    if "download" in verb or "export" in verb:
        return "downloaded"
    if "view" in verb or "opened" in verb:
        return "looked at"
    return "changed"


def collect(person, targets: frozenset[Target]) -> PersonalData:
    ids_by_type: dict[str, list[str]] = defaultdict(list)
    for target_type, target_id in {*targets, target_of(person)}:
        ids_by_type[target_type].append(target_id)
    about_person = Q()
    for target_type, ids in ids_by_type.items():
        about_person |= Q(target_type=target_type, target_id__in=sorted(ids))
    entries = (
        AuditEntry.objects.filter(about_person)
        .exclude(actor=person)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    return PersonalData(
        records=[
            {
                "at": when(entry.created_at),
                "action": entry.action,
                "what": _what(entry.action),
                "object": f"{entry.target_type}:{entry.target_id}",
                "programme_id": entry.programme_id,
                "by": _by(entry),
            }
            for entry in entries
        ]
    )


# Where a request came from, as the account events record it: the person's, not the log's.
REQUEST_ORIGIN_KEYS = ("ip", "user_agent")


def _admin_log_redact(needles: frozenset[str]) -> int:
    """The admin site's change log names what it changed as it was then (`object_repr`, a
    person's name or email) and may quote it in its message: those go as in the audit log."""
    rows = 0
    entries = LogEntry.objects.filter(mentioning(needles, "object_repr", "change_message"))
    for entry in entries.only("pk", "object_repr", "change_message"):
        LogEntry.objects.filter(pk=entry.pk).update(
            object_repr=redact(entry.object_repr, needles),
            change_message=redact(entry.change_message, needles),
        )
        rows += 1
    return rows


def erase(scope: ErasureScope) -> Erased:
    """The audit log stays (who did what, and when, is the programme's accountability), keyed
    by ids; on an erasure, the person's email addresses and names that an entry copied into
    its data are replaced, and the entries by or about the person lose where the request came
    from (IP address, user agent). The admin site's change log is redacted the same way."""
    if not scope.is_whole:
        return Erased()
    needles = scope.identifiers
    person = scope.person
    user_type, user_id = target_of(person)
    rows = audit_redact(
        needles=needles,
        redact=lambda data: redact(data, needles),
        about=Q(actor=person) | Q(target_type=user_type, target_id=user_id),
        forget=REQUEST_ORIGIN_KEYS,
    )
    return Erased(rows=rows + _admin_log_redact(needles))


PARTS = (
    PrivacyPart(
        slug="access_log",
        label=_("Who looked at or downloaded your data"),
        collect=collect,
        order=1000,
        erase=erase,
    ),
)
