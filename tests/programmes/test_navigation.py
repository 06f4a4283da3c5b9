"""Each persona sees exactly the navigation their roles allow."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _nav(client, user) -> dict:
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    nav = (
        response.content.decode()
        .split('data-testid="nav-main"', 1)[1]
        .split("</ul>\n          <ul", 1)[0]
    )
    links = re.findall(r'href="([^"#]+)"', nav)
    return {"links": links, "html": nav}


def test_nav_programme_admin(client, programme, programme_admin, other_programme):
    nav = _nav(client, programme_admin)
    assert nav["links"] == [
        "/dashboard/",
        "/applications/",
        "/profile/",
        "/programmes/ai-forward-2026/",
        "/programmes/ai-forward-2026/dashboard/",
        "/programmes/ai-forward-2026/team/",
        "/programmes/ai-forward-2026/audit/",
        "/programmes/ai-forward-2026/retention/",
        "/programmes/ai-forward-2026/outbox/",
    ]
    assert "Programme admin" in nav["html"]
    assert "Green Skills" not in nav["html"]


def test_nav_staff_sees_outbox_but_not_team(client, staff, other_programme):
    nav = _nav(client, staff)
    assert nav["links"] == [
        "/dashboard/",
        "/applications/",
        "/profile/",
        "/programmes/ai-forward-2026/",
        "/programmes/ai-forward-2026/outbox/",
    ]
    assert "Staff / instructor" in nav["html"]


def test_nav_reviewer_sees_queue_and_conflicts(client, reviewer, other_programme):
    nav = _nav(client, reviewer)
    assert nav["links"] == [
        "/dashboard/",
        "/applications/",
        "/profile/",
        "/programmes/ai-forward-2026/",
        "/reviews/",
        "/programmes/ai-forward-2026/conflicts/",
    ]
    assert "Reviewer" in nav["html"]


def test_nav_mentor_sees_programme_only(client, mentor, other_programme):
    nav = _nav(client, mentor)
    assert nav["links"] == [
        "/dashboard/",
        "/applications/",
        "/mentoring/",
        "/profile/",
        "/programmes/ai-forward-2026/",
    ]
    assert "Mentor" in nav["html"]


def test_nav_platform_admin_sees_platform_admin(client, platform_admin, programme):
    nav = _nav(client, platform_admin)
    assert nav["links"] == ["/dashboard/", "/applications/", "/profile/", "/admin/"]


def test_nav_applicant(client, applicant, programme):
    nav = _nav(client, applicant)
    assert nav["links"] == ["/dashboard/", "/applications/", "/profile/"]


def test_nav_visitor_sees_sign_in_and_sign_up(client, programme):
    body = client.get(reverse("landing")).content.decode()
    assert 'href="/accounts/login/"' in body
    assert 'href="/accounts/signup/"' in body
    assert "nav-main" not in body


def test_nav_holder_of_two_roles_sees_both_labels(client, programme, reviewer):
    from programmes.enums import RoleKind
    from tests.factories import ProgrammeRoleFactory

    ProgrammeRoleFactory(user=reviewer, programme=programme, role=RoleKind.MENTOR)
    nav = _nav(client, reviewer)
    assert "Reviewer, Mentor" in nav["html"] or "Mentor, Reviewer" in nav["html"]
