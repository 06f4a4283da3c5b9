"""A cohort's certificates, for the programme's staff and admins: the board of every participant
(eligible, not yet and why, issued, revoked) with its CSV export, the certification rule, issuing
to everyone eligible as a background run with its progress, and each person's checklist where a
requirement is waived, the person signed off, a certificate issued or revoked.

Every page goes through `programme_for(..., MANAGE)`: someone without a role in the programme
gets a 404, a role that may not issue (a reviewer, a mentor) a 403.
"""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import reauthentication
from certificates import selectors, services
from certificates.enums import BoardState, RunStatus
from certificates.forms import BoardFilterForm, RevokeForm, RuleForm, SignOffForm, WaiverForm
from cohorts.selectors import cohort_or_404
from compute.models import ResourceType
from core import tabular
from core.services import audit_record
from courses.models import Course
from programmes.selectors import programme_for

MANAGE = "certificates.manage_certificates"
PAGE_SIZE = 50
# Seconds between two looks at a bulk issue's progress.
RUN_POLL_SECONDS = 2

EXPORT_HEADER = [
    "cohort",
    "email",
    "name",
    "state",
    "certificate code",
    "issued on",
    "revoked on",
    "requirements not met",
    "requirements waived",
]


def _cohort(request, slug, cohort_slug):
    programme = programme_for(request, slug, MANAGE)
    return programme, cohort_or_404(programme, cohort_slug)


def _name(user) -> str:
    return user.display_name or user.email


def _missing(checklist) -> list:
    return [item for item in checklist.items if not item.met and not item.waived]


# --- the board ---------------------------------------------------------------------------------


def _board_csv(request, programme, cohort, rows):
    # Participants' emails and progress: confirm who is asking (then back here, to the file).
    reauthentication.require_recent(request)
    audit_record(
        actor=request.user,
        action="certificates.board_export",
        target=cohort,
        programme=programme.pk,
        rows=len(rows),
    )
    labels = dict(BoardState.choices)

    def lines():
        for row in rows:
            certificate = row.certificate
            yield [
                tabular.neutralise(cell)
                for cell in (
                    cohort.name,
                    row.user.email,
                    row.user.display_name,
                    str(labels.get(row.state, row.state)),
                    certificate.code if certificate else "",
                    certificate.issued_on.isoformat() if certificate else "",
                    certificate.revoked_at.date().isoformat()
                    if certificate and certificate.revoked_at
                    else "",
                    "; ".join(item.detail for item in _missing(row)),
                    "; ".join(item.label for item in row.items if item.waived),
                )
            ]

    response = StreamingHttpResponse(
        tabular.csv_chunks(EXPORT_HEADER, lines()), content_type="text/csv; charset=utf-8"
    )
    filename = f"{programme.slug}-{cohort.slug}-certificates-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def board(request, slug, cohort_slug):
    programme, cohort = _cohort(request, slug, cohort_slug)
    form = BoardFilterForm(request.GET)
    filters = form.filters()
    # One read of the whole board: the bulk run issues to everyone eligible, whatever the filters,
    # so its button counts the whole cohort. The search is one more query for the matching ids;
    # the state counts follow the search, and the state filter is applied here.
    everyone = selectors.cohort_board(cohort=cohort)
    found = everyone
    if filters["q"]:
        ids = set(
            selectors.participants(cohort=cohort, q=filters["q"]).values_list("user_id", flat=True)
        )
        found = [row for row in everyone if row.user.pk in ids]
    counts = Counter(row.state for row in found)
    rows = [row for row in found if not filters["state"] or row.state == filters["state"]]
    if request.GET.get("format") == "csv":
        return _board_csv(request, programme, cohort, rows)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    run = selectors.run_latest(cohort=cohort)
    return render(
        request,
        "certificates/board.html",
        {
            "programme": programme,
            "cohort": cohort,
            "form": form,
            "filters": filters,
            "page": page,
            "rows": [{"row": row, "missing": _missing(row)} for row in page.object_list],
            "counts": [
                {"state": value, "label": label, "count": counts.get(value, 0)}
                for value, label in BoardState.choices
            ],
            "total": len(everyone),
            "eligible": sum(row.state == BoardState.ELIGIBLE for row in everyone),
            "rule": selectors.rule_get(cohort=cohort),
            "run": run if run is not None and _is_busy(run) else None,
        },
    )


# --- the rule ----------------------------------------------------------------------------------


@login_required
def rule(request, slug, cohort_slug):
    programme, cohort = _cohort(request, slug, cohort_slug)
    saved = selectors.rule_get(cohort=cohort)
    form = RuleForm(
        request.POST if request.method == "POST" else None,
        initial=RuleForm.initial_from(saved),
        courses=Course.objects.filter(programme=programme).order_by("code"),
        resources=ResourceType.objects.filter(programme=programme).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_save(cohort=cohort, actor=request.user, **form.cleaned_data)
        except services.CertificateError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The certification rule is saved."))
            return redirect("certificates:board", slug=slug, cohort_slug=cohort_slug)
    return render(
        request,
        "certificates/rule_form.html",
        {"programme": programme, "cohort": cohort, "form": form, "rule": saved},
        status=400 if form.errors else 200,
    )


# --- issuing in bulk ---------------------------------------------------------------------------


@login_required
@require_POST
def issue_all(request, slug, cohort_slug):
    _programme, cohort = _cohort(request, slug, cohort_slug)
    try:
        run = services.issue_run_start(cohort=cohort, actor=request.user)
    except services.CertificateError as exc:
        messages.error(request, str(exc))
        return redirect("certificates:board", slug=slug, cohort_slug=cohort_slug)
    return redirect("certificates:run", slug=slug, cohort_slug=cohort_slug, run_id=run.pk)


def _is_busy(run) -> bool:
    return run.status in (RunStatus.QUEUED, RunStatus.RUNNING)


def _percent(run) -> int:
    if not run.total:
        return 0 if _is_busy(run) else 100
    return min(100, round(100 * run.done / run.total))


@login_required
def run(request, slug, cohort_slug, run_id):
    programme, cohort = _cohort(request, slug, cohort_slug)
    found = selectors.run_get(cohort=cohort, run_id=run_id)
    if found is None:
        raise Http404(_("No such run."))
    context = {
        "programme": programme,
        "cohort": cohort,
        "run": found,
        "busy": _is_busy(found),
        "percent": _percent(found),
        "poll_seconds": RUN_POLL_SECONDS,
    }
    if request.htmx and request.GET.get("part") == "progress":
        if not context["busy"]:  # reload the whole page to show the outcome
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "certificates/run.html#progress", context)
    return render(request, "certificates/run.html", context)


