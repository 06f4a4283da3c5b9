import datetime

import pytest
from django.urls import reverse

from cohorts.enums import QuestionType
from cohorts.models import ApplicationQuestion, Cohort, EligibilityRule
from tests.factories import CohortFactory, PartnerFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def _url(name, programme, *args):
    namespace = "programmes" if name == "programme_edit" else "cohorts"
    return reverse(f"{namespace}:{name}", args=[programme.slug, *args])


COHORT = {
    "name": "Spring intake",
    "slug": "spring",
    "description": "Part time.",
    "capacity": "1000",
    "timezone": "Asia/Singapore",
    "opens_at": "2027-01-05T09:00",
    "closes_at": "2027-02-05T23:59",
    "starts_on": "2027-03-01",
    "ends_on": "2027-08-31",
    "status": "published",
    "allow_edit_after_submit": "on",
    "privacy_notice": "We use your data to select participants.",
    "privacy_notice_version": "2027-1",
}


def test_programme_admin_creates_cohort_in_its_time_zone(client, programme, programme_admin):
    client.force_login(programme_admin)
    response = client.post(_url("cohort_create", programme), COHORT)
    assert response.status_code == 302
    cohort = Cohort.objects.get(programme=programme, slug="spring")
    assert cohort.capacity == 1000
    # 09:00 in Singapore is 01:00 UTC.
    assert cohort.opens_at == datetime.datetime(2027, 1, 5, 1, 0, tzinfo=datetime.UTC)
    page = client.get(_url("cohort_edit", programme, "spring")).content.decode()
    assert 'value="2027-01-05T09:00"' in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"closes_at": "2027-01-01T09:00"}, "closes_at", "must close after they open"),
        ({"ends_on": "2027-02-01"}, "ends_on", "must end on or after its start"),
        ({"capacity": "0"}, "capacity", "greater than or equal to 1"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Select a valid choice"),
        (
            {"starts_on": "2027-01-10", "ends_on": "2027-08-31"},
            "starts_on",
            "start after applications close",
        ),
    ],
)
def test_cohort_form_bad_input_keeps_what_was_typed(
    client, programme, programme_admin, changes, field, message
):
    client.force_login(programme_admin)
    response = client.post(_url("cohort_create", programme), {**COHORT, **changes})
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert 'value="Spring intake"' in body
    assert not Cohort.objects.exists()


def test_cohort_slug_unique_per_programme(client, programme, programme_admin):
    CohortFactory(programme=programme, slug="spring")
    client.force_login(programme_admin)
    response = client.post(_url("cohort_create", programme), COHORT)
    assert response.status_code == 400
    assert "Another cohort of this programme uses this slug." in response.content.decode()


def test_programme_edit(client, programme, programme_admin):
    partner = PartnerFactory(name="Nimbus Cloud")
    client.force_login(programme_admin)
    response = client.post(
        _url("programme_edit", programme),
        {
            "name": "AI Forward 2026",
            "tagline": "New tagline",
            "description": "D",
            "partners": [partner.pk],
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.tagline == "New tagline"
    assert list(programme.partners.all()) == [partner]


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, slug="main", name="Main intake")


def test_question_builder_with_condition(client, programme, programme_admin, cohort):
    client.force_login(programme_admin)
    client.post(
        _url("question_create", programme, "main"),
        {
            "label": "Does your employer support you?",
            "key": "supports",
            "type": QuestionType.YES_NO,
            "is_required": "on",
        },
    )
    parent = ApplicationQuestion.objects.get(key="supports")
    response = client.post(
        _url("question_create", programme, "main"),
        {
            "label": "How?",
            "key": "how",
            "type": QuestionType.MULTI_CHOICE,
            "choices_text": "Time\nFees\n",
            "depends_on": parent.pk,
            "show_when_text": "yes",
        },
    )
    assert response.status_code == 302
    child = ApplicationQuestion.objects.get(key="how")
    assert (child.choices, child.depends_on, child.show_when, child.position) == (
        ["Time", "Fees"],
        parent,
        ["yes"],
        2,
    )
    page = client.get(_url("cohort_detail", programme, "main")).content.decode()
    assert "shown when “Does your employer support you?” is yes" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": QuestionType.CHOICE, "choices_text": "Only one"}, "Give at least two choices"),
        ({"type": QuestionType.CHOICE, "choices_text": "A\nA"}, "Each choice must be different"),
        (
            {"type": QuestionType.NUMBER, "min_value": "10", "max_value": "5"},
            "must not be below the minimum",
        ),
        ({"key": "Not a slug!"}, "Enter a valid “slug”"),
    ],
)
def test_question_builder_bad_input(client, programme, programme_admin, cohort, data, message):
    client.force_login(programme_admin)
    response = client.post(
        _url("question_create", programme, "main"),
        {"label": "Q", "key": "q", "type": QuestionType.SHORT_TEXT, **data},
    )
    assert response.status_code == 400
    assert message in response.content.decode()


