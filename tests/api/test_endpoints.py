"""The read API's endpoints: what each answers, to whom, and at what cost.

Every endpoint goes through the same choke points as the site's pages; whatever a person may
not see answers the same 404 as what does not exist. Lists answer at a constant number of
queries, asked here at one item and at three.
"""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from applications.enums import ApplicationStatus
from certificates.enums import CertificateStatus
from compute.enums import AllocationStatus
from programmes import services as programme_services
from programmes.enums import RoleKind
from programmes.models import ProgrammeRole
from tests.api.world import API, fill, staff_details, staff_lists
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    PartnerFactory,
    ProgrammeFactory,
    ProgrammeRoleFactory,
    TotpAuthenticatorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Not found."}


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _json(client: Client, url: str, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response.json()


# --- who may read what -------------------------------------------------------------------------

ADMINS = {"platform_admin", "programme_admin"}
STAFF = ADMINS | {"staff"}
WORKSPACE = STAFF | {"reviewer", "mentor"}
# Everything a person may read of the programme, by the persona that may.
MAY = {
    "programme": WORKSPACE,
    "cohorts": WORKSPACE,
    "applications": STAFF,
    "application": STAFF,
    "review_progress": ADMINS,
    "selection_runs": ADMINS,
    "selection_run": ADMINS,
    "participants": STAFF,
    "allocations": STAFF,
    "usage": STAFF,
    "pairings": STAFF,
    "courses": STAFF,
    "sessions": STAFF,
    "attendance": STAFF,
    "certificates": STAFF,
}
PERSONAS = [
    "platform_admin",
    "programme_admin",
    "staff",
    "reviewer",
    "mentor",
    "participant",
    "applicant",
    "outsider",
    "other_programme_admin",
    "partner_viewer",
]


@pytest.fixture
def partner_viewer(programme):
    """A role the read API does not serve (a partner's viewer of the dashboards, or any role
    added later): it must read nothing of the programme through the API."""
    user = UserFactory(email="partner.viewer@example.com")
    role = getattr(RoleKind, "PARTNER_VIEWER", "observer")
    extra = {}
    if role != "observer":
        extra["partner"] = PartnerFactory()
        programme.partners.add(extra["partner"])
    ProgrammeRoleFactory(user=user, programme=programme, role=role, **extra)
    return user


@pytest.fixture
def personas(
    platform_admin,
    programme_admin,
    staff,
    reviewer,
    mentor,
    participant,
    applicant,
    outsider,
    other_programme_admin,
    partner_viewer,
):
    return dict(locals())


@pytest.fixture
def world(cohort):
    return fill(cohort, 1)


def _urls(world) -> dict[str, str]:
    urls = {**staff_lists(world), **staff_details(world)}
    del urls["programmes"]  # every signed-in person may list, and sees their own (below)
    return urls


def test_every_endpoint_answers_who_may_and_404s_everyone_else(world, personas):
    urls = _urls(world)
    assert set(urls) == set(MAY)
    problems = []
    for persona in PERSONAS:
        client = _as(personas[persona])
        for name, url in urls.items():
            response = client.get(url)
            expected = 200 if persona in MAY[name] else 404
            if response.status_code != expected:
                problems.append(f"{persona} {name}: {response.status_code}")
            elif expected == 404 and response.json() != NOT_FOUND:
                problems.append(f"{persona} {name}: {response.json()}")
    assert problems == []


def test_anonymous_is_401_everywhere(world):
    client = Client()
    for url in [*_urls(world).values(), f"{API}/programmes", f"{API}/me/applications"]:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json()["detail"].startswith("Sign in, or send a valid personal token")


def test_what_is_not_there_answers_as_what_is_not_yours(world, programme_admin, outsider):
    """Another programme, a missing cohort, a missing id: the same 404 as a forbidden one."""
    slug, cohort = world.programme.slug, world.cohort.slug
    admin = _as(programme_admin)
    missing = [
        f"{API}/programmes/nope",
        f"{API}/programmes/nope/cohorts",
        f"{API}/programmes/{slug}/cohorts/nope/applications",
        f"{API}/programmes/{slug}/cohorts/{cohort}/applications/999999",
        f"{API}/programmes/{slug}/cohorts/{cohort}/selection-runs/999",
        f"{API}/programmes/{slug}/allocations/999999/usage",
        f"{API}/programmes/{slug}/courses/999999/sessions",
        f"{API}/programmes/{slug}/sessions/999999/attendance",
    ]
    for url in missing:
        response = admin.get(url)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), url
    forbidden = _as(outsider).get(f"{API}/programmes/{slug}")
    assert (forbidden.status_code, forbidden.json()) == (404, NOT_FOUND)


