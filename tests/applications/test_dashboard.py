"""The dashboard every signed-in user lands on (applications.views.applicant)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


# --- dashboard -----------------------------------------------------------------------------


def test_dashboard_sends_new_user_to_profile(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")


def test_dashboard_shows_applicant_profile(client, applicant):
    client.force_login(applicant)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Siti Abdullah" in body
    assert "You do not hold a role in any programme" in body


def test_dashboard_shows_roles_without_requiring_profile(
    client, reviewer, programme, other_programme
):
    client.force_login(reviewer)
    response = client.get(reverse("dashboard"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "AI Forward 2026" in body
    assert "Green Skills 2026" not in body
    assert "Complete your profile" in body


def test_dashboard_requires_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
