"""Cohort set-up forms: slugs and keys suggested from the name, fields that follow the question
type, the cohort's offer and commitment fields, and the preview of the application form."""

import pytest
from django.urls import reverse

from cohorts.enums import QuestionType
from cohorts.models import ApplicationQuestion, Cohort
from tests.factories import (
    CohortFactory,
    EligibilityRuleFactory,
    QuestionFactory,
)

pytestmark = pytest.mark.django_db

COHORT = {
    "name": "Spring intake 2027",
    "slug": "",
    "capacity": "30",
    "timezone": "Asia/Singapore",
    "opens_at": "2027-01-05T09:00",
    "closes_at": "2027-02-05T23:59",
    "starts_on": "2027-03-01",
    "ends_on": "2027-08-31",
    "status": "draft",
    "privacy_notice": "We use your data to select participants.",
    "privacy_notice_version": "1",
}


def _url(name, programme, *args):
    return reverse(f"cohorts:{name}", args=[programme.slug, *args])


def _squeezed(response) -> str:
    return " ".join(response.content.decode().split())


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, slug="main", name="Main intake")


def test_cohort_slug_left_empty_is_made_from_the_name(client, programme, programme_admin):
    CohortFactory(programme=programme, slug="spring-intake-2027")
    client.force_login(programme_admin)
    response = client.post(_url("cohort_create", programme), COHORT)
    assert response.status_code == 302
    assert Cohort.objects.filter(programme=programme, name="Spring intake 2027").get().slug == (
        "spring-intake-2027-2"
    )


def test_cohort_slug_typed_by_hand_is_kept(client, programme, programme_admin):
    client.force_login(programme_admin)
    client.post(_url("cohort_create", programme), {**COHORT, "slug": "s27"})
    assert Cohort.objects.get(programme=programme).slug == "s27"


def test_cohort_form_suggests_the_slug_as_the_name_is_typed(client, programme, programme_admin):
    client.force_login(programme_admin)
    page = client.get(_url("cohort_create", programme)).content.decode()
    assert 'data-slug-from="id_name"' in page
    assert 'src="/static/js/cohort-setup.js"' in page


def test_cohort_form_sets_days_to_answer_an_offer_and_the_commitment(
    client, programme, programme_admin
):
    client.force_login(programme_admin)
    page = client.get(_url("cohort_create", programme)).content.decode()
    assert 'name="offer_validity_days"' in page and 'name="commitment"' in page
    client.post(
        _url("cohort_create", programme),
        {**COHORT, "offer_validity_days": "10", "commitment": "About 6 hours a week"},
    )
    cohort = Cohort.objects.get(programme=programme)
    assert (cohort.offer_validity_days, cohort.commitment) == (10, "About 6 hours a week")
    edit = client.get(_url("cohort_edit", programme, cohort.slug)).content.decode()
    assert 'value="About 6 hours a week"' in edit and 'value="10"' in edit


def test_question_key_left_empty_is_made_from_the_label(client, programme, programme_admin, cohort):
    QuestionFactory(cohort=cohort, key="why_this_programme")
    client.force_login(programme_admin)
    for label in ("Why this programme?", "CV"):
        response = client.post(
            _url("question_create", programme, "main"),
            {"label": label, "key": "", "type": QuestionType.SHORT_TEXT},
        )
        assert response.status_code == 302
    keys = list(ApplicationQuestion.objects.order_by("pk").values_list("key", flat=True))
    # "cv" is the CV's: the question worded "CV" gets the next free key.
    assert keys == ["why_this_programme", "why_this_programme_2", "cv_2"]


