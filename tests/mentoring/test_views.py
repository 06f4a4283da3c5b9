"""The mentoring pages: the programme's mentoring for its admins (and, read-only, its staff),
matching runs and their changes by hand, a mentor's profile, a participant's preferences, each
person's own mentoring page, and the page of one pairing for its mentor and its mentee."""

import datetime
import html
import re
import uuid

import pytest
from django.utils import timezone

from core.models import AuditEntry
from mentoring.enums import (
    ForbiddenSource,
    LoggedBy,
    MatchingMode,
    PairingSource,
    PairingStatus,
    RunStatus,
)
from mentoring.models import (
    ForbiddenPair,
    MatchingRun,
    MenteePreference,
    MentoringSession,
    MentorProfile,
    Pairing,
)
from notifications.models import Notification
from programmes import services as programme_services
from programmes.enums import RoleKind
from programmes.models import ProgrammeRole
from selection.models import Participant
from tests.auth import sign_in_confirmed
from tests.factories import (
    CohortFactory,
    ForbiddenPairFactory,
    MatchingRunFactory,
    MenteePreferenceFactory,
    MentoringSessionFactory,
    MentorProfileFactory,
    PairingFactory,
    ParticipantFactory,
    ProgrammeRoleFactory,
    TotpAuthenticatorFactory,
    UserFactory,
)
from tests.pages import P, breadcrumbs, confirm_forms, empty

pytestmark = pytest.mark.django_db

MENTORING = P + "mentoring/"
MINE = "/mentoring/"
SECRET = "Private: struggles with confidence"


# --- the world -------------------------------------------------------------------------------


@pytest.fixture
def seat(participant):
    participant.display_name = "Priya Nair"
    participant.save(update_fields=["display_name"])
    return Participant.objects.get(user=participant)


@pytest.fixture
def cohort(seat):
    return seat.cohort


@pytest.fixture
def profile(programme, mentor):
    return MentorProfileFactory(
        programme=programme,
        user=mentor,
        expertise=["mlops", "python"],
        industries=["logistics"],
        languages=["en", "ms"],
        employer="Datacore",
        availability="Tuesday evenings",
        bio="Twenty years in data engineering.",
        capacity=3,
    )


@pytest.fixture
def pairing(profile, seat):
    return PairingFactory(
        cohort=seat.cohort,
        mentee=seat.user,
        mentor=profile,
        explanation="shares 2 of 2 topics (mlops, python); a shared language (English)",
    )


@pytest.fixture
def session(pairing):
    return MentoringSessionFactory(
        pairing=pairing,
        held_on=timezone.localdate() - datetime.timedelta(days=2),
        topics="Model serving",
        summary="Walked through a FastAPI model server.",
        private_notes=SECRET,
    )


def _person(cohort, email: str, name: str = ""):
    """A new participant of the cohort."""
    return ParticipantFactory(
        application__cohort=cohort,
        application__applicant__email=email,
        application__applicant__display_name=name,
    ).user


def _mentor(programme, email: str, name: str, **extra):
    """A new holder of the mentor role, with a profile."""
    user = UserFactory(email=email, display_name=name)
    ProgrammeRoleFactory(user=user, programme=programme, role=RoleKind.MENTOR)
    return MentorProfileFactory(programme=programme, user=user, **extra)


def _login(client, user):
    client.force_login(user)
    return client


def _body(response) -> str:
    return response.content.decode()


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip())


