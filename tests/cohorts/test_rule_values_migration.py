"""Migration 0011: rules typed with the labels the site shows take the codes the profile holds."""

import importlib

import pytest
from django.apps import apps

from cohorts import selectors
from cohorts.models import EligibilityRule
from tests.factories import ApplicantProfileFactory, CohortFactory, EligibilityRuleFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("cohorts.migrations.0011_rule_values_as_codes")


def _eligibility(cohort, profile):
    return selectors.eligibility_for(
        cohort=cohort,
        profile=profile,
        answers={},
        questions=[],
        rules=selectors.rule_list_for_cohort(cohort=cohort),
    )


def test_rule_values_migration_turns_labels_into_codes_and_keeps_every_row():
    cohort = CohortFactory()
    typed = EligibilityRuleFactory(
        cohort=cohort, attribute="residency", values=["Citizen", "permanent RESIDENT "]
    )
    education = EligibilityRuleFactory(
        cohort=cohort,
        attribute="highest_education",
        operator="not_in",
        values=["Bachelor’s degree"],
    )
    unknown = EligibilityRuleFactory(cohort=cohort, attribute="sector", values=["Space", "ict"])
    answer = EligibilityRuleFactory(cohort=cohort, attribute="answer:track", values=["Citizen"])
    age = EligibilityRuleFactory(
        cohort=cohort, attribute="age_at_start", operator="between", values=["18", "65"]
    )
    profile = ApplicantProfileFactory()
    assert _eligibility(cohort, profile).reasons[0] == (
        "Residency status must be one of: Citizen, permanent RESIDENT ; yours is Citizen."
    )

    migration.labels_to_codes(apps, None)

    values = dict(EligibilityRule.objects.values_list("pk", "values"))
    assert values == {
        typed.pk: ["citizen", "permanent_resident"],
        education.pk: ["bachelor"],
        unknown.pk: ["Space", "ict"],  # matches nothing: kept as it was
        answer.pk: ["Citizen"],  # answers are stored as the choices are written
        age.pk: ["18", "65"],
    }
    assert all("Residency" not in reason for reason in _eligibility(cohort, profile).reasons)
