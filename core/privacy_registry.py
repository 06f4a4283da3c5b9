"""The registry of personal-data parts: what each app holds about a person, for an access
request (Singapore's PDPA, section 21).

Each app declares its part in `<app>/privacy.py` and registers it from its
`AppConfig.ready()` with `register(...)`. `core` sits below every app, so every app may
register; the archive itself is built by `exports` (exports/personal.py), which reads this
registry and imports no feature app.

A part's `collect(person, targets)` returns a `PersonalData`:
- `records`: JSON-ready dicts (str, int, float, bool, None, lists and dicts of those), each
  one thing held about the person (an application, a session, a certificate…). Only what is
  the person's own: never another person's name or email, never a reviewer's identity or a
  staff member's private notes;
- `files`: the person's uploaded files, copied into the archive under `files/`;
- `targets`: the person's objects as `(target_type, target_id)` pairs, the keys of the audit
  log (`AuditEntry.target_type` / `target_id`), so that the audit part can list who at a
  programme opened them. Parts run in `order`; each receives the targets of those before it
  (the audit part runs last).

A part's `erase(scope)` anonymises what the app holds about `scope.person` (an erasure
request, or a retention purge of some cohorts: `scope.cohort_ids`) and returns an `Erased`:
how many rows it changed or deleted, and the stored files that must go. It keeps what others'
decisions and the cohorts' figures rest on (statuses, scores, counts, anonymous rows) and
blanks the rest: names, emails, free text, answers, files. The erasure itself is run by
`privacy` (privacy/services.py), which deletes the files and the account's own fields.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise

Target = tuple[str, str]


@dataclass(frozen=True)
class PersonalFile:
    """A stored file of the person: where it goes in the archive, and where it is stored."""

    archive_name: str
    storage_name: str
    storage_alias: str = "private"


@dataclass
class PersonalData:
    records: list[dict[str, Any]] = field(default_factory=list)
    files: list[PersonalFile] = field(default_factory=list)
    targets: set[Target] = field(default_factory=set)


@dataclass(frozen=True)
class ErasureScope:
    """What to erase: everything about `person` (`cohort_ids` None, an erasure request), or
    only what belongs to these cohorts (a retention purge; the account stays)."""

    person: Any
    now: datetime
    cohort_ids: frozenset[int] | None = None
    # The person's choice for issued certificates: keep the public verification, or revoke it.
    keep_certificates: bool = True
    # The address the account is left with (`erased-<id>@erased.invalid`): where another
    # person's row named the person by email (a reviewer's conflict), it names this instead.
    placeholder_email: str = ""
    # What names the person in other people's rows (their email addresses and names, five
    # characters or more): an erasure replaces these with `REDACTED` where they were copied
    # into others' notices, emails and the audit log. Empty for a retention purge.
    identifiers: frozenset[str] = frozenset()
    # The notification scopes (`programme:<id>`) whose notices and emails to the person go in a
    # retention purge: the programmes where nothing of theirs is kept any longer.
    notification_scopes: frozenset[str] = frozenset()

    @property
    def is_whole(self) -> bool:
        return self.cohort_ids is None

    def covers(self, cohort_id: int | None) -> bool:
        return self.cohort_ids is None or cohort_id in self.cohort_ids


@dataclass
class Erased:
    rows: int = 0
    files: list[PersonalFile] = field(default_factory=list)

    def __iadd__(self, other: "Erased") -> "Erased":
        self.rows += other.rows
        self.files.extend(other.files)
        return self


REDACTED = "[erased]"


def _pattern(needle: str) -> re.Pattern:
    """A needle as a whole: not inside a longer word or address ("David Tan" is not in "David
    Tang", "mei@example.com" not in "amei@example.com"), and a name not as the start of an
    address ("david" in "david.tan@example.com" is someone else's address)."""
    before = r"(?<![A-Za-z0-9._%+-])"
    if "@" in needle:
        return re.compile(
            before + re.escape(needle) + r"(?![A-Za-z0-9-])(?!\.[A-Za-z0-9])", re.IGNORECASE
        )
    return re.compile(
        r"(?<![A-Za-z0-9])" + re.escape(needle) + r"(?![A-Za-z0-9])(?![A-Za-z0-9._%+-]*@)",
        re.IGNORECASE,
    )


def mentioning(needles: frozenset[str] | set[str], *lookups: str) -> models.Q:
    """The rows where any of `lookups` (text fields, or a JSON field cast to text) holds any
    needle, case-insensitively: the candidates `redact` then rewrites (it matches whole
    words only, so some candidates come back unchanged). Matches nothing without needles."""
    found = models.Q(pk__in=[])
    for needle in sorted(needles):
        for lookup in lookups:
            found |= models.Q(**{f"{lookup}__icontains": needle})
    return found


def redact(value: Any, needles: frozenset[str] | set[str]) -> Any:
    """`value` (a string, or JSON: lists and dicts of strings) with every occurrence of each
    needle, as a whole (`_pattern`), replaced by `REDACTED`, case-insensitively; other values
    come back unchanged."""
    if isinstance(value, str):
        for needle in sorted(needles, key=len, reverse=True):
            if needle and needle.casefold() in value.casefold():
                value = _pattern(needle).sub(REDACTED, value)
        return value
    if isinstance(value, list):
        return [redact(item, needles) for item in value]
    if isinstance(value, dict):
        return {key: redact(item, needles) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class PrivacyPart:
    slug: str
    label: str | Promise
    collect: Callable[[Any, frozenset[Target]], PersonalData]
    order: int = 100
    erase: Callable[[ErasureScope], Erased] | None = None


PARTS: dict[str, PrivacyPart] = {}


def register(*parts: PrivacyPart) -> None:
    """Declare personal-data parts; an app calls this from its `AppConfig.ready()`. A slug
    may be registered once (the very same part again does nothing: `ready()` may run twice)."""
    for part in parts:
        known = PARTS.get(part.slug)
        if known is not None and known is not part:
            raise ImproperlyConfigured(
                f"Personal-data part {part.slug!r} is registered twice; each part is declared "
                "once, in the privacy.py of the app that owns the data."
            )
    PARTS.update((part.slug, part) for part in parts)


def parts() -> list[PrivacyPart]:
    """The registered parts in the order they are collected."""
    return sorted(PARTS.values(), key=lambda part: (part.order, part.slug))


def target_of(obj: models.Model) -> Target:
    """The audit log's key for an object (as `core.services.audit_record` writes it)."""
    return (obj._meta.label_lower, str(obj.pk))


def when(value) -> str | None:
    """A date or datetime as ISO 8601 (None stays None)."""
    return value.isoformat() if value is not None else None


def number(value) -> str | None:
    """A Decimal as a string, exactly (None stays None)."""
    return str(value) if value is not None else None
