import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from compute import services
from compute.enums import Metering, Unit
from compute.models import (
    Allocation,
    AllocationChange,
    AllocationRequest,
    IntegrationToken,
    ResourcePool,
    ResourceType,
    UsageRecord,
)

from .cohorts import CohortFactory
from .programmes import PartnerFactory, ProgrammeFactory
from .selection import ParticipantFactory


class ResourceTypeFactory(factory.django.DjangoModelFactory):
    """GPU hours from a data-centre partner, counted as they accumulate."""

    class Meta:
        model = ResourceType

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"H100 GPU hours {n}")
    slug = factory.Sequence(lambda n: f"gpu-{n}")
    unit = Unit.GPU_HOURS
    provider = factory.SubFactory(PartnerFactory)
    metering = Metering.ACCUMULATES


class ResourcePoolFactory(factory.django.DjangoModelFactory):
    """1,000 units for the cohort, 100 granted to each participant, valid this year."""

    class Meta:
        model = ResourcePool

    cohort = factory.SubFactory(CohortFactory)
    resource = factory.SubFactory(
        ResourceTypeFactory, programme=factory.SelfAttribute("..cohort.programme")
    )
    total = Decimal(1000)
    default_grant = Decimal(100)
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=90))
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=180))


class AllocationFactory(factory.django.DjangoModelFactory):
    """A participant's allocation of a pool; its limit is reserved from the pool like a grant."""

    class Meta:
        model = Allocation

    pool = factory.SubFactory(ResourcePoolFactory)
    participant = factory.SubFactory(
        ParticipantFactory, application__cohort=factory.SelfAttribute("...pool.cohort")
    )
    user = factory.SelfAttribute("participant.user")
    limit = Decimal(100)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        allocation = super()._create(model_class, *args, **kwargs)
        if not services._reserve(allocation.pool_id, allocation.limit):
            raise ValueError("the pool cannot cover this allocation")
        return allocation


class AllocationChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AllocationChange

    allocation = factory.SubFactory(AllocationFactory)
    kind = "add"
    delta = Decimal(0)
    limit_after = factory.SelfAttribute("allocation.limit")
    reason = "Adjusted"


class AllocationRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AllocationRequest

    allocation = factory.SubFactory(AllocationFactory)
    amount = Decimal(40)
    justification = "Fine-tuning runs for my capstone project."


class IntegrationTokenFactory(factory.django.DjangoModelFactory):
    """An active token of the programme (its secret is not known: use
    `services.token_create` when a test needs to send one)."""

    class Meta:
        model = IntegrationToken

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Provider {n}")
    prefix = factory.Sequence(lambda n: f"t{n:07d}")
    secret_hash = "0" * 64


class UsageRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsageRecord

    allocation = factory.SubFactory(AllocationFactory)
    token = None
    event_id = factory.Sequence(lambda n: f"event-{n}")
    amount = Decimal("1.5")
    occurred_at = factory.LazyFunction(timezone.now)
    source = "manual"
