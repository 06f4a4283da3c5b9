"""Reads of cohorts, their questions and eligibility; the cohort access choke point."""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import ApplicantProfile, User
from cohorts import attributes, eligibility
from cohorts.attributes import Use
from cohorts.enums import CohortStatus, QuestionType, RuleOperator
from cohorts.models import ApplicationQuestion, Cohort, EligibilityRule
from programmes import selectors as programme_selectors
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


# The landing page's lists of open cohorts and programmes are kept at most this long, and never
# past the moment a listed cohort closes or a published one opens.
LANDING_CACHE_SECONDS = 300


def landing_cache_key(*, language: str, signed_in: bool) -> str:
    """Where the landing page's lists are cached: per language, visitors apart from signed-in
    people (who see "Apply now"), and per version of the public listing, which every change to a
    programme, partner or cohort replaces."""
    version = programme_selectors.public_listing_version()
    return f"cohorts:landing:{version}:{language}:{int(signed_in)}"


def landing_cache_seconds(*, open_cohorts: Sequence[Cohort], now=None) -> int:
    """How long the landing page's lists may be kept: until the first listed cohort closes or
    the next published cohort opens, and never more than LANDING_CACHE_SECONDS."""
    now = now or timezone.now()
    next_opening = (
        Cohort.objects.filter(
            status=CohortStatus.PUBLISHED, programme__is_published=True, opens_at__gt=now
        )
        .aggregate(first=Min("opens_at"))
        .get("first")
    )
    moments = [c.closes_at for c in open_cohorts] + ([next_opening] if next_opening else [])
    seconds = LANDING_CACHE_SECONDS
    for moment in moments:
        seconds = min(seconds, math.ceil((moment - now).total_seconds()))
    return max(seconds, 1)


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


def _wanted(operator: str, values: Sequence[str]) -> str:
    """What a rule asks, in words after "must be" or "is": "between 18 and 65", "at least 18",
    "one of: Citizen, Permanent resident"."""
    if operator == RuleOperator.IN:
        return _("one of: %(values)s") % {"values": ", ".join(values)}
    if operator == RuleOperator.NOT_IN:
        return _("none of: %(values)s") % {"values": ", ".join(values)}
    if operator == RuleOperator.BETWEEN:
        return _("between %(low)s and %(high)s") % {"low": values[0], "high": values[-1]}
    if operator == RuleOperator.AT_LEAST:
        return _("at least %(value)s") % {"value": values[0]}
    if operator == RuleOperator.AT_MOST:
        return _("at most %(value)s") % {"value": values[0]}
    if operator == RuleOperator.IS_TRUE:
        return _("yes")
    return _("no")


def explain_failure(failure: eligibility.Failure, rule: EligibilityRule, questions) -> str:
    """A sentence telling the applicant which rule fails and why."""
    if rule.message:
        return rule.message
    label = attribute_label(failure.attribute, questions)
    actual = _value_label(failure.attribute, failure.actual, questions)
    values = [_value_label(failure.attribute, v, questions) for v in failure.values]
    if failure.actual in (None, "", []):
        return _("%(label)s: no answer yet.") % {"label": label}
    return _("%(label)s must be %(wanted)s; yours is %(actual)s.") % {
        "label": label,
        "wanted": _wanted(failure.operator, values),
        "actual": actual,
    }


BOUNDS = {RuleOperator.BETWEEN: 2, RuleOperator.AT_LEAST: 1, RuleOperator.AT_MOST: 1}


def rule_rows(
    rules: Sequence[EligibilityRule], questions
) -> list[tuple[EligibilityRule, str, str]]:
    """(rule, attribute label, condition in words) for showing a cohort's rules:
    ("Age when the cohort starts", "must be between 18 and 65")."""
    rows = []
    for rule in rules:
        values = [_value_label(rule.attribute, value, questions) for value in rule.values]
        # A rule short of its bounds (stored before the form checked them) still shows.
        values += ["?"] * (BOUNDS.get(rule.operator, 0) - len(values))
        condition = _("must be %(wanted)s") % {"wanted": _wanted(rule.operator, values)}
        rows.append((rule, attribute_label(rule.attribute, questions), condition))
    return rows


@dataclass(frozen=True)
class RuleAttribute:
    """Something an eligibility rule can test, as the rule form offers it: a fact of the
    applicant's profile from the catalogue, or the answer to one of the cohort's questions."""

    key: str
    label: str
    kind: str  # "choice", "yes_no" or "number"
    choices: tuple[tuple[str, str], ...] = ()  # (stored value, label) of a choice

    @property
    def operators(self) -> list[str]:
        return RULE_OPERATORS[self.kind]