def test_question_condition_must_use_offered_answers(client, programme, programme_admin, cohort):
    parent = QuestionFactory(
        cohort=cohort, key="track", type=QuestionType.CHOICE, choices=["Ops", "Data"]
    )
    client.force_login(programme_admin)
    response = client.post(
        _url("question_create", programme, "main"),
        {
            "label": "Why data?",
            "key": "why",
            "type": QuestionType.LONG_TEXT,
            "depends_on": parent.pk,
            "show_when_text": "Astrology",
        },
    )
    assert response.status_code == 400
    assert "Not an answer of that question: Astrology" in response.content.decode()


def test_question_move_and_delete(client, programme, programme_admin, cohort):
    first = QuestionFactory(cohort=cohort, key="a", position=1)
    second = QuestionFactory(cohort=cohort, key="b", position=2)
    dependent = QuestionFactory(
        cohort=cohort, key="c", position=3, depends_on=first, show_when=["x"]
    )
    client.force_login(programme_admin)
    client.post(_url("question_move", programme, "main", second.pk), {"direction": "up"})
    assert list(cohort.questions.values_list("key", flat=True)) == ["b", "a", "c"]
    client.post(_url("question_delete", programme, "main", first.pk))
    dependent.refresh_from_db()
    assert (dependent.depends_on, dependent.show_when) == (None, [])


def test_rules_add_and_remove(client, programme, programme_admin, cohort):
    client.force_login(programme_admin)
    response = client.post(
        _url("rule_create", programme, "main"),
        {"attribute": "age_at_start", "operator": "between", "low": "18", "high": "65"},
    )
    assert response.status_code == 302
    rule = EligibilityRule.objects.get()
    assert (rule.attribute, rule.operator, rule.values) == ("age_at_start", "between", ["18", "65"])
    page = client.get(_url("cohort_detail", programme, "main")).content.decode()
    assert "Age when the cohort starts</span> must be between 18 and 65" in page
    client.post(_url("rule_delete", programme, "main", rule.pk))
    assert not EligibilityRule.objects.exists()


def test_rule_on_a_choice_stores_the_ticked_codes_and_reads_as_words(
    client, programme, programme_admin, cohort
):
    client.force_login(programme_admin)
    response = client.post(
        _url("rule_create", programme, "main"),
        {"attribute": "residency", "operator": "in", "values": ["citizen", "permanent_resident"]},
    )
    assert response.status_code == 302
    assert EligibilityRule.objects.get().values == ["citizen", "permanent_resident"]
    page = client.get(_url("cohort_detail", programme, "main")).content.decode()
    assert "Residency status</span> must be one of: Citizen, Permanent resident" in page


@pytest.mark.parametrize(
    ("data", "wording"),
    [
        ({"operator": "at_least", "low": "18"}, "must be at least 18"),
        ({"operator": "at_most", "high": "65.50"}, "must be at most 65.5"),
        ({"operator": "between", "low": "18", "high": "65"}, "must be between 18 and 65"),
    ],
)
def test_numeric_rules_read_naturally(client, programme, programme_admin, cohort, data, wording):
    client.force_login(programme_admin)
    client.post(_url("rule_create", programme, "main"), {"attribute": "age_at_start", **data})
    page = client.get(_url("cohort_detail", programme, "main")).content.decode()
    assert f"Age when the cohort starts</span> {wording}" in page


def test_rule_form_offers_the_values_of_the_chosen_attribute_only(
    client, programme, programme_admin, cohort
):
    client.force_login(programme_admin)
    part = client.get(_url("rule_form", programme, "main"), {"attribute": "job_level"})
    body = part.content.decode()
    assert part.status_code == 200
    assert body.count('type="checkbox" class="form-check-input"  name="values"') == 4
    assert 'value="frontline"' in body and "Frontline" in body
    assert 'value="citizen"' not in body
    assert '<option value="in"' in body and '<option value="between"' not in body
    numeric = client.get(_url("rule_form", programme, "main"), {"attribute": "age_at_start"})
    assert 'name="low"' in numeric.content.decode()
    assert 'name="values"' not in numeric.content.decode()


