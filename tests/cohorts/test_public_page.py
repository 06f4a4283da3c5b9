"""A cohort's public page: what anyone reads before signing up."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.enums import CohortStatus, RuleOperator
from tests.factories import CohortFactory, EligibilityRuleFactory, ProgrammeFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def _url(cohort):
    return reverse("cohorts:cohort_public", args=[cohort.programme.slug, cohort.slug])


@pytest.fixture
def cohort(programme):
    cohort = CohortFactory(
        programme=programme,
        name="Main intake",
        slug="main",
        description="Twelve weeks of applied AI for logistics.",
        commitment="About 6 hours a week: Tuesday and Thursday evenings",
        capacity=40,
        opens_at=datetime.datetime(2026, 11, 1, 1, 0, tzinfo=datetime.UTC),
        closes_at=timezone.now() + datetime.timedelta(days=10),
        starts_on=datetime.date(2027, 1, 11),
        ends_on=datetime.date(2027, 4, 2),
    )
    EligibilityRuleFactory(
        cohort=cohort, attribute="age_at_start", operator=RuleOperator.AT_LEAST, values=["18"]
    )
    EligibilityRuleFactory(
        cohort=cohort,
        attribute="residency",
        operator=RuleOperator.IN,
        values=["citizen", "permanent_resident"],
    )
    QuestionFactory(cohort=cohort)
    QuestionFactory(cohort=cohort)
    return cohort


def test_public_page_needs_no_login_and_says_everything(client, cohort):
    response = client.get(_url(cohort))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<h1 class="h3 mb-1">Main intake</h1>' in body
    assert "Twelve weeks of applied AI for logistics." in body
    assert "About 6 hours a week: Tuesday and Thursday evenings" in body
    # In the cohort's time zone (Singapore, UTC+8).
    assert "1 November 2026, 09:00 (Asia/Singapore)" in body
    assert "11 January 2027 to 2 April 2027" in body
    assert '<dd class="col-sm-7">40</dd>' in body
    # The rules in words, as staff see them.
    assert "Age when the cohort starts</span> must be at least 18" in body
    assert "Residency status</span> must be one of: Citizen, Permanent resident" in body
    assert "answer 2 questions" in body
    apply_url = reverse("applications:apply", args=[cohort.programme.slug, "main"])
    assert f'href="{reverse("account_signup")}?next={apply_url}"' in body
    assert "Sign up to apply" in body


def test_public_page_of_a_signed_in_user_links_straight_to_the_form(client, cohort, applicant):
    client.force_login(applicant)
    body = client.get(_url(cohort)).content.decode()
    apply_url = reverse("applications:apply", args=[cohort.programme.slug, "main"])
    assert f'href="{apply_url}"' in body
    assert "Sign up to apply" not in body


def test_public_page_of_an_upcoming_cohort_says_when_it_opens(client, programme):
    opens = timezone.now() + datetime.timedelta(days=5)
    cohort = CohortFactory(
        programme=programme, opens_at=opens, closes_at=opens + datetime.timedelta(days=20)
    )
    body = client.get(_url(cohort)).content.decode()
    assert "Applications open on" in body
    assert "Sign up to apply" not in body
    assert "Anyone with a complete applicant profile can apply." in body


def test_public_page_of_a_closed_cohort_says_it_is_closed(client, programme):
    now = timezone.now()
    cohort = CohortFactory(
        programme=programme,
        opens_at=now - datetime.timedelta(days=20),
        closes_at=now - datetime.timedelta(days=1),
    )
    body = client.get(_url(cohort)).content.decode()
    assert "Applications to this cohort are closed." in body


@pytest.mark.parametrize("status", [CohortStatus.DRAFT, CohortStatus.ARCHIVED])
def test_public_page_of_an_unpublished_cohort_is_404(client, programme, status):
    cohort = CohortFactory(programme=programme, status=status)
    assert client.get(_url(cohort)).status_code == 404


def test_public_page_of_an_unpublished_programme_is_404(client):
    cohort = CohortFactory(programme=ProgrammeFactory(is_published=False))
    assert client.get(_url(cohort)).status_code == 404


def test_public_page_of_an_unknown_cohort_is_404(client, cohort):
    url = reverse("cohorts:cohort_public", args=[cohort.programme.slug, "nope"])
    assert client.get(url).status_code == 404


def test_landing_links_each_open_cohort_to_its_public_page(client, cohort):
    body = client.get(reverse("landing")).content.decode()
    assert f'href="{_url(cohort)}"' in body


def test_public_page_query_count(client, cohort, django_assert_num_queries):
    with django_assert_num_queries(3):
        client.get(_url(cohort))