def test_ids_of_another_programme_are_404(world, programme_admin, other_programme):
    theirs = fill(CohortFactory(programme=other_programme), 1)
    slug, cohort = world.programme.slug, world.cohort.slug
    admin = _as(programme_admin)
    for url in [
        f"{API}/programmes/{slug}/cohorts/{theirs.cohort.slug}/applications",
        f"{API}/programmes/{slug}/cohorts/{cohort}/applications/{theirs.applications[0].pk}",
        f"{API}/programmes/{slug}/allocations/{theirs.allocations[0].pk}/usage",
        f"{API}/programmes/{slug}/courses/{theirs.courses[0].pk}/sessions",
        f"{API}/programmes/{slug}/sessions/{theirs.sessions[0].pk}/attendance",
    ]:
        response = admin.get(url)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), url


def test_a_draft_is_not_readable_by_staff(world, programme_admin):
    draft = ApplicationFactory(cohort=world.cohort, status=ApplicationStatus.DRAFT)
    url = f"{API}/programmes/{world.programme.slug}/cohorts/{world.cohort.slug}/applications"
    admin = _as(programme_admin)
    assert admin.get(f"{url}/{draft.pk}").status_code == 404
    assert draft.pk not in [a["id"] for a in _json(admin, url)["items"]]


# --- what each answers -------------------------------------------------------------------------


def test_programme_list_shows_each_person_their_own(
    world, personas, other_programme, programme, platform_admin
):
    seen = {
        name: [p["slug"] for p in _json(_as(user), f"{API}/programmes")["items"]]
        for name, user in personas.items()
    }
    assert seen == {
        "platform_admin": sorted([programme.slug, other_programme.slug]),
        "programme_admin": [programme.slug],
        "staff": [programme.slug],
        "reviewer": [programme.slug],
        "mentor": [programme.slug],
        "participant": [],
        "applicant": [],
        "outsider": [],
        "other_programme_admin": [other_programme.slug],
        "partner_viewer": [],
    }
    mine = _json(_as(personas["reviewer"]), f"{API}/programmes/{programme.slug}")
    assert mine["my_roles"] == [RoleKind.REVIEWER]
    assert mine["name"] == "AI Forward 2026"


def test_cohort_list(world, reviewer):
    body = _json(_as(reviewer), staff_lists(world)["cohorts"])
    assert body["count"] == 1
    (item,) = body["items"]
    assert (item["slug"], item["name"], item["submitted_count"]) == ("main", "Main intake", 2)
    assert item["status"] == "published"


def test_application_list_and_detail_without_files(world, staff):
    application = world.applications[0]
    application.cv_name = "cv.pdf"
    application.cv = "cvs/secret-path.pdf"
    application.answers = {"why": "To learn.", "proof": {"path": "answers/x.pdf", "name": "p.pdf"}}
    application.save()
    client = _as(staff)
    body = _json(client, staff_lists(world)["applications"], sort="full_name")
    assert body["count"] == 2  # in review, and the participant's accepted one
    item = next(i for i in body["items"] if i["id"] == application.pk)
    assert item["full_name"] == "Applicant 0"
    assert item["status"] == "in_review"
    assert item["has_cv"] is True
    detail = _json(client, staff_details(world)["application"])
    assert detail["answers"] == {"why": "To learn.", "proof": {"name": "p.pdf"}}
    text = str(body) + str(detail)
    assert "secret-path" not in text and "answers/x.pdf" not in text