@pytest.mark.parametrize(
    ("kind", "kept"),
    [
        (QuestionType.SHORT_TEXT, {}),
        (QuestionType.LONG_TEXT, {"word_limit": 300}),
        (QuestionType.NUMBER, {"min_value": 1, "max_value": 40}),
        (QuestionType.CHOICE, {"choices": ["Ops", "Data"]}),
    ],
)
def test_question_keeps_only_the_fields_its_type_uses(
    client, programme, programme_admin, cohort, kind, kept
):
    client.force_login(programme_admin)
    response = client.post(
        _url("question_create", programme, "main"),
        {
            "label": "Q",
            "key": "q",
            "type": kind,
            "choices_text": "Ops\nData",
            "word_limit": "300",
            "min_value": "1",
            "max_value": "40",
        },
    )
    assert response.status_code == 302
    question = ApplicationQuestion.objects.get()
    stored = {
        "word_limit": question.word_limit,
        "min_value": question.min_value,
        "max_value": question.max_value,
        "choices": question.choices,
    }
    assert {name: value for name, value in stored.items() if value} == kept


def test_question_ignores_bad_input_in_fields_its_type_does_not_use(
    client, programme, programme_admin, cohort
):
    client.force_login(programme_admin)
    response = client.post(
        _url("question_create", programme, "main"),
        {
            "label": "Q",
            "key": "q",
            "type": QuestionType.URL,
            "min_value": "lots",
            "word_limit": "x",
        },
    )
    assert response.status_code == 302


def test_question_form_shows_only_the_fields_of_the_type(
    client, programme, programme_admin, cohort
):
    question = QuestionFactory(cohort=cohort, type=QuestionType.NUMBER)
    client.force_login(programme_admin)
    page = _squeezed(client.get(_url("question_edit", programme, "main", question.pk)))
    assert 'class="d-none" data-types="choice multi_choice"' in page
    assert 'class="col-md-4" data-types="number"' in page
    assert 'class="col-md-4 d-none" data-types="long_text"' in page
    # Without JavaScript, the form is shown again for the type chosen, and nothing is saved.
    refreshed = _squeezed(
        client.post(
            _url("question_create", programme, "main"),
            {"label": "Track?", "type": QuestionType.CHOICE, "refresh": "1"},
        )
    )
    assert 'data-types="choice multi_choice"' in refreshed
    assert 'class="d-none" data-types="choice multi_choice"' not in refreshed
    assert 'value="Track?"' in refreshed
    assert ApplicationQuestion.objects.count() == 1


def test_preview_shows_the_form_as_applicants_see_it(client, programme, staff, cohort):
    parent = QuestionFactory(
        cohort=cohort,
        key="track",
        label="Which track?",
        type=QuestionType.CHOICE,
        choices=["Ops", "Data"],
    )
    QuestionFactory(
        cohort=cohort, key="why_data", label="Why data?", depends_on=parent, show_when=["Data"]
    )
    EligibilityRuleFactory(cohort=cohort, attribute="residency", values=["citizen"])
    client.force_login(staff)
    response = client.get(
        reverse("applications:cohort_form_preview", args=[programme.slug, "main"])
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Preview — this is what applicants see." in body
    assert "Which track?" in body and 'name="q_track"' in body
    # The conditional question is there, hidden until its answer is chosen, as on the real form.
    assert 'data-depends-on="q_track" data-show-when="Data" hidden' in body
    assert "Residency status must be one of: Citizen" in body
    assert 'method="post"' not in body.split('id="application-form"')[1].split(">")[0]
    assert 'data-testid="submit-application"' not in body


@pytest.mark.parametrize("persona", ["outsider", "applicant", "other_programme_admin"])
def test_preview_is_404_outside_the_programme(client, request, programme, cohort, persona):
    QuestionFactory(cohort=cohort, label="Secret question?")
    client.force_login(request.getfixturevalue(persona))
    response = client.get(
        reverse("applications:cohort_form_preview", args=[programme.slug, "main"])
    )
    assert response.status_code == 404
    assert "Secret question?" not in response.content.decode()


def test_cohort_page_links_to_the_preview(client, programme, staff, cohort):
    client.force_login(staff)
    page = client.get(_url("cohort_detail", programme, "main")).content.decode()
    assert reverse("applications:cohort_form_preview", args=[programme.slug, "main"]) in page
