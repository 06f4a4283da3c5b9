"""Selection pages and the applicant's offer answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications import selectors as application_selectors
from applications import services as application_services
from applications.models import Application
from cohorts.selectors import cohort_or_404
from programmes.selectors import programme_for
from selection import selectors, services
from selection.enums import ScoreKind
from selection.forms import DeclineForm, QuotaForm, SelectionRunForm, quota_values_text
from selection.models import Quota

LIST_SIZE = 50


def _admin(request, slug, cohort_slug):
    programme = programme_for(request, slug, "programmes.manage_programme")
    return programme, cohort_or_404(programme, cohort_slug)


def _free_seats(cohort) -> int:
    return max(cohort.capacity - services.seats_taken(cohort), 1)


def _run_initial(request, cohort) -> dict:
    """The run form's starting values: from a "start a run with this seed" link, if any."""
    initial = {"seats": services.default_seats(cohort)}
    for name in ("seed", "seats", "min_reviews"):
        value = request.GET.get(name, "")
        if value.isdecimal() and len(value) <= 10 and int(value) < 2**31:
            initial[name] = int(value)
    if request.GET.get("score_kind") in ScoreKind.values:
        initial["score_kind"] = request.GET["score_kind"]
    return initial


def _home(request, programme, cohort, *, quota_form=None, run_form=None, status=200):
    return render(
        request,
        "selection/selection_home.html",
        {
            "programme": programme,
            "cohort": cohort,
            "quotas": [
                (quota, quota_values_text(quota))
                for quota in selectors.quota_list_for_cohort(cohort=cohort)
            ],
            "runs": selectors.run_list_for_cohort(cohort=cohort)[:20],
            "committed": selectors.committed_run(cohort=cohort),
            "quota_form": quota_form or QuotaForm(seats=services.default_seats(cohort)),
            "run_form": run_form
            or SelectionRunForm(
                initial=_run_initial(request, cohort), max_seats=_free_seats(cohort)
            ),
            "pool_size": services.selection_pool(cohort=cohort, min_reviews=1).count(),
        },
        status=status,
    )


@login_required
def selection_home(request, slug, cohort_slug):
    programme, cohort = _admin(request, slug, cohort_slug)
    seats = services.default_seats(cohort)
    if request.GET.get("part") in ("quota-values", "quota-seats"):
        # The quota form's parts that follow what is typed: the chosen attribute's values,
        # and the shares as seats. Nothing is saved.
        form = QuotaForm(initial=request.GET.dict(), seats=seats)
        context = {"programme": programme, "cohort": cohort, "quota_form": form}
        return render(request, f"selection/selection_home.html#{request.GET['part']}", context)
    if request.method == "POST" and "quota_refresh" in request.POST:  # without JavaScript
        initial = {**request.POST.dict(), "values": request.POST.getlist("values")}
        form = QuotaForm(initial=initial, seats=seats)
        return _home(request, programme, cohort, quota_form=form)
    if request.method == "POST" and "quota" in request.POST:
        form = QuotaForm(request.POST, instance=Quota(cohort=cohort), seats=seats)
        if form.is_valid():
            quota = form.save(commit=False)
            quota.values = form.cleaned_data["values"]
            services.quota_save(quota=quota, actor=request.user)
            messages.success(request, _("Quota added."))
            return redirect("selection:selection_home", slug=slug, cohort_slug=cohort_slug)
        return _home(request, programme, cohort, quota_form=form, status=400)
    if request.method == "POST" and "run" in request.POST:
        form = SelectionRunForm(request.POST, max_seats=_free_seats(cohort))
        if form.is_valid():
            run = services.selection_run_start(
                cohort=cohort,
                author=request.user,
                score_kind=form.cleaned_data["score_kind"],
                seats=form.cleaned_data["seats"],
                min_reviews=form.cleaned_data["min_reviews"],
                seed=form.cleaned_data["seed"],
            )
            return redirect(
                "selection:selection_run", slug=slug, cohort_slug=cohort_slug, number=run.number
            )
        return _home(request, programme, cohort, run_form=form, status=400)
    return _home(request, programme, cohort)


