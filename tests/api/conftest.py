import pytest

from cohorts.models import Cohort
from tests.factories import CohortFactory


@pytest.fixture
def cohort(programme) -> Cohort:
    return CohortFactory(programme=programme, name="Main intake", slug="main")
