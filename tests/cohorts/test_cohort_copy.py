"""A new cohort takes the set-up of an earlier intake of its programme: questions with their
conditions, eligibility rules, and, through `cohort_copied`, the review rubric and quotas."""

import pytest
from django.urls import reverse

from cohorts import services
from cohorts.enums import QuestionType
from cohorts.models import ApplicationQuestion, Cohort, EligibilityRule
from core.models import AuditEntry
from reviews.models import ReviewCriterion
from selection.models import Quota
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    EligibilityRuleFactory,
    QuestionFactory,
    QuotaFactory,
    ReviewCriterionFactory,
)

pytestmark = pytest.mark.django_db

COHORT = {
    "name": "Autumn intake",
    "slug": "",
    "capacity": "40",
    "timezone": "Asia/Singapore",
    "opens_at": "2027-07-01T09:00",
    "closes_at": "2027-08-01T23:59",
    "starts_on": "2027-09-01",
    "ends_on": "2028-02-28",
    "status": "draft",
    "privacy_notice": "We use your data to select participants.",
    "privacy_notice_version": "1",
}


@pytest.fixture
def spring(programme):
    """An earlier intake with a full set-up and an application, which is not copied."""
    cohort = CohortFactory(programme=programme, slug="spring", name="Spring intake")
    track = QuestionFactory(
        cohort=cohort, key="track", type=QuestionType.CHOICE, choices=["Ops", "Data"], position=1
    )
    QuestionFactory(
        cohort=cohort,
        key="why_data",
        type=QuestionType.LONG_TEXT,
        word_limit=200,
        depends_on=track,
        show_when=["Data"],
        position=2,
    )
    EligibilityRuleFactory(cohort=cohort, attribute="residency", values=["citizen"])
    EligibilityRuleFactory(cohort=cohort, attribute="answer:track", values=["Data"])
    ReviewCriterionFactory(cohort=cohort, name="Motivation", weight=2, scale_labels={"1": "none"})
    QuotaFactory(cohort=cohort, name="Frontline", values=["frontline"], min_percent=30)
    ApplicationFactory(cohort=cohort)
    return cohort


def test_new_cohort_copies_the_set_up_of_an_earlier_one(client, programme, programme_admin, spring):
    client.force_login(programme_admin)
    response = client.post(
        reverse("cohorts:cohort_create", args=[programme.slug]),
        {**COHORT, "copy_from": spring.pk},
    )
    assert response.status_code == 302
    autumn = Cohort.objects.get(slug="autumn-intake")

    questions = list(ApplicationQuestion.objects.filter(cohort=autumn).order_by("position"))
    assert [(q.key, q.choices, q.word_limit, q.show_when) for q in questions] == [
        ("track", ["Ops", "Data"], None, []),
        ("why_data", [], 200, ["Data"]),
    ]
    # The condition points to the copy, not to the earlier cohort's question.
    assert questions[1].depends_on == questions[0]
    assert sorted(
        EligibilityRule.objects.filter(cohort=autumn).values_list("attribute", "values")
    ) == [("answer:track", ["Data"]), ("residency", ["citizen"])]
    criterion = ReviewCriterion.objects.get(cohort=autumn)
    assert (criterion.name, criterion.weight, criterion.scale_labels) == (
        "Motivation",
        2,
        {"1": "none"},
    )
    quota = Quota.objects.get(cohort=autumn)
    assert (quota.name, quota.attribute, quota.values, quota.min_percent) == (
        "Frontline",
        "job_level",
        ["frontline"],
        30,
    )
    assert not autumn.applications.exists()
    # The earlier cohort is untouched.
    assert spring.questions.count() == 2 and spring.quotas.count() == 1
    entry = AuditEntry.objects.get(action="cohort.copy_setup")
    assert (entry.actor, entry.target_id) == (programme_admin, str(autumn.pk))
    assert entry.data == {
        "source_id": spring.pk,
        "source": "Spring intake",
        "questions": 2,
        "rules": 2,
        "criteria": 1,
        "quotas": 1,
    }


def test_new_cohort_without_a_source_starts_empty(client, programme, programme_admin, spring):
    client.force_login(programme_admin)
    client.post(reverse("cohorts:cohort_create", args=[programme.slug]), COHORT)
    autumn = Cohort.objects.get(slug="autumn-intake")
    assert not autumn.questions.exists() and not autumn.quotas.exists()
    assert not AuditEntry.objects.filter(action="cohort.copy_setup").exists()


def test_copy_offers_only_the_programme_own_cohorts(
    client, programme, other_programme, programme_admin, spring
):
    elsewhere = CohortFactory(programme=other_programme, name="Someone else's intake")
    QuestionFactory(cohort=elsewhere, key="secret")
    client.force_login(programme_admin)
    page = client.get(reverse("cohorts:cohort_create", args=[programme.slug])).content.decode()
    assert "Spring intake" in page and "Someone else&#x27;s intake" not in page
    response = client.post(
        reverse("cohorts:cohort_create", args=[programme.slug]),
        {**COHORT, "copy_from": elsewhere.pk},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ApplicationQuestion.objects.filter(key="secret").exclude(cohort=elsewhere).exists()


def test_cohort_edit_offers_no_copy(client, programme, programme_admin, spring):
    client.force_login(programme_admin)
    page = client.get(reverse("cohorts:cohort_edit", args=[programme.slug, "spring"]))
    assert 'name="copy_from"' not in page.content.decode()


def test_cohort_save_refuses_a_source_of_another_programme(programme, other_programme, spring):
    target = Cohort(
        programme=other_programme,
        **{
            k: getattr(spring, k)
            for k in ("capacity", "opens_at", "closes_at", "starts_on", "ends_on")
        },
        name="X",
        slug="x",
    )
    with pytest.raises(ValueError):
        services.cohort_save(cohort=target, actor=None, copy_from=spring)
    assert not Cohort.objects.filter(slug="x").exists()