def test_rule_form_without_javascript_shows_the_values_on_request(
    client, programme, programme_admin, cohort
):
    client.force_login(programme_admin)
    response = client.post(
        _url("rule_create", programme, "main"),
        {"attribute": "residency", "message": "Residents only", "refresh": "1"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('type="checkbox" class="form-check-input"  name="values"') == 4
    assert 'value="Residents only"' in body
    assert not EligibilityRule.objects.exists()


def test_rule_on_a_choice_question_offers_its_choices(client, programme, programme_admin, cohort):
    QuestionFactory(cohort=cohort, key="track", type=QuestionType.CHOICE, choices=["Ops", "Data"])
    client.force_login(programme_admin)
    body = client.get(
        _url("rule_form", programme, "main"), {"attribute": "answer:track"}
    ).content.decode()
    assert 'value="Ops"' in body and 'value="Data"' in body
    response = client.post(
        _url("rule_create", programme, "main"),
        {"attribute": "answer:track", "operator": "in", "values": ["Data"]},
    )
    assert response.status_code == 302
    assert EligibilityRule.objects.get().values == ["Data"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"attribute": "age_at_start", "operator": "between", "low": "65", "high": "18"},
            "must not be below the lowest",
        ),
        (
            {"attribute": "age_at_start", "operator": "at_least", "low": "eighteen"},
            "Enter a number",
        ),
        ({"attribute": "age_at_start", "operator": "at_least"}, "Give the lowest value"),
        ({"attribute": "age_at_start", "operator": "between", "low": "18"}, "Give the highest"),
        ({"attribute": "residency", "operator": "in"}, "Tick at least one value"),
        (
            {"attribute": "residency", "operator": "in", "values": ["Citizen"]},
            "“Citizen” is not a value of this attribute: tick values from its list.",
        ),
        (
            {"attribute": "residency", "operator": "between", "low": "1", "high": "2"},
            "Select a valid choice",
        ),
        ({"attribute": "shoe_size", "operator": "in", "values": ["42"]}, "Select a valid choice"),
    ],
)
def test_rules_bad_input(client, programme, programme_admin, cohort, data, message):
    client.force_login(programme_admin)
    response = client.post(_url("rule_create", programme, "main"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not EligibilityRule.objects.exists()


@pytest.mark.parametrize("persona", ["staff", "reviewer", "mentor"])
def test_setup_is_403_for_non_admin_members(client, request, programme, cohort, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url("cohort_create", programme)).status_code == 403
    assert client.get(_url("cohort_edit", programme, "main")).status_code == 403
    assert (
        client.post(
            _url("question_create", programme, "main"),
            {"label": "x", "key": "x", "type": "short_text"},
        ).status_code
        == 403
    )
    assert client.get(_url("programme_edit", programme)).status_code == 403
    assert not ApplicationQuestion.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "applicant", "other_programme_admin"])
def test_setup_is_404_outside_the_programme(client, request, programme, cohort, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url("cohort_detail", programme, "main")).status_code == 404
    assert client.get(_url("cohort_create", programme)).status_code == 404
    assert (
        client.post(
            _url("rule_create", programme, "main"),
            {"attribute": "residency", "operator": "in", "values": ["citizen"]},
        ).status_code
        == 404
    )


def test_cohort_detail_for_staff_is_read_only(client, programme, staff, cohort):
    client.force_login(staff)
    body = client.get(_url("cohort_detail", programme, "main")).content.decode()
    assert "Main intake" in body
    assert "Add a question" not in body and "Edit cohort" not in body


def test_question_cannot_depend_on_itself_through_others(
    client, programme, programme_admin, cohort
):
    first = QuestionFactory(cohort=cohort, key="a", type=QuestionType.YES_NO)
    second = QuestionFactory(
        cohort=cohort, key="b", type=QuestionType.YES_NO, depends_on=first, show_when=["yes"]
    )
    client.force_login(programme_admin)
    response = client.post(
        _url("question_edit", programme, "main", first.pk),
        {
            "label": "A",
            "key": "a",
            "type": QuestionType.YES_NO,
            "depends_on": second.pk,
            "show_when_text": "yes",
        },
    )
    assert response.status_code == 400
    assert "cannot depend on itself" in response.content.decode()


def test_question_key_cv_is_reserved(client, programme, programme_admin, cohort):
    client.force_login(programme_admin)
    response = client.post(
        _url("question_create", programme, "main"),
        {"label": "CV?", "key": "cv", "type": QuestionType.SHORT_TEXT},
    )
    assert response.status_code == 400
    assert "reserved for the CV" in response.content.decode()


def test_rules_follow_renamed_and_deleted_questions(client, programme, programme_admin, cohort):
    question = QuestionFactory(cohort=cohort, key="hours", label="Hours", type=QuestionType.NUMBER)
    EligibilityRule.objects.create(
        cohort=cohort, attribute="answer:hours", operator="at_least", values=["4"]
    )
    client.force_login(programme_admin)
    client.post(
        _url("question_edit", programme, "main", question.pk),
        {"label": "Hours", "key": "weekly_hours", "type": QuestionType.NUMBER, "is_required": "on"},
    )
    assert EligibilityRule.objects.get().attribute == "answer:weekly_hours"
    client.post(_url("question_delete", programme, "main", question.pk))
    assert not EligibilityRule.objects.exists()


def test_rule_with_non_finite_number_is_refused(client, programme, programme_admin, cohort):
    client.force_login(programme_admin)
    response = client.post(
        _url("rule_create", programme, "main"),
        {"attribute": "age_at_start", "operator": "at_least", "low": "NaN"},
    )
    assert response.status_code == 400
    assert not EligibilityRule.objects.exists()
