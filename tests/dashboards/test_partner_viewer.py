"""The partner viewer role: tied to one of the programme's partners, granted on the team page,
and allowed the dashboard's aggregates and the programme's public page, never a page or a file
with anyone's personal data."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import ApplicantProfile, User
from applications.models import Application
from core.models import AuditEntry
from mentoring.models import MenteePreference, MentoringSession
from programmes import services
from programmes.enums import RoleKind
from programmes.models import ProgrammeRole
from reviews.models import Review
from tests.auth import sign_in_confirmed
from tests.core.test_fuzz import SKIPPED_URL_NAMES, _build_world, _fetch, _routes, _url
from tests.factories import PartnerFactory, ProgrammeRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(programme):
    partner = PartnerFactory(name="Nimbus Cloud")
    programme.partners.add(partner)
    return partner


@pytest.fixture
def partner_viewer(programme, partner):
    user = UserFactory(email="viewer@nimbus.example.org", display_name="Vera Viewer")
    ProgrammeRoleFactory(
        user=user, programme=programme, role=RoleKind.PARTNER_VIEWER, partner=partner
    )
    return user


# --- the role --------------------------------------------------------------------------------


def test_role_needs_a_partner_of_the_programme(programme, partner):
    user = UserFactory()
    role = ProgrammeRole(user=user, programme=programme, role=RoleKind.PARTNER_VIEWER)
    with pytest.raises(ValidationError) as missing:
        role.full_clean()
    assert missing.value.message_dict["partner"] == ["Choose the partner this person works for."]
    role.partner = PartnerFactory(name="Elsewhere Ltd")
    with pytest.raises(ValidationError) as foreign:
        role.full_clean()
    assert foreign.value.message_dict["partner"] == ["Choose one of the programme's partners."]
    role.partner = partner
    role.full_clean()


def test_only_partner_viewers_have_a_partner(programme, partner):
    role = ProgrammeRole(
        user=UserFactory(), programme=programme, role=RoleKind.REVIEWER, partner=partner
    )
    with pytest.raises(ValidationError) as error:
        role.full_clean()
    assert error.value.message_dict["partner"] == ["Only partner viewers are tied to a partner."]


def test_database_refuses_a_partner_viewer_without_partner(programme, partner):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeRole.objects.create(
            user=UserFactory(), programme=programme, role=RoleKind.PARTNER_VIEWER
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeRole.objects.create(
            user=UserFactory(), programme=programme, role=RoleKind.MENTOR, partner=partner
        )


def test_grant_service_checks_the_partner(programme, programme_admin, partner):
    user = UserFactory()
    with pytest.raises(services.RoleError, match="Choose the partner"):
        services.programme_role_grant(
            programme=programme, user=user, role=RoleKind.PARTNER_VIEWER, granted_by=None
        )
    with pytest.raises(services.RoleError, match="one of the programme's partners"):
        services.programme_role_grant(
            programme=programme,
            user=user,
            role=RoleKind.PARTNER_VIEWER,
            granted_by=None,
            partner=PartnerFactory(name="Elsewhere Ltd"),
        )
    assert not ProgrammeRole.objects.filter(user=user).exists()
    grant = services.programme_role_grant(
        programme=programme,
        user=user,
        role=RoleKind.PARTNER_VIEWER,
        granted_by=programme_admin,
        partner=partner,
    )
    assert (grant.role, grant.partner) == (RoleKind.PARTNER_VIEWER, partner)
    # Another role never keeps a partner it was given.
    reviewer = services.programme_role_grant(
        programme=programme, user=user, role=RoleKind.REVIEWER, granted_by=None, partner=partner
    )
    assert reviewer.partner is None


def test_dropping_a_partner_revokes_its_viewers_roles(
    client, programme, programme_admin, partner, partner_viewer
):
    kept_partner = PartnerFactory(name="Kept Partner")
    programme.partners.add(kept_partner)
    kept_viewer = ProgrammeRoleFactory(
        programme=programme, role=RoleKind.PARTNER_VIEWER, partner=kept_partner
    ).user
    reviewer = ProgrammeRoleFactory(programme=programme, role=RoleKind.REVIEWER).user
    services.programme_update(
        programme=programme, data={}, partners=[kept_partner], actor=programme_admin
    )
    assert not ProgrammeRole.objects.filter(user=partner_viewer).exists()
    assert ProgrammeRole.objects.filter(user=kept_viewer, partner=kept_partner).exists()
    assert ProgrammeRole.objects.filter(user=reviewer, role=RoleKind.REVIEWER).exists()
    revoked = AuditEntry.objects.get(action="programme_role.revoke")
    assert (revoked.actor, revoked.programme_id, revoked.data) == (
        programme_admin,
        programme.pk,
        {"user": partner_viewer.email, "role": RoleKind.PARTNER_VIEWER},
    )
    client.force_login(partner_viewer)
    assert client.get(f"/programmes/{programme.slug}/dashboard/").status_code == 404
    client.force_login(kept_viewer)
    assert client.get(f"/programmes/{programme.slug}/dashboard/").status_code == 200


def test_programme_edit_page_revokes_the_viewers_of_a_dropped_partner(
    client, programme, programme_admin, partner, partner_viewer
):
    client.force_login(programme_admin)
    response = client.post(
        reverse("programmes:programme_edit", args=[programme.slug]),
        {"name": programme.name, "tagline": "", "description": "", "partners": []},
    )
    assert response.status_code == 302
    assert not programme.partners.exists()
    assert not ProgrammeRole.objects.filter(user=partner_viewer).exists()


def test_partner_viewer_of_a_partner_no_longer_the_programmes_sees_no_dashboard(
    client, programme, partner, partner_viewer
):
    # A role left behind by a change that did not go through the update service.
    programme.partners.remove(partner)
    assert not partner_viewer.has_perm("dashboards.view_dashboard", programme)
    client.force_login(partner_viewer)
    assert client.get(f"/programmes/{programme.slug}/dashboard/").status_code == 403
    assert client.get(f"/programmes/{programme.slug}/dashboard/main/funnel.csv").status_code == 403
    programme.partners.add(partner)
    assert client.get(f"/programmes/{programme.slug}/dashboard/").status_code == 200


# --- the team page -----------------------------------------------------------------------------


def _team(programme):
    return reverse("programmes:programme_team", args=[programme.slug])


def test_team_page_grants_a_partner_viewer(client, programme, programme_admin, partner):
    newcomer = UserFactory(email="vera@nimbus.example.org")
    sign_in_confirmed(client, programme_admin)
    body = client.get(_team(programme)).content.decode()
    assert f'<option value="{partner.pk}">Nimbus Cloud</option>' in body
    response = client.post(
        _team(programme),
        {"email": newcomer.email, "role": RoleKind.PARTNER_VIEWER, "partner": partner.pk},
    )
    assert response.status_code == 302
    grant = ProgrammeRole.objects.get(user=newcomer)
    assert (grant.role, grant.partner, grant.granted_by) == (
        RoleKind.PARTNER_VIEWER,
        partner,
        programme_admin,
    )
    body = client.get(_team(programme)).content.decode()
    assert 'Partner viewer<br><span class="small text-body-secondary">Nimbus Cloud</span>' in body


def test_team_page_refuses_a_partner_viewer_without_a_partner_of_the_programme(
    client, programme, programme_admin, partner
):
    newcomer = UserFactory(email="vera@nimbus.example.org")
    elsewhere = PartnerFactory(name="Elsewhere Ltd")
    sign_in_confirmed(client, programme_admin)
    response = client.post(
        _team(programme), {"email": newcomer.email, "role": RoleKind.PARTNER_VIEWER}
    )
    assert response.status_code == 400
    assert "Choose the partner this person works for." in response.content.decode()
    response = client.post(
        _team(programme),
        {"email": newcomer.email, "role": RoleKind.PARTNER_VIEWER, "partner": elsewhere.pk},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ProgrammeRole.objects.filter(user=newcomer).exists()


# --- what the role may do ------------------------------------------------------------------------

# Every permission of the project that takes a programme; the partner viewer holds only the
# dashboard's.
PROGRAMME_PERMISSIONS = [
    "programmes.view_programme_workspace",
    "programmes.manage_programme_team",
    "programmes.view_programme_outbox",
    "programmes.manage_programme_outbox",
    "programmes.send_programme_announcement",
    "programmes.manage_programme",
    "programmes.view_applications",
    "programmes.manage_applications",
    "compute.view_compute",
    "compute.manage_compute",
    "mentoring.view_mentoring",
    "mentoring.manage_mentoring",
    "mentoring.mentor",
    "courses.teach",
    "certificates.manage_certificates",
    "dashboards.view_dashboard_in_full",
]


@pytest.mark.parametrize("permission", PROGRAMME_PERMISSIONS)
def test_partner_viewer_holds_no_permission_but_the_dashboard(
    programme, partner_viewer, permission
):
    assert not partner_viewer.has_perm(permission, programme)
    assert partner_viewer.has_perm("dashboards.view_dashboard", programme)


def test_partner_viewer_needs_no_second_factor(partner_viewer):
    from programmes import selectors

    assert not selectors.user_requires_mfa(user=partner_viewer)


def test_partner_viewer_menu_shows_the_dashboard_only(client, programme, partner_viewer):
    client.force_login(partner_viewer)
    body = client.get(reverse("cohorts:programme_detail", args=[programme.slug])).content.decode()
    assert 'data-testid="dashboard-link"' in body
    assert 'data-testid="nav-programme-dashboard"' in body
    assert "Team and roles" not in body
    assert 'data-testid="cohorts"' not in body


# --- every page of the project, as a partner viewer -----------------------------------------------


def _personal_texts() -> set[str]:
    """Names, emails and free text of everyone who applied, took part or was mentored."""
    texts = set()
    for application in Application.objects.all():
        texts |= {application.full_name, application.email, application.employer}
        for value in application.answers.values():
            if isinstance(value, str):
                texts.add(value)
    for profile in ApplicantProfile.objects.select_related("user"):
        texts |= {profile.full_name, profile.phone, profile.user.email, profile.user.display_name}
    for session in MentoringSession.objects.all():
        texts |= {session.summary, session.private_notes, session.feedback, session.topics}
    for preference in MenteePreference.objects.all():
        texts.add(preference.goals)
    for review in Review.objects.all():
        texts.add(review.comment)
    return {text for text in texts if text and len(text.strip()) >= 4}


def _hits(body: bytes, texts: set[str]) -> set[str]:
    page = body.decode(errors="replace")
    found = set()
    for text in texts:
        # As shown in a page: HTML-escaped, or as it is in a file or JSON.
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        escaped = escaped.replace("'", "&#x27;").replace('"', "&quot;")
        if text in page or escaped in page:
            found.add(text)
    return found


def test_partner_viewer_reaches_no_personal_data_anywhere(client, request, programme, partner):
    """Every URL of the project, filled from a world full of personal data, fetched as a
    partner viewer of its programme: no answer holds an applicant's name, email or free text,
    unless a visitor who is not signed in gets it too (the public verification of a
    certificate names its holder, by design)."""
    world = _build_world(request)
    viewer = UserFactory(email="viewer@nimbus.example.org", display_name="Vera Viewer")
    ProgrammeRoleFactory(
        user=viewer, programme=programme, role=RoleKind.PARTNER_VIEWER, partner=partner
    )
    texts = _personal_texts()
    assert len(texts) > 20, "the world holds too little personal data to prove anything"
    client.force_login(viewer)
    anonymous = type(client)()
    fetched, dashboards = 0, 0
    leaks = []
    for route in _routes():
        if route.name in SKIPPED_URL_NAMES:
            continue
        path = _url(route, world)
        if path is None:
            continue
        answer = _fetch(client, "get", path, world.queries.get(route.name, {}))
        assert answer.status < 500, (path, answer.status)
        fetched += 1
        if route.name.startswith("dashboards:"):
            assert answer.status == 200, path
            dashboards += 1
        hits = _hits(answer.body, texts)
        if hits:
            hits -= _hits(_fetch(anonymous, "get", path).body, texts)
        if hits:
            leaks.append((path, sorted(hits)))
    assert dashboards == 3
    assert fetched > 100
    assert leaks == []


def test_personal_texts_are_found_where_they_are(client, request, programme, programme_admin):
    """The check above would see a leak: the staff list shows the same names to its admin."""
    world = _build_world(request)
    texts = _personal_texts()
    client.force_login(programme_admin)
    path = reverse(
        "applications:cohort_applications",
        kwargs={"slug": programme.slug, "cohort_slug": world.kwargs["cohort_slug"]},
    )
    assert _hits(client.get(path).content, texts)
    assert re.search(r"Applicant \d", client.get(path).content.decode())
    assert User.objects.exists()


def test_team_announcements_do_not_reach_partner_viewers(
    programme, programme_admin, partner_viewer
):
    from notifications.models import EmailMessage

    services.programme_announcement_stage(
        programme=programme,
        sender=programme_admin,
        audience="team",
        subject="Scoring opens",
        message="Dear team, scoring opens on Monday.",
    )
    recipients = set(EmailMessage.objects.values_list("to_email", flat=True))
    assert programme_admin.email in recipients
    assert partner_viewer.email not in recipients