def _cells(body: str, testid: str) -> list[list[str]]:
    """The rows of the table with this data-testid, as lists of cell texts."""
    table = body.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)
    return [[_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]


def _snapshot() -> dict:
    return {
        model.__name__: list(model.objects.order_by("pk").values_list())
        for model in (
            MentorProfile,
            MenteePreference,
            ForbiddenPair,
            MatchingRun,
            Pairing,
            MentoringSession,
        )
    }


def _refused_unchanged(client, url, data=None, status=(404,)):
    before = _snapshot()
    response = client.post(url, data or {})
    assert response.status_code in status, (url, response.status_code)
    assert _snapshot() == before
    return response


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _problems(response) -> list[str]:
    """The errors a page shows, to explain a failed test."""
    return [
        _text(m)
        for m in re.findall(
            r"(?:alert-danger|invalid-feedback)[^>]*>(.*?)</(?:div|p|span)>", _body(response), re.S
        )
    ]


def _follow(client, response) -> str:
    assert response.status_code == 302, _problems(response)
    return _body(client.get(response["Location"]))


def _run(cohort, **extra):
    return MatchingRunFactory(
        cohort=cohort,
        summary={
            "mentees": 2,
            "mentors": 1,
            "places": 3,
            "result": {"matched": 1, "total_score": 7.0, "first_wishes": 1},
            "other_mode": "stable",
            "other": {"matched": 1, "total_score": 6.5, "first_wishes": 0},
            "unmatched": {},
        },
        **extra,
    )


def _proposed(run, mentee, mentor, **extra):
    return PairingFactory(
        cohort=run.cohort,
        run=run,
        mentee=mentee,
        mentor=mentor,
        status=PairingStatus.PROPOSED,
        started_at=None,
        **extra,
    )


# --- access: the programme's mentoring pages -----------------------------------------------------

ADMIN_GETS = ["", "export/"]


@pytest.mark.parametrize("path", ADMIN_GETS)
@pytest.mark.parametrize("persona", ["outsider", "other_programme_admin", "participant", "mentor"])
def test_admin_pages_are_404_without_a_role_and_403_for_a_mentor(
    client, request, programme, path, persona, pairing
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(MENTORING + path)
    # A mentor holds a role in the programme, so it is there: they may just not see this.
    assert response.status_code == (403 if persona == "mentor" else 404)
    assert "Datacore" not in _body(response)


@pytest.mark.parametrize("path", ADMIN_GETS)
def test_admin_pages_send_visitors_to_sign_in(client, programme, path):
    response = client.get(MENTORING + path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def _admin_posts(programme, cohort, pairing, run, proposed, forbidden):
    """Every action of the admins' pages, with data that would change something."""
    r = MENTORING + f"runs/{run.pk}/"
    return [
        (MENTORING + "runs/new/", {"cohort": cohort.pk, "mode": "optimal", **_WEIGHTS}),
        (r + "assign/", {"mentee": "", "mentor": ""}),
        (r + f"pairings/{proposed.pk}/unassign/", {}),
        (r + "swap/", {}),
        (r + "publish/", {}),
        (r + "discard/", {}),
        (MENTORING + "forbidden/", {"mentor": "", "mentee_email": "x@example.com"}),
        (MENTORING + f"forbidden/{forbidden.pk}/remove/", {}),
        (MENTORING + f"pairings/{pairing.pk}/end/", {"reason": "Moved on"}),
    ]


_WEIGHTS = {"topics": "3", "language": "2", "industry": "1", "wish": "2", "language_required": "on"}


@pytest.fixture
def admin_world(programme, cohort, pairing, profile):
    other = _person(cohort, "other.mentee@example.com", "Omar Said")
    run = _run(cohort)
    proposed = _proposed(run, other, _mentor(programme, "second@example.com", "Sara Lim"))
    forbidden = ForbiddenPairFactory(programme=programme, mentor=profile, mentee=other)
    return _admin_posts(programme, cohort, pairing, run, proposed, forbidden)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("staff", 403),
        ("mentor", 403),
        ("outsider", 404),
        ("participant", 404),
        ("other_programme_admin", 404),
    ],
)
def test_admin_actions_refuse_everyone_but_admins_and_change_nothing(
    client, request, admin_world, persona, status
):
    client.force_login(request.getfixturevalue(persona))
    for url, data in admin_world:
        _refused_unchanged(client, url, data, status=(status,))


def test_admin_actions_are_post_only(client, programme_admin, admin_world):
    client.force_login(programme_admin)
    for url, _data in admin_world:
        assert client.get(url).status_code == 405, url


def test_another_programmes_run_and_pairing_are_404_for_an_admin(
    client, programme, programme_admin, other_programme
):
    other_cohort = CohortFactory(programme=other_programme)
    run = _run(other_cohort)
    pairing = PairingFactory(cohort=other_cohort)
    client.force_login(programme_admin)
    assert client.get(MENTORING + f"runs/{run.pk}/").status_code == 404
    _refused_unchanged(client, MENTORING + f"runs/{run.pk}/publish/")
    _refused_unchanged(client, MENTORING + f"pairings/{pairing.pk}/end/", {"reason": "x"})
    assert client.get(MENTORING + "runs/999999/").status_code == 404


# --- the admins' page ------------------------------------------------------------------------


def test_overview_lists_pairs_quietest_first_with_their_figures(
    client, programme, programme_admin, cohort, pairing, session
):
    today = timezone.localdate()
    MentoringSession.objects.filter(pk=session.pk).update(rating=4, feedback_at=timezone.now())
    Pairing.objects.filter(pk=pairing.pk).update(last_session_on=session.held_on)
    quiet = PairingFactory(
        cohort=cohort,
        mentee=_person(cohort, "quiet@example.com", "Quinn Tan"),
        mentor=_mentor(programme, "lee@example.com", "Lee Wong", employer="Cloudworks"),
        started_at=timezone.now() - datetime.timedelta(days=40),
    )
    MentoringSessionFactory(pairing=quiet, held_on=today - datetime.timedelta(days=30))
    Pairing.objects.filter(pk=quiet.pk).update(last_session_on=today - datetime.timedelta(days=30))
    body = _body(_login(client, programme_admin).get(MENTORING))

    assert breadcrumbs(body) == [
        ("Dashboard", "/dashboard/"),
        ("AI Forward 2026", P),
        ("Mentoring", ""),
    ]
    assert "Active pairs (2)" in body
    rows = _cells(body, "pairs")
    last_quiet = (today - datetime.timedelta(days=30)).strftime("%-d %b %Y")
    last = session.held_on.strftime("%-d %b %Y")
    assert [row[:7] for row in rows] == [
        [
            "Quinn Tan quiet@example.com with Lee Wong · 1 session",
            "Lee Wong Cloudworks",
            "Spring intake",
            "1",
            last_quiet,
            "30 days",
            "—",
        ],
        [
            "Priya Nair participant@example.com with Helena Park · 1 session",
            "Helena Park Datacore",
            "Spring intake",
            "1",
            last,
            "2 days",
            "4.0 / 5",
        ],
    ]
    assert '<span class="badge text-bg-danger">30 days</span>' in body
    assert SECRET not in body and "FastAPI" not in body


def test_overview_filters_quiet_pairs_and_cohorts(
    client, programme, programme_admin, cohort, pairing
):
    other_cohort = CohortFactory(programme=programme, name="Autumn intake", slug="autumn")
    PairingFactory(
        cohort=other_cohort,
        mentee=_person(other_cohort, "autumn@example.com", "Alex Autumn"),
        mentor=_mentor(programme, "m2@example.com", "Mina Two"),
        started_at=timezone.now() - datetime.timedelta(days=20),
    )
    client.force_login(programme_admin)

    def names(query):
        rows = _cells(_body(client.get(MENTORING, query)), "pairs")
        return [row[0].split(" ")[0] for row in rows]

    assert names({}) == ["Alex", "Priya"]
    assert names({"stalled": "1"}) == ["Alex"]
    assert names({"cohort": "spring"}) == ["Priya"]
    body = _body(client.get(MENTORING, {"cohort": "spring", "stalled": "1"}))
    assert empty(body)[0] == "No active pair matches the filter."
    # Junk in the filters is ignored, not an error.
    assert names({"cohort": "nope", "stalled": "x", "page": "999"}) == ["Alex", "Priya"]


def test_overview_lists_mentors_with_their_load_and_those_without_a_profile(
    client, programme, programme_admin, pairing, staff
):
    _mentor(programme, "paused@example.com", "Paula Paused", capacity=0, employer="Acme")
    without = _mentor(programme, "nobody@example.com", "Ned Noprofile")
    MentorProfile.objects.filter(pk=without.pk).delete()
    body = _body(_login(client, programme_admin).get(MENTORING))
    assert _cells(body, "mentors") == [
        [
            "Helena Park mentor@example.com Datacore",
            "Datacore",
            "mlops, python",
            "English, Malay",
            "1 of 3",
        ],
        ["Paula Paused paused@example.com Acme", "Acme", "mlops, python", "English", "paused"],
    ]
    without_profile = body.split('data-testid="without-profile">')[1].split("</ul>")[0]
    assert _text(without_profile) == "Ned Noprofile nobody@example.com"


def test_overview_empty_says_what_to_do_next(client, programme, programme_admin, cohort):
    body = _body(_login(client, programme_admin).get(MENTORING))
    assert empty(body) == [
        "No active pairs yet. Run the matching for a cohort below, check its preview, then "
        "publish it to introduce the pairs.",
        "No matching run yet.",
        "No mentor has a profile yet. Give people the mentor role on the team page; they then "
        "fill in their profile from their mentoring page.",
        "No forbidden pair.",
    ]
    assert 'data-testid="run-form"' in body and 'data-testid="forbidden-form"' in body


def test_overview_for_staff_has_no_forms(client, programme, staff, pairing, admin_world):
    body = _body(_login(client, staff).get(MENTORING))
    assert "Priya Nair" in body
    assert f'<form method="post" action="{MENTORING}' not in body
    assert 'data-testid="end-pair"' not in body


def test_programme_page_links_mentoring_for_admins_and_staff_only(
    client, programme, programme_admin, staff, mentor
):
    link = f'href="{MENTORING}" data-testid="mentoring-link"'
    assert link in _body(_login(client, programme_admin).get(P))
    assert link in _body(_login(client, staff).get(P))
    assert link not in _body(_login(client, mentor).get(P))


@pytest.mark.parametrize("count", [1, 3])
def test_overview_query_count(
    client, programme, programme_admin, cohort, profile, django_assert_num_queries, count
):
    for n in range(count):
        pairing = PairingFactory(
            cohort=cohort,
            mentee=_person(cohort, f"m{n}@example.com", f"Mentee {n}"),
            mentor=profile,
        )
        MentoringSessionFactory(pairing=pairing, rating=4)
    ForbiddenPairFactory(programme=programme, mentor=profile)
    _run(cohort)
    client.force_login(programme_admin)
    # session, user, roles (with the authenticator), cohorts, page count, page rows, mentors,
    # without profile, navigation and bell, runs, forbidden pairs
    with django_assert_num_queries(11):
        assert client.get(MENTORING).status_code == 200


# --- export ----------------------------------------------------------------------------------


def test_export_lists_every_pair_and_never_the_notes(
    client, programme, programme_admin, pairing, session, other_programme
):
    MentoringSession.objects.filter(pk=session.pk).update(
        rating=5, feedback="Great help", feedback_at=timezone.now()
    )
    Pairing.objects.filter(pk=pairing.pk).update(last_session_on=session.held_on)
    PairingFactory(cohort=CohortFactory(programme=other_programme))
    sign_in_confirmed(client, programme_admin)
    response = client.get(MENTORING + "export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    started = timezone.localdate(pairing.started_at).isoformat()
    assert text.splitlines() == [
        "cohort,mentee_email,mentee_name,mentor_email,mentor_name,mentor_employer,status,"
        "introduced_on,ended_on,end_reason,sessions,last_session_on,average_rating",
        f"Spring intake,participant@example.com,Priya Nair,mentor@example.com,Helena Park,"
        f"Datacore,Active,{started},,,1,{session.held_on.isoformat()},5.0",
    ]
    assert SECRET not in text and "Great help" not in text and "FastAPI" not in text
    entry = AuditEntry.objects.get(action="mentoring.pairings_export")
    assert (entry.actor, entry.data) == (programme_admin, {"rows": 1})


def test_export_neutralises_formulas_and_is_open_to_staff(client, programme, staff, pairing):
    pairing.mentee.display_name = "=HYPERLINK(1)"
    pairing.mentee.save(update_fields=["display_name"])
    sign_in_confirmed(client, staff)
    text = b"".join(client.get(MENTORING + "export/").streaming_content).decode()
    assert ",'=HYPERLINK(1)," in text


# --- matching runs -----------------------------------------------------------------------------


@pytest.fixture
def matchable(programme, cohort, seat, profile):
    """The participant wants Python and MLOps in English and wishes for the mentor; a second
    participant shares no language with any mentor."""
    MenteePreferenceFactory(
        cohort=cohort, user=seat.user, topics=["python", "mlops"], languages=["en"], wish_1=profile
    )
    lonely = _person(cohort, "lonely@example.com", "Lena Lonely")
    MenteePreferenceFactory(cohort=cohort, user=lonely, topics=["welding"], languages=["th"])
    return lonely


def test_run_create_makes_a_preview_and_shows_it(
    client, programme, programme_admin, cohort, matchable
):
    client.force_login(programme_admin)
    response = client.post(
        MENTORING + "runs/new/", {"cohort": cohort.pk, "mode": "optimal", **_WEIGHTS}
    )
    run = MatchingRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == MENTORING + f"runs/{run.pk}/"
    assert (run.mode, run.status, run.language_required) == (
        MatchingMode.OPTIMAL,
        RunStatus.PREVIEW,
        True,
    )
    assert run.weights == {"topics": 3.0, "language": 2.0, "industry": 1.0, "wish": 2.0}
    response = client.get(response["Location"])
    body = _body(response)
    assert _messages(response) == [
        "Run 1 proposes 1 pairs for 2 mentees without a mentor. Nobody is told until you "
        "publish it."
    ]
    assert breadcrumbs(body) == [
        ("Dashboard", "/dashboard/"),
        ("AI Forward 2026", P),
        ("Mentoring", MENTORING),
        ("Matching run 1", ""),
    ]
    figures = _text(body.split('data-testid="run-figures">')[1].split("</section>")[0])
    assert figures == (
        "Mentees without a mentor 2 Mentors with places 1 (3 places) Matched 1 Unmatched 1 "
        "Total score 7 First wishes met 1"
    )
    assert _cells(body, "run-pairs") == [
        [
            # Small screens: the score, part by part, and why, under the pair.
            "Priya Nair participant@example.com → Helena Park Datacore Score 7 (topics 3/3 · "
            "language 2/2 · industry 0/1 · wish 2/2) Shares 2 of 2 topics (mlops, python); a "
            "shared language (English); the mentee's first wish",
            "7 Topics 3 / 3 Language 2 / 2 Industry 0 / 1 Wish 2 / 2",
            "Shares 2 of 2 topics (mlops, python); a shared language (English); the mentee's "
            "first wish",
            "Unassign : participant@example.com",
        ]
    ]
    assert _cells(body, "unmatched") == [
        [
            "Lena Lonely lonely@example.com",
            "No allowed mentor: every mentor shares their employer, is avoided, forbidden, or "
            "shares no language with them.",
        ]
    ]
    assert _cells(body, "compare")[0] == ["1", "1"]
    assert "Optimal (this run)" in body and ">Stable<" in body
    assert not Notification.objects.filter(kind="mentoring.introduced").exists()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"topics": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"wish": "11"}, "Ensure this value is less than or equal to 10."),
        ({"language": "many"}, "Enter a number."),
        ({"industry": "NaN"}, "Enter a number."),
        ({"mode": "random"}, "Select a valid choice. random is not one of the available choices."),
        ({"cohort": "999999"}, "Select a valid choice. 999999 is not one of the available"),
    ],
)
def test_run_create_refuses_bad_input_and_keeps_it(
    client, programme, programme_admin, cohort, matchable, changes, error
):
    data = {"cohort": cohort.pk, "mode": "optimal", **_WEIGHTS, **changes}
    response = _login(client, programme_admin).post(MENTORING + "runs/new/", data)
    body = _body(response)
    assert response.status_code == 400
    assert error in body
    name, value = next(iter(changes.items()))
    if name in _WEIGHTS:
        assert f'name="{name}" value="{value}"' in body
    assert not MatchingRun.objects.exists()


