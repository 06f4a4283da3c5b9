"""Every factory of tests/factories builds a valid row: saved, its filled fields pass their
validators and every constraint of its model holds, for one and for two side by side."""

from decimal import Decimal

import pytest

from applications.enums import ApplicationStatus
from selection.enums import OfferStatus
from selection.models import Participant
from tests import factories

pytestmark = pytest.mark.django_db

FACTORIES = sorted(factories.__all__)


def _check(instance) -> None:
    model = type(instance)
    assert model.objects.filter(pk=instance.pk).exists()
    instance.refresh_from_db()
    # Left empty is the model's own business (its services save them empty too).
    empty = {
        field.name
        for field in model._meta.concrete_fields
        if getattr(instance, field.attname) in field.empty_values
    }
    instance.clean_fields(exclude=empty)
    instance.validate_constraints()


def test_every_factory_is_exported_and_tried():
    exported = {name for name in dir(factories) if name.endswith("Factory")}
    assert exported == set(FACTORIES)


@pytest.mark.parametrize("name", FACTORIES)
def test_factory_builds_a_valid_saved_row(name):
    factory = getattr(factories, name)
    first = factory()
    _check(first)
    second = factory()  # beside the first: no unique constraint broken
    _check(second)
    assert second.pk != first.pk


def test_participant_persona_accepted_a_seat_in_the_programme(participant, programme):
    """The `participant` persona of tests/conftest.py, built from these factories."""
    seat = Participant.objects.select_related("application__offer").get(user=participant)
    assert seat.cohort.programme == programme
    assert seat.application.applicant == participant
    assert seat.application.status == ApplicationStatus.ACCEPTED
    assert seat.application.offer.status == OfferStatus.ACCEPTED
    assert not participant.programme_roles.exists()


def test_compute_factories_keep_pool_cohort_and_programme_together():
    """An allocation's participant is in its pool's cohort, the pool's resource belongs to the
    cohort's programme, and the limit is reserved from the pool as a grant would be."""
    allocation = factories.AllocationFactory(limit=Decimal(100))
    pool = allocation.pool
    pool.refresh_from_db()
    assert allocation.participant.cohort == pool.cohort
    assert allocation.user == allocation.participant.user
    assert pool.resource.programme == pool.cohort.programme
    assert pool.allocated == Decimal(100)
    request = factories.AllocationRequestFactory(allocation=allocation)
    assert request.allocation.pool == pool


def test_allocation_factory_refuses_more_than_the_pool_holds():
    pool = factories.ResourcePoolFactory(total=Decimal(150))
    factories.AllocationFactory(pool=pool, limit=Decimal(100))
    with pytest.raises(ValueError, match="cannot cover"):
        factories.AllocationFactory(pool=pool, limit=Decimal(60))
    pool.refresh_from_db()
    assert pool.allocated == Decimal(100)
