"""The registry of export kinds; each app declares its own.

An app lists its kinds in `<app>/export_kinds.py` and registers them from its
`AppConfig.ready()` with `register(...)`; this module names no feature's kind, and the exports
app imports no feature app.

A kind says who may have it (`permission`, checked against the programme), how to build it
(`build(programme, params)` → a `Built`: header, an iterator of rows, the number of rows), how
to write it (`write(target, fmt, built, progress)` → rows written, to a binary file; `progress`
takes the rows written so far) and what to record when one is built (`audit(export, rows)`, in
the owning app's audit vocabulary).
`params` is the validated query the export was asked with (JSON: filters, format…).
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, NamedTuple

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

Cell = str | int


class Built(NamedTuple):
    header: Sequence[Cell]
    rows: Iterator[Sequence[Cell]]
    count: int


@dataclass(frozen=True)
class ExportKind:
    slug: str
    label: str | Promise
    permission: str
    build: Callable[[Any, dict], Built]
    write: Callable[[IO[bytes], str, Built, Callable[[int], None]], int]
    audit: Callable[[Any, int], None]


KINDS: dict[str, ExportKind] = {}


def register(*kinds: ExportKind) -> None:
    """Declare export kinds; an app calls this from its `AppConfig.ready()`. A slug may be
    registered once: a different kind under a known slug raises ImproperlyConfigured;
    registering the very same kind again does nothing (`ready()` may run twice)."""
    for kind in kinds:
        known = KINDS.get(kind.slug)
        if known is not None and known is not kind:
            raise ImproperlyConfigured(
                f"Export kind {kind.slug!r} is registered twice; each kind is declared once, in "
                "the export_kinds.py of the app that owns its data."
            )
    KINDS.update((kind.slug, kind) for kind in kinds)


def get_kind(slug: str) -> ExportKind:
    try:
        return KINDS[slug]
    except KeyError:
        raise ValueError(
            f"Unknown export kind {slug!r}; declare it in its app's export_kinds.py."
        ) from None


def find_kind(slug: str) -> ExportKind | None:
    return KINDS.get(slug)
