"""Reads of cohorts, their questions and eligibility; the cohort access choke point."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import ApplicantProfile, User
from cohorts import attributes, eligibility
from cohorts.attributes import Use
from cohorts.enums import QuestionType, RuleOperator
from cohorts.models import ApplicationQuestion, Cohort, EligibilityRule
from programmes.models import Programme


def cohort_list_open(*, not_applied_by: User | None = None) -> QuerySet[Cohort]:
    """Cohorts taking applications now, soonest deadline first; without those `not_applied_by`
    already has an application to."""
    cohorts = (
        Cohort.objects.open_for_applications()
        .filter(programme__is_published=True)
        .select_related("programme")
        .order_by("closes_at")
    )
    if not_applied_by is not None and not_applied_by.is_authenticated:
        cohorts = cohorts.exclude(applications__applicant=not_applied_by)
    return cohorts


def cohort_list_for_programme(*, programme: Programme) -> QuerySet[Cohort]:
    """The programme's cohorts, newest first, each with `submitted_count`: its applications that
    were submitted and not withdrawn. What "submitted" means is the applications app's own
    `submitted()` queryset, reached through the reverse relation, so this app imports nothing
    from the app above it."""
    application_model = Cohort._meta.get_field("applications").related_model
    submitted = (
        application_model.objects.submitted()
        .filter(cohort=OuterRef("pk"))
        .order_by()
        .values("cohort")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Cohort.objects.filter(programme=programme)
        .annotate(submitted_count=Coalesce(Subquery(submitted), 0))
        .order_by("-opens_at")
    )


def cohort_application_counts(*, cohort: Cohort) -> dict[str, int]:
    """How many of the cohort's applications are in each status, every status listed in order.
    Read through the reverse relation: the statuses are the applications app's own choices, so
    this app imports nothing from the app above it."""
    application_model = Cohort._meta.get_field("applications").related_model
    statuses = application_model._meta.get_field("status").choices
    counts = dict.fromkeys((value for value, _label in statuses), 0)
    for row in cohort.applications.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    return counts


def cohort_get_for_programme(*, programme: Programme, cohort_slug: str) -> Cohort | None:
    return (
        Cohort.objects.filter(programme=programme, slug=cohort_slug)
        .select_related("programme")
        .first()
    )


def cohort_get_open(*, programme_slug: str, cohort_slug: str) -> Cohort | None:
    """A published cohort of a published programme (open or not), as applicants may see it."""
    return (
        Cohort.objects.filter(
            programme__slug=programme_slug,
            programme__is_published=True,
            slug=cohort_slug,
            status="published",
        )
        .select_related("programme")
        .first()
    )


def question_list_for_cohort(*, cohort: Cohort) -> list[ApplicationQuestion]:
    return list(
        ApplicationQuestion.objects.filter(cohort=cohort)
        .select_related("depends_on")
        .order_by("position", "id")
    )


def rule_list_for_cohort(*, cohort: Cohort) -> list[EligibilityRule]:
    return list(EligibilityRule.objects.filter(cohort=cohort).order_by("position", "id"))


def visible_question_keys(questions: Sequence[ApplicationQuestion], answers: dict) -> set[str]:
    """Keys of the questions shown for these answers: a conditional question is shown when the
    question it depends on is shown and its answer is one of `show_when`. Order does not matter;
    a cycle of conditions shows none of its questions."""
    by_id = {question.pk: question for question in questions}
    shown: dict[int, bool] = {}

    def is_shown(question: ApplicationQuestion, path: frozenset[int]) -> bool:
        if question.pk in shown:
            return shown[question.pk]
        parent = by_id.get(question.depends_on_id) if question.depends_on_id else None
        if parent is None:
            result = True
        elif parent.pk in path or not is_shown(parent, path | {question.pk}):
            result = False
        else:
            given = answers.get(parent.key)
            if isinstance(given, list):
                given_set = {str(v) for v in given}
            else:
                given_set = {str(given)} if given not in (None, "") else set()
            result = bool(given_set & {str(v) for v in question.show_when})
        shown[question.pk] = result
        return result

    return {question.key for question in questions if is_shown(question, frozenset({question.pk}))}


def profile_facts(*, profile: ApplicantProfile | None, cohort: Cohort) -> dict:
    """The facts eligibility rules test: every attribute of the catalogue rules can use."""
    if profile is None:
        return {}
    return {
        a.key: a.from_profile(profile, cohort.starts_on) for a in attributes.in_use(Use.ELIGIBILITY)
    }


def attribute_label(attribute: str, questions: Sequence[ApplicationQuestion]) -> str:
    if attribute.startswith("answer:"):
        key = attribute.removeprefix("answer:")
        question = next((q for q in questions if q.key == key), None)
        return question.label if question else key
    return attributes.label(attribute, Use.ELIGIBILITY)


def _value_label(attribute: str, value, questions) -> str:
    if value is None or value == "":
        return _("not given")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_value_label(attribute, v, questions) for v in value) or _("not given")
    known = attributes.get(attribute, Use.ELIGIBILITY)
    choices: tuple = ()
    if known is not None and known.kind == attributes.Kind.CHOICE:
        choices = known.choices
    elif known is not None and known.kind == attributes.Kind.YES_NO:
        choices = attributes.YES_NO  # after the attribute's name: "Union member: Yes"
    if choices:
        return str(dict(choices).get(str(value), value))
    return str(value)


def explain_failure(failure: eligibility.Failure, rule: EligibilityRule, questions) -> str:
    """A sentence telling the applicant which rule fails and why."""
    if rule.message:
        return rule.message
    label = attribute_label(failure.attribute, questions)
    actual = _value_label(failure.attribute, failure.actual, questions)
    values = [_value_label(failure.attribute, v, questions) for v in failure.values]
    op = failure.operator
    if failure.actual in (None, "", []):
        return _("%(label)s: no answer yet.") % {"label": label}
    if op == RuleOperator.IN:
        wanted = _("one of: %(values)s") % {"values": ", ".join(values)}
    elif op == RuleOperator.NOT_IN:
        wanted = _("none of: %(values)s") % {"values": ", ".join(values)}
    elif op == RuleOperator.BETWEEN:
        wanted = _("between %(low)s and %(high)s") % {"low": values[0], "high": values[-1]}
    elif op == RuleOperator.AT_LEAST:
        wanted = _("at least %(value)s") % {"value": values[0]}
    elif op == RuleOperator.AT_MOST:
        wanted = _("at most %(value)s") % {"value": values[0]}
    elif op == RuleOperator.IS_TRUE:
        wanted = _("yes")
    else:
        wanted = _("no")
    return _("%(label)s must be %(wanted)s; yours is %(actual)s.") % {
        "label": label,
        "wanted": wanted,
        "actual": actual,
    }


def rule_rows(
    rules: Sequence[EligibilityRule], questions
) -> list[tuple[EligibilityRule, str, str]]:
    """(rule, attribute label, values in words) for showing a cohort's rules."""
    return [
        (
            rule,
            attribute_label(rule.attribute, questions),
            ", ".join(_value_label(rule.attribute, value, questions) for value in rule.values),
        )
        for rule in rules
    ]