@login_required
@require_POST
def quota_delete(request, slug, cohort_slug, quota_id):
    _programme, cohort = _admin(request, slug, cohort_slug)
    quota = Quota.objects.filter(cohort=cohort, pk=quota_id).first()
    if quota is None:
        raise Http404(_("No such quota."))
    services.quota_delete(quota=quota, actor=request.user)
    messages.success(request, _("Quota removed."))
    return redirect("selection:selection_home", slug=slug, cohort_slug=cohort_slug)


def _run_or_404(cohort, number):
    run = selectors.run_get_for_cohort(cohort=cohort, number=number)
    if run is None:
        raise Http404(_("No such run."))
    return run


@login_required
def selection_run(request, slug, cohort_slug, number):
    programme, cohort = _admin(request, slug, cohort_slug)
    run = _run_or_404(cohort, number)
    progress = services.commit_progress(run) if run.status == "committing" else run.progress
    if request.htmx and request.GET.get("part") == "progress":
        if not run.is_busy:  # reload the whole page to show the result
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(
            request,
            "selection/selection_run.html#progress",
            {"programme": programme, "cohort": cohort, "run": run, "progress": progress},
        )
    explanation, explained = None, None
    query = request.GET.get("applicant", "").strip()
    if query and run.is_finished:
        lookup = Application.objects.filter(cohort=cohort)
        explained = (
            lookup.filter(pk=int(query))
            if query.isdecimal() and len(query) < 10
            else lookup.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
        ).first()
        explanation = (
            selectors.explain(run, explained)
            if explained
            else _("No applicant of this cohort matches “%(q)s”.") % {"q": query}
        )
    composition = (
        selectors.run_composition(run) if run.is_finished and run.result_status == "optimal" else []
    )
    chart_data = {
        "labels": [q["name"] for q in composition],
        "counts": [q["count"] for q in composition],
        "mins": [q["min"] for q in composition],
        "maxes": [q["max"] for q in composition],
        "selected": _("Selected"),
        "minimum": _("Minimum"),
        "maximum": _("Maximum"),
    }
    names = dict(
        Application.objects.filter(
            pk__in=run.selected[:LIST_SIZE] + run.waitlist[:LIST_SIZE]
        ).values_list("pk", "full_name")
    )
    return render(
        request,
        "selection/selection_run.html",
        {
            "programme": programme,
            "cohort": cohort,
            "run": run,
            "summary": selectors.run_summary(run) if run.is_finished else None,
            "composition": composition,
            "chart_data": chart_data,
            "chart_height": 60 + 40 * len(composition),
            "top": [
                (i + 1, pk, names.get(pk, ""), run.scores.get(str(pk)))
                for i, pk in enumerate(run.selected[:LIST_SIZE])
            ],
            "waitlist": [
                (i + 1, pk, names.get(pk, ""), run.scores.get(str(pk)))
                for i, pk in enumerate(run.waitlist[:LIST_SIZE])
            ],
            "query": query,
            "explanation": explanation,
            "explained": explained,
            "other_runs": selectors.run_list_for_cohort(cohort=cohort)
            .exclude(pk=run.pk)
            .filter(status__in=["done", "committed"])[:10],
            "has_committed": selectors.committed_run(cohort=cohort) is not None,
            "progress": progress,
        },
    )


@login_required
@require_POST
def selection_commit(request, slug, cohort_slug, number):
    _programme, cohort = _admin(request, slug, cohort_slug)
    run = _run_or_404(cohort, number)
    try:
        services.selection_run_commit(run=run, actor=request.user)
    except services.SelectionError as exc:
        messages.error(request, str(exc))
    else:
        messages.info(
            request,
            _(
                "Committing run %(n)s: offers, the waitlist and the decision letters are being "
                "written. Applicants see nothing until you release the decisions."
            )
            % {"n": run.number},
        )
    return redirect("selection:selection_run", slug=slug, cohort_slug=cohort_slug, number=number)


@login_required
@require_POST
def selection_retry(request, slug, cohort_slug, number):
    _programme, cohort = _admin(request, slug, cohort_slug)
    run = _run_or_404(cohort, number)
    try:
        services.selection_run_retry(run=run, actor=request.user)
    except services.SelectionError as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, _("The run is computed again with the same inputs and seed."))
    return redirect("selection:selection_run", slug=slug, cohort_slug=cohort_slug, number=number)