def test_application_filters(world, programme_admin):
    url = staff_lists(world)["applications"]
    client = _as(programme_admin)
    in_review = _json(client, url, status="in_review")
    assert [i["id"] for i in in_review["items"]] == [world.applications[0].pk]
    assert _json(client, url, q="applicant 0")["count"] == 1
    assert _json(client, url, q="nobody")["count"] == 0
    assert _json(client, url, is_eligible="no")["count"] == 0
    names = [i["full_name"] for i in _json(client, url, sort="-full_name")["items"]]
    assert names == sorted(names, reverse=True)
    today = timezone.localdate().isoformat()
    assert _json(client, url, submitted_after="2000-01-01", submitted_before=today)["count"] == 2


@pytest.mark.parametrize(
    ("endpoint", "params", "says"),
    [
        ("applications", {"status": "bogus"}, "status"),
        ("applications", {"status": "draft"}, "status"),  # staff never see drafts
        ("applications", {"sort": "email"}, "sort"),
        ("applications", {"is_eligible": "maybe"}, "is_eligible"),
        ("applications", {"submitted_after": "9999-12-31"}, "submitted_after"),
        ("applications", {"submitted_before": "1999-12-31"}, "submitted_before"),
        ("applications", {"submitted_after": "yesterday"}, "submitted_after"),
        ("applications", {"q": "x" * 201}, "q"),
        ("cohorts", {"status": "bogus"}, "status"),
        ("allocations", {"status": "gone"}, "status"),
        ("certificates", {"status": "lost"}, "status"),
        ("programmes", {"limit": 0}, "limit"),
        ("programmes", {"limit": 101}, "limit"),
        ("programmes", {"limit": "ten"}, "limit"),
        ("cohorts", {"offset": -1}, "offset"),
        ("cohorts", {"offset": 10**12}, "offset"),
        ("applications", {"limit": "1e400"}, "limit"),
    ],
)
def test_bad_parameters_are_400_with_json(world, platform_admin, endpoint, params, says):
    response = _as(platform_admin).get(staff_lists(world)[endpoint], params)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("Invalid input: ")
    assert says in body["detail"]


def test_bad_path_ids_are_404_json(world, platform_admin):
    client = _as(platform_admin)
    slug, cohort = world.programme.slug, world.cohort.slug
    for url in [
        f"{API}/programmes/{slug}/cohorts/{cohort}/applications/abc",
        f"{API}/programmes/{slug}/cohorts/{cohort}/selection-runs/-1",
        f"{API}/programmes/{slug}/allocations/{10**30}/usage",
    ]:
        response = client.get(url)
        assert response.status_code in (400, 404), url
        assert "detail" in response.json()


def test_pagination_is_stable_and_counts_everything(cohort, programme_admin):
    w = fill(cohort, 3)
    client = _as(programme_admin)
    url = staff_lists(w)["applications"]
    pages = [_json(client, url, limit=2, offset=offset) for offset in (0, 2, 4, 6)]
    assert [p["count"] for p in pages] == [6, 6, 6, 6]
    ids = [i["id"] for p in pages for i in p["items"]]
    assert len(ids) == len(set(ids)) == 6
    assert pages[-1]["items"] == []
    assert (pages[1]["limit"], pages[1]["offset"]) == (2, 2)
    assert _json(client, url, limit=100)["count"] == 6


def test_review_progress(world, programme_admin):
    body = _json(_as(programme_admin), staff_lists(world)["review_progress"])
    (row,) = body["items"]
    assignment = world.applications[0].assignments.get()
    assert row["reviewer_id"] == assignment.reviewer_id
    assert (row["assigned"], row["done"], row["remaining"]) == (1, 0, 1)


def test_selection_runs(world, programme_admin):
    client = _as(programme_admin)
    body = _json(client, staff_lists(world)["selection_runs"])
    assert [r["number"] for r in body["items"]] == [world.runs[0].number]
    detail = _json(client, staff_details(world)["selection_run"])
    assert detail["status"] == "done"
    assert detail["summary"]["selected"] == len(world.runs[0].selected)
    assert "selected" not in body["items"][0]


