"""Responses for private files (CVs, uploaded answers, exports): always a download, never
stored by the browser or a shared cache."""

from django.http import FileResponse


def private_file_response(
    handle, *, filename: str, content_type: str = "application/pdf"
) -> FileResponse:
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    # Personal data: no copy in the browser's cache (shared computers) or in any proxy.
    response["Cache-Control"] = "private, no-store"
    return response
