"""The programme's own pages: settings, team, outbox and audit log."""

import tempfile

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from accounts import reauthentication
from core import tabular
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from notifications.enums import EmailStatus
from notifications.registry import KINDS, all_kinds
from programmes import audit, selectors, services
from programmes.filters import AuditEntryFilter
from programmes.forms import AnnouncementForm, OutboxFilterForm, ProgrammeForm, RoleGrantForm
from programmes.selectors import programme_for, programme_or_404


@login_required
def programme_edit(request, slug):
    programme = programme_for(request, slug, "programmes.manage_programme")
    form = ProgrammeForm(request.POST if request.method == "POST" else None, instance=programme)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "partners"}
        services.programme_update(
            programme=programme,
            data=data,
            partners=form.cleaned_data["partners"],
            actor=request.user,
        )
        messages.success(request, _("Programme saved."))
        return redirect(programme.get_absolute_url())
    return render(
        request,
        "programmes/programme_form.html",
        {"programme": programme, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def programme_team(request, slug):
    programme = programme_or_404(request, slug)
    if not request.user.has_perm("programmes.manage_programme_team", programme):
        raise PermissionDenied
    if request.method == "POST":
        # Changing who may see applicants' data: confirm who is asking first.
        reauthentication.require_recent(request)
    form = RoleGrantForm(request.POST if request.method == "POST" else None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_role_grant(
                programme=programme,
                user=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                granted_by=request.user,
                employer=form.cleaned_data["employer"],
                partner=form.cleaned_data["partner"],
            )
        except services.RoleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Added to the team."))
            return redirect("programmes:programme_team", slug=programme.slug)
    roles = selectors.role_list_for_programme(programme=programme)
    return render(
        request,
        "programmes/programme_team.html",
        {"programme": programme, "roles": roles, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def programme_role_revoke(request, slug, role_id):
    programme = programme_or_404(request, slug)
    if not request.user.has_perm("programmes.manage_programme_team", programme):
        raise PermissionDenied
    grant = selectors.role_get_for_programme(programme=programme, role_id=role_id)
    if grant is None:
        raise Http404(_("No such role."))
    # Changing who may see applicants' data: confirm who is asking first.
    reauthentication.require_recent(request)
    try:
        services.programme_role_revoke(grant=grant, revoked_by=request.user)
    except services.RoleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(email)s is no longer %(role)s.")
            % {"email": grant.user.email, "role": grant.get_role_display()},
        )
    return redirect("programmes:programme_team", slug=programme.slug)


OUTBOX_PAGE_SIZE = 50


@login_required
def programme_outbox(request, slug):
    programme = programme_for(request, slug, "programmes.view_programme_outbox")
    counts = notification_selectors.email_status_counts_for_scope(
        scope=programme.notification_scope
    )
    in_flight = counts[EmailStatus.PENDING] + counts[EmailStatus.SENDING]
    if request.htmx and request.GET.get("part") == "counts":
        return render(
            request,
            "programmes/programme_outbox.html#counts",
            {"programme": programme, "counts": counts, "in_flight": in_flight},
        )
    form = OutboxFilterForm(
        request.GET or None,
        statuses=EmailStatus.choices,
        kinds=[(kind.name, kind.label) for kind in all_kinds()],
        # Through the reverse relation: cohorts sit above this app and are not imported here.
        cohorts=list(programme.cohorts.order_by("-opens_at", "-pk").values_list("pk", "name")),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    emails = notification_selectors.email_list_for_scope(
        scope=programme.notification_scope,
        status=filters.get("status", ""),
        kind=filters.get("kind", ""),
        search=filters.get("q", ""),
    )
    if filters.get("cohort"):
        # Emails name no cohort; one applicant has at most one application per cohort, so
        # this join adds no duplicate rows.
        emails = emails.filter(recipient__applications__cohort_id=filters["cohort"])
    page = Paginator(emails, OUTBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in filters.items() if v}
    can_announce = request.user.has_perm("programmes.send_programme_announcement", programme)
    return render(
        request,
        "programmes/programme_outbox.html",
        {
            "programme": programme,
            "counts": counts,
            "in_flight": in_flight,
            "form": form,
            "page": page,
            "query": urlencode(query),
            "can_announce": can_announce,
            "releasable": notification_selectors.releasable_staged_count_for_scope(
                scope=programme.notification_scope
            )
            if can_announce
            else 0,
            "statuses": EmailStatus,
        },
    )


def _message_or_404(programme, message_id):
    message = notification_selectors.email_get_for_scope(
        scope=programme.notification_scope, message_id=message_id
    )
    if message is None:
        raise Http404(_("No such message."))
    return message


@login_required
def programme_outbox_message(request, slug, message_id):
    programme = programme_for(request, slug, "programmes.view_programme_outbox")
    message = _message_or_404(programme, message_id)
    return render(
        request,
        "programmes/programme_outbox_message.html",
        {"programme": programme, "message": message, "statuses": EmailStatus},
    )


@login_required
@xframe_options_sameorigin
@csp_replace(
    {
        "style-src": ["'unsafe-inline'"],
        "frame-ancestors": ["'self'"],
        "sandbox": [""],
        "img-src": ["'none'"],
    }
)
def programme_outbox_message_html(request, slug, message_id):
    """The HTML part alone, shown in a sandboxed frame: emails need their inline styles."""
    programme = programme_for(request, slug, "programmes.view_programme_outbox")
    message = _message_or_404(programme, message_id)
    return HttpResponse(message.body_html)


@login_required
@require_POST
def programme_outbox_release(request, slug):
    # Staged messages are announcements written by an admin; decision letters are released by
    # the selection's "release decisions", never here.
    programme = programme_for(request, slug, "programmes.send_programme_announcement")
    kind = request.POST.get("kind", "")
    if kind and kind not in KINDS:
        kind = ""
    try:
        released = services.programme_outbox_release(
            programme=programme, actor=request.user, kind=kind
        )
    except notification_services.StagedReleaseError as exc:
        messages.error(request, str(exc))
        return redirect("programmes:programme_outbox", slug=programme.slug)
    if released:
        messages.success(
            request, _("%(count)s messages released for sending.") % {"count": released}
        )
    else:
        messages.info(request, _("There were no staged messages to release."))
    return redirect("programmes:programme_outbox", slug=programme.slug)


@login_required
@require_POST
def programme_outbox_retry(request, slug, message_id):
    programme = programme_for(request, slug, "programmes.manage_programme_outbox")
    message = _message_or_404(programme, message_id)
    if notification_services.email_retry(message=message):
        messages.success(request, _("The message is queued to be sent again."))
    else:
        messages.error(request, _("Only failed messages can be retried."))
    return redirect(
        "programmes:programme_outbox_message", slug=programme.slug, message_id=message.pk
    )


@login_required
def programme_announcement(request, slug):
    programme = programme_for(request, slug, "programmes.send_programme_announcement")
    form = AnnouncementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        staged = services.programme_announcement_stage(
            programme=programme,
            sender=request.user,
            audience=form.cleaned_data["audience"],
            subject=form.cleaned_data["subject"],
            message=form.cleaned_data["message"],
        )
        if staged:
            messages.success(
                request,
                _("%(count)s messages staged. Read them below, then release them.")
                % {"count": staged},
            )
        else:
            messages.warning(
                request, _("Nobody in that audience receives email about announcements.")
            )
        url = reverse("programmes:programme_outbox", kwargs={"slug": programme.slug})
        return redirect(f"{url}?status={EmailStatus.STAGED}&kind=programme.announcement")
    return render(
        request,
        "programmes/programme_announcement_form.html",
        {"programme": programme, "form": form},
        status=400 if form.errors else 200,
    )


AUDIT_PAGE_SIZE = 50
AUDIT_EXPORT_FORMATS = ("csv", "xlsx")


def _audit_filters(request, programme) -> AuditEntryFilter:
    return AuditEntryFilter(
        request.GET or None, queryset=selectors.audit_list_for_programme(programme=programme)
    )


@login_required
@require_GET
def programme_audit(request, slug):
    """The programme's audit log, for its admins: who did what, to which object, when."""
    programme = programme_for(request, slug, "programmes.manage_programme")
    filterset = _audit_filters(request, programme)
    # Invalid filters (a day that is no day) are shown on the form; the list then stays whole.
    entries = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.action_label = audit.action_label(entry.action)
        entry.target_label = audit.target_label(entry.target_type)
        entry.summary = audit.data_summary(entry.data)
    query = urlencode(filterset.active_query)
    return render(
        request,
        "programmes/programme_audit.html",
        {
            "programme": programme,
            "filter": filterset,
            "form": filterset.form,
            "page": page,
            "query": query,
            "is_filtered": bool(filterset.active_query),
        },
        status=400 if filterset.is_bound and filterset.errors else 200,
    )


@login_required
@require_GET
def programme_audit_export(request, slug):
    """The filtered audit log as CSV or XLSX. The export is itself audited."""
    programme = programme_for(request, slug, "programmes.manage_programme")
    # People's emails and what they did: confirm who is asking (then back here, to the file).
    reauthentication.require_recent(request)
    fmt = request.GET.get("format", "csv")
    if fmt not in AUDIT_EXPORT_FORMATS:
        return HttpResponseBadRequest(
            _("Unknown export format. Use format=csv or format=xlsx."),
            content_type="text/plain; charset=utf-8",
        )
    filterset = _audit_filters(request, programme)
    if filterset.is_bound and not filterset.is_valid():
        problems = "; ".join(
            " ".join(errors) if name == "__all__" else f"{name}: {' '.join(errors)}"
            for name, errors in filterset.errors.items()
        )
        return HttpResponseBadRequest(
            _("These filters are not valid: %(problems)s") % {"problems": problems},
            content_type="text/plain; charset=utf-8",
        )
    entries = filterset.qs if filterset.is_bound else filterset.queryset
    tz = timezone.get_current_timezone()
    # Counted first so that the audit entry is written even if the download is interrupted.
    count = entries.count()
    recorded = services.audit_log_exported(
        programme=programme,
        actor=request.user,
        fmt=fmt,
        rows=count,
        filters=filterset.active_query,
    )
    entries = entries.exclude(pk=recorded.pk)

    def rows():
        for entry in entries.iterator(chunk_size=2000):
            yield audit.entry_row(entry, tz)

    filename = f"{programme.slug}-audit-log-{timezone.localdate(timezone=tz):%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            tabular.csv_chunks(audit.header_row(), rows()), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        # A temporary file, not memory: it is deleted when the response closes it.
        target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
        audit.write_xlsx(target, audit.header_row(), rows())
        target.seek(0)
        response = FileResponse(
            target,
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Cache-Control"] = "private, no-store"
    return response
