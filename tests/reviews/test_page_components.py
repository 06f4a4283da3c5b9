"""The shared components on review pages: confirmation before a conflict is removed or flagged,
and empty lists that say what to do next."""

import pytest
from django.urls import reverse

from applications.enums import ApplicationStatus
from reviews.enums import ConflictKind
from reviews.models import ConflictOfInterest, ReviewAssignment
from tests.factories import ApplicationFactory, CohortFactory
from tests.pages import C, P, confirm_forms, empty

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, slug="main", name="Main intake")


def test_conflict_removal_asks_first(client, programme, reviewer):
    conflict = ConflictOfInterest.objects.create(
        reviewer=reviewer, programme=programme, kind=ConflictKind.EMPLOYER, value="Acme"
    )
    client.force_login(reviewer)
    body = client.get(P + "conflicts/").content.decode()
    assert confirm_forms(body)[f"{P}conflicts/{conflict.pk}/delete/"].startswith(
        "Remove your declared conflict with “Acme”?"
    )


def test_flagging_a_conflict_while_reviewing_asks_first(client, cohort, reviewer):
    assignment = ReviewAssignment.objects.create(
        application=ApplicationFactory(cohort=cohort, status=ApplicationStatus.IN_REVIEW),
        reviewer=reviewer,
    )
    client.force_login(reviewer)
    body = client.get(reverse("reviews:score", args=[assignment.pk])).content.decode()
    assert confirm_forms(body)[reverse("reviews:flag_conflict", args=[assignment.pk])] == (
        "Declare a conflict of interest with this applicant? The application leaves your queue "
        "and will be reassigned."
    )


def test_empty_review_pages_point_to_the_next_step(client, cohort, programme_admin):
    client.force_login(programme_admin)
    dashboard = client.get(C + "review/dashboard/").content.decode()
    assign = client.get(C + "review/assign/").content.decode()
    assert f'<a class="text-break" href="{C}review/assign/">Assign reviewers</a>' in dashboard
    assert "No assignments yet. Assign reviewers first; their progress shows here." in " ".join(
        empty(dashboard)
    )
    assert f'<a class="text-break" href="{P}team/">Team and roles</a>' in assign


def test_empty_conflict_list_says_how_to_declare(client, programme, reviewer):
    client.force_login(reviewer)
    body = client.get(P + "conflicts/").content.decode()
    assert empty(body) == [
        "No conflicts declared. If you know an applicant personally or are tied to their "
        "employer, declare it below."
    ]
