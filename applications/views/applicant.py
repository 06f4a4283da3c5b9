"""Applicant pages: the dashboard, applying, following one's applications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors
from applications import selectors, services
from applications.enums import MAX_OPEN_DISPUTES, ApplicationStatus
from applications.forms import (
    ApplicationAnswersForm,
    DisputeForm,
    SubmitForm,
    WithdrawForm,
    clean_upload_name,
    draft_answer_errors,
    raw_answers_from_post,
    validate_pdf,
)
from cohorts import selectors as cohort_selectors
from cohorts.enums import QuestionType
from core.private_files import private_file_download
from programmes import selectors as programme_selectors


@login_required
def dashboard(request):
    profile = account_selectors.profile_get_for_user(user=request.user)
    memberships = programme_selectors.membership_list_for_user(user=request.user)
    if profile is None and not memberships and not request.user.is_superuser:
        messages.info(request, _("Welcome! Tell us about yourself so you can apply to a cohort."))
        return redirect("accounts:profile")
    return render(
        request,
        "applications/dashboard.html",
        {
            "profile": profile,
            "memberships": memberships,
            "applications": selectors.application_list_for_applicant(user=request.user),
            "open_cohorts": cohort_selectors.cohort_list_open(not_applied_by=request.user),
        },
    )


def _own_or_404(request, application_id):
    application = selectors.application_get_for_applicant(
        user=request.user, application_id=application_id
    )
    if application is None:
        raise Http404(_("No such application."))
    return application


def _is_editable(application) -> bool:
    return application.is_editable


def _question_rows(questions, answers, errors=None):
    """What the template needs for each question: value, visibility, condition, errors."""
    errors = errors or {}
    visible = cohort_selectors.visible_question_keys(questions, answers)
    by_id = {q.pk: q for q in questions}
    rows = []
    for question in questions:
        value = answers.get(question.key)
        parent = by_id.get(question.depends_on_id)
        rows.append(
            {
                "q": question,
                "name": f"q_{question.key}",
                "value": value,
                "values": value
                if isinstance(value, list)
                else ([value] if value not in (None, "") else []),
                "file": value
                if question.type == QuestionType.FILE and isinstance(value, dict)
                else None,
                "is_visible": question.key in visible,
                "depends_on": f"q_{parent.key}" if parent else "",
                "show_when": "|".join(str(v) for v in question.show_when),
                "errors": errors.get(f"q_{question.key}", []),
            }
        )
    return rows


def _render_form(
    request,
    application,
    *,
    errors=None,
    upload_errors=None,
    submit_form=None,
    status=200,
    message=None,
    answers=None,
):
    cohort = application.cohort
    questions = cohort_selectors.question_list_for_cohort(cohort=cohort)
    answers = application.answers if answers is None else answers
    profile = account_selectors.profile_get_for_user(user=request.user)
    final_reasons = []
    if application.status == ApplicationStatus.DRAFT:
        # Eligibility as of now: the profile may have changed since the draft was saved.
        live = cohort_selectors.eligibility_for(
            cohort=cohort,
            profile=profile,
            answers=answers,
            questions=questions,
            rules=cohort_selectors.rule_list_for_cohort(cohort=cohort),
        )
        application.is_eligible, application.eligibility_failures = live.is_eligible, live.reasons
        final_reasons = live.final_reasons
    if final_reasons:
        return _render_cannot_apply(request, cohort, final_reasons)
    return render(
        request,
        "applications/application_form.html",
        {
            "application": application,
            "cohort": cohort,
            "programme": cohort.programme,
            "profile": profile,
            "rows": _question_rows(questions, answers, errors),
            "upload_errors": upload_errors or {},
            "submit_form": submit_form or SubmitForm(),
            "is_editable": _is_editable(application),
            "closes_at": timezone.localtime(cohort.closes_at, cohort.tz),
            "error_message": message,
        },
        status=status,
    )


def _render_cannot_apply(request, cohort, final_reasons):
    """The apply page of someone who fails a rule that cannot change before the deadline (an
    age at the cohort's start): said plainly at the top, and no form to fill in for nothing."""
    return render(
        request,
        "applications/application_form.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "cannot_apply": True,
            "final_reasons": final_reasons,
            "closes_at": timezone.localtime(cohort.closes_at, cohort.tz),
        },
    )


