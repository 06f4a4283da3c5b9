"""Compute pages: the programme's catalogue, pools, allocations, top-ups and tokens, and each
participant's own compute page."""

import csv
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import reauthentication
from applications import exports
from compute import selectors, services
from compute.enums import AllocationStatus
from compute.forms import (
    AdjustForm,
    AllocationCsvForm,
    BulkAdjustForm,
    DecideForm,
    PoolForm,
    ResourceForm,
    TokenForm,
    TopUpForm,
    plain,
)
from compute.models import AllocationChange, ResourcePool, ResourceType
from core import tabular
from programmes.selectors import programme_for

PAGE_SIZE = 50
HISTORY_SIZE = 50
VIEW = "compute.view_compute"
MANAGE = "compute.manage_compute"


# --- helpers ---------------------------------------------------------------------------------


def _chart(daily) -> dict:
    """Usage by day for static/js/compute-usage-chart.js."""
    return {
        "labels": [dateformat.format(day, "j M") for day, _amount in daily],
        "values": [float(amount) for _day, amount in daily],
        "label": _("Used per day"),
        "total": float(sum((amount for _day, amount in daily), Decimal(0))),
    }


def _pool_or_404(programme, pool_id):
    pool = selectors.pool_get(programme=programme, pool_id=pool_id)
    if pool is None:
        raise Http404(_("No such pool."))
    return pool


def _allocation_or_404(programme, allocation_id):
    allocation = selectors.allocation_get(programme=programme, allocation_id=allocation_id)
    if allocation is None:
        raise Http404(_("No such allocation."))
    return allocation


def _ticked(request) -> set[int]:
    """The allocation ids ticked in a posted form, to tick them again on the page."""
    return {
        int(value)
        for value in request.POST.getlist("allocations")
        if value.isdecimal() and len(value) < 10
    }


# --- overview and export ---------------------------------------------------------------------


# The overview lists the fullest allocations; each pool's page lists all of them.
ALERTS_SHOWN = 10


@login_required
def overview(request, slug):
    programme = programme_for(request, slug, VIEW)
    alerts = selectors.alerts_for_programme(programme=programme)
    return render(
        request,
        "compute/compute_overview.html",
        {
            "programme": programme,
            "resources": selectors.resource_list_for_programme(programme=programme),
            "pools": selectors.pool_list_for_programme(programme=programme),
            "alerts": alerts[:ALERTS_SHOWN],
            "alert_count": alerts.count(),
            "pending_count": selectors.request_list_pending(programme=programme).count(),
            "can_manage": request.user.has_perm(MANAGE, programme),
        },
    )


EXPORT_HEADER = [
    "email",
    "name",
    "cohort",
    "resource",
    "unit",
    "limit",
    "used",
    "remaining",
    "percent",
    "status",
    "exhausted",
]


@login_required
def export(request, slug):
    programme = programme_for(request, slug, VIEW)
    # Participants' emails and use: confirm who is asking (then back here, to the download).
    reauthentication.require_recent(request)
    allocations = selectors.allocation_list_for_programme(programme=programme)
    count = allocations.count()

    def rows():
        for allocation in allocations.iterator(chunk_size=2000):
            resource = allocation.pool.resource
            yield [
                tabular.neutralise(cell)
                for cell in (
                    allocation.user.email,
                    allocation.user.display_name,
                    allocation.pool.cohort.name,
                    resource.name,
                    resource.get_unit_display(),
                    plain(allocation.limit),
                    plain(allocation.used),
                    plain(allocation.remaining),
                    allocation.percent_used,
                    allocation.get_status_display(),
                    exports.yes_no(allocation.is_exhausted),
                )
            ]

    response = StreamingHttpResponse(
        tabular.csv_chunks(EXPORT_HEADER, rows()), content_type="text/csv; charset=utf-8"
    )
    filename = f"{programme.slug}-compute-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    services.allocations_exported(programme=programme, actor=request.user, rows=count)
    return response


# --- catalogue and pools ---------------------------------------------------------------------


def _form_page(request, programme, template, context, form):
    return render(
        request,
        template,
        {"programme": programme, "form": form, **context},
        status=400 if form.errors else 200,
    )