def test_run_create_refuses_a_cohort_of_another_programme(
    client, programme, programme_admin, cohort, other_programme
):
    other = CohortFactory(programme=other_programme)
    response = _login(client, programme_admin).post(
        MENTORING + "runs/new/", {"cohort": other.pk, "mode": "optimal", **_WEIGHTS}
    )
    assert response.status_code == 400
    assert not MatchingRun.objects.exists()


@pytest.fixture
def preview(programme, cohort, seat, profile):
    """A preview: the participant paired with the mentor; Omar unmatched (Sara is free)."""
    omar = _person(cohort, "omar@example.com", "Omar Said")
    for user in (seat.user, omar):
        MenteePreferenceFactory(cohort=cohort, user=user, languages=["en"])
    sara = _mentor(programme, "sara@example.com", "Sara Lim", employer="Cloudworks")
    run = _run(cohort)
    run.summary["unmatched"] = {str(omar.pk): "Every allowed mentor is full."}
    run.save(update_fields=["summary"])
    first = _proposed(
        run,
        seat.user,
        profile,
        score=7.0,
        score_parts={"topics": 3.0, "language": 2.0, "industry": 0.0, "wish": 2.0},
        explanation="shares 2 of 2 topics (mlops, python)",
    )
    return {"run": run, "omar": omar, "sara": sara, "first": first}


def test_run_page_explains_the_pairs_and_the_first_wish(
    client, programme, programme_admin, preview
):
    Pairing.objects.filter(pk=preview["first"].pk).update(
        wish_note="Their first wish, Sara Lim, has no free place."
    )
    body = _body(_login(client, programme_admin).get(MENTORING + f"runs/{preview['run'].pk}/"))
    assert (
        _cells(body, "run-pairs")[0][1] == "7 Topics 3 / 3 Language 2 / 2 Industry 0 / 1 Wish 2 / 2"
    )
    assert 'data-testid="wish-note">Their first wish, Sara Lim, has no free place.</div>' in body
    assert _cells(body, "unmatched") == [
        ["Omar Said omar@example.com", "Every allowed mentor is full."]
    ]
    assert 'data-testid="preview-note"' in body
    run_url = MENTORING + f"runs/{preview['run'].pk}/"
    assert set(confirm_forms(body)) == {run_url + "publish/", run_url + "discard/"}
    assert "Introduce this pair by email?" in confirm_forms(body)[run_url + "publish/"]
    assert (
        '<option value="{}">Omar Said (omar@example.com)</option>'.format(preview["omar"].pk)
        in body
    )
    assert "Sara Lim — Cloudworks (3 of 3 places free)" in body
    assert "Helena Park — Datacore (2 of 3 places free)" in body


def test_run_page_pages_the_pairs_and_caps_the_unmatched(
    client, programme, programme_admin, cohort, monkeypatch
):
    from mentoring import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "UNMATCHED_SHOWN", 1)
    run = _run(cohort)
    for n in range(3):
        _proposed(
            run,
            _person(cohort, f"p{n}@example.com"),
            _mentor(programme, f"x{n}@example.com", f"X {n}"),
        )
    run.summary["unmatched"] = {
        str(_person(cohort, f"u{n}@example.com").pk): "Every allowed mentor is full."
        for n in range(2)
    }
    run.save(update_fields=["summary"])
    _login(client, programme_admin)
    first = _body(client.get(MENTORING + f"runs/{run.pk}/"))
    assert "Pairs (3)" in first and len(_cells(first, "run-pairs")) == 2
    assert 'data-testid="pagination"' in first
    assert len(_cells(first, "unmatched")) == 1
    assert "The first 1 of 2 are listed" in first
    second = _body(client.get(MENTORING + f"runs/{run.pk}/", {"page": 2}))
    assert len(_cells(second, "run-pairs")) == 1


