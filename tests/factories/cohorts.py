import datetime

import factory
from django.utils import timezone

from cohorts.enums import CohortStatus, QuestionType, RuleOperator
from cohorts.models import ApplicationQuestion, Cohort, EligibilityRule

from .programmes import ProgrammeFactory


class CohortFactory(factory.django.DjangoModelFactory):
    """A published cohort whose application window is open now."""

    class Meta:
        model = Cohort

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")
    slug = factory.Sequence(lambda n: f"cohort-{n}")
    capacity = 100
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))
    starts_on = factory.LazyFunction(lambda: (timezone.now() + datetime.timedelta(days=30)).date())
    ends_on = factory.LazyFunction(lambda: (timezone.now() + datetime.timedelta(days=200)).date())
    status = CohortStatus.PUBLISHED


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationQuestion

    cohort = factory.SubFactory(CohortFactory)
    position = factory.Sequence(lambda n: n)
    key = factory.Sequence(lambda n: f"question-{n}")
    label = factory.Sequence(lambda n: f"Question {n}?")
    type = QuestionType.SHORT_TEXT
    is_required = True


class EligibilityRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EligibilityRule

    cohort = factory.SubFactory(CohortFactory)
    attribute = "residency"
    operator = RuleOperator.IN
    values = factory.LazyFunction(lambda: ["citizen", "permanent_resident"])
