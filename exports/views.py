"""The pages of a person's exports in a programme (the list, one export's progress, its file)
and of their own data ("Your data", in the account settings: ask for a copy, see it built,
download it)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import reauthentication
from core.private_files import private_file_download
from exports import selectors, services
from exports.enums import CONTENT_TYPES, ExportStatus
from exports.registry import find_kind
from programmes.selectors import programme_for, programme_or_404


def _label(export) -> str:
    kind = find_kind(export.kind)
    return str(kind.label) if kind else export.kind


def _export_or_404(request, slug, export_id):
    """The programme and its export: 404 when either is not there for this user, 403 when the
    user may see the programme but not this export (not theirs, or the kind not allowed)."""
    programme = programme_or_404(request, slug)
    export = selectors.export_get_for_programme(programme=programme, export_id=export_id)
    if export is None:
        raise Http404(_("No such export."))
    if not request.user.has_perm("exports.view_export", export):
        raise PermissionDenied
    return programme, export


@login_required
@require_GET
def export_list(request, slug):
    programme = programme_for(request, slug, "programmes.view_programme_workspace")
    exports = selectors.export_list_for_user(programme=programme, user=request.user)
    return render(
        request,
        "exports/export_list.html",
        {
            "programme": programme,
            "rows": [{"export": export, "label": _label(export)} for export in exports],
            "expiry_days": settings.COHORTLINE_EXPORT_EXPIRY_DAYS,
        },
    )


@login_required
@require_GET
def export_detail(request, slug, export_id):
    programme, export = _export_or_404(request, slug, export_id)
    if request.htmx and request.GET.get("part") == "progress":
        if not export.is_busy:  # reload the whole page to show the download or the error
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(
            request,
            "exports/export_detail.html#progress",
            {"programme": programme, "export": export},
        )
    return render(
        request,
        "exports/export_detail.html",
        {"programme": programme, "export": export, "label": _label(export)},
    )


def _unavailable(request, programme, export, *, status: int, missing: bool = False):
    return render(
        request,
        "exports/export_unavailable.html",
        {"programme": programme, "export": export, "label": _label(export), "missing": missing},
        status=status,
    )


@login_required
@require_GET
def export_download(request, slug, export_id):
    programme, export = _export_or_404(request, slug, export_id)
    # Personal data: confirm who is asking (then back here, to the download).
    reauthentication.require_recent(request)
    if export.status != ExportStatus.READY:
        return _unavailable(
            request, programme, export, status=410 if export.status == "expired" else 409
        )
    try:
        response = private_file_download(
            export.file_name,
            filename=export.download_name,
            content_type=CONTENT_TYPES[export.format],
        )
    except Http404:
        return _unavailable(request, programme, export, status=410, missing=True)
    services.export_downloaded(export=export, actor=request.user)
    return response


# --- "Your data": a person's own copy of everything held about them -----------------------------


@login_required
@require_http_methods(["GET", "POST"])
def personal_data(request):
    if request.method == "POST":
        services.personal_export_start(person=request.user)
        messages.success(
            request,
            _("Your copy is being prepared. It appears below for download as soon as it is ready."),
        )
        return redirect("exports:personal_data", permanent=False)
    exports = selectors.personal_export_list_for_user(user=request.user)
    context = {
        "exports": exports,
        "is_busy": any(export.is_busy for export in exports),
        "expiry_days": settings.COHORTLINE_EXPORT_EXPIRY_DAYS,
    }
    if request.htmx and request.GET.get("part") == "list":
        return render(request, "exports/personal_data.html#list", context)
    return render(request, "exports/personal_data.html", context)


@login_required
@require_GET
def personal_data_download(request, export_uuid):
    export = selectors.personal_export_get_for_user(user=request.user, export_uuid=export_uuid)
    if export is None:
        raise Http404(_("No such export."))
    # Personal data: confirm who is asking (then back here, to the download).
    reauthentication.require_recent(request)
    if export.status != ExportStatus.READY:
        return render(
            request,
            "exports/personal_data_unavailable.html",
            {"export": export},
            status=410 if export.status == ExportStatus.EXPIRED else 409,
        )
    try:
        response = private_file_download(
            export.file_name,
            filename=export.download_name,
            content_type=CONTENT_TYPES[export.format],
        )
    except Http404:
        return render(
            request,
            "exports/personal_data_unavailable.html",
            {"export": export, "missing": True},
            status=410,
        )
    services.export_downloaded(export=export, actor=request.user)
    return response
