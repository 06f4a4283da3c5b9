"""Review pages: set-up, assignment, dashboard, ranking, conflicts and the reviewer's queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications import exports
from applications import selectors as application_selectors
from applications import services as application_services
from cohorts import attributes
from cohorts import selectors as cohort_selectors
from cohorts import services as cohort_services
from cohorts.attributes import Use
from cohorts.selectors import cohort_or_404
from core.private_files import private_file_download
from programmes.selectors import programme_for, programme_or_404
from reviews import selectors, services
from reviews.forms import (
    ConflictFlagForm,
    ConflictForm,
    CriterionForm,
    QueueFilterForm,
    ReassignForm,
    ReviewForm,
    ReviewSettingsForm,
)
from reviews.models import ReviewAssignment, ReviewCriterion

RANKING_PAGE_SIZE = 50


QUEUE_PAGE_SIZE = 50


@login_required
def review_queue(request):
    cohorts = selectors.cohort_list_for_reviewer(reviewer=request.user)
    form = QueueFilterForm(request.GET or None, cohorts=cohorts)
    cohort_id = form.cleaned_data.get("cohort") if form.is_valid() else None
    cohort = next((c for c in cohorts if c.pk == cohort_id), None)
    assignments = selectors.assignment_list_for_reviewer(reviewer=request.user, cohort_id=cohort_id)
    counts = selectors.review_counts_for_reviewer(reviewer=request.user, cohort_id=cohort_id)
    page = Paginator(assignments, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/review_queue.html",
        {
            "page": page,
            "form": form,
            "cohorts": cohorts,
            "cohort": cohort,
            "is_closed": cohort is not None and selectors.is_overdue(cohort),
            "done": counts["done"],
            "total": counts["total"],
            "next_up": selectors.next_unreviewed(reviewer=request.user, cohort_id=cohort_id),
        },
    )


def _files_hidden(cohort) -> bool:
    """Uploaded files carry the applicant's name: in blind review reviewers get none of them,
    unless the admin chose to show them."""
    return cohort.is_blind_review and not cohort.is_blind_review_files_visible


def _display_answer(value, *, blind: bool, files_hidden: bool) -> str:
    if isinstance(value, dict):  # an uploaded file
        if files_hidden:
            return _("(a file, hidden in blind review)")
        return _("(file attached)") if blind else value.get("name", "")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _assignment_or_404(request, assignment_id) -> ReviewAssignment:
    assignment = selectors.assignment_get_for_reviewer(
        reviewer=request.user, assignment_id=assignment_id
    )
    if assignment is None:
        raise Http404(_("No such review."))
    return assignment


@login_required
def review_score(request, assignment_id):
    assignment = _assignment_or_404(request, assignment_id)
    application = assignment.application
    cohort = application.cohort
    criteria = selectors.criterion_list_for_cohort(cohort=cohort)
    review = selectors.review_of(assignment)
    initial = {}
    if review:
        initial = {f"score_{k}": v for k, v in review.scores.items()}
        initial.update(recommendation=review.recommendation, comment=review.comment)
    form = ReviewForm(
        request.POST if request.method == "POST" else None, criteria=criteria, initial=initial
    )
    error = None
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            services.review_save(
                assignment=assignment,
                reviewer=request.user,
                scores=form.scores(),
                recommendation=form.cleaned_data["recommendation"],
                comment=form.cleaned_data["comment"],
                submit=submit or bool(review and review.is_submitted),
            )
        except services.ReviewError as exc:
            error = str(exc)
        else:
            if submit:
                messages.success(request, _("Review submitted."))
                following = selectors.next_unreviewed(reviewer=request.user, after=assignment)
                if following is not None:
                    return redirect("reviews:score", assignment_id=following.pk)
                return redirect("reviews:queue")
            messages.success(request, _("Draft saved."))
            return redirect("reviews:score", assignment_id=assignment.pk)
    questions = cohort_selectors.question_list_for_cohort(cohort=cohort)
    visible = cohort_selectors.visible_question_keys(questions, application.answers)
    files_hidden = _files_hidden(cohort)
    answers = []
    for question in questions:
        if question.key not in visible:
            continue
        value = application.answers.get(question.key)
        has_file = isinstance(value, dict) and value.get("path") and not files_hidden
        answers.append(
            (
                question,
                _display_answer(value, blind=cohort.is_blind_review, files_hidden=files_hidden),
                reverse("reviews:file", args=[assignment.pk, question.key]) if has_file else "",
            )
        )
    review = selectors.review_of(assignment)
    show_others = cohort.reviewers_see_others and review is not None and review.is_submitted
    return render(
        request,
        "reviews/review_score.html",
        {
            "assignment": assignment,
            "application": application,
            "cohort": cohort,
            "blind": cohort.is_blind_review,
            "files_hidden": files_hidden,
            # Never identifying, so shown in blind review too.
            "profile_rows": [
                (a.label_for(Use.REVIEWERS), a.text(a.read(application)))
                for a in attributes.in_use(Use.REVIEWERS)
            ],
            "answers": answers,
            "form": form,
            "review": review,
            "error": error,
            "others": selectors.other_reviews(assignment=assignment) if show_others else [],
            "criteria": criteria,
            "is_closed": selectors.is_overdue(cohort),
        },
        status=400 if (form.errors or error) else 200,
    )


@login_required
def review_file(request, assignment_id, key):
    """The CV (key "cv") or a file answer of an application assigned to this reviewer; refused
    in blind review unless the admin chose to show files (they carry the applicant's name)."""
    assignment = _assignment_or_404(request, assignment_id)
    application = assignment.application
    if _files_hidden(application.cohort):
        raise PermissionDenied(_("Uploaded files are hidden in blind review."))
    if key == "cv":
        path, name = (application.cv.name, application.cv_name) if application.cv else (None, "")
    else:
        value = application.answers.get(key)
        path, name = (
            (value.get("path"), value.get("name", "")) if isinstance(value, dict) else (None, "")
        )
    if not path:
        raise Http404(_("No such file."))
    blind = application.cohort.is_blind_review
    filename = (
        f"application-{application.pk}-{key}.pdf"
        if blind
        else exports.download_name(name or f"{key}.pdf")
    )
    # A file that is missing after all is a 404 with no audit entry (rolled back).
    with transaction.atomic():
        application_services.application_file_opened(
            application=application, actor=request.user, what=key
        )
        return private_file_download(path, filename=filename)


@login_required
@require_POST
def review_flag_conflict(request, assignment_id):
    assignment = _assignment_or_404(request, assignment_id)
    form = ConflictFlagForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return redirect("reviews:score", assignment_id=assignment.pk)
    services.assignment_flag_conflict(
        assignment=assignment, reviewer=request.user, reason=form.cleaned_data["reason"]
    )
    messages.success(
        request, _("Thank you. The application is removed from your queue and will be reassigned.")
    )
    return redirect("reviews:queue")


@login_required
def conflicts(request, slug):
    programme = programme_or_404(request, slug)
    if not selectors.reviewer_role_exists(user=request.user, programme=programme):
        raise PermissionDenied
    has_blind = selectors.programme_has_blind_review(programme=programme)
    form = ConflictForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.conflict_declare(
                reviewer=request.user,
                programme=programme,
                kind=form.cleaned_data["kind"],
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
            )
        except services.ReviewError as exc:
            form.add_error("value", str(exc))
        else:
            # The same words whatever the declaration matched: in blind review nothing may
            # tell the reviewer which of their applications it was.
            messages.success(
                request,
                _(
                    "Conflict recorded. You will not be asked to review these applications. "
                    "If any of your assignments are affected, the programme admin will "
                    "reassign them."
                )
                if has_blind
                else _("Conflict recorded. You will not be asked to review these applications."),
            )
            return redirect("reviews:conflicts", slug=programme.slug)
    return render(
        request,
        "reviews/conflict_list.html",
        {
            "programme": programme,
            "has_blind": has_blind,
            "form": form,
            "conflicts": selectors.conflict_list_for_reviewer(
                reviewer=request.user, programme=programme
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def conflict_delete(request, slug, conflict_id):
    programme = programme_or_404(request, slug)
    conflict = (
        selectors.conflict_list_for_reviewer(reviewer=request.user, programme=programme)
        .filter(pk=conflict_id)
        .first()
    )
    if conflict is None:
        raise Http404(_("No such conflict."))
    services.conflict_remove(conflict=conflict)
    messages.success(request, _("Conflict removed."))
    return redirect("reviews:conflicts", slug=programme.slug)


def _admin_cohort(request, slug, cohort_slug):
    programme = programme_for(request, slug, "programmes.manage_programme")
    return programme, cohort_or_404(programme, cohort_slug)


@login_required
def review_setup(request, slug, cohort_slug):
    programme, cohort = _admin_cohort(request, slug, cohort_slug)
    settings_form = ReviewSettingsForm(
        request.POST if request.method == "POST" and "settings" in request.POST else None,
        instance=cohort,
    )
    criterion_form = CriterionForm(
        request.POST if request.method == "POST" and "criterion" in request.POST else None,
        instance=ReviewCriterion(cohort=cohort),
    )
    if request.method == "POST" and "settings" in request.POST and settings_form.is_valid():
        cohort_services.cohort_save(cohort=settings_form.save(commit=False), actor=request.user)
        messages.success(request, _("Review settings saved."))
        return redirect("reviews:review_setup", slug=slug, cohort_slug=cohort_slug)
    if request.method == "POST" and "criterion" in request.POST and criterion_form.is_valid():
        criterion = criterion_form.save(commit=False)
        criterion.scale_labels = criterion_form.cleaned_data["scale_labels"]
        services.criterion_save(criterion=criterion, actor=request.user)
        messages.success(request, _("Criterion added."))
        return redirect("reviews:review_setup", slug=slug, cohort_slug=cohort_slug)
    return render(
        request,
        "reviews/review_setup.html",
        {
            "programme": programme,
            "cohort": cohort,
            "settings_form": settings_form,
            "criterion_form": criterion_form,
            "criteria": selectors.criterion_list_for_cohort(cohort=cohort),
        },
        status=400 if (settings_form.errors or criterion_form.errors) else 200,
    )


@login_required
def criterion_edit(request, slug, cohort_slug, criterion_id):
    programme, cohort = _admin_cohort(request, slug, cohort_slug)
    criterion = ReviewCriterion.objects.filter(cohort=cohort, pk=criterion_id).first()
    if criterion is None:
        raise Http404(_("No such criterion."))
    form = CriterionForm(request.POST if request.method == "POST" else None, instance=criterion)
    if request.method == "POST" and form.is_valid():
        criterion = form.save(commit=False)
        criterion.scale_labels = form.cleaned_data["scale_labels"]
        services.criterion_save(criterion=criterion, actor=request.user)
        messages.success(
            request, _("Criterion saved. Run “recompute scores” if reviews were already submitted.")
        )
        return redirect("reviews:review_setup", slug=slug, cohort_slug=cohort_slug)
    return render(
        request,
        "reviews/criterion_form.html",
        {"programme": programme, "cohort": cohort, "form": form, "criterion": criterion},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def criterion_delete(request, slug, cohort_slug, criterion_id):
    _programme, cohort = _admin_cohort(request, slug, cohort_slug)
    criterion = ReviewCriterion.objects.filter(cohort=cohort, pk=criterion_id).first()
    if criterion is None:
        raise Http404(_("No such criterion."))
    try:
        services.criterion_delete(criterion=criterion, actor=request.user)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Criterion removed."))
    return redirect("reviews:review_setup", slug=slug, cohort_slug=cohort_slug)


@login_required
def review_assign(request, slug, cohort_slug):
    """The preview of "assign reviewers", the last run's state, and the button to start one;
    the run itself is done by a worker (services.assignment_run_execute)."""
    programme, cohort = _admin_cohort(request, slug, cohort_slug)
    run = selectors.assignment_run_latest(cohort=cohort)
    if request.htmx and request.GET.get("part") == "run":
        if run is None or not run.is_busy:  # finished: reload the page for the new preview
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(
            request,
            "reviews/review_assign.html#run",
            {"programme": programme, "cohort": cohort, "run": run},
        )
    if request.method == "POST":
        try:
            services.assignment_run_start(cohort=cohort, actor=request.user)
        except services.ReviewError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _(
                    "Assigning reviewers in the background. This page shows when it is done; "
                    "each reviewer then gets one email."
                ),
            )
        return redirect("reviews:review_assign", slug=slug, cohort_slug=cohort_slug)
    preview = services.assignment_preview(cohort=cohort)
    rows = [
        (reviewer, preview.load_before.get(reviewer.pk, 0), preview.load_after.get(reviewer.pk, 0))
        for reviewer in preview.reviewers
    ]
    return render(
        request,
        "reviews/review_assign.html",
        {
            "programme": programme,
            "cohort": cohort,
            "preview": preview,
            "rows": rows,
            "shortfall": preview.shortfall[:100],
            "conflicted": preview.conflicted[:100],
            "run": run,
        },
    )


@login_required
def review_dashboard(request, slug, cohort_slug):
    programme, cohort = _admin_cohort(request, slug, cohort_slug)
    if request.method == "POST":
        ids = [
            int(v) for v in request.POST.getlist("reviewer") if v.isascii() and v.isdigit()
        ] or None
        sent = services.review_reminders(cohort=cohort, actor=request.user, reviewer_ids=ids)
        messages.success(request, _("%(count)s reminders sent.") % {"count": sent})
        return redirect("reviews:review_dashboard", slug=slug, cohort_slug=cohort_slug)
    criteria = selectors.criterion_list_for_cohort(cohort=cohort)
    scale_min = min((c.scale_min for c in criteria), default=1)
    scale_max = max((c.scale_max for c in criteria), default=5)
    progress = selectors.reviewer_progress(cohort=cohort)
    labels, counts = selectors.score_histogram(
        cohort=cohort, scale_min=scale_min, scale_max=scale_max
    )
    assigned = sum(p.assigned for p in progress)
    submitted = sum(p.submitted for p in progress)
    return render(
        request,
        "reviews/review_dashboard.html",
        {
            "programme": programme,
            "cohort": cohort,
            "progress": progress,
            "assigned": assigned,
            "submitted": submitted,
            "percent": round(100 * submitted / assigned) if assigned else 0,
            "remaining": assigned - submitted,
            "overdue": selectors.is_overdue(cohort),
            "disagreements": selectors.disagreements(
                cohort=cohort, threshold=(scale_max - scale_min) * 0.4
            )[:20],
            "chart_data": {"labels": labels, "counts": counts, "label": _("Applications")},
        },
    )


@login_required
def review_ranking(request, slug, cohort_slug):
    programme, cohort = _admin_cohort(request, slug, cohort_slug)
    order = "normalized" if request.GET.get("order") == "normalized" else "raw"
    page = Paginator(selectors.ranking(cohort=cohort, order=order), RANKING_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reviews/review_ranking.html",
        {
            "programme": programme,
            "cohort": cohort,
            "page": page,
            "order": order,
            "offset": (page.number - 1) * RANKING_PAGE_SIZE,
        },
    )


@login_required
def application_reviews(request, slug, cohort_slug, application_id):
    """The admin's view of one application's reviews, with reassignment."""
    programme, cohort = _admin_cohort(request, slug, cohort_slug)
    application = application_selectors.application_get_for_staff(
        cohort=cohort, application_id=application_id
    )
    if application is None:
        raise Http404(_("No such application."))
    reviewers = selectors.reviewer_list_for_programme(programme=programme)
    assignments = (
        ReviewAssignment.objects.filter(application=application)
        .select_related("reviewer", "review")
        .order_by("-is_active", "id")
    )
    conflicted = set(
        selectors.assignment_list_conflicted(cohort=cohort)
        .filter(application=application)
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "reviews/review_application.html",
        {
            "programme": programme,
            "cohort": cohort,
            "application": application,
            "assignments": assignments,
            "conflicted": conflicted,
            "criteria": selectors.criterion_list_for_cohort(cohort=cohort),
            "reassign_form": ReassignForm(reviewers=reviewers),
        },
    )


@login_required
@require_POST
def assignment_reassign(request, slug, cohort_slug, assignment_id):
    programme, cohort = _admin_cohort(request, slug, cohort_slug)
    assignment = (
        ReviewAssignment.objects.filter(pk=assignment_id, application__cohort=cohort)
        .select_related("application")
        .first()
    )
    if assignment is None:
        raise Http404(_("No such assignment."))
    form = ReassignForm(
        request.POST, reviewers=selectors.reviewer_list_for_programme(programme=programme)
    )
    if form.is_valid():
        try:
            services.assignment_reassign(
                assignment=assignment, reviewer=form.cleaned_data["reviewer"], actor=request.user
            )
        except services.ReviewError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Reassigned."))
    else:
        messages.error(request, _("Choose a reviewer of this programme."))
    return redirect(
        reverse("reviews:review_application", args=[slug, cohort_slug, assignment.application_id])
    )
