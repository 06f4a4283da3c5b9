"""The shared components on application pages: breadcrumbs of the staff and the applicant's
pages, and confirmation before withdrawing."""

import pytest
from django.urls import reverse

from applications.enums import ApplicationStatus
from tests.factories import ApplicationFactory, CohortFactory
from tests.pages import C, P, breadcrumbs, confirm_forms

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, slug="main", name="Main intake")


def test_breadcrumbs_of_a_staff_application_page_end_with_the_applicant(
    client, cohort, programme_admin
):
    application = ApplicationFactory(
        cohort=cohort, full_name="Aisha <Rahman>", status=ApplicationStatus.SUBMITTED
    )
    client.force_login(programme_admin)
    body = client.get(f"{C}applications/{application.pk}/").content.decode()
    assert breadcrumbs(body)[-2:] == [
        ("Applications", C + "applications/"),
        ("Aisha &lt;Rahman&gt;", ""),
    ]


def test_breadcrumbs_of_an_applicant_go_through_their_applications(client, cohort, applicant):
    application = ApplicationFactory(
        cohort=cohort, applicant=applicant, status=ApplicationStatus.SUBMITTED
    )
    client.force_login(applicant)
    body = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert breadcrumbs(body) == [
        ("Dashboard", "/dashboard/"),
        ("My applications", "/applications/"),
        ("Main intake", ""),
    ]
    # An applicant cannot open the programme's staff pages: the trail does not offer them.
    assert P not in body.split('data-testid="breadcrumbs"', 1)[1].split("</nav>", 1)[0]


def test_withdrawing_an_application_asks_first(client, cohort, applicant):
    application = ApplicationFactory(
        cohort=cohort, applicant=applicant, status=ApplicationStatus.SUBMITTED
    )
    client.force_login(applicant)
    body = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert confirm_forms(body)[reverse("applications:withdraw", args=[application.pk])] == (
        "Withdraw your application? It cannot be submitted again to this cohort."
    )