@login_required
def apply(request, slug, cohort_slug):
    cohort = cohort_selectors.cohort_get_open(programme_slug=slug, cohort_slug=cohort_slug)
    if cohort is None:
        raise Http404(_("No such cohort."))
    profile = account_selectors.profile_get_for_user(user=request.user)
    if profile is None:
        messages.info(
            request, _("Complete your applicant profile first; your application starts from it.")
        )
        return redirect(f"{reverse('accounts:profile')}?{urlencode({'next': request.path})}")
    # A rule on a fixed attribute does not depend on the answers: checked before any draft is
    # made, so no draft is left behind for a cohort the applicant can never apply to.
    verdict = cohort_selectors.eligibility_for(
        cohort=cohort,
        profile=profile,
        answers={},
        questions=[],
        rules=cohort_selectors.rule_list_for_cohort(cohort=cohort),
    )
    if verdict.final_reasons:
        return _render_cannot_apply(request, cohort, verdict.final_reasons)
    try:
        application = services.application_start(cohort=cohort, applicant=request.user)
    except services.ApplicationError as exc:
        return render(
            request,
            "applications/application_closed.html",
            {"cohort": cohort, "message": str(exc)},
            status=409,
        )
    if not _is_editable(application):
        return redirect("applications:detail", application_id=application.pk)
    return _render_form(request, application)


def _stage(request, application) -> str:
    """The status the posting page was made for. The form carries it (`stage`); an htmx post
    without it is an autosave, which only a draft's page makes. A draft's autosave or "Save
    draft" that arrives after the submission is thus refused, never taken for an edit of the
    submitted answers: those come from the edit page, made for the submitted application."""
    stage = request.POST.get("stage")
    if stage in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED):
        return stage
    return ApplicationStatus.DRAFT if request.htmx else application.status


def _save(request, application, *, stage):
    """Save answers and any uploaded files, for a page made for an application in `stage`;
    returns (answer errors, upload errors). Nothing is saved when an answer holds a NUL
    character. Raises ApplicationError when the application may not be changed, or is no
    longer in `stage`."""
    questions = cohort_selectors.question_list_for_cohort(cohort=application.cohort)
    raw = raw_answers_from_post(questions, request.POST)
    answer_errors = draft_answer_errors(questions, raw)
    if answer_errors:
        return answer_errors, {}
    if stage == ApplicationStatus.SUBMITTED:
        # Edits after submitting must stay valid: the answers are validated in full.
        merged = {**application.answers, **raw}
        form = ApplicationAnswersForm(
            _as_form_data(questions, merged),
            questions=questions,
            visible_keys=cohort_selectors.visible_question_keys(questions, merged),
        )
        if not form.is_valid():
            return form.errors, {}
        raw = form.cleaned_answers()
    services.application_save_answers(
        application=application,
        answers=raw,
        actor=request.user,
        replace=stage == ApplicationStatus.SUBMITTED,
        expected_status=stage,
    )
    upload_errors = {}
    uploads = [("cv", None)] + [
        (f"q_{q.key}", q.key) for q in questions if q.type == QuestionType.FILE
    ]
    for field, key in uploads:
        upload = request.FILES.get(field)
        if upload is None:
            continue
        try:
            validate_pdf(upload)
        except Exception as exc:  # noqa: BLE001 - a ValidationError; shown on the field
            upload_errors[field] = list(getattr(exc, "messages", [str(exc)]))
            continue
        services.application_attach_file(
            application=application,
            key=key,
            upload=upload,
            display_name=clean_upload_name(upload.name),
            actor=request.user,
        )
    return answer_errors, upload_errors


def _not_saved_message(questions, errors) -> str:
    """One line for the autosave status: which questions stopped the save, and why."""
    labels = {f"q_{q.key}": q.label for q in questions}
    return _("Not saved. %(problems)s") % {
        "problems": " ".join(
            f"“{labels.get(name, name)}”: {' '.join(str(m) for m in messages_)}"
            for name, messages_ in errors.items()
        )
    }


def _as_form_data(questions, answers):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for question in questions:
        value = answers.get(question.key)
        if value in (None, "") or question.type == QuestionType.FILE:
            continue
        if isinstance(value, list):
            data.setlist(f"q_{question.key}", [str(v) for v in value])
        else:
            data[f"q_{question.key}"] = str(value)
    return data