@dataclass(frozen=True)
class Eligibility:
    is_eligible: bool
    reasons: list[str]


def eligibility_for(
    *,
    cohort: Cohort,
    profile: ApplicantProfile | None,
    answers: dict,
    questions: Sequence[ApplicationQuestion],
    rules: Sequence[EligibilityRule],
) -> Eligibility:
    facts = profile_facts(profile=profile, cohort=cohort)
    visible = visible_question_keys(questions, answers)
    for question in questions:
        if question.key in visible:
            value = answers.get(question.key)
            if question.type == QuestionType.YES_NO and value in ("yes", "no"):
                value = value == "yes"
            facts[f"answer:{question.key}"] = value
    pure_rules = [
        eligibility.Rule(r.pk, r.attribute, r.operator, tuple(str(v) for v in r.values))
        for r in rules
    ]
    by_id = {rule.pk: rule for rule in rules}
    failures = eligibility.evaluate(pure_rules, facts)
    reasons = [explain_failure(f, by_id[f.rule_id], questions) for f in failures]
    if profile is None:
        reasons.insert(0, _("Complete your applicant profile first."))
    return Eligibility(is_eligible=not reasons, reasons=reasons)


def cohort_or_404(programme, cohort_slug):
    cohort = cohort_get_for_programme(programme=programme, cohort_slug=cohort_slug)
    if cohort is None:
        raise Http404(_("No such cohort."))
    return cohort
