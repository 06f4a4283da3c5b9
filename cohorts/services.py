"""Every write of cohort set-up: cohorts, questions, eligibility rules."""

from django.db import transaction
from django.db.models import Max

from accounts.models import User
from cohorts.models import ApplicationQuestion, Cohort, EligibilityRule
from cohorts.signals import cohort_copied
from core.services import audit_record
from programmes import services as programme_services


@transaction.atomic
def cohort_save(*, cohort: Cohort, actor: User, copy_from: Cohort | None = None) -> Cohort:
    """Create or update a cohort from a validated form's instance. Audited.

    A new cohort may take the set-up of `copy_from`, an earlier cohort of the same programme:
    see `cohort_copy_setup`. Raises ValueError when `copy_from` is given for an existing cohort
    or belongs to another programme."""
    created = cohort.pk is None
    if copy_from is not None and (not created or copy_from.programme_id != cohort.programme_id):
        raise ValueError("only a new cohort copies, and only from its own programme")
    cohort.save()
    audit_record(
        actor=actor,
        action="cohort.create" if created else "cohort.update",
        target=cohort,
        programme=cohort.programme_id,
    )
    programme_services.public_listing_refresh()
    if copy_from is not None:
        cohort_copy_setup(source=copy_from, target=cohort, actor=actor)
    return cohort


@transaction.atomic
def cohort_copy_setup(*, source: Cohort, target: Cohort, actor: User) -> None:
    """Copy the set-up of `source` into `target`: its questions, with their conditions pointing
    to the copies, and its eligibility rules (rules on answers name questions by key, which the
    copies keep). Then sends `cohort_copied`, by which the apps above copy their own parts (the
    review rubric, the quotas). Audited with what was copied. Nothing of the applications,
    reviews or selection of `source` is copied."""
    questions = list(ApplicationQuestion.objects.filter(cohort=source).order_by("position", "id"))
    copies = {}
    for question in questions:
        copies[question.pk] = ApplicationQuestion.objects.create(
            cohort=target,
            position=question.position,
            key=question.key,
            label=question.label,
            help_text=question.help_text,
            type=question.type,
            is_required=question.is_required,
            choices=list(question.choices),
            word_limit=question.word_limit,
            min_value=question.min_value,
            max_value=question.max_value,
            show_when=list(question.show_when),
        )
    for question in questions:
        if question.depends_on_id in copies:
            copy = copies[question.pk]
            copy.depends_on = copies[question.depends_on_id]
            copy.save(update_fields=["depends_on", "updated_at"])
    rules = EligibilityRule.objects.bulk_create(
        EligibilityRule(
            cohort=target,
            position=rule.position,
            attribute=rule.attribute,
            operator=rule.operator,
            values=list(rule.values),
            message=rule.message,
        )
        for rule in EligibilityRule.objects.filter(cohort=source).order_by("position", "id")
    )
    # Each receiver answers with what it copied ({"criteria": 4}), which the audit entry keeps.
    copied = {"questions": len(copies), "rules": len(rules)}
    for _receiver, response in cohort_copied.send(sender=Cohort, source=source, target=target):
        if isinstance(response, dict):
            copied.update(response)
    audit_record(
        actor=actor,
        action="cohort.copy_setup",
        target=target,
        programme=target.programme_id,
        source_id=source.pk,
        source=source.name,
        **copied,
    )


@transaction.atomic
def question_save(
    *,
    question: ApplicationQuestion,
    choices: list[str],
    show_when: list[str],
    actor: User,
) -> ApplicationQuestion:
    """Create or update a question; new ones go to the end of the form. Audited."""
    created = question.pk is None
    question.choices = choices
    question.show_when = show_when
    if question.pk is not None:
        old_key = (
            ApplicationQuestion.objects.filter(pk=question.pk).values_list("key", flat=True).first()
        )
        if old_key and old_key != question.key:  # eligibility rules follow the renamed question
            EligibilityRule.objects.filter(
                cohort=question.cohort, attribute=f"answer:{old_key}"
            ).update(attribute=f"answer:{question.key}")
    if question.pk is None:
        last = ApplicationQuestion.objects.filter(cohort=question.cohort).aggregate(
            m=Max("position")
        )["m"]
        question.position = (last or 0) + 1
    question.save()
    _audit_setup(
        actor,
        "cohorts.question_create" if created else "cohorts.question_update",
        question,
        key=question.key,
        type=question.type,
    )
    return question


def _audit_setup(actor: User, action: str, target, **data) -> None:
    """An audit entry of a change to a cohort's form or eligibility rules."""
    audit_record(
        actor=actor,
        action=action,
        target=target,
        programme=target.cohort.programme_id,
        cohort=target.cohort_id,
        **data,
    )


@transaction.atomic
def question_delete(*, question: ApplicationQuestion, actor: User) -> None:
    """Delete a question; questions that depended on it become unconditional. Audited."""
    _audit_setup(actor, "cohorts.question_delete", question, key=question.key)
    question.dependents.update(depends_on=None, show_when=[])
    # A rule on a question that no longer exists could never be met: it goes with the question.
    EligibilityRule.objects.filter(
        cohort=question.cohort, attribute=f"answer:{question.key}"
    ).delete()
    question.delete()


@transaction.atomic
def question_move(*, question: ApplicationQuestion, direction: str, actor: User) -> None:
    """Swap a question with its neighbour above ("up") or below ("down"). Audited when it
    moves."""
    siblings = list(
        ApplicationQuestion.objects.select_for_update(of=("self",))
        .filter(cohort=question.cohort)
        .order_by("position", "id")
    )
    index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position", "updated_at"])
    _audit_setup(actor, "cohorts.question_move", question, key=question.key, direction=direction)


@transaction.atomic
def rule_create(
    *,
    cohort: Cohort,
    attribute: str,
    operator: str,
    values: list[str],
    message: str,
    actor: User,
) -> EligibilityRule:
    """Add an eligibility rule at the end of the cohort's list. Audited."""
    last = EligibilityRule.objects.filter(cohort=cohort).aggregate(m=Max("position"))["m"]
    rule = EligibilityRule.objects.create(
        cohort=cohort,
        attribute=attribute,
        operator=operator,
        values=values,
        message=message,
        position=(last or 0) + 1,
    )
    _audit_setup(
        actor,
        "cohorts.rule_create",
        rule,
        attribute=attribute,
        operator=operator,
        values=list(values),
    )
    return rule


@transaction.atomic
def rule_delete(*, rule: EligibilityRule, actor: User) -> None:
    """Delete an eligibility rule. Audited."""
    _audit_setup(
        actor,
        "cohorts.rule_delete",
        rule,
        attribute=rule.attribute,
        operator=rule.operator,
        values=list(rule.values),
    )
    rule.delete()
