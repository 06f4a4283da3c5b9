"""The programme dashboard: a cohort's funnel, compute, mentoring, attendance and certificates,
in full for admins and as protected aggregates for partner viewers; each chart's figures as
CSV or XLSX."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.services import audit_record
from dashboards import exports, selectors, tables
from programmes.selectors import programme_for

VIEW = "dashboards.view_dashboard"
IN_FULL = "dashboards.view_dashboard_in_full"


def _cohort(cohorts, slug):
    """The cohort of this slug among the programme's (404 when none is), else the newest."""
    if not slug:
        return cohorts[0] if cohorts else None
    found = next((c for c in cohorts if c.slug == slug), None)
    if found is None:
        raise Http404(_("No such cohort."))
    return found


@login_required
@require_GET
def dashboard(request, slug, cohort_slug=None):
    programme = programme_for(request, slug, VIEW)
    cohorts = list(selectors.cohort_list(programme=programme))
    cohort = _cohort(cohorts, cohort_slug or request.GET.get("cohort", "").strip())
    full = request.user.has_perm(IN_FULL, programme)
    sections = []
    if cohort is not None:
        cohort.programme = programme
        built = tables.build(cohort=cohort, full=full)
        sections = [
            {"key": key, "title": tables.SECTION_TITLES[key], "tables": built[key]}
            for key in tables.SECTIONS
        ]
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "programme": programme,
            "cohorts": cohorts,
            "cohort": cohort,
            "full": full,
            "sections": sections,
            "steps": selectors.STEPS,
            "small": tables.SMALL,
            "withheld": tables.WITHHELD,
        },
    )


@login_required
@require_GET
def chart_download(request, slug, cohort_slug, chart, fmt):
    programme = programme_for(request, slug, VIEW)
    if fmt not in exports.CONTENT_TYPES:
        raise Http404(_("No such format."))
    section = tables.section_of(chart)
    if section is None:
        raise Http404(_("No such chart."))
    cohort = _cohort(list(selectors.cohort_list(programme=programme)), cohort_slug)
    cohort.programme = programme
    full = request.user.has_perm(IN_FULL, programme)
    table = next(
        (
            t
            for t in tables.build(cohort=cohort, full=full, sections=[section])[section]
            if t.key == chart
        ),
        None,
    )
    if table is None:
        raise Http404(_("No such chart."))
    body = exports.table_csv(table) if fmt == "csv" else exports.table_xlsx(table)
    audit_record(
        actor=request.user,
        action="dashboards.export",
        target=cohort,
        programme=programme,
        chart=chart,
        format=fmt,
        in_full=full,
    )
    response = HttpResponse(body, content_type=exports.CONTENT_TYPES[fmt])
    name = f"{slugify(programme.slug)}-{slugify(cohort.slug)}-{chart}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
