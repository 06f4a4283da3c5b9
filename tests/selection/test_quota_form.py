"""The quota form offers the values of the chosen attribute only, and says what its shares
are in seats, counted as a selection run counts them."""

import pytest
from django.urls import reverse

from selection.forms import QuotaForm
from selection.models import Quota
from tests.factories import CohortFactory, OfferFactory

pytestmark = pytest.mark.django_db

CHECKBOX = 'type="checkbox" class="form-check-input"  name="values"'


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, slug="main", capacity=3)


def _home(programme):
    return reverse("selection:selection_home", args=[programme.slug, "main"])


def test_quota_form_offers_the_values_of_the_chosen_attribute_only(
    client, programme, programme_admin, cohort
):
    client.force_login(programme_admin)
    page = client.get(_home(programme)).content.decode()
    assert page.count(CHECKBOX) == 0
    assert "Choose an attribute to tick the values that count." in page
    part = client.get(
        _home(programme), {"part": "quota-values", "attribute": "job_level"}, HTTP_HX_REQUEST="true"
    )
    body = part.content.decode()
    assert body.count(CHECKBOX) == 4
    assert 'value="job_level:frontline"' in body and "Frontline" in body
    assert "<html" not in body


def test_quota_form_without_javascript_shows_the_values_on_request(
    client, programme, programme_admin, cohort
):
    client.force_login(programme_admin)
    response = client.post(
        _home(programme),
        {"quota_refresh": "1", "name": "Women", "attribute": "gender", "min_percent": "30"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count(CHECKBOX) == 5
    assert 'value="Women"' in body
    assert not Quota.objects.exists()


@pytest.mark.parametrize(
    ("shares", "lines"),
    [
        ({"min_percent": "30"}, ["30 % of 3 seats = at least 1"]),
        ({"max_percent": "50"}, ["50 % of 3 seats = at most 1"]),
        (
            {"min_percent": "34", "max_percent": "66.5"},
            ["34 % of 3 seats = at least 2", "66.5 % of 3 seats = at most 1"],
        ),
        ({"min_percent": "lots"}, []),
    ],
)
def test_quota_seat_count_is_counted_as_the_selection_counts(shares, lines):
    assert QuotaForm(initial=shares, seats=3).seat_counts() == lines


def test_quota_seat_count_follows_the_typed_share(client, programme, programme_admin, cohort):
    OfferFactory(application__cohort=cohort)  # one seat is held: a new run fills two
    client.force_login(programme_admin)
    part = client.get(
        _home(programme), {"part": "quota-seats", "min_percent": "50"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "50 % of 2 seats = at least 1" in part


def test_quota_form_refuses_values_of_another_attribute(client, programme, programme_admin, cohort):
    client.force_login(programme_admin)
    response = client.post(
        _home(programme),
        {
            "quota": "",
            "name": "Odd",
            "attribute": "job_level",
            "values": ["sector:ict"],
            "min_percent": "50",
        },
    )
    assert response.status_code == 400
    assert "Tick only values of the chosen attribute." in response.content.decode()
    assert not Quota.objects.exists()


def test_quota_added_with_the_values_of_its_attribute(client, programme, programme_admin, cohort):
    client.force_login(programme_admin)
    response = client.post(
        _home(programme),
        {
            "quota": "",
            "name": "Women",
            "attribute": "gender",
            "values": ["gender:woman", "gender:non_binary"],
            "min_percent": "30",
        },
    )
    assert response.status_code == 302
    assert Quota.objects.get().values == ["woman", "non_binary"]
