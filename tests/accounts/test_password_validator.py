"""Passwords built on the site's, the programmes' or the partners' names are refused."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from accounts.validators import ProductNamePasswordValidator
from tests.factories import PartnerFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def names(programme):
    """The personas' programme is "AI Forward 2026"."""
    ProgrammeFactory(name="Green Skills 2026", slug="green-skills")
    PartnerFactory(name="Nimbus Cloud")


@pytest.mark.parametrize(
    "password",
    [
        "Programme2025",
        "cohortline2026",
        "AIForward2026!",
        "C0h0rtl1ne!!2026",
        "cohort1ine#2026",
        "Ai-F0rward-2026",
        "GreenSkills2026!",
        "NimbusCloud#1234",
        "nimbus-cloud-2026",
        "MyCohortline2026!",
        "CohortlineCohortline",
        "Cöhortline-2026",
    ],
)
def test_password_built_on_our_names_is_refused(password):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert "password_product_name" in [error.code for error in refused.value.error_list]


@pytest.mark.parametrize(
    "password",
    [
        "correct horse cohortline battery staple",
        "lantern-orchid-river-7",
        "violet-harbour-engine-42",
        "my cloud garden grows forward slowly",
        "green tea, quiet harbour, amber skills",
    ],
)
def test_passphrase_that_merely_contains_a_name_is_accepted(password):
    validate_password(password)


def test_refusal_message_names_the_word_and_suggests_a_way_out():
    with pytest.raises(ValidationError) as refused:
        validate_password("AIForward2026!")
    assert refused.value.messages == [
        "This password is built on “AI Forward 2026”, one of the first guesses of anyone "
        "targeting this site. Choose something else, for example a few unrelated words."
    ]


def test_names_are_read_when_the_password_is_checked():
    validate_password("Quantum Harbour 2027")
    ProgrammeFactory(name="Quantum Harbour", slug="quantum-harbour")
    with pytest.raises(ValidationError):
        validate_password("Quantum Harbour 2027")


def test_validator_skips_sources_of_apps_that_are_not_installed():
    validator = ProductNamePasswordValidator(
        words=["Cohortline"], name_sources=["nowhere.Thing.name"]
    )
    validator.validate("violet-harbour-engine-42")
    with pytest.raises(ValidationError):
        validator.validate("cohortline2026")


def test_signup_with_a_password_built_on_the_product_name_is_refused(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.com",
            "password1": "Cohortline2026!",
            "password2": "Cohortline2026!",
        },
    )
    assert response.status_code == 200
    assert "This password is built on “Cohortline”" in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()
