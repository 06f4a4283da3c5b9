"""The landing page and a programme's home page (cohorts.views)."""

import pytest
from django.urls import reverse

from tests.factories import (
    ApplicantProfileFactory,
    CohortFactory,
    PartnerFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db


# --- landing -------------------------------------------------------------------------------


def test_landing_lists_published_programmes_with_partners(client):
    programme = ProgrammeFactory(name="AI Forward 2026", tagline="1,000 seats")
    programme.partners.set(
        [
            PartnerFactory(name="Nimbus Cloud"),
            PartnerFactory(name="Meridian Data Centres", kind="data_centre"),
        ]
    )
    ProgrammeFactory(name="Secret Draft", is_published=False)

    body = client.get(reverse("landing")).content.decode()

    assert "AI Forward 2026" in body
    assert "Meridian Data Centres</span> (data-centre operator), " in body
    assert "Secret Draft" not in body
    assert "Create an account" in body


def test_landing_without_programmes_says_what_to_do(client, db):
    body = client.get(reverse("landing")).content.decode()
    assert "No programme is open yet" in body


@pytest.mark.parametrize("count", [1, 3])
def test_landing_query_count(client, django_assert_num_queries, count):
    for _ in range(count):
        CohortFactory(programme=ProgrammeFactory()).programme.partners.add(PartnerFactory())
    # open cohorts, the next cohort to open (how long to cache), programmes + their partners
    with django_assert_num_queries(4):
        body = client.get(reverse("landing")).content.decode()
    assert body.count('data-testid="cohort-public-link"') == count
    # then served from the cache
    with django_assert_num_queries(0):
        again = client.get(reverse("landing")).content.decode()
    assert again.count('data-testid="cohort-public-link"') == count


# --- programme detail ----------------------------------------------------------------------


def test_programme_detail_for_member(client, programme, mentor):
    client.force_login(mentor)
    response = client.get(programme.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in body and "AI Forward 2026" in body
    assert "Mentor" in body
    assert "Team and roles" not in body


def test_programme_detail_for_admin_links_team(client, programme, programme_admin):
    client.force_login(programme_admin)
    body = client.get(programme.get_absolute_url()).content.decode()
    assert reverse("programmes:programme_team", args=[programme.slug]) in body


def test_programme_detail_for_platform_admin(client, programme, platform_admin):
    client.force_login(platform_admin)
    response = client.get(programme.get_absolute_url())
    assert response.status_code == 200
    assert "Platform admin" in response.content.decode()


@pytest.mark.parametrize("persona", ["outsider", "applicant", "other_programme_admin"])
def test_programme_detail_is_404_for_non_members(client, request, programme, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(programme.get_absolute_url())
    assert response.status_code == 404
    assert "AI Forward 2026" not in response.content.decode()


def test_programme_detail_requires_login(client, programme):
    response = client.get(programme.get_absolute_url())
    assert response.status_code == 302


# --- privacy ---------------------------------------------------------------------------------


def test_applicant_profile_data_never_leaks_to_other_users(client, outsider):
    ApplicantProfileFactory(full_name="Private Person", phone="+6598765432")
    client.force_login(outsider)
    for url in (reverse("landing"), reverse("accounts:profile")):
        body = client.get(url).content.decode()
        assert "Private Person" not in body
        assert "98765432" not in body
