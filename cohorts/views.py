"""The landing page, the programme page with its cohorts, and cohort set-up."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohorts import attributes, selectors, services
from cohorts.attributes import Use
from cohorts.enums import QuestionType
from cohorts.forms import CohortForm, EligibilityRuleForm, QuestionForm
from cohorts.models import Cohort
from cohorts.selectors import cohort_or_404
from programmes import selectors as programme_selectors
from programmes.selectors import programme_for, programme_or_404


def landing(request):
    programmes = programme_selectors.programme_list_published()
    return render(
        request,
        "cohorts/landing.html",
        {"programmes": programmes, "open_cohorts": selectors.cohort_list_open()},
    )


@login_required
def programme_detail(request, slug):
    programme = programme_or_404(request, slug)
    memberships = {
        m.programme.pk: m for m in programme_selectors.membership_list_for_user(user=request.user)
    }
    return render(
        request,
        "cohorts/programme_detail.html",
        {
            "programme": programme,
            "membership": memberships.get(programme.pk),
            "can_manage_team": request.user.has_perm("programmes.manage_programme_team", programme),
            "can_see_outbox": request.user.has_perm("programmes.view_programme_outbox", programme),
            "can_manage_programme": request.user.has_perm("programmes.manage_programme", programme),
            "can_see_applications": request.user.has_perm(
                "programmes.view_applications", programme
            ),
            "cohorts": selectors.cohort_list_for_programme(programme=programme),
        },
    )


def _rule_attributes(cohort) -> list[tuple[str, str]]:
    choices = attributes.choices(Use.ELIGIBILITY)
    for question in selectors.question_list_for_cohort(cohort=cohort):
        if question.type in (
            QuestionType.CHOICE,
            QuestionType.MULTI_CHOICE,
            QuestionType.YES_NO,
            QuestionType.NUMBER,
        ):
            choices.append(
                (f"answer:{question.key}", _("Answer: %(label)s") % {"label": question.label})
            )
    return choices


def _cohort_form_page(request, programme, cohort):
    is_new = cohort.pk is None
    form = CohortForm(
        request.POST if request.method == "POST" else None, instance=cohort, programme=programme
    )
    if request.method == "POST" and form.is_valid():
        cohort = form.save(commit=False)
        # The form turned the typed times into the cohort's time zone.
        cohort.opens_at, cohort.closes_at = (
            form.cleaned_data["opens_at"],
            form.cleaned_data["closes_at"],
        )
        services.cohort_save(cohort=cohort, actor=request.user)
        if is_new:
            messages.success(
                request, _("Cohort created. Now add its questions and eligibility rules.")
            )
        else:
            messages.success(request, _("Cohort saved."))
        return redirect(cohort.get_absolute_url())
    return render(
        request,
        "cohorts/cohort_form.html",
        {"programme": programme, "form": form, "cohort": None if is_new else cohort},
        status=400 if form.errors else 200,
    )


@login_required
def cohort_create(request, slug):
    programme = programme_for(request, slug, "programmes.manage_programme")
    return _cohort_form_page(request, programme, Cohort(programme=programme))


@login_required
def cohort_edit(request, slug, cohort_slug):
    programme = programme_for(request, slug, "programmes.manage_programme")
    return _cohort_form_page(request, programme, cohort_or_404(programme, cohort_slug))


def _cohort_page(request, programme, cohort, *, rule_form=None, status=200):
    questions = selectors.question_list_for_cohort(cohort=cohort)
    return render(
        request,
        "cohorts/cohort_detail.html",
        {
            "programme": programme,
            "cohort": cohort,
            "questions": questions,
            "rules": selectors.rule_rows(selectors.rule_list_for_cohort(cohort=cohort), questions),
            "counts": selectors.cohort_application_counts(cohort=cohort),
            "can_manage": request.user.has_perm("programmes.manage_programme", programme),
            "rule_form": rule_form or EligibilityRuleForm(attributes=_rule_attributes(cohort)),
        },
        status=status,
    )


@login_required
def cohort_detail(request, slug, cohort_slug):
    programme = programme_for(request, slug, "programmes.view_applications")
    return _cohort_page(request, programme, cohort_or_404(programme, cohort_slug))


def _question_form_page(request, programme, cohort, question):
    form = QuestionForm(
        request.POST if request.method == "POST" else None, instance=question, cohort=cohort
    )
    if request.method == "POST" and form.is_valid():
        services.question_save(
            question=form.save(commit=False),
            choices=form.cleaned_data["choices"],
            show_when=form.cleaned_data["show_when"],
        )
        messages.success(request, _("Question saved."))
        return redirect(cohort.get_absolute_url())
    return render(
        request,
        "cohorts/question_form.html",
        {
            "programme": programme,
            "cohort": cohort,
            "form": form,
            "question": question if question.pk else None,
        },
        status=400 if form.errors else 200,
    )


@login_required
def question_create(request, slug, cohort_slug):
    programme = programme_for(request, slug, "programmes.manage_programme")
    cohort = cohort_or_404(programme, cohort_slug)
    return _question_form_page(request, programme, cohort, cohort.questions.model(cohort=cohort))


def _question_or_404(cohort, question_id):
    question = cohort.questions.filter(pk=question_id).first()
    if question is None:
        raise Http404(_("No such question."))
    return question


@login_required
def question_edit(request, slug, cohort_slug, question_id):
    programme = programme_for(request, slug, "programmes.manage_programme")
    cohort = cohort_or_404(programme, cohort_slug)
    return _question_form_page(request, programme, cohort, _question_or_404(cohort, question_id))


@login_required
@require_POST
def question_delete(request, slug, cohort_slug, question_id):
    programme = programme_for(request, slug, "programmes.manage_programme")
    cohort = cohort_or_404(programme, cohort_slug)
    services.question_delete(question=_question_or_404(cohort, question_id))
    messages.success(request, _("Question deleted."))
    return redirect(cohort.get_absolute_url())


@login_required
@require_POST
def question_move(request, slug, cohort_slug, question_id):
    programme = programme_for(request, slug, "programmes.manage_programme")
    cohort = cohort_or_404(programme, cohort_slug)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        services.question_move(question=_question_or_404(cohort, question_id), direction=direction)
    return redirect(f"{cohort.get_absolute_url()}#questions")


@login_required
@require_POST
def rule_create(request, slug, cohort_slug):
    programme = programme_for(request, slug, "programmes.manage_programme")
    cohort = cohort_or_404(programme, cohort_slug)
    form = EligibilityRuleForm(request.POST, attributes=_rule_attributes(cohort))
    if form.is_valid():
        services.rule_create(
            cohort=cohort,
            attribute=form.cleaned_data["attribute"],
            operator=form.cleaned_data["operator"],
            values=form.cleaned_data["values"],
            message=form.cleaned_data["message"],
        )
        messages.success(request, _("Eligibility rule added."))
        return redirect(f"{cohort.get_absolute_url()}#rules")
    return _cohort_page(request, programme, cohort, rule_form=form, status=400)


@login_required
@require_POST
def rule_delete(request, slug, cohort_slug, rule_id):
    programme = programme_for(request, slug, "programmes.manage_programme")
    cohort = cohort_or_404(programme, cohort_slug)
    rule = cohort.eligibility_rules.filter(pk=rule_id).first()
    if rule is None:
        raise Http404(_("No such rule."))
    services.rule_delete(rule=rule)
    messages.success(request, _("Eligibility rule removed."))
    return redirect(f"{cohort.get_absolute_url()}#rules")
