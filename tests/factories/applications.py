import factory
from django.utils import timezone

from applications.enums import ApplicationStatus
from applications.models import Application, ApplicationDispute, ApplicationEvent

from .accounts import UserFactory
from .cohorts import CohortFactory


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


class ApplicationEventFactory(factory.django.DjangoModelFactory):
    """The applicant submitting their draft: one step of the application's history."""

    class Meta:
        model = ApplicationEvent

    application = factory.SubFactory(ApplicationFactory)
    actor = factory.LazyAttribute(lambda o: o.application.applicant)
    from_status = ApplicationStatus.DRAFT
    to_status = ApplicationStatus.SUBMITTED
    note = ""


class ApplicationDisputeFactory(factory.django.DjangoModelFactory):
    """An applicant's open request to correct a detail of their submitted application."""

    class Meta:
        model = ApplicationDispute

    application = factory.SubFactory(ApplicationFactory)
    about = "profile:employer"
    note = "My employer is Harbour Logistics Pte Ltd, not Harbour Logistics."