def test_run_page_for_staff_is_read_only(client, programme, staff, preview):
    body = _body(_login(client, staff).get(MENTORING + f"runs/{preview['run'].pk}/"))
    assert "Priya Nair" in body
    assert f'<form method="post" action="{MENTORING}' not in body


@pytest.mark.parametrize("count", [1, 3])
def test_run_page_query_count(
    client, programme, programme_admin, cohort, profile, django_assert_num_queries, count
):
    run = _run(cohort)
    unmatched = {}
    for n in range(count):
        _proposed(
            run,
            _person(cohort, f"p{n}@example.com"),
            _mentor(programme, f"x{n}@example.com", f"X {n}"),
        )
        unmatched[str(_person(cohort, f"u{n}@example.com").pk)] = "Every allowed mentor is full."
    run.summary["unmatched"] = unmatched
    run.save(update_fields=["summary"])
    client.force_login(programme_admin)
    # session, user, roles (with the authenticator), run, pairs, unmatched users, mentors,
    # navigation and bell
    with django_assert_num_queries(8):
        assert client.get(MENTORING + f"runs/{run.pk}/").status_code == 200


def test_run_assign_pairs_an_unmatched_mentee(client, programme, programme_admin, preview):
    run, omar, sara = preview["run"], preview["omar"], preview["sara"]
    client.force_login(programme_admin)
    response = client.post(
        MENTORING + f"runs/{run.pk}/assign/", {"mentee": omar.pk, "mentor": sara.pk}
    )
    body = _follow(client, response)
    made = Pairing.objects.get(run=run, mentee=omar)
    assert (made.mentor, made.status, made.source) == (
        sara,
        PairingStatus.PROPOSED,
        PairingSource.MANUAL,
    )
    assert "Omar Said is paired with Sara Lim in this preview." in body
    assert 'data-testid="unmatched"' not in body
    assert "Changed by hand since the run: now 2 pairs" in body


def test_run_assign_refused_by_the_domain_says_why_and_keeps_the_choice(
    client, programme, programme_admin, preview
):
    run, omar, sara = preview["run"], preview["omar"], preview["sara"]
    ForbiddenPairFactory(programme=programme, mentor=sara, mentee=omar, reason="Her manager")
    client.force_login(programme_admin)
    response = client.post(
        MENTORING + f"runs/{run.pk}/assign/", {"mentee": omar.pk, "mentor": sara.pk}
    )
    body = _body(response)
    assert response.status_code == 400
    assert (
        'data-testid="assign-error">Sara Lim and Omar Said may not be paired: Her manager</div>'
        in body
    )
    assert f'<option value="{sara.pk}" selected>' in body
    assert not Pairing.objects.filter(mentee=omar).exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"mentee": "999999", "mentor": "1"}, {"mentee": "abc", "mentor": "x"}],
)
def test_run_assign_refuses_unknown_choices(client, programme, programme_admin, preview, data):
    client.force_login(programme_admin)
    before = _snapshot()
    response = client.post(MENTORING + f"runs/{preview['run'].pk}/assign/", data)
    assert response.status_code == 400
    assert _snapshot() == before


def test_run_unassign_and_swap(client, programme, programme_admin, cohort, profile, preview):
    run, first = preview["run"], preview["first"]
    noor = _person(cohort, "noor@example.com", "Noor Ali")
    MenteePreferenceFactory(cohort=cohort, user=noor, languages=["en"])
    second = _proposed(run, noor, preview["sara"])
    client.force_login(programme_admin)

    body = _follow(
        client,
        client.post(MENTORING + f"runs/{run.pk}/swap/", {"first": first.pk, "second": second.pk}),
    )
    assert "Priya Nair and Noor Ali swapped mentors." in body
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.mentor, second.mentor) == (preview["sara"], profile)
    assert first.source == PairingSource.MANUAL

    body = _follow(client, client.post(MENTORING + f"runs/{run.pk}/pairings/{first.pk}/unassign/"))
    assert "Priya Nair is unmatched in this preview." in body
    assert not Pairing.objects.filter(pk=first.pk).exists()
    assert ["Priya Nair participant@example.com", "Unassigned by hand by Farah Osman."] in _cells(
        body, "unmatched"
    )


def test_run_swap_refuses_the_same_pair_twice_and_a_forbidden_swap(
    client, programme, programme_admin, cohort, preview
):
    run, first = preview["run"], preview["first"]
    noor = _person(cohort, "noor@example.com", "Noor Ali")
    second = _proposed(run, noor, preview["sara"])
    ForbiddenPairFactory(programme=programme, mentor=preview["sara"], mentee=first.mentee)
    client.force_login(programme_admin)
    before = _snapshot()
    response = client.post(
        MENTORING + f"runs/{run.pk}/swap/", {"first": first.pk, "second": first.pk}
    )
    assert response.status_code == 400
    assert "Choose two different pairs." in _body(response)
    response = client.post(
        MENTORING + f"runs/{run.pk}/swap/", {"first": first.pk, "second": second.pk}
    )
    assert response.status_code == 400
    assert "Sara Lim and Priya Nair may not be paired" in _body(response)
    assert _snapshot() == before


def test_run_publish_introduces_the_pairs(client, programme, programme_admin, preview):
    run = preview["run"]
    client.force_login(programme_admin)
    response = client.post(MENTORING + f"runs/{run.pk}/publish/")
    response = client.get(response["Location"])
    assert _messages(response) == ["1 pair introduced by email."]
    body = _body(response)
    run.refresh_from_db()
    assert run.status == RunStatus.PUBLISHED
    assert Pairing.objects.get(pk=preview["first"].pk).status == PairingStatus.ACTIVE
    assert Notification.objects.filter(kind="mentoring.introduced").count() == 2
    # A published run is read-only: its pairs with their status, no form.
    assert 'data-testid="published-note"' in body
    assert f'<form method="post" action="{MENTORING}' not in body
    assert "Active" in _cells(body, "run-pairs")[0][0]
    # Changing it now is refused with the reason, and changes nothing.
    before = _snapshot()
    for action, data in (
        ("assign/", {"mentee": preview["omar"].pk, "mentor": preview["sara"].pk}),
        ("publish/", {}),
        ("discard/", {}),
    ):
        response = client.post(MENTORING + f"runs/{run.pk}/{action}", data)
        assert response.status_code == 302
        assert _messages(client.get(response["Location"])) == [
            "This run is no longer a preview: it was published or discarded."
        ]
    assert _snapshot() == before


def test_run_discard_drops_its_pairs(client, programme, programme_admin, preview):
    run = preview["run"]
    client.force_login(programme_admin)
    response = client.post(MENTORING + f"runs/{run.pk}/discard/")
    assert response["Location"] == MENTORING
    run.refresh_from_db()
    assert run.status == RunStatus.DISCARDED
    assert not Pairing.objects.filter(run=run).exists()
    body = _body(client.get(MENTORING + f"runs/{run.pk}/"))
    assert "A discarded run keeps no pairs." in empty(body)


def test_run_unassign_of_an_unknown_pair_is_404(
    client, programme, programme_admin, preview, pairing
):
    client.force_login(programme_admin)
    run = preview["run"]
    _refused_unchanged(client, MENTORING + f"runs/{run.pk}/pairings/{pairing.pk}/unassign/")
    _refused_unchanged(client, MENTORING + f"runs/{run.pk}/pairings/999999/unassign/")


# --- forbidden pairs ---------------------------------------------------------------------------


