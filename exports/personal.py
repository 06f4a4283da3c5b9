"""A person's copy of everything held about them (an access request under Singapore's PDPA),
built by the exports machinery as the export kind `personal_data`.

Every app that holds personal data registers its part in `core.privacy_registry` (from its
`<app>/privacy.py`); this module collects them all for one person and writes one ZIP archive:
`data.json` (machine-readable), `index.html` (a readable summary, self-contained: no script,
no external style or image) and `files/…` (the person's uploaded files and certificates).
It imports no feature app. The export's `params["subject"]` is the person, always the one who
asked (exports.services.personal_export_start); docs/operations.md, "Answering an access
request".
"""

import json
import logging
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.files.storage import storages
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import privacy_registry
from core.privacy_registry import PersonalFile
from core.services import audit_record
from exports.registry import Built, ExportKind

logger = logging.getLogger(__name__)

SLUG = "personal_data"
FORMAT_VERSION = "cohortline-personal-data/1"


def collect(person) -> tuple[dict[str, Any], list[PersonalFile]]:
    """Every registered part for `person`, in order: the data.json document and the files."""
    targets: set[privacy_registry.Target] = set()
    parts: dict[str, Any] = {}
    files: list[PersonalFile] = []
    for part in privacy_registry.parts():
        found = part.collect(person, frozenset(targets))
        parts[part.slug] = {"label": str(part.label), "records": found.records}
        files.extend(found.files)
        targets |= found.targets
    document = {
        "format": FORMAT_VERSION,
        "generated_at": timezone.now().isoformat(),
        "person": {"id": person.pk, "email": person.email},
        "parts": parts,
        "files": [file.archive_name for file in files],
    }
    return document, files


def build(programme, params: dict) -> Built:
    """The archive's entries: data.json, index.html, then each file (an archive's "rows")."""
    person = get_user_model().objects.get(pk=params["subject"])
    document, files = collect(person)
    html = render_to_string("exports/personal_data_index.html", {"document": document})
    entries: list[tuple[str, bytes | PersonalFile]] = [
        ("data.json", json.dumps(document, ensure_ascii=False, indent=2).encode()),
        ("index.html", html.encode()),
        *((file.archive_name, file) for file in files),
    ]
    return Built(header=("name", "content"), rows=iter(entries), count=len(entries))


def _copy(archive: zipfile.ZipFile, name: str, file: PersonalFile) -> None:
    try:
        with (
            storages[file.storage_alias].open(file.storage_name, "rb") as source,
            archive.open(name, "w") as target,
        ):
            while chunk := source.read(1024 * 1024):
                target.write(chunk)
    except FileNotFoundError:
        # A file the storage no longer has: the archive says so rather than failing the copy.
        logger.warning("exports: %s is listed but missing from the storage", file.storage_name)
        archive.writestr(f"{name}.missing.txt", "This file could not be found in the storage.\n")


def write(target: IO[bytes], fmt: str, built: Built, progress: Callable[[int], None]) -> int:
    entries: Iterator = built.rows
    done = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            if isinstance(content, PersonalFile):
                _copy(archive, name, content)
            else:
                archive.writestr(name, content)
            done += 1
            progress(done)
    return done


def audit(export, entries: int) -> None:
    audit_record(
        actor=export.requested_by,
        action="privacy.export_built",
        target=export,
        files=max(0, entries - 2),
    )


KIND = ExportKind(
    slug=SLUG,
    label=_("Your data"),
    # Not a programme's permission: only the person themself ever sees this kind
    # (exports.selectors.personal_export_get_for_user).
    permission="",
    build=build,
    write=write,
    audit=audit,
)
