"""Programme staff's pages: a cohort's applications, exports, files."""

import functools
import hashlib
import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.http import (
    FileResponse,
    Http404,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import reauthentication
from applications import exports, selectors, services
from applications.enums import ApplicationStatus
from applications.filters import ApplicationFilter
from applications.forms import BulkStatusForm, DisputeResolveForm
from cohorts import attributes
from cohorts import selectors as cohort_selectors
from cohorts.attributes import Use
from cohorts.selectors import cohort_or_404
from core import tabular
from core.private_files import private_file_download
from exports import services as export_services
from programmes.selectors import programme_for

PAGE_SIZE = 50


class KeysFirstPaginator(Paginator):
    """Finds a page's ids first, then reads those rows: deep in a big list (page 1,000 is 50,000
    rows in) the skipped rows are walked in the sort's index alone, not read from the table.
    `known_ids` gives the ids of pages already found (a filtered list's, read with its count)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.known_ids: dict[int, list[int]] = {}

    def page(self, number):
        number = self.validate_number(number)
        ids = self.known_ids.get(number)
        if ids is None:
            bottom = (number - 1) * self.per_page
            ids = self.object_list.values("pk")[bottom : bottom + self.per_page]
        return self._get_page(list(self.object_list.filter(pk__in=ids)), number, self)


# Further than any list goes (and its offset still fits the database's integers): a page past
# the last shows the last.
MAX_PAGE_NUMBER = 10_000_000


def _page_number(value) -> int:
    """The page asked for, as Paginator.get_page reads it: not a whole number → 1."""
    try:
        return min(max(int(value), 1), MAX_PAGE_NUMBER)
    except (TypeError, ValueError):
        return 1


EXPORT_FORMATS = ("csv", "xlsx")


def _application_or_404(cohort, application_id):
    application = selectors.application_get_for_staff(cohort=cohort, application_id=application_id)
    if application is None:
        raise Http404(_("No such application."))
    return application


def _filters(data, cohort) -> ApplicationFilter:
    return ApplicationFilter(
        data, queryset=selectors.application_list_for_cohort(cohort=cohort), cohort=cohort
    )


# The cached HTML of the filters (but the search) lives this long; it changes only with a release
# (labels, choices), which clears the cache or changes the key's version below.
FILTER_FIELDS_SECONDS = 60 * 60
FILTER_FIELDS_VERSION = 1


def _filter_fields(filterset: ApplicationFilter) -> str:
    """The HTML of the list's filters but the search: rendering ten crispy fields is a sixth of the
    page's time, and it depends only on the language and the values chosen. Forms with errors
    are rendered each time (their messages echo what was typed)."""
    names = [name for name in filterset.form.fields if name != "q"]
    if any(name in filterset.form.errors for name in names):
        return _render_filter_fields(filterset)
    chosen = [(name, filterset.data.get(name, "")) for name in names]
    key = (
        "applications:filter-fields:"
        + hashlib.sha256(f"{translation.get_language()}:{urlencode(chosen)}".encode()).hexdigest()
    )
    return cache.get_or_set(
        key,
        lambda: _render_filter_fields(filterset),
        FILTER_FIELDS_SECONDS,
        version=FILTER_FIELDS_VERSION,
    )


def _render_filter_fields(filterset: ApplicationFilter) -> str:
    return mark_safe(  # noqa: S308 - the template's own output
        render_to_string("applications/application_list.html#filter-fields", {"filter": filterset})
    )


def _list_url(programme, cohort, query: dict[str, str]) -> str:
    url = reverse(
        "applications:cohort_applications",
        kwargs={"slug": programme.slug, "cohort_slug": cohort.slug},
    )
    return f"{url}?{urlencode(query)}" if query else url


@login_required
def application_list(request, slug, cohort_slug):
    programme = programme_for(request, slug, "programmes.view_applications")
    cohort = cohort_or_404(programme, cohort_slug)
    filterset = _filters(request.GET, cohort)
    applications = filterset.qs
    counts = selectors.application_status_counts(cohort=cohort)
    status_counts = [
        (status, counts[status.value])
        for status in ApplicationStatus
        if status != ApplicationStatus.DRAFT
    ]
    query = filterset.active_query
    # Only the columns the rows show; the paginator finds the page's ids first.
    paginator = KeysFirstPaginator(applications.only(*ROW_FIELDS), PAGE_SIZE)
    number = request.GET.get("page")
    if set(query) <= {"sort", "status"}:
        # Unfiltered, or by status only: the status counts already say how many match.
        paginator.count = sum(
            n for status, n in status_counts if query.get("status", status.value) == status.value
        )
    else:
        # The count and the page's ids, read once per state of the cohort's applications
        # (coming back to a search, or to a page of it, reuses them while nothing changed).
        # The days of the date filters are the cohort's: its time zone is part of them.
        filters = f"{cohort.timezone}?{urlencode(sorted(query.items()))}"
        number = _page_number(request.GET.get("page"))
        for _attempt in range(2):
            paginator.count, ids = selectors.application_filtered_page(
                cohort=cohort,
                queryset=applications,
                filters=filters,
                offset=(number - 1) * PAGE_SIZE,
                limit=PAGE_SIZE,
            )
            if ids is None or ids or number == 1:
                break
            # Past the last page: show the last one, as get_page does.
            number = paginator.num_pages
        if ids is not None:
            paginator.known_ids[number] = ids
    page = paginator.get_page(number)
    can_manage = request.user.has_perm("programmes.manage_applications", programme)
    key = _list_fragment_key(request, programme, cohort, page, counts, can_manage=can_manage)
    body = cache.get(key)
    if body is None:
        # One reverse() for the page, not one per row: each row's link is this with its id.
        detail_url = reverse(
            "applications:cohort_application_detail", args=[programme.slug, cohort.slug, 0]
        ).removesuffix("0/")
        for application in page.object_list:
            application.sector_label = exports.choice_label("sector", application.sector)
            application.job_level_label = exports.choice_label("job_level", application.job_level)
            application.staff_url = f"{detail_url}{application.pk}/"
        body = render_to_string(
            "applications/application_list.html#list-body",
            {
                "programme": programme,
                "cohort": cohort,
                "filter": filterset,
                "filter_fields": mark_safe(_filter_fields(filterset)),  # noqa: S308 - rendered here
                "page": page,
                "status_counts": status_counts,
                "total": sum(n for _status, n in status_counts),
                "drafts": counts[ApplicationStatus.DRAFT],
                "query": urlencode(query),
                "has_filters": bool({k for k in query if k != "sort"}),
                "bulk_form": BulkStatusForm(),
                "can_manage": can_manage,
                "export_inline_max": settings.COHORTLINE_EXPORT_INLINE_MAX_ROWS,
            },
            request=request,
        )
        cache.set(key, body, LIST_FRAGMENT_SECONDS)
    return render(
        request,
        "applications/application_list.html",
        {
            "programme": programme,
            "cohort": cohort,
            "can_manage": can_manage,
            "list_body": mark_safe(body),  # noqa: S308 - the template's own output
        },
    )


# The list's HTML is kept this long under a key made of everything it shows.
LIST_FRAGMENT_SECONDS = 5 * 60
# Fields of an application that its row shows.
ROW_FIELDS = (
    "pk",
    "full_name",
    "email",
    "status",
    "sector",
    "job_level",
    "is_eligible",
    "submitted_at",
)


@functools.cache
def _list_template_digest() -> str:
    """Changes with the list's template (and the components it includes), so that a release
    never serves HTML cached by the one before."""
    digest = hashlib.blake2b(digest_size=8)
    for name in (
        "applications/application_list.html",
        "components/_status_badge.html",
        "components/_pagination.html",
        "components/_empty.html",
        "components/_breadcrumbs.html",
    ):
        digest.update(get_template(name).template.source.encode())
    return digest.hexdigest()


def _list_fragment_key(request, programme, cohort, page, counts, *, can_manage: bool) -> str:
    """A digest of every value the cached part of the list shows: the page's rows field by
    field, the status counts, the query, the names in the breadcrumbs, the viewer's rights, the
    language and the template. A change to any of them is a new key, so what is served from the
    cache is always what rendering would give now; nothing needs invalidating."""
    rows = [tuple(getattr(row, name) for name in ROW_FIELDS) for row in page.object_list]
    parts = (
        _list_template_digest(),
        settings.COHORTLINE_EXPORT_INLINE_MAX_ROWS,
        translation.get_language(),
        can_manage,
        request.get_host(),
        request.scheme,
        sorted(request.GET.lists()),
        programme.pk,
        programme.slug,
        programme.name,
        cohort.pk,
        cohort.slug,
        cohort.name,
        cohort.timezone,
        sorted(counts.items()),
        page.number,
        page.paginator.count,
        rows,
    )
    return hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()


@login_required
@require_POST
def application_bulk_status(request, slug, cohort_slug):
    programme = programme_for(request, slug, "programmes.manage_applications")
    cohort = cohort_or_404(programme, cohort_slug)
    form = BulkStatusForm(request.POST)
    if form.is_valid():
        moved, skipped = services.application_bulk_transition(
            cohort=cohort,
            ids=form.application_ids,
            to_status=form.cleaned_data["to_status"],
            actor=request.user,
        )
        text = _("%(moved)s moved, %(skipped)s skipped (their status does not allow it).") % {
            "moved": moved,
            "skipped": skipped,
        }
        (messages.success if moved else messages.warning)(request, text)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    # Back to the same filtered list; only known filter names survive the round trip.
    kept = _filters(QueryDict(request.POST.get("query", "")), cohort).active_query
    return redirect(_list_url(programme, cohort, kept))


@login_required
def application_detail_staff(request, slug, cohort_slug, application_id):
    programme = programme_for(request, slug, "programmes.view_applications")
    cohort = cohort_or_404(programme, cohort_slug)
    application = _application_or_404(cohort, application_id)
    services.application_viewed(application=application, actor=request.user)
    questions = cohort_selectors.question_list_for_cohort(cohort=cohort)
    visible = cohort_selectors.visible_question_keys(questions, application.answers)
    answers = [
        (
            question,
            exports.answer_text(application.answers.get(question.key)),
            isinstance(application.answers.get(question.key), dict),
        )
        for question in questions
        if question.key in visible or question.key in application.answers
    ]
    profile = [
        (_("Email"), application.email),
        *(
            (a.label_for(Use.STAFF), a.text(a.read(application)))
            for a in attributes.in_use(Use.STAFF)
        ),
    ]
    labels = selectors.dispute_subject_labels(
        selectors.dispute_subjects(application=application, questions=questions)
    )
    disputes = selectors.dispute_list_for_application(application=application)
    for dispute in disputes:
        dispute.about_label = selectors.dispute_about_label(dispute.about, labels)
    return render(
        request,
        "applications/application_detail_staff.html",
        {
            "programme": programme,
            "cohort": cohort,
            "application": application,
            "profile": profile,
            "answers": answers,
            "events": application.events.all(),
            "can_manage": request.user.has_perm("programmes.manage_applications", programme),
            "disputes": disputes,
            "open_disputes": [d for d in disputes if d.is_open],
            "resolved_disputes": [d for d in disputes if not d.is_open],
            "resolve_form": DisputeResolveForm(),
        },
    )


@login_required
@require_POST
def application_dispute_resolve(request, slug, cohort_slug, application_id, dispute_id):
    """Mark an applicant's correction request resolved, with an optional response."""
    programme = programme_for(request, slug, "programmes.manage_applications")
    cohort = cohort_or_404(programme, cohort_slug)
    application = _application_or_404(cohort, application_id)
    dispute = selectors.dispute_get_for_staff(application=application, dispute_id=dispute_id)
    if dispute is None:
        raise Http404(_("No such request."))
    form = DisputeResolveForm(request.POST)
    if form.is_valid():
        try:
            services.dispute_resolve(
                dispute=dispute, actor=request.user, response=form.cleaned_data["response"]
            )
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The request is resolved; the applicant is notified."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    url = reverse(
        "applications:cohort_application_detail", args=[programme.slug, cohort.slug, application.pk]
    )
    return redirect(f"{url}#disputes")