# --- one person --------------------------------------------------------------------------------


def _person_or_404(cohort, user_id):
    person = selectors.participant_get(cohort=cohort, user_id=user_id)
    if person is None:
        raise Http404(_("This person is not a participant of the cohort."))
    return person


def _person_page(
    request,
    programme,
    cohort,
    person,
    *,
    waiver_form=None,
    signoff_form=None,
    revoke_form=None,
    status=200,
):
    checklist = selectors.checklist_for(cohort=cohort, user=person)
    waivable = list(
        dict.fromkeys(item.key.split(":")[0] for item in checklist.items if not item.waived)
    )
    certificate = checklist.certificate
    return render(
        request,
        "certificates/person.html",
        {
            "programme": programme,
            "cohort": cohort,
            "person": person,
            "checklist": checklist,
            "certificate": certificate,
            "rule": selectors.rule_get(cohort=cohort),
            "waiver_form": waiver_form or WaiverForm(requirements=waivable),
            "signoff_form": signoff_form or SignOffForm(),
            "revoke_form": revoke_form or RevokeForm(),
        },
        status=status,
    )


@login_required
def person(request, slug, cohort_slug, user_id):
    programme, cohort = _cohort(request, slug, cohort_slug)
    return _person_page(request, programme, cohort, _person_or_404(cohort, user_id))


def _back_to(slug, cohort_slug, user_id):
    return redirect("certificates:person", slug=slug, cohort_slug=cohort_slug, user_id=user_id)


@login_required
@require_POST
def waive(request, slug, cohort_slug, user_id):
    programme, cohort = _cohort(request, slug, cohort_slug)
    holder = _person_or_404(cohort, user_id)
    checklist = selectors.checklist_for(cohort=cohort, user=holder)
    waivable = list(
        dict.fromkeys(item.key.split(":")[0] for item in checklist.items if not item.waived)
    )
    form = WaiverForm(request.POST, requirements=waivable)
    if form.is_valid():
        try:
            services.waiver_add(
                cohort=cohort,
                user=holder,
                requirement=form.cleaned_data["requirement"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except services.CertificateError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(requirement)s is waived for %(name)s.")
                % {
                    "requirement": dict(form.fields["requirement"].choices)[
                        form.cleaned_data["requirement"]
                    ],
                    "name": _name(holder),
                },
            )
            return _back_to(slug, cohort_slug, user_id)
    return _person_page(request, programme, cohort, holder, waiver_form=form, status=400)


@login_required
@require_POST
def sign_off(request, slug, cohort_slug, user_id):
    programme, cohort = _cohort(request, slug, cohort_slug)
    holder = _person_or_404(cohort, user_id)
    form = SignOffForm(request.POST)
    if form.is_valid():
        try:
            services.sign_off(
                cohort=cohort, user=holder, actor=request.user, note=form.cleaned_data["note"]
            )
        except services.CertificateError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(name)s is signed off.") % {"name": _name(holder)})
            return _back_to(slug, cohort_slug, user_id)
    return _person_page(request, programme, cohort, holder, signoff_form=form, status=400)


@login_required
@require_POST
def issue_one(request, slug, cohort_slug, user_id):
    _programme, cohort = _cohort(request, slug, cohort_slug)
    holder = _person_or_404(cohort, user_id)
    try:
        certificate = services.certificate_issue(cohort=cohort, user=holder, actor=request.user)
    except services.CertificateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(name)s's certificate is issued (code %(code)s).")
            % {"name": _name(holder), "code": certificate.code[:8] + "…"},
        )
    return _back_to(slug, cohort_slug, user_id)


@login_required
@require_POST
def revoke(request, slug, code):
    programme = programme_for(request, slug, MANAGE)
    certificate = selectors.certificate_get_for_staff(programme=programme, code=code)
    if certificate is None:
        raise Http404(_("No such certificate."))
    holder, cohort = certificate.user, certificate.cohort
    form = RevokeForm(request.POST)
    if form.is_valid() and certificate.is_revoked:
        form.add_error(None, _("This certificate is already revoked."))
    if form.is_valid():
        try:
            services.certificate_revoke(
                certificate=certificate, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except services.CertificateError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("%(name)s's certificate is revoked.") % {"name": _name(holder)}
            )
            return redirect(
                reverse(
                    "certificates:person",
                    kwargs={"slug": slug, "cohort_slug": cohort.slug, "user_id": holder.pk},
                )
            )
    return _person_page(request, programme, cohort, holder, revoke_form=form, status=400)