@login_required
@require_POST
def application_save(request, application_id):
    application = _own_or_404(request, application_id)
    stage = _stage(request, application)
    questions = cohort_selectors.question_list_for_cohort(cohort=application.cohort)
    typed = {**application.answers, **raw_answers_from_post(questions, request.POST)}
    try:
        answer_errors, upload_errors = _save(request, application, stage=stage)
    except services.ApplicationError as exc:
        if request.htmx:
            return render(
                request,
                "applications/application_form.html#status",
                {"error_message": str(exc), "application": application, "oob": True},
                status=409,
            )
        application.refresh_from_db()
        if application.status == stage and _is_editable(application):
            return _render_form(request, application, status=400, message=str(exc), answers=typed)
        messages.error(request, str(exc))
        return redirect("applications:detail", application_id=application.pk)
    application.refresh_from_db()
    if request.htmx:
        if answer_errors:
            # 409 is the refusal the htmx configuration (layouts/base.html) swaps in.
            return render(
                request,
                "applications/application_form.html#status",
                {
                    "application": application,
                    "error_message": _not_saved_message(questions, answer_errors),
                    "oob": True,
                },
                status=409,
            )
        return render(
            request,
            "applications/application_form.html#status",
            {
                "application": application,
                "upload_errors": upload_errors,
                "saved_at": timezone.now(),
                "oob": True,
            },
        )
    if answer_errors or upload_errors:
        return _render_form(
            request,
            application,
            errors=answer_errors,
            upload_errors=upload_errors,
            status=400,
            answers=typed,
        )
    messages.success(request, _("Saved."))
    if application.status == ApplicationStatus.SUBMITTED:
        return redirect("applications:detail", application_id=application.pk)
    return redirect(
        "applications:apply",
        slug=application.cohort.programme.slug,
        cohort_slug=application.cohort.slug,
    )


@login_required
@require_POST
def application_upload(request, application_id):
    """The same as saving; kept as its own address for forms that only upload."""
    return application_save(request, application_id)


@login_required
@require_POST
def application_submit(request, application_id):
    application = _own_or_404(request, application_id)
    if application.status != ApplicationStatus.DRAFT:
        messages.info(request, _("This application has already been submitted."))
        return redirect("applications:detail", application_id=application.pk)
    questions = cohort_selectors.question_list_for_cohort(cohort=application.cohort)
    posted = raw_answers_from_post(questions, request.POST)
    typed = {**application.answers, **posted}
    try:
        # The draft keeps what was typed (and the files) should the submission be refused
        # below. An autosave racing this request may overwrite that copy, never what is
        # submitted: the submission takes the posted answers, not what the draft holds.
        answer_errors, upload_errors = _save(request, application, stage=ApplicationStatus.DRAFT)
    except services.ApplicationError as exc:
        application.refresh_from_db()
        if application.status != ApplicationStatus.DRAFT:
            messages.info(request, _("This application has already been submitted."))
            return redirect("applications:detail", application_id=application.pk)
        return _render_form(request, application, status=400, message=str(exc), answers=typed)
    application.refresh_from_db()
    form = ApplicationAnswersForm(
        _as_form_data(questions, posted),
        questions=questions,
        visible_keys=cohort_selectors.visible_question_keys(questions, posted),
    )
    submit_form = SubmitForm(request.POST)
    answers_ok = not answer_errors and form.is_valid()
    consent_ok = submit_form.is_valid()
    if not answers_ok or upload_errors or not consent_ok:
        return _render_form(
            request,
            application,
            errors=answer_errors or form.errors,
            upload_errors=upload_errors,
            submit_form=submit_form,
            status=400,
            message=_("Some answers need attention; see the marked questions.")
            if not answers_ok or upload_errors
            else None,
            answers=typed,
        )
    try:
        services.application_submit(
            application=application,
            actor=request.user,
            consent=True,
            answers=form.cleaned_answers(),
        )
    except services.ApplicationError as exc:
        application.refresh_from_db()
        return _render_form(
            request,
            application,
            submit_form=submit_form,
            status=400,
            message=str(exc),
            answers=typed,
        )
    messages.success(
        request, _("Your application is submitted. A receipt is on its way to your inbox.")
    )
    return redirect("applications:detail", application_id=application.pk)


@login_required
def my_applications(request):
    applications = selectors.application_list_for_applicant(user=request.user)
    return render(
        request,
        "applications/application_mine.html",
        {
            "applications": applications,
            "open_cohorts": cohort_selectors.cohort_list_open(not_applied_by=request.user),
        },
    )


HIDDEN_UNTIL_RELEASE = (
    ApplicationStatus.OFFERED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.NOT_SELECTED,
)


