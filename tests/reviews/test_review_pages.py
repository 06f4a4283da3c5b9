"""The reviewer's pages: the queue by cohort, the deadline, the scale and what is required."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import ReviewAssignment, ReviewCriterion
from tests.factories import ApplicationFactory, CohortFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohorts(programme):
    spring = CohortFactory(
        programme=programme,
        name="Spring intake",
        timezone="Asia/Singapore",
        is_blind_review=False,
    )
    autumn = CohortFactory(programme=programme, name="Autumn intake", is_blind_review=False)
    ReviewCriterion.objects.create(
        cohort=spring,
        name="Motivation",
        weight=1,
        position=1,
        scale_labels={"1": "No evidence", "3": "Some evidence", "5": "Outstanding"},
    )
    ReviewCriterion.objects.create(
        cohort=spring, name="Extras", weight=1, position=2, is_required=False
    )
    return spring, autumn


def _assign(cohort, reviewer, name):
    application = ApplicationFactory(cohort=cohort, full_name=name)
    return ReviewAssignment.objects.create(application=application, reviewer=reviewer)


def test_queue_filters_by_cohort(client, cohorts, reviewer):
    spring, autumn = cohorts
    _assign(spring, reviewer, "Sam Spring")
    _assign(autumn, reviewer, "Alex Autumn")
    _assign(CohortFactory(), reviewer, "Elsewhere Eve")  # not a reviewer in that programme
    client.force_login(reviewer)

    body = client.get(reverse("reviews:queue")).content.decode()
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]+)</option>', body)
    # newest first: Spring and Autumn open on the same day, so by creation
    assert [label for _value, label in options] == ["All cohorts", "Autumn intake", "Spring intake"]
    assert "Sam Spring" in body and "Alex Autumn" in body and "Elsewhere" not in body

    body = client.get(reverse("reviews:queue"), {"cohort": spring.pk}).content.decode()
    assert "Sam Spring" in body and "Alex Autumn" not in body
    assert 'data-testid="progress">0 of 1 reviewed' in body
    assert f'<option value="{spring.pk}" selected>' in body

    response = client.get(reverse("reviews:queue"), {"cohort": 999999})
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_queue_filtered_query_count(client, cohorts, reviewer, django_assert_num_queries, count):
    spring, autumn = cohorts
    _assign(autumn, reviewer, "Alex Autumn")
    for n in range(count):
        _assign(spring, reviewer, f"Sam {n}")
    client.force_login(reviewer)
    # constant: the filter's cohorts one query; the rows, their reviews, counts and next one
    # a query each, whatever the number of assignments
    with django_assert_num_queries(11):
        body = client.get(reverse("reviews:queue"), {"cohort": spring.pk}).content.decode()
    assert body.count("Sam ") == count


def test_scoring_page_shows_the_deadline_in_the_cohorts_time_zone(client, cohorts, reviewer):
    spring, _autumn = cohorts
    spring.review_deadline = timezone.now() + datetime.timedelta(days=3, minutes=30)
    spring.save(update_fields=["review_deadline"])
    assignment = _assign(spring, reviewer, "Sam Spring")
    client.force_login(reviewer)
    body = client.get(reverse("reviews:score", args=[assignment.pk])).content.decode()
    block = body.split('data-testid="review-deadline">')[1].split("</p>")[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block)).strip()
    local = spring.review_deadline.astimezone(ZoneInfo("Asia/Singapore"))
    assert re.match(r"3\sdays left Reviews close on ", text)
    assert f"Reviews close on {local:%-d %B %Y, %H:%M} (Asia/Singapore)." in text


def test_scoring_page_after_the_deadline_says_it_closed(client, cohorts, reviewer):
    spring, _autumn = cohorts
    spring.review_deadline = timezone.now() - datetime.timedelta(hours=1)
    spring.save(update_fields=["review_deadline"])
    assignment = _assign(spring, reviewer, "Sam Spring")
    client.force_login(reviewer)
    body = client.get(reverse("reviews:score", args=[assignment.pk])).content.decode()
    assert "Reviews closed on" in body
    assert 'data-testid="submit-review"' not in body


def test_scoring_page_draws_each_criterion_as_a_scale_and_marks_what_is_required(
    client, cohorts, reviewer
):
    spring, _autumn = cohorts
    assignment = _assign(spring, reviewer, "Sam Spring")
    client.force_login(reviewer)
    body = client.get(reverse("reviews:score", args=[assignment.pk])).content.decode()
    scales = body.split('data-testid="scale"')[1:]
    assert len(scales) == 2
    motivation, extras = scales
    assert re.findall(
        r'<label class="btn btn-outline-primary w-100" for="[^"]+">(\d+)', motivation
    ) == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    assert '<span class="visually-hidden"> — Outstanding</span>' in motivation
    anchors = motivation.split('class="score-anchors')[1].split("</div>")[0]
    assert "1 — No evidence" in anchors and "5 — Outstanding" in anchors
    assert "3 — Some evidence" in motivation
    assert 'Motivation<span class="text-danger" aria-hidden="true">*</span>' in motivation
    assert "Extras</legend>" in extras
    recommendation = body.split('for="id_recommendation"')[1].split("</select>")[0]
    assert '<span class="visually-hidden"> (required)</span>' in recommendation
    assert 'aria-required="true"' in recommendation


def test_scoring_page_keeps_the_chosen_point_after_a_refused_submission(client, cohorts, reviewer):
    spring, _autumn = cohorts
    assignment = _assign(spring, reviewer, "Sam Spring")
    motivation = ReviewCriterion.objects.get(cohort=spring, name="Motivation")
    client.force_login(reviewer)
    response = client.post(
        reverse("reviews:score", args=[assignment.pk]),
        {f"score_{motivation.pk}": "4", "recommendation": "", "submit": "1"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Choose a recommendation before submitting." in body
    assert f'value="4" id="id_score_{motivation.pk}_4" autocomplete="off" checked>' in body


def test_cv_help_text_names_the_reviewers(client, programme, applicant):
    cohort = CohortFactory(programme=programme, slug="main")
    client.force_login(applicant)
    body = client.get(f"/apply/{programme.slug}/{cohort.slug}/", follow=True).content.decode()
    assert "Only you, the programme's staff and the reviewers of your application can open it." in (
        body.replace("&#x27;", "'")
    )