def test_forbidden_pair_add_and_remove(client, programme, programme_admin, seat, profile):
    client.force_login(programme_admin)
    response = client.post(
        MENTORING + "forbidden/",
        {"mentor": profile.pk, "mentee_email": "PARTICIPANT@example.com", "reason": "Her manager"},
    )
    assert response["Location"] == MENTORING + "#forbidden"
    pair = ForbiddenPair.objects.get()
    assert (pair.mentor, pair.mentee, pair.source, pair.reason, pair.created_by) == (
        profile,
        seat.user,
        "admin",
        "Her manager",
        programme_admin,
    )
    body = _body(client.get(MENTORING))
    assert _cells(body, "forbidden")[0][:3] == [
        "Helena Park",
        "Priya Nair participant@example.com Her manager",
        "Her manager Forbidden by an admin",
    ]
    remove = MENTORING + f"forbidden/{pair.pk}/remove/"
    assert confirm_forms(body)[remove] == (
        "Allow Helena Park and participant@example.com to be matched again?"
    )
    response = client.post(remove)
    assert "Helena Park and Priya Nair may be matched again." in _follow(client, response)
    assert not ForbiddenPair.objects.exists()


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("nobody@example.com", "No participant of this programme has this email address."),
        ("outsider@example.com", "No participant of this programme has this email address."),
        ("not-an-email", "Enter a valid email address."),
        ("", "This field is required."),
    ],
)
def test_forbidden_pair_refuses_someone_who_is_not_a_participant(
    client, programme, programme_admin, profile, seat, outsider, email, error
):
    response = _login(client, programme_admin).post(
        MENTORING + "forbidden/", {"mentor": profile.pk, "mentee_email": email, "reason": "Why"}
    )
    body = _body(response)
    assert response.status_code == 400
    assert error in body
    assert f'value="{email}"' in body if email else True
    assert not ForbiddenPair.objects.exists()


# --- ending a pairing, by an admin -------------------------------------------------------------


def test_admin_ends_a_pairing_and_the_mentee_can_be_matched_again(
    client, programme, programme_admin, cohort, pairing, profile
):
    client.force_login(programme_admin)
    response = client.post(MENTORING + f"pairings/{pairing.pk}/end/", {"reason": "Mentor moved"})
    body = _follow(client, response)
    assert (
        "The pairing of Helena Park and Priya Nair has ended; both were told. Priya Nair can be "
        "matched again by a new run." in body
    )
    pairing.refresh_from_db()
    assert (pairing.status, pairing.end_reason, pairing.ended_by) == (
        PairingStatus.ENDED,
        "Mentor moved",
        programme_admin,
    )
    assert Notification.objects.filter(kind="mentoring.ended").count() == 2
    # A new run proposes the mentee again.
    MenteePreferenceFactory(cohort=cohort, user=pairing.mentee, languages=["en"])
    client.post(MENTORING + "runs/new/", {"cohort": cohort.pk, "mode": "stable", **_WEIGHTS})
    assert Pairing.objects.filter(mentee=pairing.mentee, status=PairingStatus.PROPOSED).exists()
    # Ending it again is refused with the reason.
    response = client.post(MENTORING + f"pairings/{pairing.pk}/end/", {"reason": "Again"})
    assert _messages(client.get(response["Location"]))[-1] == "This pairing has already ended."


def test_admin_end_without_a_reason_says_so_in_the_row(client, programme, programme_admin, pairing):
    before = _snapshot()
    response = _login(client, programme_admin).post(
        MENTORING + f"pairings/{pairing.pk}/end/", {"reason": "  "}
    )
    assert response.status_code == 400
    row = _body(response).split(f'id="pair-{pairing.pk}"')[1].split("</tr>")[0]
    assert "Say why the pairing ends." in row
    assert "<details" in row and " open " in row
    assert _snapshot() == before


# --- a mentor's profile ------------------------------------------------------------------------


def _profile_data(**changes):
    return {
        "expertise": " MLOps, LLM evaluation ,python, mlops,, ",
        "industries": ["ict", "finance"],
        "languages": ["en", "ta"],
        "employer": "Datacore",
        "availability": "Tuesday evenings",
        "capacity": "2",
        "bio": "Twenty years in data engineering.",
        **changes,
    }


def test_profile_create_and_edit(client, programme, mentor):
    MentorProfileFactory(programme=programme, expertise=["kubernetes", "mlops"])
    client.force_login(mentor)
    body = _body(client.get(MENTORING + "profile/"))
    assert breadcrumbs(body) == [
        ("Dashboard", "/dashboard/"),
        ("AI Forward 2026", P),
        ("My mentoring", MINE),
        ("Mentor profile", ""),
    ]
    assert 'data-testid="new-profile"' in body
    suggestions = body.split('data-testid="tag-suggestions">')[1].split("</div>")[0]
    assert _text(suggestions) == "Topics already offered in this programme: kubernetes mlops"

    response = client.post(MENTORING + "profile/", _profile_data())
    assert response["Location"] == MINE
    profile = MentorProfile.objects.get(user=mentor)
    assert (profile.expertise, profile.industries, profile.languages, profile.capacity) == (
        ["mlops", "llm evaluation", "python"],
        ["ict", "finance"],
        ["en", "ta"],
        2,
    )
    body = _body(client.get(MENTORING + "profile/"))
    assert 'value="mlops, llm evaluation, python"' in body
    assert 'data-testid="new-profile"' not in body

    client.post(MENTORING + "profile/", _profile_data(capacity="0"))
    profile.refresh_from_db()
    assert profile.capacity == 0
    assert MentorProfile.objects.filter(user=mentor).count() == 1


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"capacity": "21"}, "Ensure this value is less than or equal to 20."),
        ({"capacity": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"capacity": ""}, "This field is required."),
        ({"languages": []}, "Choose at least one language."),
        ({"languages": ["xx"]}, "Select a valid choice. xx is not one of the available choices."),
        ({"expertise": "a" * 61}, "Keep each one under 60 characters"),
        ({"expertise": ",".join(f"t{n}" for n in range(21))}, "Give at most 20"),
    ],
)
def test_profile_refuses_bad_input_and_keeps_it(client, programme, mentor, changes, error):
    response = _login(client, mentor).post(
        MENTORING + "profile/", _profile_data(availability="Mondays at noon", **changes)
    )
    body = _body(response)
    assert response.status_code == 400
    assert error in body
    assert 'value="Mondays at noon"' in body
    assert not MentorProfile.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("outsider", 404),
        ("participant", 404),
        ("other_programme_admin", 404),
        ("programme_admin", 403),
        ("staff", 403),
        ("platform_admin", 403),
    ],
)
def test_profile_is_for_mentors_only(client, request, programme, persona, status, profile):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(MENTORING + "profile/").status_code == status
    _refused_unchanged(client, MENTORING + "profile/", _profile_data(), status=(status,))


# --- conflicts a mentor declares ---------------------------------------------------------------


def test_mentor_declares_a_conflict_with_a_participant(client, programme, profile, seat):
    _login(client, profile.user)
    response = client.post(
        MENTORING + "profile/conflicts/",
        {"email": " PARTICIPANT@example.com ", "reason": "My sister-in-law"},
    )
    assert response.status_code == 302 and response["Location"] == MENTORING + "profile/"
    pair = ForbiddenPair.objects.get()
    assert (pair.mentor, pair.mentee, pair.source, pair.reason) == (
        profile,
        seat.user,
        ForbiddenSource.CONFLICT,
        "My sister-in-law",
    )
    page = _body(client.get(response["Location"]))
    assert "you will never be matched with them" in page


def test_a_conflict_with_someone_unknown_answers_the_same_and_stores_nothing(
    client, programme, profile, seat
):
    _login(client, profile.user)
    response = client.post(
        MENTORING + "profile/conflicts/",
        {"email": "nobody@example.com", "reason": "Former colleague"},
        follow=True,
    )
    assert "you will never be matched with them" in _body(response)
    assert not ForbiddenPair.objects.exists()


def test_a_conflict_with_bad_input_keeps_it_and_says_why(client, programme, profile, seat):
    _login(client, profile.user)
    response = client.post(
        MENTORING + "profile/conflicts/", {"email": "not-an-email", "reason": ""}
    )
    assert response.status_code == 400
    body = _body(response)
    assert "Enter a valid email address." in body and 'value="not-an-email"' in body
    assert "This field is required." in body
    assert not ForbiddenPair.objects.exists()


def test_a_mentor_without_a_profile_fills_it_in_first(client, programme, mentor, seat):
    _login(client, mentor)
    response = client.post(
        MENTORING + "profile/conflicts/", {"email": "participant@example.com", "reason": "x"}
    )
    assert response.status_code == 302 and response["Location"] == MENTORING + "profile/"
    assert not ForbiddenPair.objects.exists()


