import datetime

import factory
from django.utils import timezone

from cohorts.enums import (
    ApplicationStatus,
    CohortStatus,
    PartnerKind,
    QuestionType,
    RoleKind,
    RuleOperator,
)
from cohorts.models import (
    Application,
    ApplicationQuestion,
    Cohort,
    EligibilityRule,
    Partner,
    Programme,
    ProgrammeRole,
)

from .accounts import UserFactory


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Partner {n}")
    kind = PartnerKind.CLOUD


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")
    description = "Learn to build and run AI systems."
    is_published = True


class ProgrammeRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeRole

    user = factory.SubFactory(UserFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    role = RoleKind.REVIEWER


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


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A submitted application, with the profile snapshot filled in."""

    class Meta:
        model = Application

    cohort = factory.SubFactory(CohortFactory)
    applicant = factory.SubFactory(UserFactory)
    status = ApplicationStatus.SUBMITTED
    answers = factory.LazyFunction(dict)
    full_name = factory.Faker("name")
    email = factory.LazyAttribute(lambda o: o.applicant.email)
    residency = "citizen"
    gender = "woman"
    employer = "Harbour Logistics"
    employer_size = "sme"
    sector = "logistics"
    job_level = "frontline"
    is_union_member = True
    age_at_start = 35
    is_eligible = True
    submitted_at = factory.LazyFunction(timezone.now)
