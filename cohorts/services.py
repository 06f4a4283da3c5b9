"""Every write of cohort set-up: cohorts, questions, eligibility rules."""

from django.db import transaction
from django.db.models import Max

from accounts.models import User
from cohorts.models import ApplicationQuestion, Cohort, EligibilityRule
from core.services import audit_record


@transaction.atomic
def cohort_save(*, cohort: Cohort, actor: User) -> Cohort:
    """Create or update a cohort from a validated form's instance. Audited."""
    created = cohort.pk is None
    cohort.save()
    audit_record(actor=actor, action="cohort.create" if created else "cohort.update", target=cohort)
    return cohort


@transaction.atomic
def question_save(
    *, question: ApplicationQuestion, choices: list[str], show_when: list[str]
) -> ApplicationQuestion:
    """Create or update a question; new ones go to the end of the form."""
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
    return question


@transaction.atomic
def question_delete(*, question: ApplicationQuestion) -> None:
    """Delete a question; questions that depended on it become unconditional."""
    question.dependents.update(depends_on=None, show_when=[])
    # A rule on a question that no longer exists could never be met: it goes with the question.
    EligibilityRule.objects.filter(
        cohort=question.cohort, attribute=f"answer:{question.key}"
    ).delete()
    question.delete()


@transaction.atomic
def question_move(*, question: ApplicationQuestion, direction: str) -> None:
    """Swap a question with its neighbour above ("up") or below ("down")."""
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


def rule_create(
    *, cohort: Cohort, attribute: str, operator: str, values: list[str], message: str
) -> EligibilityRule:
    last = EligibilityRule.objects.filter(cohort=cohort).aggregate(m=Max("position"))["m"]
    return EligibilityRule.objects.create(
        cohort=cohort,
        attribute=attribute,
        operator=operator,
        values=values,
        message=message,
        position=(last or 0) + 1,
    )


def rule_delete(*, rule: EligibilityRule) -> None:
    rule.delete()