@login_required
def application_cv_download(request, slug, cohort_slug, application_id):
    programme = programme_for(request, slug, "programmes.manage_applications")
    cohort = cohort_or_404(programme, cohort_slug)
    application = _application_or_404(cohort, application_id)
    if not application.cv:
        raise Http404(_("This application has no CV."))
    # A file that is missing after all is a 404 with no audit entry (rolled back).
    with transaction.atomic():
        services.application_file_opened(application=application, actor=request.user, what="cv")
        return private_file_download(
            application.cv.name, filename=exports.download_name(application.cv_name)
        )


@login_required
def application_file_download(request, slug, cohort_slug, application_id, key):
    """A file uploaded as an answer to a file question; audited like the CV."""
    programme = programme_for(request, slug, "programmes.manage_applications")
    cohort = cohort_or_404(programme, cohort_slug)
    application = _application_or_404(cohort, application_id)
    value = application.answers.get(key)
    if not isinstance(value, dict) or not value.get("path"):
        raise Http404(_("No such file."))
    with transaction.atomic():  # as for the CV: a missing file leaves no audit entry
        services.application_file_opened(application=application, actor=request.user, what=key)
        return private_file_download(
            value["path"], filename=exports.download_name(value.get("name") or "document.pdf")
        )


@login_required
@require_GET
def application_export(request, slug, cohort_slug):
    programme = programme_for(request, slug, "programmes.manage_applications")
    cohort = cohort_or_404(programme, cohort_slug)
    # Every applicant's personal data: confirm who is asking (then back here, to the download).
    reauthentication.require_recent(request)
    fmt = request.GET.get("format", "csv")
    if fmt not in EXPORT_FORMATS:
        return HttpResponseBadRequest(
            _("Unknown export format. Use format=csv or format=xlsx."),
            content_type="text/plain; charset=utf-8",
        )
    filterset = _filters(request.GET, cohort)
    if not filterset.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()
        )
        return HttpResponseBadRequest(
            _("These filters are not valid: %(problems)s") % {"problems": problems},
            content_type="text/plain; charset=utf-8",
        )
    questions = cohort_selectors.question_list_for_cohort(cohort=cohort)
    tz = cohort.tz
    queryset = filterset.qs
    header = exports.header_row(questions)

    def rows():
        for values in queryset.values(*exports.export_fields()).iterator(chunk_size=2000):
            yield exports.application_row(values, questions, tz)

    filename = (
        f"{programme.slug}-{cohort.slug}-applications-"
        f"{timezone.localdate(timezone=tz):%Y-%m-%d}.{fmt}"
    )
    # Counted first so the audit entry is written even if the download is interrupted, and to
    # send a large export to a worker rather than hold this request while it is built.
    count = queryset.count()
    if count > settings.COHORTLINE_EXPORT_INLINE_MAX_ROWS:
        export = export_services.export_start(
            programme=programme,
            requested_by=request.user,
            kind="applications",
            params={"cohort": cohort.slug, "filters": filterset.active_query},
            fmt=fmt,
            download_name=filename,
            rows_total=count,
        )
        return HttpResponseRedirect(
            reverse("exports:export_detail", args=[programme.slug, export.pk]), status=303
        )
    if fmt == "csv":
        response = StreamingHttpResponse(
            tabular.csv_chunks(header, rows()), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        # A temporary file, not memory: it is deleted when the response closes it.
        target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
        count = exports.write_xlsx(target, header, rows())
        target.seek(0)
        response = FileResponse(
            target,
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Cache-Control"] = "private, no-store"
    services.applications_exported(cohort=cohort, actor=request.user, fmt=fmt, rows=count)
    return response


@login_required
def cohort_form_preview(request, slug, cohort_slug):
    """The cohort's application form as an applicant sees it, for the programme's staff: the
    same questions, conditions and fields, and nothing that saves or submits."""
    from applications.views.applicant import _question_rows

    programme = programme_for(request, slug, "programmes.view_applications")
    cohort = cohort_or_404(programme, cohort_slug)
    questions = cohort_selectors.question_list_for_cohort(cohort=cohort)
    return render(
        request,
        "applications/application_preview.html",
        {
            "programme": programme,
            "cohort": cohort,
            "rows": _question_rows(questions, {}),
            "rules": cohort_selectors.rule_rows(
                cohort_selectors.rule_list_for_cohort(cohort=cohort), questions
            ),
            "closes_at": timezone.localtime(cohort.closes_at, cohort.tz),
        },
    )
