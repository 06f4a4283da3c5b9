"""The input guards one by one: NUL characters in addresses and forms, out-of-range values.

tests/core/test_fuzz.py throws the same at every page and form of the project."""

import datetime
import json
import zoneinfo

import pytest
from django import forms
from django.urls import path, reverse
from hypothesis import given
from hypothesis import strategies as st

from applications.enums import ApplicationStatus
from config import urls as site_urls
from core.forms import NUL_MESSAGE, GuardedForm, contains_nul
from selection import services
from tests.factories import ApplicationFactory, CohortFactory

pytestmark = pytest.mark.django_db

NUL_IN_ADDRESS = "The address contains a NUL character, which is not allowed."
SGT = zoneinfo.ZoneInfo("Asia/Singapore")


# --- the address -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [{"q": "a\x00b"}, {"page": "\x00"}, {"x\x00": "1"}],
    ids=["value", "only-nul", "name"],
)
def test_nul_in_the_query_string_is_a_400_page_that_says_why(client, applicant, query):
    client.force_login(applicant)
    response = client.get(reverse("applications:mine"), query)
    body = response.content.decode()
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert NUL_IN_ADDRESS in body
    assert f"Reference: <code>{response['X-Request-ID']}</code>" in body
    assert "My applications" in body  # the usual navigation, as on any page


def test_nul_in_the_path_is_a_400(client, applicant):
    client.force_login(applicant)
    response = client.get("/applications/\x00/files/cv/")
    assert response.status_code == 400
    assert NUL_IN_ADDRESS in response.content.decode()


def test_nul_in_an_api_address_is_a_json_400(client):
    response = client.get("/api/v1/usage/", {"since": "\x00"})
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "status": "error",
        "detail": (
            "The address contains a NUL character, which is not allowed. Remove it from the "
            "address or the search and try again."
        ),
        "reference": response["X-Request-ID"],
    }


def test_selection_run_page_refuses_nul_in_the_applicant_search(client, programme, programme_admin):
    cohort = CohortFactory(programme=programme, slug="main", capacity=1)
    ApplicationFactory(cohort=cohort, status=ApplicationStatus.IN_REVIEW, raw_score=4)
    run = services.selection_run_start(
        cohort=cohort, author=programme_admin, score_kind="raw", seats=1, min_reviews=0
    )
    services.selection_run_execute(run_id=run.pk)
    client.force_login(programme_admin)
    url = reverse("selection:selection_run", args=[cohort.programme.slug, cohort.slug, run.number])
    response = client.get(url, {"applicant": "\x00"})
    assert response.status_code == 400
    assert NUL_IN_ADDRESS in response.content.decode()


def _overflowing(request):
    """What Django's admin date filter does with ?created_at__gte=0001-01-01 on SQLite: the
    day's start in UTC falls before year 1."""
    day = datetime.date.fromisoformat(request.GET["day"])
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=SGT).astimezone(datetime.UTC)


urlpatterns = [
    path("overflow/", _overflowing),
    path("api/overflow/", _overflowing),
    *site_urls.urlpatterns,
]


@pytest.mark.urls(__name__)
def test_out_of_range_value_escaping_a_view_is_a_400_that_says_why(client):
    response = client.get("/overflow/", {"day": "0001-01-01"})
    assert response.status_code == 400
    assert "A number or a date in your request is out of range." in response.content.decode()
    response = client.get("/api/overflow/", {"day": "0001-01-01"})
    assert response.status_code == 400
    assert json.loads(response.content)["detail"].startswith(
        "A number or a date in your request is out of range."
    )


# --- forms -------------------------------------------------------------------------------------


class NoteForm(GuardedForm):
    note = forms.CharField(required=False)
    choice = forms.ChoiceField(choices=[("a", "A")], required=False)

    def clean_note(self):
        # Never reached with a NUL: the guard refuses the field before its own cleaning.
        assert "\x00" not in self.cleaned_data["note"]
        return self.cleaned_data["note"]


@given(text=st.text(max_size=40))
def test_guarded_form_refuses_exactly_the_text_holding_a_nul_and_keeps_it(text):
    form = NoteForm({"note": text})
    assert form.is_valid() is ("\x00" not in text)
    if "\x00" in text:
        assert form.errors == {"note": [str(NUL_MESSAGE)]}
        assert form["note"].value() == text  # shown again as typed


def test_guarded_form_refuses_nul_in_any_kind_of_field():
    form = NoteForm({"note": "fine", "choice": "a\x00"})
    assert form.errors == {"choice": [str(NUL_MESSAGE)]}


def test_contains_nul_looks_inside_lists_and_mappings():
    assert contains_nul(["ok", ["deeper", "\x00"]])
    assert contains_nul({"key\x00": "value"})
    assert not contains_nul([("q", ["fine"]), 3, None])