@login_required
def selection_compare(request, slug, cohort_slug):
    programme, cohort = _admin(request, slug, cohort_slug)
    a_id, b_id = request.GET.get("a", ""), request.GET.get("b", "")
    if not (a_id.isdecimal() and b_id.isdecimal() and len(a_id) < 10 and len(b_id) < 10):
        raise Http404(_("Choose two runs to compare."))
    a, b = _run_or_404(cohort, int(a_id)), _run_or_404(cohort, int(b_id))
    return render(
        request,
        "selection/selection_compare.html",
        {
            "programme": programme,
            "cohort": cohort,
            "a": a,
            "b": b,
            "diff": selectors.compare_runs(a, b),
        },
    )


@login_required
def selection_offers(request, slug, cohort_slug):
    # Programme staff see the offers and participants; only admins change anything.
    programme = programme_for(request, slug, "programmes.view_applications")
    cohort = cohort_or_404(programme, cohort_slug)
    can_manage = request.user.has_perm("programmes.manage_programme", programme)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if "release" in request.POST:
            try:
                released = services.decisions_release(cohort=cohort, actor=request.user)
            except services.SelectionError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    _(
                        "%(count)s decision letters are on their way; applicants now see their decisions."
                    )
                    % {"count": released},
                )
        elif "pause" in request.POST or "resume" in request.POST:
            services.waitlist_set_paused(
                cohort=cohort, paused="pause" in request.POST, actor=request.user
            )
            messages.success(
                request,
                _("Automatic promotion paused.")
                if "pause" in request.POST
                else _("Automatic promotion resumed."),
            )
        elif request.POST.get("promote", "").isdecimal():
            application = (
                selectors.waitlist_for_cohort(cohort=cohort)
                .filter(pk=int(request.POST["promote"]))
                .first()
            )
            if application is None:
                raise Http404(_("No such waitlisted applicant."))
            try:
                services.waitlist_promote(
                    cohort=cohort, actor=request.user, application=application
                )
            except services.SelectionError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    _("%(name)s has been offered a seat.") % {"name": application.full_name},
                )
        return redirect("selection:selection_offers", slug=slug, cohort_slug=cohort_slug)
    cohort.refresh_from_db()
    seats_taken = services.seats_taken(cohort)
    offers = Paginator(selectors.offer_list_for_cohort(cohort=cohort), LIST_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "selection/selection_offers.html",
        {
            "programme": programme,
            "cohort": cohort,
            "offers": offers,
            "counts": selectors.offer_counts(cohort=cohort),
            "waitlist": selectors.waitlist_for_cohort(cohort=cohort)[:LIST_SIZE],
            "participants": selectors.participant_list_for_cohort(cohort=cohort)[:LIST_SIZE],
            "participant_count": selectors.participant_list_for_cohort(cohort=cohort).count(),
            "seats_taken": seats_taken,
            "seats_free": seats_taken < cohort.capacity,
            "committed": selectors.committed_run(cohort=cohort),
            "can_manage": can_manage,
        },
    )


def _own_offer(request, application_id):
    application = application_selectors.application_get_for_applicant(
        user=request.user, application_id=application_id
    )
    # A hidden decision answers like no decision at all: offered, waitlisted or not selected.
    offer = (
        selectors.offer_for_applicant(application=application)
        if application and not application.is_decision_hidden
        else None
    )
    if offer is None:
        raise Http404(_("No such offer."))
    return application, offer


@login_required
@require_POST
def offer_accept(request, application_id):
    application, offer = _own_offer(request, application_id)
    try:
        services.offer_accept(offer=offer, user=request.user)
    except services.SelectionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Welcome to %(cohort)s! You are now a participant.")
            % {"cohort": application.cohort.name},
        )
    return redirect("applications:detail", application_id=application.pk)


@login_required
@require_POST
def offer_decline(request, application_id):
    application, offer = _own_offer(request, application_id)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("reason", [])))
        return redirect("applications:detail", application_id=application.pk)
    try:
        services.offer_decline(offer=offer, user=request.user, reason=form.cleaned_data["reason"])
    except (services.SelectionError, application_services.ApplicationError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("You have declined the offer. Thank you for letting us know."))
    return redirect("applications:detail", application_id=application.pk)
