"""The landing page, the programme page with its cohorts, and cohort set-up."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohorts import selectors, services
from cohorts.enums import CohortStatus
from cohorts.forms import CohortForm, EligibilityRuleForm, QuestionForm
from cohorts.models import Cohort
from cohorts.selectors import cohort_or_404
from programmes import selectors as programme_selectors
from programmes.selectors import programme_for, programme_or_404


def landing(request):
    """The public front page. Its lists of open cohorts and programmes are rendered once per
    language (and for visitors apart from signed-in people) and served from the cache until a
    programme, partner or cohort changes or a listed cohort opens or closes."""
    key = selectors.landing_cache_key(
        language=get_language(), signed_in=request.user.is_authenticated
    )
    listing = cache.get(key)
    if listing is None:
        open_cohorts = list(selectors.cohort_list_open())
        listing = render_to_string(
            "cohorts/_landing_listing.html",
            {
                "open_cohorts": open_cohorts,
                "programmes": programme_selectors.programme_list_published(),
            },
            request=request,
        )
        cache.set(key, listing, selectors.landing_cache_seconds(open_cohorts=open_cohorts))
    return render(request, "cohorts/landing.html", {"listing": listing})


@login_required
def programme_detail(request, slug):
    programme = programme_or_404(request, slug)
    memberships = {
        m.programme.pk: m for m in programme_selectors.membership_list_for_user(user=request.user)
    }
    can_see_applications = request.user.has_perm("programmes.view_applications", programme)
    cohorts = (
        list(selectors.cohort_list_for_programme(programme=programme).select_related("programme"))
        if can_see_applications
        else []
    )
    # Live cohorts (published, then drafts) lead; archived ones wait in their own folded list.
    live = sorted(
        (c for c in cohorts if c.status != CohortStatus.ARCHIVED),
        key=lambda c: c.status != CohortStatus.PUBLISHED,
    )
    return render(
        request,
        "cohorts/programme_detail.html",
        {
            "programme": programme,
            "membership": memberships.get(programme.pk),
            "can_manage_team": request.user.has_perm("programmes.manage_programme_team", programme),
            "can_see_outbox": request.user.has_perm("programmes.view_programme_outbox", programme),
            "can_manage_programme": request.user.has_perm("programmes.manage_programme", programme),
            "can_see_applications": can_see_applications,
            "cohorts": live,
            "archived_cohorts": [c for c in cohorts if c.status == CohortStatus.ARCHIVED],
        },
    )


def _rule_attributes(cohort, questions=None) -> list[selectors.RuleAttribute]:
    if questions is None:
        questions = selectors.question_list_for_cohort(cohort=cohort)
    return selectors.rule_attribute_list(questions=questions)


def _refreshed(request, names) -> dict:
    """What was typed in these fields, as a new form's starting values: the page is shown again
    for the choices made so far (a form without JavaScript asks for this), nothing is saved."""
    initial = {}
    for name in names:
        values = request.POST.getlist(name)
        if values:
            initial[name] = values if len(values) > 1 or name == "values" else values[0]
    return initial


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
        source = form.cleaned_data.get("copy_from") if is_new else None
        services.cohort_save(cohort=cohort, actor=request.user, copy_from=source)
        if source is not None:
            messages.success(
                request,
                _("Cohort created with the set-up of %(source)s. Check its questions and rules.")
                % {"source": source.name},
            )
        elif is_new:
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
    rule_form = rule_form or EligibilityRuleForm(attributes=_rule_attributes(cohort, questions))
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
            "rule_form": rule_form,
        },
        status=status,
    )


@login_required
def cohort_detail(request, slug, cohort_slug):
    programme = programme_for(request, slug, "programmes.view_applications")
    return _cohort_page(request, programme, cohort_or_404(programme, cohort_slug))


QUESTION_FIELDS = [*QuestionForm.base_fields]


def _question_form_page(request, programme, cohort, question):
    if request.method == "POST" and "refresh" in request.POST:
        initial = _refreshed(request, QUESTION_FIELDS)
        initial["is_required"] = "is_required" in request.POST
        form = QuestionForm(instance=question, cohort=cohort, initial=initial)
    else:
        form = QuestionForm(
            request.POST if request.method == "POST" else None, instance=question, cohort=cohort
        )
    if request.method == "POST" and form.is_bound and form.is_valid():
        services.question_save(
            question=form.save(commit=False),
            choices=form.cleaned_data["choices"],
            show_when=form.cleaned_data["show_when"],
            actor=request.user,
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
    services.question_delete(question=_question_or_404(cohort, question_id), actor=request.user)
    messages.success(request, _("Question deleted."))
    return redirect(cohort.get_absolute_url())


@login_required
@require_POST
def question_move(request, slug, cohort_slug, question_id):
    programme = programme_for(request, slug, "programmes.manage_programme")
    cohort = cohort_or_404(programme, cohort_slug)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        services.question_move(
            question=_question_or_404(cohort, question_id), direction=direction, actor=request.user
        )
    return redirect(f"{cohort.get_absolute_url()}#questions")


@login_required
@require_POST
def rule_create(request, slug, cohort_slug):
    programme = programme_for(request, slug, "programmes.manage_programme")
    cohort = cohort_or_404(programme, cohort_slug)
    if "refresh" in request.POST:  # without JavaScript: show the chosen attribute's values
        initial = _refreshed(request, ["attribute", "operator", "message"])
        form = EligibilityRuleForm(attributes=_rule_attributes(cohort), initial=initial)
        return _cohort_page(request, programme, cohort, rule_form=form)
    form = EligibilityRuleForm(request.POST, attributes=_rule_attributes(cohort))
    if form.is_valid():
        services.rule_create(
            cohort=cohort,
            attribute=form.cleaned_data["attribute"],
            operator=form.cleaned_data["operator"],
            values=form.cleaned_data["values"],
            message=form.cleaned_data["message"],
            actor=request.user,
        )
        messages.success(request, _("Eligibility rule added."))
        return redirect(f"{cohort.get_absolute_url()}#rules")
    return _cohort_page(request, programme, cohort, rule_form=form, status=400)


@login_required
def rule_form(request, slug, cohort_slug):
    """The part of the rule form that follows the chosen attribute (its conditions and values),
    for the page to swap in when the attribute changes."""
    programme = programme_for(request, slug, "programmes.manage_programme")
    cohort = cohort_or_404(programme, cohort_slug)
    form = EligibilityRuleForm(
        attributes=_rule_attributes(cohort),
        initial={"attribute": request.GET.get("attribute", "")},
    )
    return render(
        request,
        "cohorts/cohort_detail.html#rule-fields",
        {"programme": programme, "cohort": cohort, "rule_form": form},
    )


@login_required
@require_POST
def rule_delete(request, slug, cohort_slug, rule_id):
    programme = programme_for(request, slug, "programmes.manage_programme")
    cohort = cohort_or_404(programme, cohort_slug)
    rule = cohort.eligibility_rules.filter(pk=rule_id).first()
    if rule is None:
        raise Http404(_("No such rule."))
    services.rule_delete(rule=rule, actor=request.user)
    messages.success(request, _("Eligibility rule removed."))
    return redirect(f"{cohort.get_absolute_url()}#rules")


def cohort_public(request, slug, cohort_slug):
    """A published cohort as anyone sees it before signing up: its dates, what taking part
    asks, its seats and who may apply, in words. Drafts, archived cohorts and cohorts of
    unpublished programmes are 404."""
    cohort = selectors.cohort_get_open(programme_slug=slug, cohort_slug=cohort_slug)
    if cohort is None:
        raise Http404(_("No such cohort."))
    questions = selectors.question_list_for_cohort(cohort=cohort)
    now = timezone.now()
    return render(
        request,
        "cohorts/cohort_public.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "rules": selectors.rule_rows(selectors.rule_list_for_cohort(cohort=cohort), questions),
            "question_count": len(questions),
            "is_open": cohort.is_open_at(now),
            "is_upcoming": now < cohort.opens_at,
        },
    )