def test_participants(world, staff):
    (item,) = _json(_as(staff), staff_lists(world)["participants"])["items"]
    participant = world.participants[0]
    assert (item["user_id"], item["email"]) == (participant.user_id, participant.user.email)


def test_allocations_usage_and_filters(world, staff):
    client = _as(staff)
    url = staff_lists(world)["allocations"]
    (item,) = _json(client, url)["items"]
    assert item["id"] == world.allocations[0].pk
    assert (item["limit"], item["used"], item["status"]) == (100.0, 0.0, "active")
    assert _json(client, url, cohort="main")["count"] == 1
    assert _json(client, url, cohort="other")["count"] == 0
    assert _json(client, url, resource=world.pool.resource.slug)["count"] == 1
    assert _json(client, url, status=AllocationStatus.SUSPENDED)["count"] == 0
    usage = _json(client, staff_lists(world)["usage"])
    assert [u["amount"] for u in usage["items"]] == [1.5]


def test_pairings(world, staff):
    client = _as(staff)
    (item,) = _json(client, staff_lists(world)["pairings"])["items"]
    pairing = world.pairings[0]
    assert (item["mentee_id"], item["mentor_id"]) == (pairing.mentee_id, pairing.mentor.user_id)
    assert item["session_count"] == 1
    assert "private_notes" not in str(item) and "Docker" not in str(item)
    assert _json(client, staff_lists(world)["pairings"], cohort="other")["count"] == 0


def test_courses_sessions_and_attendance(world, staff):
    client = _as(staff)
    (course,) = _json(client, staff_lists(world)["courses"])["items"]
    assert (course["id"], course["cohorts"], course["enrolled"]) == (
        world.courses[0].pk,
        ["main"],
        1,
    )
    (session,) = _json(client, staff_lists(world)["sessions"])["items"]
    assert (session["marked"], session["attended"]) == (1, 1)
    assert _json(client, staff_lists(world)["sessions"], cohort="other")["count"] == 0
    (mark,) = _json(client, staff_lists(world)["attendance"])["items"]
    assert (mark["user_id"], mark["status"]) == (world.participants[0].user_id, "present")


def test_certificates(world, staff):
    client = _as(staff)
    url = staff_lists(world)["certificates"]
    (item,) = _json(client, url)["items"]
    certificate = world.certificates[0]
    assert item["code"] == certificate.code
    assert item["verify_url"] == f"/verify/{certificate.code}/"
    assert _json(client, url, status=CertificateStatus.REVOKED)["count"] == 0


# --- a person's own ----------------------------------------------------------------------------


def test_my_applications_hide_an_unreleased_decision(programme, applicant, outsider):
    cohort = CohortFactory(programme=programme, decisions_released_at=None)
    mine = ApplicationFactory(cohort=cohort, applicant=applicant, status=ApplicationStatus.OFFERED)
    ApplicationFactory(cohort=cohort, status=ApplicationStatus.OFFERED)  # someone else's
    body = _json(_as(applicant), f"{API}/me/applications")
    assert [(i["id"], i["status"]) for i in body["items"]] == [(mine.pk, "in_review")]
    cohort.decisions_released_at = timezone.now()
    cohort.save()
    assert _json(_as(applicant), f"{API}/me/applications")["items"][0]["status"] == "offered"
    assert _json(_as(outsider), f"{API}/me/applications")["count"] == 0


def test_my_allocations_pairings_and_certificates(world, outsider):
    user = world.participants[0].user
    client = _as(user)
    (allocation,) = _json(client, f"{API}/me/allocations")["items"]
    assert allocation["id"] == world.allocations[0].pk
    (pairing,) = _json(client, f"{API}/me/pairings")["items"]
    assert (pairing["role"], pairing["partner_email"]) == (
        "mentee",
        world.pairings[0].mentor.user.email,
    )
    mentor = world.pairings[0].mentor.user
    TotpAuthenticatorFactory(user=mentor)  # a mentor sees personal data: MFA is required
    mentor_view = _json(_as(mentor), f"{API}/me/pairings")["items"]
    assert [(p["role"], p["partner_email"]) for p in mentor_view] == [("mentor", user.email)]
    (certificate,) = _json(client, f"{API}/me/certificates")["items"]
    assert certificate["code"] == world.certificates[0].code
    assert "email" not in certificate
    for url in ("allocations", "pairings", "certificates"):
        assert _json(_as(outsider), f"{API}/me/{url}")["count"] == 0


