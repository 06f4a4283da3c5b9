"""The shared components on the programme's pages: the breadcrumb trail of every staff page,
and confirmation before a role is revoked or staged announcements are released."""

import pytest

from tests.factories import CohortFactory
from tests.pages import C, P, breadcrumbs, confirm_forms

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, slug="main", name="Main intake")


@pytest.mark.parametrize(
    "url, trail",
    [
        (P, [("AI Forward 2026", "")]),
        (P + "edit/", [("AI Forward 2026", P), ("Edit", "")]),
        (P + "team/", [("AI Forward 2026", P), ("Team", "")]),
        (P + "outbox/", [("AI Forward 2026", P), ("Outbox", "")]),
        (
            P + "outbox/announce/",
            [("AI Forward 2026", P), ("Outbox", P + "outbox/"), ("Write to the team", "")],
        ),
        (P + "cohorts/new/", [("AI Forward 2026", P), ("New cohort", "")]),
        (C, [("AI Forward 2026", P), ("Main intake", "")]),
        (C + "edit/", [("AI Forward 2026", P), ("Main intake", C), ("Edit", "")]),
        (C + "applications/", [("AI Forward 2026", P), ("Main intake", C), ("Applications", "")]),
        (C + "review/dashboard/", [("AI Forward 2026", P), ("Main intake", C), ("Review", "")]),
        (
            C + "review/",
            [
                ("AI Forward 2026", P),
                ("Main intake", C),
                ("Review", C + "review/dashboard/"),
                ("Rubric and settings", ""),
            ],
        ),
        (
            C + "review/ranking/",
            [
                ("AI Forward 2026", P),
                ("Main intake", C),
                ("Review", C + "review/dashboard/"),
                ("Ranking", ""),
            ],
        ),
        (C + "selection/", [("AI Forward 2026", P), ("Main intake", C), ("Selection", "")]),
        (
            C + "selection/offers/",
            [
                ("AI Forward 2026", P),
                ("Main intake", C),
                ("Selection", C + "selection/"),
                ("Offers, waitlist and participants", ""),
            ],
        ),
    ],
)
def test_breadcrumbs_lead_from_the_dashboard_to_the_page(
    client, cohort, programme_admin, url, trail
):
    client.force_login(programme_admin)
    response = client.get(url)
    assert response.status_code == 200
    assert breadcrumbs(response.content.decode()) == [("Dashboard", "/dashboard/"), *trail]


def test_role_revoke_asks_first(client, programme, programme_admin, reviewer):
    client.force_login(programme_admin)
    body = client.get(P + "team/").content.decode()
    grant = reviewer.programme_roles.get(programme=programme)
    message = confirm_forms(body)[f"{P}team/{grant.pk}/revoke/"]
    assert message.startswith("Remove Thomas Goh as Reviewer?")
    assert 'Remove<span class="visually-hidden">: reviewer@example.com — Reviewer</span>' in body


def test_outbox_release_asks_first(client, programme, programme_admin):
    from notifications import services as notification_services
    from tests.factories import UserFactory

    notification_services.notify(
        recipient=UserFactory(),
        kind="programme.announcement",
        context={
            "programme_name": "AI Forward 2026",
            "subject": "Hi",
            "message": "x",
            "sender": "F",
        },
        scope=programme.notification_scope,
        staged=True,
    )
    client.force_login(programme_admin)
    body = client.get(P + "outbox/").content.decode()
    assert confirm_forms(body)[f"{P}outbox/release/"] == (
        "Send 1 staged announcement now? Sent emails cannot be called back."
    )
    assert 'data-testid="release">Release 1 staged announcement</button>' in body
