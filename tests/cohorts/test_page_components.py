"""Every page uses the shared components: one breadcrumb trail, confirmation on what cannot be
undone, and empty lists that say what to do next."""

import re

import pytest
from django.urls import reverse

from cohorts.enums import ApplicationStatus, ConflictKind
from cohorts.models import (
    ConflictOfInterest,
    EligibilityRule,
    ReviewAssignment,
    ReviewCriterion,
)
from tests.factories import ApplicationFactory, CohortFactory, QuestionFactory

pytestmark = pytest.mark.django_db

P = "/programmes/ai-forward-2026/"
C = P + "cohorts/main/"


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, slug="main", name="Main intake")


def _breadcrumbs(body: str) -> list[tuple[str, str]]:
    """The trail as (label, href); the current page has no href and must be the last."""
    assert body.count('data-testid="breadcrumbs"') == 1
    nav = body.split('data-testid="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    items = re.findall(r'<li class="breadcrumb-item([^"]*)"([^>]*)>(.*?)</li>', nav, re.S)
    trail = []
    for classes, attributes, content in items:
        link = re.fullmatch(r'<a href="([^"]*)">(.*)</a>', content.strip())
        if link:
            trail.append((link.group(2), link.group(1)))
        else:
            assert "active" in classes and 'aria-current="page"' in attributes
            trail.append((content.strip(), ""))
    assert [href for _label, href in trail].count("") == 1 and trail[-1][1] == ""
    return trail


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
    assert _breadcrumbs(response.content.decode()) == [("Dashboard", "/dashboard/"), *trail]


def test_breadcrumbs_of_a_staff_application_page_end_with_the_applicant(
    client, cohort, programme_admin
):
    application = ApplicationFactory(
        cohort=cohort, full_name="Aisha <Rahman>", status=ApplicationStatus.SUBMITTED
    )
    client.force_login(programme_admin)
    body = client.get(f"{C}applications/{application.pk}/").content.decode()
    assert _breadcrumbs(body)[-2:] == [
        ("Applications", C + "applications/"),
        ("Aisha &lt;Rahman&gt;", ""),
    ]


def test_breadcrumbs_of_an_applicant_go_through_their_applications(client, cohort, applicant):
    application = ApplicationFactory(
        cohort=cohort, applicant=applicant, status=ApplicationStatus.SUBMITTED
    )
    client.force_login(applicant)
    body = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert _breadcrumbs(body) == [
        ("Dashboard", "/dashboard/"),
        ("My applications", "/applications/"),
        ("Main intake", ""),
    ]
    # An applicant cannot open the programme's staff pages: the trail does not offer them.
    assert P not in body.split('data-testid="breadcrumbs"', 1)[1].split("</nav>", 1)[0]


def test_breadcrumbs_of_question_and_criterion_forms(client, cohort, programme_admin):
    question = QuestionFactory(cohort=cohort, label="Why now?")
    criterion = ReviewCriterion.objects.create(cohort=cohort, name="Motivation", position=1)
    client.force_login(programme_admin)
    cohort_trail = [("Dashboard", "/dashboard/"), ("AI Forward 2026", P), ("Main intake", C)]

    new = client.get(C + "questions/new/").content.decode()
    edit = client.get(f"{C}questions/{question.pk}/").content.decode()
    criterion_page = client.get(f"{C}review/criteria/{criterion.pk}/").content.decode()

    assert _breadcrumbs(new) == [*cohort_trail, ("New question", "")]
    assert _breadcrumbs(edit) == [*cohort_trail, ("Edit question", "")]
    assert _breadcrumbs(criterion_page) == [
        *cohort_trail,
        ("Rubric and settings", C + "review/"),
        ("Edit criterion", ""),
    ]


def test_breadcrumbs_of_a_selection_run_name_the_run(client, cohort, programme_admin):
    from cohorts import services

    run = services.selection_run_start(
        cohort=cohort, author=programme_admin, score_kind="raw", seats=1, min_reviews=1, seed=1
    )
    client.force_login(programme_admin)
    body = client.get(f"{C}selection/runs/{run.number}/").content.decode()
    assert _breadcrumbs(body)[-2:] == [("Selection", C + "selection/"), (f"Run {run.number}", "")]


# --- confirmation ---------------------------------------------------------------------------------


def _confirm_forms(body: str) -> dict[str, str]:
    """action → confirmation message of every form that asks before it submits."""
    return dict(
        re.findall(r'<form method="post" action="([^"]+)"[^>]* data-confirm="([^"]+)"', body)
    )