def test_my_pairings_drop_the_mentees_of_a_revoked_mentor(world, programme_admin):
    mentor = world.pairings[0].mentor.user
    TotpAuthenticatorFactory(user=mentor)
    client = _as(mentor)
    assert _json(client, f"{API}/me/pairings")["count"] == 1
    grant = ProgrammeRole.objects.get(user=mentor, role=RoleKind.MENTOR)
    programme_services.programme_role_revoke(grant=grant, revoked_by=programme_admin)
    response = client.get(f"{API}/me/pairings")
    assert response.status_code == 200
    assert response.json()["items"] == []
    assert world.participants[0].user.email not in response.content.decode()
    # The mentee still lists their mentor.
    (pairing,) = _json(_as(world.participants[0].user), f"{API}/me/pairings")["items"]
    assert (pairing["role"], pairing["partner_email"]) == ("mentee", mentor.email)


# --- cost: the same number of queries at one item and at three ----------------------------------

# Session, user and roles (read once for the request, by the MFA check), then the endpoint's
# own: the choke point needs no query for the programme of a member; a cohort is one; a list is
# its count and its page, and its prefetches (a roster, already a list, needs no count).
QUERIES = {
    "programmes": 7,
    "cohorts": 5,
    "applications": 6,
    "review_progress": 6,
    "selection_runs": 6,
    "participants": 6,
    "allocations": 5,
    "usage": 6,
    "pairings": 5,
    "courses": 7,
    "sessions": 6,
    "attendance": 6,
    "certificates": 6,
    "me/applications": 5,
    "me/allocations": 5,
    "me/pairings": 5,
    "me/certificates": 5,
}


def _list_url(world, name: str) -> str:
    return f"{API}/{name}" if name.startswith("me/") else staff_lists(world)[name]


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_list_queries_do_not_grow_with_items(
    cohort, programme_admin, name, n, django_assert_num_queries
):
    world = fill(cohort, n)
    user = programme_admin
    if name.startswith("me/"):
        user = world.participants[0].user
        for _ in range(n - 1):  # n of each of their own
            other = fill(CohortFactory(programme=cohort.programme), 1)
            for model in ("applications", "allocations", "pairings", "certificates"):
                row = getattr(other, model)[0]
                owner = "applicant" if model == "applications" else "user"
                if model == "pairings":
                    owner = "mentee"
                type(row).objects.filter(pk=row.pk).update(**{owner: user})
    if name == "cohorts":
        CohortFactory.create_batch(n - 1, programme=cohort.programme)
    if name == "programmes":
        for index in range(n - 1):
            ProgrammeRoleFactory(
                user=user,
                programme=ProgrammeFactory(slug=f"more-{index}"),
                role=RoleKind.PROGRAMME_ADMIN,
            )
    client = _as(user)
    url = _list_url(world, name)
    with django_assert_num_queries(QUERIES[name]):
        response = client.get(url)
    assert response.status_code == 200
    assert response.json()["count"] >= n


def test_token_request_costs_one_query_for_the_token(
    cohort, programme_admin, django_assert_num_queries
):
    from accounts import services

    world = fill(cohort, 3)
    _token, secret = services.personal_token_create(
        user=programme_admin, name="Script", scopes=["read"]
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.get(f"{API}/programmes")  # the first use marks it used
    # The token with its user, the roles; then the cohort, the count and the page.
    with django_assert_num_queries(5):
        response = client.get(staff_lists(world)["applications"])
    assert response.json()["count"] == 6
    assert datetime.datetime.fromisoformat(response.json()["items"][0]["submitted_at"])
