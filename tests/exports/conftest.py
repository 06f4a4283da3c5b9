import pytest

from applications.enums import ApplicationStatus
from tests.factories import ApplicationFactory, CohortFactory, QuestionFactory


@pytest.fixture
def cohort(programme):
    cohort = CohortFactory(programme=programme, name="Main intake", slug="main")
    QuestionFactory(cohort=cohort, key="motivation", label="Why this programme?")
    return cohort


@pytest.fixture
def applications(cohort):
    """Three submitted applications, one of them with a formula-like answer."""
    return [
        ApplicationFactory(
            cohort=cohort,
            full_name=name,
            email=f"{name.split()[0].lower()}@example.com",
            status=ApplicationStatus.SUBMITTED,
            answers={"motivation": answer},
        )
        for name, answer in (
            ("Aisha Rahman", "=HYPERLINK(1)"),
            ("Ben Tan", "To learn."),
            ("Chen Wei", "To lead."),
        )
    ]