def test_setup_deletes_ask_first(client, cohort, programme_admin):
    question = QuestionFactory(cohort=cohort, label="Why now?")
    rule = EligibilityRule.objects.create(
        cohort=cohort, attribute="sector", operator="in", values=["ict"]
    )
    criterion = ReviewCriterion.objects.create(cohort=cohort, name="Motivation", position=1)
    client.force_login(programme_admin)

    detail = _confirm_forms(client.get(C).content.decode())
    review = _confirm_forms(client.get(C + "review/").content.decode())

    assert detail[f"{C}questions/{question.pk}/delete/"].startswith(
        "Delete the question “Why now?”?"
    )
    assert detail[f"{C}rules/{rule.pk}/delete/"] == "Remove this eligibility rule?"
    assert (
        review[f"{C}review/criteria/{criterion.pk}/delete/"] == "Remove the criterion “Motivation”?"
    )


def test_role_revoke_asks_first(client, programme, programme_admin, reviewer):
    client.force_login(programme_admin)
    body = client.get(P + "team/").content.decode()
    grant = reviewer.programme_roles.get(programme=programme)
    message = _confirm_forms(body)[f"{P}team/{grant.pk}/revoke/"]
    assert message.startswith("Remove Thomas Goh as Reviewer?")
    assert 'Remove<span class="visually-hidden">: reviewer@example.com — Reviewer</span>' in body


def test_conflict_removal_asks_first(client, programme, reviewer):
    conflict = ConflictOfInterest.objects.create(
        reviewer=reviewer, programme=programme, kind=ConflictKind.EMPLOYER, value="Acme"
    )
    client.force_login(reviewer)
    body = client.get(P + "conflicts/").content.decode()
    assert _confirm_forms(body)[f"{P}conflicts/{conflict.pk}/delete/"].startswith(
        "Remove your declared conflict with “Acme”?"
    )


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
    assert _confirm_forms(body)[f"{P}outbox/release/"] == (
        "Send 1 staged announcement now? Sent emails cannot be called back."
    )
    assert 'data-testid="release">Release 1 staged announcement</button>' in body


def test_withdrawing_an_application_asks_first(client, cohort, applicant):
    application = ApplicationFactory(
        cohort=cohort, applicant=applicant, status=ApplicationStatus.SUBMITTED
    )
    client.force_login(applicant)
    body = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert _confirm_forms(body)[reverse("applications:withdraw", args=[application.pk])] == (
        "Withdraw your application? It cannot be submitted again to this cohort."
    )


def test_flagging_a_conflict_while_reviewing_asks_first(client, cohort, reviewer):
    assignment = ReviewAssignment.objects.create(
        application=ApplicationFactory(cohort=cohort, status=ApplicationStatus.IN_REVIEW),
        reviewer=reviewer,
    )
    client.force_login(reviewer)
    body = client.get(reverse("reviews:score", args=[assignment.pk])).content.decode()
    assert _confirm_forms(body)[reverse("reviews:flag_conflict", args=[assignment.pk])] == (
        "Declare a conflict of interest with this applicant? The application leaves your queue "
        "and will be reassigned."
    )


# --- empty lists ----------------------------------------------------------------------------------


def _empty(body: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block)).strip()
        for block in re.findall(r'data-testid="empty">(.*?)</div>', body, re.S)
    ]


def test_empty_selection_says_what_to_do_next(client, cohort, programme_admin):
    client.force_login(programme_admin)
    home = _empty(client.get(C + "selection/").content.decode())
    offers = client.get(C + "selection/offers/").content.decode()
    assert home == [
        "No quotas: the highest scores are selected. Add a quota to guarantee a minimum or cap a "
        "maximum share of the seats for a group.",
        "No runs yet. Start one above: a run is only a preview until you commit it.",
    ]
    assert "No offers yet. Commit a selection run to make offers. Go to the selection" in _empty(
        offers
    )
    assert f'<a class="text-break" href="{C}selection/">Go to the selection</a>' in offers


def test_empty_review_pages_point_to_the_next_step(client, cohort, programme_admin):
    client.force_login(programme_admin)
    dashboard = client.get(C + "review/dashboard/").content.decode()
    assign = client.get(C + "review/assign/").content.decode()
    assert f'<a class="text-break" href="{C}review/assign/">Assign reviewers</a>' in dashboard
    assert "No assignments yet. Assign reviewers first; their progress shows here." in " ".join(
        _empty(dashboard)
    )
    assert f'<a class="text-break" href="{P}team/">Team and roles</a>' in assign


def test_empty_conflict_list_says_how_to_declare(client, programme, reviewer):
    client.force_login(reviewer)
    body = client.get(P + "conflicts/").content.decode()
    assert _empty(body) == [
        "No conflicts declared. If you know an applicant personally or are tied to their "
        "employer, declare it below."
    ]


def test_cohort_without_questions_tells_admins_to_add_one(client, cohort, programme_admin, staff):
    client.force_login(programme_admin)
    admin_view = client.get(C).content.decode()
    assert f'<a class="text-break" href="{C}questions/new/">Add a question</a>' in admin_view
    client.force_login(staff)
    staff_view = client.get(C).content.decode()
    assert "No questions yet." in staff_view and "questions/new/" not in staff_view
