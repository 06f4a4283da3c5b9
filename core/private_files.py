"""Responses for private files (CVs, uploaded answers, exports): always a download, never
stored by the browser or a shared cache.

Files live in a storage alias (STORAGES, "private" by default): on disk they stream through
the web process; in an S3 bucket they either stream too (S3_DOWNLOADS=stream) or the browser is
sent to a signed URL that lives S3_PRESIGNED_SECONDS (S3_DOWNLOADS=redirect, the default). Views
check access and write their audit entry before calling `private_file_download`.
"""

import unicodedata
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from storages.backends.s3 import S3Storage

# Personal data: no copy in the browser's cache (shared computers) or in any proxy.
NO_STORE = "private, no-store"


def attachment_disposition(filename: str) -> str:
    """A Content-Disposition header (RFC 6266) that saves the file as `filename`: a plain-ASCII
    `filename` always, and `filename*` (RFC 5987, UTF-8) as well when the name needs more."""
    # Normalised first (full-width "／" and "＼" become "/" and "\\"), then no control characters
    # (header injection) and no path separators.
    name = unicodedata.normalize("NFKC", filename)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = name.replace("/", "_").replace("\\", "_").strip() or "download"
    # The ASCII name: accents dropped ("é" → "e"), other characters, quotes and separators
    # replaced.
    fallback = "".join(
        c if c.isascii() and c not in '"\\/' else "_"
        for c in unicodedata.normalize("NFKD", name)
        if not unicodedata.combining(c)
    )
    stem, dot, ext = fallback.rpartition(".")
    if dot and ext.isalnum() and not any(c.isalnum() for c in stem):
        fallback = f"download.{ext}"  # "简历.pdf"
    elif not any(c.isalnum() for c in fallback):
        fallback = "download"
    header = f'attachment; filename="{fallback}"'
    if fallback != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def private_file_download(
    name: str,
    *,
    filename: str,
    content_type: str = "application/pdf",
    storage_alias: str = "private",
) -> HttpResponse:
    """Download the file stored as `name` in the storage `storage_alias`, saved by the browser as
    `filename`. Raises Http404 when the file is missing.

    Disk: streams the file. S3 with S3_DOWNLOADS=redirect: a 302 to a signed URL whose response
    carries the same disposition, type and cache headers; S3_DOWNLOADS=stream: streams the object.
    """
    storage = storages[storage_alias]
    disposition = attachment_disposition(filename)
    if isinstance(storage, S3Storage) and settings.S3_DOWNLOADS == "redirect":
        # A signed URL is made without asking the bucket: ask first, so that a missing object
        # is a 404 here rather than an XML error page there.
        if not storage.exists(name):
            raise Http404(_("No such file."))
        url = storage.url(
            name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
                "ResponseCacheControl": NO_STORE,
            },
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = NO_STORE
        return response
    try:
        handle = storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404(_("No such file.")) from None
    if isinstance(storage, S3Storage):
        # The object's body as it arrives, not a whole copy in memory first.
        response = FileResponse(handle.obj.get()["Body"], content_type=content_type)
        response["Content-Length"] = str(handle.obj.content_length)
    else:
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = disposition
    response["Cache-Control"] = NO_STORE
    return response