# --- a participant's preferences ---------------------------------------------------------------


@pytest.fixture
def mentors(programme, profile):
    """Helena (Datacore), Sara (Cloudworks) and Hana, who works for the participant's employer."""
    return {
        "helena": profile,
        "sara": _mentor(
            programme, "sara@example.com", "Sara Lim", employer="Cloudworks", expertise=["llm"]
        ),
        "hana": _mentor(
            programme, "hana@example.com", "Hana Harbour", employer="harbour logistics "
        ),
    }


def _preference_data(mentors, **changes):
    return {
        "goals": "Move into ML engineering.",
        "topics": "Python, MLOps",
        "languages": ["en"],
        "industry": "logistics",
        "wish_1": mentors["sara"].pk,
        "wish_2": mentors["helena"].pk,
        "wish_3": "",
        **changes,
    }


def test_preferences_save_wishes_in_order_and_avoid(client, programme, seat, mentors):
    client.force_login(seat.user)
    body = _body(client.get(MENTORING + "preferences/"))
    assert breadcrumbs(body) == [
        ("Dashboard", "/dashboard/"),
        ("My mentoring", MINE),
        ("Mentoring preferences", ""),
    ]
    assert "Sara Lim — Cloudworks · llm" in body
    # The participant's own employer: never matched, so never offered.
    assert "Hana Harbour" not in body
    assert (
        "Mentors who work for your employer (Harbour Logistics) are never matched with you, "
        "so they are not listed." in _text(body)
    )
    response = client.post(MENTORING + "preferences/", _preference_data(mentors))
    assert response["Location"] == MINE
    preference = MenteePreference.objects.get(user=seat.user)
    assert (preference.topics, preference.languages, preference.wish_ids) == (
        ["python", "mlops"],
        ["en"],
        (mentors["sara"].pk, mentors["helena"].pk),
    )
    assert list(preference.avoid.all()) == []
    response = client.post(
        MENTORING + "preferences/",
        _preference_data(
            mentors, wish_1="", wish_2="", wish_3=mentors["helena"].pk, avoid=[mentors["sara"].pk]
        ),
    )
    assert response.status_code == 302
    preference.refresh_from_db()
    assert preference.wish_ids == (mentors["helena"].pk,)
    assert list(preference.avoid.all()) == [mentors["sara"]]
    body = _body(client.get(MENTORING + "preferences/"))
    assert f'<option value="{mentors["helena"].pk}" selected>' in body
    assert re.search(rf'value="{mentors["sara"].pk}"[^>]*checked', body)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"wish_2": "SARA"}, "You chose this mentor already; choose another."),
        ({"avoid": ["HELENA"]}, "A mentor you wish for cannot be one you would rather not have."),
        ({"wish_3": "HANA"}, "Select a valid choice."),
        ({"wish_1": "999999"}, "Select a valid choice."),
        ({"languages": []}, "Choose at least one language."),
        ({"industry": "piracy"}, "Select a valid choice."),
    ],
)
def test_preferences_refuse_bad_input_and_keep_it(client, programme, seat, mentors, changes, error):
    names = {"SARA": "sara", "HELENA": "helena", "HANA": "hana"}

    def real(value):
        if isinstance(value, list):
            return [real(v) for v in value]
        return mentors[names[value]].pk if value in names else value

    data = _preference_data(mentors, **{k: real(v) for k, v in changes.items()})
    response = _login(client, seat.user).post(MENTORING + "preferences/", data)
    body = _body(response)
    assert response.status_code == 400
    assert error in body
    assert "Move into ML engineering.</textarea>" in body
    assert not MenteePreference.objects.exists()