def _visible_events(application):
    events = application.events.select_related("actor").order_by("created_at", "id")
    if application.cohort.decisions_released_at is None:
        events = events.exclude(to_status__in=HIDDEN_UNTIL_RELEASE)
    return events


def _offer_of(application):
    """The offer made for this application, if any. Offers belong to selection, the app above
    this one: the page reads it through the reverse one-to-one relation and links to
    selection's own pages to answer it, without importing selection."""
    try:
        return application.offer
    except ObjectDoesNotExist:
        return None


def _disputes_context(request, application, questions, form=None) -> dict:
    """The applicant's requests to correct the application, and the form to make one."""
    subjects = selectors.dispute_subjects(application=application, questions=questions)
    labels = selectors.dispute_subject_labels(subjects)
    disputes = selectors.dispute_list_for_application(application=application)
    for dispute in disputes:
        dispute.about_label = selectors.dispute_about_label(dispute.about, labels)
    open_count = sum(1 for dispute in disputes if dispute.is_open)
    return {
        "disputes": disputes,
        "dispute_form": form or DisputeForm(subjects=subjects),
        "is_disputable": request.user.has_perm("applications.dispute_application", application),
        "has_max_open_disputes": open_count >= MAX_OPEN_DISPUTES,
        "max_open_disputes": MAX_OPEN_DISPUTES,
    }


@login_required
def application_detail(request, application_id):
    application = _own_or_404(request, application_id)
    questions = cohort_selectors.question_list_for_cohort(cohort=application.cohort)
    is_hidden = application.is_decision_hidden
    return render(
        request,
        "applications/application_detail.html",
        {
            **_disputes_context(request, application, questions),
            "application": application,
            "cohort": application.cohort,
            "rows": [r for r in _question_rows(questions, application.answers) if r["is_visible"]],
            "events": _visible_events(application),
            "is_editable": _is_editable(application),
            "is_participant": application.status == ApplicationStatus.ACCEPTED,
            "withdraw_form": WithdrawForm(),
            "offer": None if is_hidden else _offer_of(application),
            "waitlist_position": None
            if is_hidden
            else selectors.waitlist_position(application=application),
        },
    )


@login_required
def application_dispute(request, application_id):
    """The applicant's requests to correct a submitted application that can no longer be
    edited (GET), and a new one (POST). A draft, or an application still open to edits, is
    changed in the form instead: 400 with that said."""
    application = _own_or_404(request, application_id)
    questions = cohort_selectors.question_list_for_cohort(cohort=application.cohort)
    subjects = selectors.dispute_subjects(application=application, questions=questions)
    form = None
    status = 200
    if request.method == "POST":
        status = 400
        if request.user.has_perm("applications.dispute_application", application):
            form = DisputeForm(request.POST, subjects=subjects)
            if form.is_valid():
                try:
                    services.dispute_open(
                        application=application,
                        actor=request.user,
                        about=form.cleaned_data["about"],
                        note=form.cleaned_data["note"],
                    )
                except services.ApplicationError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(
                        request,
                        _(
                            "Your request is sent to the programme team. You will be told "
                            "here, and by a notification, when they have answered it."
                        ),
                    )
                    return redirect(
                        reverse("applications:detail", args=[application.pk]) + "#disputes"
                    )
    return render(
        request,
        "applications/application_disputes.html",
        {
            "application": application,
            "cohort": application.cohort,
            **_disputes_context(request, application, questions, form),
        },
        status=status,
    )


@login_required
@require_POST
def application_withdraw(request, application_id):
    application = _own_or_404(request, application_id)
    was_participant = application.status == ApplicationStatus.ACCEPTED
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.application_withdraw(
                application=application, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("You have left the programme.")
                if was_participant
                else _("Your application is withdrawn."),
            )
    else:
        messages.error(request, " ".join(form.errors.get("reason", [])))
    return redirect("applications:detail", application_id=application.pk)


@login_required
def application_file(request, application_id, which):
    """The applicant's own CV or uploaded answer, from private storage."""
    application = _own_or_404(request, application_id)
    if which == "cv":
        if not application.cv:
            raise Http404(_("No CV uploaded."))
        path, filename = application.cv.name, application.cv_name or "cv.pdf"
    else:
        value = application.answers.get(which)
        if not isinstance(value, dict) or not value.get("path"):
            raise Http404(_("No such file."))
        path, filename = value["path"], value.get("name") or "document.pdf"
    return private_file_download(path, filename=filename)