RULE_OPERATORS = {
    "choice": [RuleOperator.IN, RuleOperator.NOT_IN],
    "yes_no": [RuleOperator.IS_TRUE, RuleOperator.IS_FALSE],
    "number": [RuleOperator.AT_LEAST, RuleOperator.AT_MOST, RuleOperator.BETWEEN],
}


def rule_attribute_list(*, questions: Sequence[ApplicationQuestion]) -> list[RuleAttribute]:
    """What a rule of this cohort can test: the catalogue's eligibility attributes, then the
    questions whose answers a rule can compare (choices, yes/no, numbers)."""
    kinds = {
        attributes.Kind.CHOICE: "choice",
        attributes.Kind.YES_NO: "yes_no",
        attributes.Kind.NUMBER: "number",
    }
    found = [
        RuleAttribute(
            a.key,
            str(a.label_for(Use.ELIGIBILITY)),
            kinds[a.kind],
            tuple((value, str(label)) for value, label in a.choices)
            if a.kind == attributes.Kind.CHOICE
            else (),
        )
        for a in attributes.in_use(Use.ELIGIBILITY)
        if a.kind in kinds
    ]
    for question in questions:
        label = _("Answer: %(label)s") % {"label": question.label}
        if question.type in (QuestionType.CHOICE, QuestionType.MULTI_CHOICE):
            choices = tuple((str(c), str(c)) for c in question.choices)
            found.append(RuleAttribute(f"answer:{question.key}", label, "choice", choices))
        elif question.type == QuestionType.YES_NO:
            found.append(RuleAttribute(f"answer:{question.key}", label, "yes_no"))
        elif question.type == QuestionType.NUMBER:
            found.append(RuleAttribute(f"answer:{question.key}", label, "number"))
    return found


@dataclass(frozen=True)
class Eligibility:
    is_eligible: bool
    reasons: list[str]
    # The reasons that can never go away before the deadline: rules failed on a fixed
    # attribute (see `attributes.Attribute.is_fixed`). With any, the applicant cannot apply.
    final_reasons: list[str] = field(default_factory=list)


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
    final_reasons = [
        reason
        for failure, reason in zip(failures, reasons, strict=True)
        if failure.actual is not None
        and (known := attributes.get(failure.attribute, Use.ELIGIBILITY)) is not None
        and known.is_fixed
    ]
    if profile is None:
        reasons.insert(0, _("Complete your applicant profile first."))
    return Eligibility(is_eligible=not reasons, reasons=reasons, final_reasons=final_reasons)


def cohort_or_404(programme, cohort_slug):
    cohort = cohort_get_for_programme(programme=programme, cohort_slug=cohort_slug)
    if cohort is None:
        raise Http404(_("No such cohort."))
    return cohort


def _unique_slug(
    base: str, taken: set[str], *, max_length: int, fallback: str, sep: str = "-"
) -> str:
    base = base[:max_length].strip("-_") or fallback
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"{sep}{n}"
        candidate = f"{base[: max_length - len(suffix)].strip('-_')}{suffix}"
        if candidate not in taken:
            return candidate
        n += 1


def cohort_slug_suggest(*, programme: Programme, name: str, exclude: Cohort | None = None) -> str:
    """A slug for a cohort named `name`, unused by the programme's other cohorts."""
    taken = set(
        Cohort.objects.filter(programme=programme)
        .exclude(pk=exclude.pk if exclude is not None else None)
        .values_list("slug", flat=True)
    )
    return _unique_slug(slugify(name), taken, max_length=80, fallback="cohort")


def question_key_suggest(
    *, cohort: Cohort, label: str, exclude: ApplicationQuestion | None = None
) -> str:
    """A key for a question worded `label`, unused by the cohort's other questions (and not
    "cv", which is the CV's)."""
    taken = set(
        ApplicationQuestion.objects.filter(cohort=cohort)
        .exclude(pk=exclude.pk if exclude is not None else None)
        .values_list("key", flat=True)
    ) | {"cv"}
    base = slugify(label).replace("-", "_")
    return _unique_slug(base, taken, max_length=60, fallback="question", sep="_")


def copy_source_list(*, programme: Programme) -> QuerySet[Cohort]:
    """The cohorts of a programme a new cohort may copy its set-up from, newest first."""
    return Cohort.objects.filter(programme=programme).order_by("-opens_at", "name")