@pytest.mark.parametrize(
    "persona", ["outsider", "mentor", "programme_admin", "staff", "other_programme_admin"]
)
def test_preferences_are_for_participants_of_the_programme_only(
    client, request, programme, persona, mentors
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(MENTORING + "preferences/").status_code == 404
    _refused_unchanged(client, MENTORING + "preferences/", _preference_data(mentors))


def test_preferences_of_another_programme_are_404(client, seat, other_programme):
    client.force_login(seat.user)
    assert (
        client.get(f"/programmes/{other_programme.slug}/mentoring/preferences/").status_code == 404
    )


# --- my mentoring ------------------------------------------------------------------------------


def test_mine_asks_a_mentor_without_a_profile_to_fill_it_in(client, programme, mentor):
    body = _body(_login(client, mentor).get(MINE))
    assert breadcrumbs(body) == [("Dashboard", "/dashboard/"), ("My mentoring", "")]
    assert 'data-testid="fill-profile"' in body
    assert f'href="{MENTORING}profile/">Fill in your profile' in body
    assert empty(body) == [
        "No mentees yet. When the programme's admins publish a matching run, you are "
        "introduced to your mentees by email."
    ]


def test_mine_lists_a_mentors_mentees(client, programme, mentor, cohort, pairing, session):
    MentoringSessionFactory(
        pairing=pairing, logged_by=LoggedBy.MENTEE, mentor_confirmed=False, attended=True
    )
    Pairing.objects.filter(pk=pairing.pk).update(last_session_on=session.held_on)
    other = PairingFactory(
        cohort=cohort, mentee=_person(cohort, "new@example.com", "Nia New"), mentor=pairing.mentor
    )
    # Someone else's mentee: never shown.
    PairingFactory(cohort=cohort, mentee=_person(cohort, "theirs@example.com", "Theo Theirs"))
    body = _body(_login(client, mentor).get(MINE))
    assert 'data-testid="fill-profile"' not in body
    assert "you take 3 mentees" in body
    assert _cells(body, "my-mentees") == [
        ["Nia New new@example.com 0 sessions", "0", "none yet", "Log a session : new@example.com"],
        [
            f"Priya Nair participant@example.com 1 session · last {session.held_on:%-d %b} "
            "1 to confirm",
            "1",
            session.held_on.strftime("%-d %b %Y"),
            "Log a session : participant@example.com",
        ],
    ]
    assert f'href="/mentoring/pairings/{other.pk}/#log"' in body
    assert "Theo" not in body
    assert 'data-testid="as-mentee"' not in body


def test_mine_shows_a_mentee_their_mentor_and_whats_next(client, seat, pairing, session):
    body = _body(_login(client, seat.user).get(MINE))
    mentor = _text(body.split('data-testid="my-mentor">')[1].split("</section>")[0])
    assert "Helena Park mentor@example.com Datacore Available: Tuesday evenings" in mentor
    assert "1 session so far" in mentor
    assert "1 session waits for your rating." in mentor
    assert f'href="/mentoring/pairings/{pairing.pk}/#sessions">Rate your sessions' in body
    assert SECRET not in body
    assert 'data-testid="as-mentor"' not in body


def test_mine_without_a_mentor_asks_for_preferences(client, seat, programme):
    client.force_login(seat.user)
    body = _body(client.get(MINE))
    assert empty(body) == [
        "No mentor yet. Tell the programme what you want from mentoring, so that it finds the "
        "mentor who fits you best. Set your preferences"
    ]
    assert f'href="{MENTORING}preferences/">Set your preferences' in body
    MenteePreferenceFactory(cohort=seat.cohort, user=seat.user)
    assert "Change your preferences" in empty(_body(client.get(MINE)))[0]


def test_mine_for_someone_both_mentor_and_mentee(client, programme, seat, pairing, other_programme):
    # The participant mentors in another programme.
    ProgrammeRoleFactory(user=seat.user, programme=other_programme, role=RoleKind.MENTOR)
    TotpAuthenticatorFactory(user=seat.user)  # a mentor's role asks for a second factor
    MentorProfileFactory(programme=other_programme, user=seat.user)
    body = _body(_login(client, seat.user).get(MINE))
    assert 'data-testid="as-mentee"' in body and 'data-testid="as-mentor"' in body
    assert "Green Skills 2026" in body


def test_mine_for_an_outsider_is_empty(client, outsider):
    body = _body(_login(client, outsider).get(MINE))
    assert empty(body) == [
        "You have no mentoring yet. Participants of a cohort get a mentor, and mentors see "
        "their mentees here. See your applications"
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_mine_query_count_for_a_mentor(
    client, programme, mentor, cohort, profile, django_assert_num_queries, count
):
    for n in range(count):
        pairing = PairingFactory(
            cohort=cohort, mentee=_person(cohort, f"m{n}@example.com"), mentor=profile
        )
        MentoringSessionFactory(pairing=pairing)
    client.force_login(mentor)
    # session, user, roles (with the authenticator), profiles, pairings, programmes, participations,
    # navigation and bell
    with django_assert_num_queries(8):
        assert client.get(MINE).status_code == 200


@pytest.mark.parametrize("count", [1, 3])
def test_mine_query_count_for_a_mentee(
    client, programme, seat, profile, django_assert_num_queries, count
):
    for n in range(count):
        status = PairingStatus.ACTIVE if n == 0 else PairingStatus.ENDED
        pairing = PairingFactory(
            cohort=seat.cohort,
            mentee=seat.user,
            mentor=_mentor(programme, f"x{n}@example.com", f"X {n}"),
            status=status,
            ended_at=None if n == 0 else timezone.now(),
        )
        MentoringSessionFactory(pairing=pairing)
    client.force_login(seat.user)
    # session, user, roles, profiles, pairings as mentor, programmes, participations, pairings as
    # mentee, preferences, navigation and bell
    with django_assert_num_queries(10):
        assert client.get(MINE).status_code == 200


def test_nav_and_dashboard_link_mentoring_for_mentors_and_participants_only(
    client, seat, mentor, applicant
):
    link = 'href="/mentoring/" data-testid="nav-mentoring"'
    for user in (seat.user, mentor):
        body = _body(_login(client, user).get("/dashboard/"))
        assert link in body and 'data-testid="dashboard-mentoring"' in body
    body = _body(_login(client, applicant).get("/dashboard/"))
    assert link not in body and 'data-testid="dashboard-mentoring"' not in body


# --- one pairing -------------------------------------------------------------------------------


def _pairing_url(pairing, tail=""):
    return f"/mentoring/pairings/{pairing.pk}/{tail}"


def test_pairing_page_for_the_mentor_shows_private_notes(client, mentor, pairing, session):
    body = _body(_login(client, mentor).get(_pairing_url(pairing)))
    assert breadcrumbs(body) == [
        ("Dashboard", "/dashboard/"),
        ("My mentoring", MINE),
        ("Mentoring with Priya Nair", ""),
    ]
    assert 'data-testid="contact-email">participant@example.com</a>' in body
    assert SECRET in body
    assert "Walked through a FastAPI model server." in body
    assert 'name="private_notes"' in body
    assert "No feedback from your mentee yet." in body
    assert 'data-testid="feedback-form"' not in body
    assert confirm_forms(body) == {
        _pairing_url(pairing, "end/"): "End this pairing? This cannot be undone."
    }


def test_pairing_page_for_the_mentee_never_shows_private_notes(client, seat, pairing, session):
    body = _body(_login(client, seat.user).get(_pairing_url(pairing)))
    assert "Mentoring with Helena Park" in body
    assert 'data-testid="contact-email">mentor@example.com</a>' in body
    assert "Tuesday evenings" in body and "Twenty years in data engineering." in body
    assert "Walked through a FastAPI model server." in body
    assert SECRET not in body and "private" not in body.lower().replace("privacy", "")
    assert 'name="private_notes"' not in body
    assert 'data-testid="feedback-form"' in body
    assert 'data-testid="confirm"' not in body


@pytest.mark.parametrize(
    "persona", ["programme_admin", "staff", "outsider", "applicant", "other_programme_admin"]
)
def test_pairing_page_is_404_for_anyone_but_its_mentor_and_mentee(
    client, request, pairing, session, persona
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(_pairing_url(pairing))
    assert response.status_code == 404
    assert SECRET not in _body(response)
    for tail, data in (
        ("sessions/new/", {"held_on": "2020-01-01", "minutes": "60", "mode": "video"}),
        (f"sessions/{session.pk}/confirm/", {}),
        (f"sessions/{session.pk}/feedback/", {"attended": "yes", "rating": "5"}),
        ("end/", {"reason": "Mine now"}),
    ):
        _refused_unchanged(client, _pairing_url(pairing, tail), data)


def test_pairing_page_is_404_for_a_mentor_whose_role_was_revoked(
    client, programme, programme_admin, mentor, pairing, session
):
    grant = ProgrammeRole.objects.get(user=mentor, programme=programme, role=RoleKind.MENTOR)
    programme_services.programme_role_revoke(grant=grant, revoked_by=programme_admin)
    client.force_login(mentor)
    response = client.get(_pairing_url(pairing))
    assert response.status_code == 404
    assert SECRET not in _body(response)
    assert "participant@example.com" not in _body(response)
    for tail, data in (
        ("sessions/new/", {"held_on": "2020-01-01", "minutes": "60", "mode": "video"}),
        ("end/", {"reason": "Mine now"}),
    ):
        _refused_unchanged(client, _pairing_url(pairing, tail), data)
    # The mentee still has their page.
    client.force_login(pairing.mentee)
    assert client.get(_pairing_url(pairing)).status_code == 200


def test_another_mentors_pairing_is_404(client, programme, cohort, mentor, pairing):
    theirs = PairingFactory(cohort=cohort, mentee=_person(cohort, "t@example.com"))
    client.force_login(mentor)
    assert client.get(_pairing_url(theirs)).status_code == 404
    _refused_unchanged(client, _pairing_url(theirs, "end/"), {"reason": "x"})


def test_a_proposed_pairing_has_no_page(client, seat, cohort, profile):
    run = _run(cohort)
    proposed = _proposed(run, seat.user, profile)
    client.force_login(seat.user)
    assert client.get(_pairing_url(proposed)).status_code == 404


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("side", ["mentor", "mentee"])
def test_pairing_page_query_count(client, mentor, pairing, django_assert_num_queries, count, side):
    for _ in range(count):
        MentoringSessionFactory(pairing=pairing)
    user = mentor if side == "mentor" else pairing.mentee
    client.force_login(user)
    # session, user, roles (with the mentor's authenticator), pairing, sessions, navigation
    # and bell
    with django_assert_num_queries(6):
        assert client.get(_pairing_url(pairing)).status_code == 200


def _session_data(**changes):
    return {
        "held_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "minutes": "45",
        "mode": "in_person",
        "topics": "CV review",
        "summary": "Reworked the CV for ML roles.",
        "private_notes": "Ask about the visa next time.",
        "submission_id": str(uuid.uuid4()),
        **changes,
    }


def test_mentor_logs_a_session(client, mentor, pairing):
    client.force_login(mentor)
    response = client.post(_pairing_url(pairing, "sessions/new/"), _session_data())
    assert response["Location"] == _pairing_url(pairing) + "#sessions"
    session = MentoringSession.objects.get()
    assert (
        session.minutes,
        session.mode,
        session.private_notes,
        session.logged_by,
        session.mentor_confirmed,
    ) == (45, "in_person", "Ask about the visa next time.", LoggedBy.MENTOR, True)
    response = client.get(response["Location"])
    assert _messages(response) == ["Session logged; your mentee is asked to rate it."]
    assert Notification.objects.filter(recipient=pairing.mentee).count() == 1


def test_a_double_submit_logs_one_session(client, mentor, pairing):
    client.force_login(mentor)
    data = _session_data()
    first = client.post(_pairing_url(pairing, "sessions/new/"), data)
    second = client.post(_pairing_url(pairing, "sessions/new/"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert MentoringSession.objects.count() == 1
    # A new form shown is a new session.
    client.post(_pairing_url(pairing, "sessions/new/"), _session_data())
    assert MentoringSession.objects.count() == 2


def test_each_shown_form_carries_its_own_submission_id(client, mentor, pairing):
    client.force_login(mentor)
    ids = [
        re.search(
            r'name="submission_id" value="([^"]+)"', _body(client.get(_pairing_url(pairing)))
        ).group(1)
        for _ in range(2)
    ]
    assert ids[0] != ids[1]
    assert all(uuid.UUID(value) for value in ids)


def test_mentee_logs_a_session_for_the_mentor_to_confirm(client, mentor, seat, pairing):
    client.force_login(seat.user)
    client.post(_pairing_url(pairing, "sessions/new/"), _session_data())
    session = MentoringSession.objects.get()
    # A mentee has no private notes, whatever was posted.
    assert (session.private_notes, session.logged_by, session.mentor_confirmed) == (
        "",
        LoggedBy.MENTEE,
        False,
    )
    body = _body(client.get(_pairing_url(pairing)))
    assert "Waiting for your mentor to confirm" in body
    # The mentee may not confirm it: 403, nothing changed.
    _refused_unchanged(
        client, _pairing_url(pairing, f"sessions/{session.pk}/confirm/"), status=(403,)
    )
    client.force_login(mentor)
    body = _body(client.get(_pairing_url(pairing)))
    assert "Logged by your mentee: to confirm" in body
    response = client.post(_pairing_url(pairing, f"sessions/{session.pk}/confirm/"))
    assert response["Location"] == _pairing_url(pairing) + f"#session-{session.pk}"
    session.refresh_from_db()
    assert session.mentor_confirmed
    pairing.refresh_from_db()
    assert pairing.last_session_on == session.held_on


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        (
            # Worked out when the test runs, not when it is collected: a run may cross midnight.
            {"held_on": "tomorrow"},
            "The date is in the future: log a session once it has taken place.",
        ),
        ({"held_on": "9999-12-31"}, "The date is in the future"),
        ({"held_on": "2001-01-01"}, "The date is before the two of you were paired."),
        ({"held_on": "31/02/2026"}, "Enter a valid date."),
        ({"held_on": ""}, "This field is required."),
        ({"minutes": "0"}, "Give the length in minutes, from 1 to 600."),
        ({"minutes": "601"}, "Give the length in minutes, from 1 to 600."),
        ({"minutes": "an hour"}, "Enter a whole number."),
        ({"mode": "carrier pigeon"}, "Select a valid choice."),
        ({"summary": "x" * 4001}, "Ensure this value has at most 4000 characters"),
    ],
)
def test_session_log_refuses_bad_input_and_keeps_it(client, mentor, pairing, changes, error):
    if changes.get("held_on") == "tomorrow":
        changes = {"held_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()}
    data = _session_data(**changes)
    response = _login(client, mentor).post(_pairing_url(pairing, "sessions/new/"), data)
    body = _body(response)
    assert response.status_code == 400
    assert error in body
    assert 'value="CV review"' in body
    assert f'value="{data["submission_id"]}"' in body
    assert not MentoringSession.objects.exists()


def test_session_log_with_a_lost_submission_id_still_logs_once(client, mentor, pairing):
    client.force_login(mentor)
    response = client.post(
        _pairing_url(pairing, "sessions/new/"), _session_data(submission_id="junk")
    )
    assert response.status_code == 302
    assert MentoringSession.objects.count() == 1


def test_mentee_rates_a_session_once(client, seat, mentor, pairing, session):
    client.force_login(seat.user)
    url = _pairing_url(pairing, f"sessions/{session.pk}/feedback/")
    data = {"attended": "yes", "rating": "4", "comment": "Very practical"}
    response = client.post(url, data)
    assert response["Location"] == _pairing_url(pairing) + f"#session-{session.pk}"
    assert _messages(client.get(response["Location"])) == ["Thank you: your feedback is saved."]
    session.refresh_from_db()
    assert (session.attended, session.rating, session.feedback) == (True, 4, "Very practical")
    # The second submit (a double click) changes nothing and says so.
    before = _snapshot()
    response = client.post(url, {**data, "rating": "1"})
    assert response.status_code == 302
    assert _messages(client.get(response["Location"])) == [
        "You have already given your feedback on this session."
    ]
    assert _snapshot() == before
    body = _body(client.get(_pairing_url(pairing)))
    assert 'data-testid="feedback-form"' not in body
    feedback = _text(body.split('data-testid="feedback">')[1].split("</p>")[0])
    assert feedback == "Your feedback: 4 / 5 — Very practical"
    # The mentor reads it (the admins see only the average rating).
    body = _text(_body(_login(client, mentor).get(_pairing_url(pairing))))
    assert "Your mentee's feedback: 4 / 5 — Very practical" in body


def test_mentee_says_they_were_not_there(client, seat, pairing, session):
    client.force_login(seat.user)
    client.post(
        _pairing_url(pairing, f"sessions/{session.pk}/feedback/"), {"attended": "no", "rating": ""}
    )
    session.refresh_from_db()
    assert (session.attended, session.rating, session.counts) == (False, None, False)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"attended": "yes", "rating": ""}, "Rate the session from 1 to 5."),
        ({"attended": "yes", "rating": "6"}, "Rate the session from 1 to 5."),
        ({"attended": "yes", "rating": "0"}, "Rate the session from 1 to 5."),
        ({"attended": "yes", "rating": "five"}, "Rate the session from 1 to 5."),
        ({"attended": "maybe", "rating": "3"}, "Select a valid choice."),
        ({"rating": "3"}, "This field is required."),
    ],
)
def test_feedback_refuses_bad_input_and_keeps_it(client, seat, pairing, session, data, error):
    response = _login(client, seat.user).post(
        _pairing_url(pairing, f"sessions/{session.pk}/feedback/"),
        {**data, "comment": "Kept comment"},
    )
    body = _body(response)
    assert response.status_code == 400
    form = body.split(f'id="session-{session.pk}"')[1]
    assert error in form
    assert "Kept comment</textarea>" in form
    session.refresh_from_db()
    assert session.feedback_at is None


