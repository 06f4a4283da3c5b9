"""The staff list's filters: out-of-range dates are a message on the field, never a 500."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from applications.enums import ApplicationStatus
from tests.auth import sign_in_confirmed
from tests.factories import ApplicationFactory, CohortFactory

pytestmark = pytest.mark.django_db

SGT = zoneinfo.ZoneInfo("Asia/Singapore")
OUT_OF_RANGE = "Enter a day between 2000-01-01 and 2099-12-31."


@pytest.fixture
def cohort(programme):
    cohort = CohortFactory(programme=programme, name="March 2026", slug="march-2026")
    for day, name in ((3, "Alice Ang"), (9, "Bala Krishnan")):
        ApplicationFactory(
            cohort=cohort,
            full_name=name,
            status=ApplicationStatus.SUBMITTED,
            submitted_at=datetime.datetime(2026, 3, day, 10, tzinfo=SGT),
        )
    return cohort


def _url(name, cohort):
    return reverse(f"applications:{name}", args=[cohort.programme.slug, cohort.slug])


@pytest.mark.parametrize(
    ("param", "value", "message"),
    [
        ("submitted_before", "9999-12-31", OUT_OF_RANGE),
        ("submitted_after", "9999-12-31", OUT_OF_RANGE),
        ("submitted_after", "0001-01-01", OUT_OF_RANGE),
        ("submitted_before", "0001-01-01", OUT_OF_RANGE),
        ("submitted_before", "1999-12-31", OUT_OF_RANGE),
        ("submitted_before", "10000-01-01", "Enter a valid date."),
    ],
)
def test_application_list_refuses_absurd_days_on_the_field(
    client, cohort, staff, param, value, message
):
    client.force_login(staff)
    response = client.get(_url("cohort_applications", cohort), {param: value})
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    # The invalid filter is ignored, by the list and by the links it carries (exports, pages).
    assert "Alice Ang" in body and "Bala Krishnan" in body
    assert f"{param}={value}" not in body


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_application_export_refuses_absurd_days_with_a_message(
    client, cohort, programme_admin, value
):
    sign_in_confirmed(client, programme_admin)
    response = client.get(
        _url("cohort_applications_export", cohort), {"format": "csv", "submitted_before": value}
    )
    assert response.status_code == 400
    assert response.content.decode() == (
        f"These filters are not valid: submitted_before: {OUT_OF_RANGE}"
    )


def test_application_list_days_at_the_edges_of_the_range_still_filter(client, cohort, staff):
    client.force_login(staff)
    body = client.get(
        _url("cohort_applications", cohort),
        {"submitted_after": "2000-01-01", "submitted_before": "2099-12-31"},
    ).content.decode()
    assert "Alice Ang" in body and "Bala Krishnan" in body
    assert "Enter a day" not in body