@login_required
def resource_form(request, slug, resource_id=None):
    programme = programme_for(request, slug, MANAGE)
    resource = ResourceType(programme=programme)
    if resource_id is not None:
        resource = selectors.resource_get(programme=programme, resource_id=resource_id)
        if resource is None:
            raise Http404(_("No such resource."))
    form = ResourceForm(
        request.POST if request.method == "POST" else None, instance=resource, programme=programme
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_save(resource=form.save(commit=False), actor=request.user)
        except services.ComputeError as exc:
            form.add_error("slug", str(exc))
        else:
            messages.success(request, _("Resource saved."))
            return redirect("compute:overview", slug=slug)
    return _form_page(
        request,
        programme,
        "compute/resource_form.html",
        {"resource": resource if resource.pk else None},
        form,
    )


@login_required
def pool_form(request, slug, pool_id=None):
    programme = programme_for(request, slug, MANAGE)
    pool = ResourcePool()
    if pool_id is not None:
        pool = _pool_or_404(programme, pool_id)
    form = PoolForm(
        request.POST if request.method == "POST" else None, instance=pool, programme=programme
    )
    if request.method == "POST" and form.is_valid():
        created = pool.pk is None
        try:
            pool = services.pool_save(pool=form.save(commit=False), actor=request.user)
        except services.ComputeError as exc:
            form.add_error(None if created else "total", str(exc))
        else:
            if created and pool.allocated:
                messages.success(
                    request,
                    _(
                        "Pool created. %(allocated)s of its %(total)s went at once to the "
                        "participants who had already joined, as their default grant."
                    )
                    % {"allocated": plain(pool.allocated), "total": plain(pool.total)},
                )
            else:
                messages.success(request, _("Pool saved."))
            return redirect("compute:pool_detail", slug=slug, pool_id=pool.pk)
    return _form_page(
        request,
        programme,
        "compute/pool_form.html",
        {"pool": pool if pool.pk else None},
        form,
    )


def _pool_page(
    request, programme, pool, *, bulk_form=None, csv_form=None, csv_errors=(), status=200
):
    can_manage = request.user.has_perm(MANAGE, programme)
    level = request.GET.get("level", "")
    level = level if level in selectors.LEVELS else ""
    query = request.GET.get("q", "").strip()[:100]
    allocations = selectors.allocation_list_for_pool(pool=pool, level=level, query=query)
    page = Paginator(allocations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "compute/pool_detail.html",
        {
            "programme": programme,
            "pool": pool,
            "page": page,
            "level": level,
            "query": query,
            "levels": [("", _("Everyone")), ("80", _("At 80 % or more")), ("100", _("At 100 %"))],
            "top": selectors.top_users(pool=pool, limit=5),
            "chart_data": _chart(selectors.usage_by_day(pool=pool)),
            "can_manage": can_manage,
            "bulk_form": bulk_form or (AdjustForm() if can_manage else None),
            "csv_form": csv_form or (AllocationCsvForm() if can_manage else None),
            "csv_errors": csv_errors,
            "ticked": _ticked(request) if request.method == "POST" else set(),
        },
        status=status,
    )


@login_required
def pool_detail(request, slug, pool_id):
    programme = programme_for(request, slug, VIEW)
    return _pool_page(request, programme, _pool_or_404(programme, pool_id))


@login_required
@require_POST
def pool_bulk(request, slug, pool_id):
    programme = programme_for(request, slug, MANAGE)
    pool = _pool_or_404(programme, pool_id)
    form = BulkAdjustForm(request.POST, pool=pool)
    if form.is_valid():
        try:
            changed = services.allocations_adjust_many(
                allocations=list(form.cleaned_data["allocations"]),
                mode=form.cleaned_data["mode"],
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except services.ComputeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(n)s allocations changed.") % {"n": changed}
                if changed != 1
                else _("1 allocation changed."),
            )
            return redirect("compute:pool_detail", slug=slug, pool_id=pool.pk)
    return _pool_page(request, programme, pool, bulk_form=form, status=400)


@login_required
@require_POST
def pool_upload(request, slug, pool_id):
    programme = programme_for(request, slug, MANAGE)
    pool = _pool_or_404(programme, pool_id)
    form = AllocationCsvForm(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        try:
            rows, errors = services.parse_allocation_csv(form.cleaned_data["file"])
        except csv.Error as exc:
            rows, errors = [], [_("The file is not a CSV file we can read: %(e)s") % {"e": exc}]
        errors += _unstorable(rows)
        if not errors:
            result = services.allocations_bulk_adjust(
                programme=programme,
                rows=rows,
                mode=form.cleaned_data["mode"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
            errors = result.errors
            if not errors:
                messages.success(
                    request,
                    _("%(n)s changes applied from the file.") % {"n": result.applied},
                )
                return redirect("compute:pool_detail", slug=slug, pool_id=pool.pk)
    return _pool_page(request, programme, pool, csv_form=form, csv_errors=errors, status=400)


def _unstorable(rows) -> list[str]:
    """Lines whose amount is a number a limit cannot hold (more than 4 decimal places, or more
    than 20 digits): refused like the forms refuse them, rather than rounded."""
    errors = []
    for line, _email, _slug, raw in rows:
        try:
            amount = Decimal(raw)
        except ArithmeticError:
            continue  # not a number: the service names the line
        if not amount.is_finite():
            continue
        _sign, digits, exponent = amount.normalize().as_tuple()
        if -exponent > 4 or len(digits) + exponent > 16:
            errors.append(
                _("Line %(line)s: %(raw)s has more than 4 decimal places or is too large.")
                % {"line": line, "raw": raw}
            )
    return errors


# --- allocations -----------------------------------------------------------------------------


def _allocation_page(request, programme, allocation, *, form=None, status=200):
    can_manage = request.user.has_perm(MANAGE, programme)
    changes = Paginator(selectors.allocation_changes(allocation=allocation), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "compute/allocation_detail.html",
        {
            "programme": programme,
            "allocation": allocation,
            "pool": allocation.pool,
            "changes": changes,
            "chart_data": _chart(selectors.usage_by_day(allocations=[allocation])),
            "can_manage": can_manage,
            "form": form or (AdjustForm() if can_manage else None),
        },
        status=status,
    )


@login_required
def allocation_detail(request, slug, allocation_id):
    programme = programme_for(request, slug, VIEW)
    return _allocation_page(request, programme, _allocation_or_404(programme, allocation_id))


@login_required
@require_POST
def allocation_adjust(request, slug, allocation_id):
    programme = programme_for(request, slug, MANAGE)
    allocation = _allocation_or_404(programme, allocation_id)
    form = AdjustForm(request.POST)
    if form.is_valid():
        try:
            services.allocation_adjust(
                allocation=allocation,
                mode=form.cleaned_data["mode"],
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except services.ComputeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Allocation changed."))
            return redirect("compute:allocation_detail", slug=slug, allocation_id=allocation.pk)
    return _allocation_page(request, programme, allocation, form=form, status=400)


def _set_status(request, slug, allocation_id, *, suspended: bool):
    programme = programme_for(request, slug, MANAGE)
    allocation = _allocation_or_404(programme, allocation_id)
    services.allocation_set_status(
        allocation=allocation, suspended=suspended, reason="", actor=request.user
    )
    messages.success(request, _("Allocation suspended.") if suspended else _("Allocation resumed."))
    return redirect("compute:allocation_detail", slug=slug, allocation_id=allocation.pk)


@login_required
@require_POST
def allocation_suspend(request, slug, allocation_id):
    return _set_status(request, slug, allocation_id, suspended=True)


@login_required
@require_POST
def allocation_resume(request, slug, allocation_id):
    return _set_status(request, slug, allocation_id, suspended=False)


# --- top-up requests -------------------------------------------------------------------------


def _decide_form(request_obj, data=None) -> DecideForm:
    return DecideForm(data, request_obj=request_obj, auto_id=f"request-{request_obj.pk}-%s")


def _requests_page(request, programme, *, bound=None, status=200):
    can_manage = request.user.has_perm(MANAGE, programme)
    page = Paginator(selectors.request_list_pending(programme=programme), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    pending = [
        (
            item,
            bound if bound is not None and bound.request_obj.pk == item.pk else _decide_form(item),
        )
        for item in page.object_list
    ]
    if bound is not None and all(item.pk != bound.request_obj.pk for item, _form in pending):
        # The request is on another page of the queue: say what went wrong here.
        problems = [str(e) for errors in bound.errors.values() for e in errors]
        messages.error(request, " ".join(problems))
    return render(
        request,
        "compute/request_list.html",
        {
            "programme": programme,
            "page": page,
            "pending": pending,
            "decided": selectors.request_list_decided(programme=programme)[:HISTORY_SIZE],
            "can_manage": can_manage,
        },
        status=status,
    )


@login_required
def request_list(request, slug):
    programme = programme_for(request, slug, VIEW)
    return _requests_page(request, programme)


@login_required
@require_POST
def request_decide(request, slug, request_id):
    programme = programme_for(request, slug, MANAGE)
    request_obj = selectors.request_get(programme=programme, request_id=request_id)
    if request_obj is None:
        raise Http404(_("No such request."))
    if request_obj.status != "pending":
        messages.error(request, _("This request was decided already."))
        return redirect("compute:request_list", slug=slug)
    form = _decide_form(request_obj, request.POST)
    if form.is_valid():
        try:
            decided = services.topup_decide(
                request=request_obj,
                granted=form.cleaned_data["granted"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except services.ComputeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(who)s: %(status)s.")
                % {"who": decided.allocation.user.email, "status": decided.get_status_display()},
            )
            return redirect("compute:request_list", slug=slug)
    return _requests_page(request, programme, bound=form, status=400)


# --- integration tokens ----------------------------------------------------------------------


def _tokens_page(request, programme, *, form=None, new_token=None, secret="", status=200):
    can_manage = request.user.has_perm(MANAGE, programme)
    page = Paginator(selectors.token_list_for_programme(programme=programme), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    response = render(
        request,
        "compute/token_list.html",
        {
            "programme": programme,
            "page": page,
            "form": form or (TokenForm(programme=programme) if can_manage else None),
            "can_manage": can_manage,
            "new_token": new_token,
            "secret": secret,
            "usage_url": request.build_absolute_uri("/api/v1/usage"),
            "example_resource": (
                new_token.resources.order_by("slug").first() if new_token is not None else None
            ),
        },
        status=status,
    )
    # The secret is on this page once: no cache may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def token_list(request, slug):
    programme = programme_for(request, slug, VIEW)
    return _tokens_page(request, programme)


@login_required
@require_POST
def token_create(request, slug):
    programme = programme_for(request, slug, MANAGE)
    form = TokenForm(request.POST, programme=programme)
    if not form.is_valid():
        return _tokens_page(request, programme, form=form, status=400)
    token, secret = services.token_create(
        programme=programme,
        name=form.cleaned_data["name"],
        resources=form.cleaned_data["resources"],
        actor=request.user,
    )
    return _tokens_page(request, programme, new_token=token, secret=secret)


@login_required
@require_POST
def token_revoke(request, slug, token_id):
    programme = programme_for(request, slug, MANAGE)
    token = selectors.token_get(programme=programme, token_id=token_id)
    if token is None:
        raise Http404(_("No such token."))
    services.token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("compute:token_list", slug=slug)


# --- the participant's own page --------------------------------------------------------------


def _topup_form(allocation, data=None) -> TopUpForm:
    return TopUpForm(data, auto_id=f"allocation-{allocation.pk}-%s")


def _mine_page(request, *, bound=None, bound_id=None, status=200):
    items = selectors.my_compute(user=request.user)
    prefetch_related_objects(
        [item.allocation for item in items],
        Prefetch(
            "changes",
            queryset=AllocationChange.objects.order_by("-created_at", "-id"),
            to_attr="history",
        ),
    )
    today = timezone.localdate()
    rows = []
    for item in items:
        allocation = item.allocation
        rows.append(
            {
                "item": item,
                "allocation": allocation,
                "resource": allocation.pool.resource,
                "history": allocation.history[:10],
                "chart_id": f"usage-data-{allocation.pk}",
                "chart_data": _chart(item.daily),
                "runs_out_today": item.runs_out_on is not None and item.runs_out_on <= today,
                "lasts_the_pool": item.runs_out_on is not None
                and item.runs_out_on > allocation.pool.valid_until,
                "form": bound
                if bound_id == allocation.pk
                else (
                    _topup_form(allocation)
                    if item.pending_request is None and allocation.status == AllocationStatus.ACTIVE
                    else None
                ),
            }
        )
    return render(request, "compute/my_compute.html", {"rows": rows}, status=status)


@login_required
def mine(request):
    return _mine_page(request)


@login_required
@require_POST
def topup_request(request, allocation_id):
    allocation = selectors.allocation_get_for_user(user=request.user, allocation_id=allocation_id)
    if allocation is None:
        raise Http404(_("No such allocation."))
    form = _topup_form(allocation, request.POST)
    if form.is_valid():
        try:
            services.topup_request(
                allocation=allocation,
                user=request.user,
                amount=form.cleaned_data["amount"],
                justification=form.cleaned_data["justification"],
            )
        except services.ComputeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Your request for more %(resource)s was sent to the programme's admins.")
                % {"resource": allocation.pool.resource.name},
            )
            return redirect(reverse("compute:mine") + f"#allocation-{allocation.pk}")
    return _mine_page(request, bound=form, bound_id=allocation.pk, status=400)
