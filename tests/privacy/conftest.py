"""The people and cohort the erasure and retention tests share."""

import pytest

from tests.factories import MentorProfileFactory
from tests.factories.certificates import held_course
from tests.factories.privacy import everything, privacy_cohort


@pytest.fixture
def cohort(programme):
    return privacy_cohort(programme)


@pytest.fixture
def common(cohort, staff):
    """What `everything` needs besides the person: a mentor, a course and a staff member."""
    return {
        "mentor": MentorProfileFactory(programme=cohort.programme),
        "course": held_course(cohort),
        "staff": staff,
    }


@pytest.fixture
def mei(cohort, common):
    person, _review = everything(
        cohort,
        email="mei.lim@example.com",
        name="Mei Lim Hua",
        marker="MEIMARK",
        phone="+6598765432",
        employer="Quokka Robotics",
        **common,
    )
    return person


@pytest.fixture
def raj(cohort, common):
    person, _review = everything(
        cohort, email="raj@example.com", name="Raj Kumar", marker="RAJMARK", **common
    )
    return person