def test_the_mentor_cannot_give_feedback_and_unknown_sessions_are_404(
    client, mentor, seat, pairing, session, cohort
):
    client.force_login(mentor)
    url = _pairing_url(pairing, f"sessions/{session.pk}/feedback/")
    _refused_unchanged(client, url, {"attended": "yes", "rating": "5"}, status=(403,))
    elsewhere = MentoringSessionFactory(
        pairing=PairingFactory(cohort=cohort, mentee=_person(cohort, "e@example.com"))
    )
    for path in (
        f"sessions/{elsewhere.pk}/confirm/",
        f"sessions/{elsewhere.pk}/feedback/",
        "sessions/999999/confirm/",
    ):
        _refused_unchanged(client, _pairing_url(pairing, path), {"attended": "yes", "rating": "5"})
    assert client.get(_pairing_url(pairing, "sessions/new/")).status_code == 405
    assert client.get("/mentoring/pairings/999999/").status_code == 404


def test_mentee_ends_the_pairing(client, seat, mentor, pairing):
    client.force_login(seat.user)
    response = _login(client, seat.user).post(_pairing_url(pairing, "end/"), {"reason": ""})
    assert response.status_code == 400
    assert "Say why the pairing ends." in _body(response)
    response = client.post(_pairing_url(pairing, "end/"), {"reason": "Changed jobs"})
    body = _follow(client, response)
    assert "The pairing has ended; the other side was told." in body
    pairing.refresh_from_db()
    assert (pairing.status, pairing.end_reason) == (PairingStatus.ENDED, "Changed jobs")
    assert Notification.objects.get(kind="mentoring.ended").recipient == mentor
    # An ended pairing is read-only: no forms, and a late post is refused with the reason.
    assert 'data-testid="ended-note"' in body
    assert 'name="held_on"' not in body and 'data-testid="end-pairing"' not in body
    response = client.post(_pairing_url(pairing, "sessions/new/"), _session_data())
    assert _messages(client.get(response["Location"])) == [
        "This pairing has ended; its sessions can no longer change."
    ]
    assert not MentoringSession.objects.exists()
