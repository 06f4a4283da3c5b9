"""The shared components on a cohort's set-up pages: breadcrumbs of the question and criterion
forms, confirmation before a delete, and the empty question list."""

import pytest

from cohorts.models import EligibilityRule
from reviews.models import ReviewCriterion
from tests.factories import CohortFactory, QuestionFactory
from tests.pages import C, P, breadcrumbs, confirm_forms

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, slug="main", name="Main intake")


def test_breadcrumbs_of_question_and_criterion_forms(client, cohort, programme_admin):
    question = QuestionFactory(cohort=cohort, label="Why now?")
    criterion = ReviewCriterion.objects.create(cohort=cohort, name="Motivation", position=1)
    client.force_login(programme_admin)
    cohort_trail = [("Dashboard", "/dashboard/"), ("AI Forward 2026", P), ("Main intake", C)]

    new = client.get(C + "questions/new/").content.decode()
    edit = client.get(f"{C}questions/{question.pk}/").content.decode()
    criterion_page = client.get(f"{C}review/criteria/{criterion.pk}/").content.decode()

    assert breadcrumbs(new) == [*cohort_trail, ("New question", "")]
    assert breadcrumbs(edit) == [*cohort_trail, ("Edit question", "")]
    assert breadcrumbs(criterion_page) == [
        *cohort_trail,
        ("Rubric and settings", C + "review/"),
        ("Edit criterion", ""),
    ]


def test_setup_deletes_ask_first(client, cohort, programme_admin):
    question = QuestionFactory(cohort=cohort, label="Why now?")
    rule = EligibilityRule.objects.create(
        cohort=cohort, attribute="sector", operator="in", values=["ict"]
    )
    criterion = ReviewCriterion.objects.create(cohort=cohort, name="Motivation", position=1)
    client.force_login(programme_admin)

    detail = confirm_forms(client.get(C).content.decode())
    review = confirm_forms(client.get(C + "review/").content.decode())

    assert detail[f"{C}questions/{question.pk}/delete/"].startswith(
        "Delete the question “Why now?”?"
    )
    assert detail[f"{C}rules/{rule.pk}/delete/"] == "Remove this eligibility rule?"
    assert (
        review[f"{C}review/criteria/{criterion.pk}/delete/"] == "Remove the criterion “Motivation”?"
    )


def test_cohort_without_questions_tells_admins_to_add_one(client, cohort, programme_admin, staff):
    client.force_login(programme_admin)
    admin_view = client.get(C).content.decode()
    assert f'<a class="text-break" href="{C}questions/new/">Add a question</a>' in admin_view
    client.force_login(staff)
    staff_view = client.get(C).content.decode()
    assert "No questions yet." in staff_view and "questions/new/" not in staff_view
