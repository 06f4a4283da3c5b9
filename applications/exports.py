"""Rows and files for exporting a cohort's applications (CSV, XLSX).

Pure helpers: plain values and question objects in, cells, text or bytes out. No database
access — the view streams the rows in and decides where the bytes go.
"""

import datetime
import functools
import re
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import IO, Any, Protocol

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from applications.enums import ApplicationStatus
from cohorts import attributes
from cohorts.attributes import Kind, Use
from core import tabular
from core.tabular import Cell, csv_chunks, neutralise  # noqa: F401 - the apps' export helpers


def export_fields() -> tuple[str, ...]:
    """The columns read from the database, in export order: the application's own, then those
    of the attributes the catalogue exports; `answers` expands to one column per question."""
    columns = (a.column for a in attributes.in_use(Use.EXPORTS) if a.column)
    return (
        "id",
        "status",
        "submitted_at",
        "full_name",
        "email",
        *dict.fromkeys(columns),
        "is_eligible",
        "answers",
    )


class Question(Protocol):
    key: str
    label: str


@functools.cache
def _labels(language: str | None) -> dict[str, dict]:
    """Every choice label and yes/no word, translated once per language: looking them up per
    cell made translation the bulk of a large export's time."""
    tables: dict[str, dict] = {
        attribute.key: {value: str(label) for value, label in attribute.choices}
        for attribute in attributes.ATTRIBUTES
        if attribute.kind == Kind.CHOICE
    }
    tables["status"] = {value: str(label) for value, label in ApplicationStatus.choices}
    tables["yes_no"] = {True: _("yes"), False: _("no"), None: ""}
    return tables


def yes_no(value: bool | None) -> str:
    return _labels(get_language())["yes_no"][value]


def answer_text(value: Any) -> str:
    """An answer as plain text: lists joined with "; ", a file by its name, yes/no as words."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, list):
        return "; ".join(answer_text(item) for item in value)
    if isinstance(value, dict):
        return str(value.get("name", ""))
    return str(value)


def choice_label(field: str, value: str) -> str:
    """The human label of a stored choice (the status, or a choice attribute of the catalogue);
    the value itself when it is no longer one of the choices."""
    return _labels(get_language())[field].get(value, value) if value else ""


def header_row(questions: Sequence[Question]) -> list[Cell]:
    header = [
        _("ID"),
        _("Status"),
        _("Submitted at"),
        _("Full name"),
        _("Email"),
        *(a.label_for(Use.EXPORTS) for a in attributes.in_use(Use.EXPORTS)),
        _("Eligible"),
        *(question.label for question in questions),
    ]
    return [neutralise(str(cell)) for cell in header]


def application_row(
    values: Mapping[str, Any], questions: Sequence[Question], tz: zoneinfo.ZoneInfo
) -> list[Cell]:
    """One export row from the `export_fields()` of an application, every text cell
    neutralised."""
    submitted_at: datetime.datetime | None = values["submitted_at"]
    answers = values["answers"] or {}
    labels = _labels(get_language())
    yes_no_words = labels["yes_no"]

    def attribute_cell(attribute: attributes.Attribute) -> Cell:
        value = attribute.from_column(values[attribute.column])
        if attribute.kind == Kind.CHOICE:
            return labels[attribute.key].get(value, value) if value else ""
        if attribute.kind == Kind.YES_NO:
            return yes_no_words[value]
        return value if value is not None else ""

    status = values["status"]
    row: list[Cell] = [
        values["id"],
        labels["status"].get(status, status) if status else "",
        submitted_at.astimezone(tz).isoformat(timespec="seconds") if submitted_at else "",
        values["full_name"],
        values["email"],
        *(attribute_cell(attribute) for attribute in attributes.in_use(Use.EXPORTS)),
        yes_no_words[values["is_eligible"]],
        *(answer_text(answers.get(question.key)) for question in questions),
    ]
    return [neutralise(cell) for cell in row]


def write_xlsx(
    target: str | IO[bytes],
    header: Sequence[Cell],
    rows: Iterable[Sequence[Cell]],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """The applications as one worksheet (see `core.tabular.write_xlsx`); returns the rows."""
    return tabular.write_xlsx(
        target, header, rows, sheet_name=_("Applications"), column_widths=(8,), progress=progress
    )


_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|;]+')


def download_name(name: str, *, fallback: str = "cv.pdf", extension: str = ".pdf") -> str:
    """A file name safe to put in Content-Disposition: no path, no control or reserved
    characters, at most 120 characters, always ending in `extension`."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE_IN_NAMES.sub("_", name).strip(" ._")
    if name.lower().endswith(extension):
        name = name[: -len(extension)].rstrip(" .")
    if not name:
        return fallback
    return name[: 120 - len(extension)] + extension
