"""Mentoring services: profiles and preferences, forbidden pairs, matching runs (both modes,
weights, the pairs that are never allowed, free places), changes by hand, publishing, ending a
pairing (also by leaving the cohort), sessions and feedback, the nudges, and races on PostgreSQL
with real threads."""

import datetime
import threading
import uuid
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from applications import services as application_services
from core.models import AuditEntry
from mentoring import services
from mentoring.enums import (
    ForbiddenSource,
    LoggedBy,
    MatchingMode,
    PairingSource,
    PairingStatus,
    RunStatus,
    SessionMode,
)
from mentoring.models import (
    ForbiddenPair,
    MatchingRun,
    MenteePreference,
    MentoringSession,
    MentorProfile,
    Pairing,
)
from notifications import services as notification_services
from notifications.models import EmailMessage, Notification
from programmes.enums import RoleKind
from programmes.models import ProgrammeRole
from selection import services as selection_services
from tests.factories import (
    ApplicantProfileFactory,
    CohortFactory,
    MenteePreferenceFactory,
    MentorProfileFactory,
    OfferFactory,
    PairingFactory,
    ParticipantFactory,
    ProgrammeRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

WEIGHTS = {"topics": 3.0, "language": 2.0, "industry": 1.0, "wish": 2.0}
NO_ALLOWED = (
    "No allowed mentor: every mentor shares their employer, is avoided, forbidden, or shares "
    "no language with them."
)
ALL_FULL = "Every allowed mentor is full."
WENT_ELSEWHERE = "Every allowed mentor with a free place went to a mentee they suit better."
STALE = "This run is no longer a preview: it was published or discarded."


@pytest.fixture
def cohort(programme):
    return CohortFactory(
        programme=programme,
        slug="main",
        name="Main intake",
        decisions_released_at=timezone.now() - datetime.timedelta(days=1),
    )


def _email(name: str) -> str:
    return name.lower().replace(" ", ".").replace("'", "") + "@example.com"


def _mentor(
    programme,
    name: str,
    *,
    expertise=("mlops", "python"),
    languages=("en",),
    industries=("ict",),
    employer: str | None = None,
    capacity: int = 3,
) -> MentorProfile:
    """A mentor of the programme: the mentor role and a profile."""
    user = UserFactory(display_name=name, email=_email(name))
    ProgrammeRoleFactory(user=user, programme=programme, role=RoleKind.MENTOR)
    extra = {"employer": employer} if employer is not None else {}
    return MentorProfileFactory(
        programme=programme,
        user=user,
        expertise=list(expertise),
        languages=list(languages),
        industries=list(industries),
        capacity=capacity,
        **extra,
    )


def _mentee(
    cohort,
    name: str,
    *,
    topics=("mlops", "python"),
    languages=("en",),
    industry: str = "ict",
    wishes=(),
    avoid=(),
    employer: str | None = None,
):
    """A participant of the cohort with their mentoring preferences (and, if given, the
    employer on their applicant profile)."""
    user = ParticipantFactory(
        application__cohort=cohort,
        application__applicant__display_name=name,
        application__applicant__email=_email(name),
    ).user
    if employer is not None:
        ApplicantProfileFactory(user=user, full_name=name, employer=employer)
    wish_1, wish_2, wish_3 = [*wishes, None, None, None][:3]
    preference = MenteePreferenceFactory(
        cohort=cohort,
        user=user,
        topics=list(topics),
        languages=list(languages),
        industry=industry,
        wish_1=wish_1,
        wish_2=wish_2,
        wish_3=wish_3,
    )
    preference.avoid.set(avoid)
    return user


def _run(cohort, actor, *, mode=MatchingMode.OPTIMAL, weights=None, language_required=True):
    return services.matching_run_create(
        cohort=cohort,
        mode=mode,
        weights=weights or WEIGHTS,
        language_required=language_required,
        actor=actor,
    )


def _proposed(run) -> list[tuple[str, str]]:
    """The run's proposed pairs as (mentee, mentor) names, sorted."""
    return sorted(
        Pairing.objects.filter(run=run, status=PairingStatus.PROPOSED).values_list(
            "mentee__display_name", "mentor__user__display_name"
        )
    )


def _active() -> list[tuple[str, str]]:
    return sorted(
        Pairing.objects.filter(status=PairingStatus.ACTIVE).values_list(
            "mentee__display_name", "mentor__user__display_name"
        )
    )


def _pairing(run, mentee) -> Pairing:
    return Pairing.objects.get(run=run, mentee=mentee)


def _notified(kind: str) -> list[tuple[str, str]]:
    """(recipient email, in-app text) of each notification of the kind, sorted."""
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__email", "text"))


def _mailed(kind: str) -> list[str]:
    return sorted(EmailMessage.objects.filter(kind=kind).values_list("to_email", flat=True))


def _audits(action: str) -> list[dict]:
    return list(
        AuditEntry.objects.filter(action=action).order_by("id").values_list("data", flat=True)
    )


def _days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


# --- profiles and preferences ----------------------------------------------------------------


def test_mentor_profile_save_normalises_the_expertise_tags(programme, mentor):
    profile = MentorProfile(
        programme=programme,
        user=mentor,
        expertise=["  MLOps ", "mlops", "LLM   Evaluation", "", "GPU cluster\toperations"],
        languages=["en", "ms"],
        capacity=4,
    )
    services.mentor_profile_save(profile=profile, actor=mentor)

    profile.refresh_from_db()
    assert profile.expertise == ["mlops", "llm evaluation", "gpu cluster operations"]
    assert (profile.languages, profile.capacity) == (["en", "ms"], 4)
    assert _audits("mentoring.profile_create") == [{}]
    # Saving it again updates it in place and is not a second creation.
    profile.expertise = ["Responsible AI"]
    services.mentor_profile_save(profile=profile, actor=mentor)
    assert MentorProfile.objects.get().expertise == ["responsible ai"]
    assert len(_audits("mentoring.profile_create")) == 1


def test_mentor_profile_save_refuses_a_second_profile_in_the_programme(programme, mentor):
    services.mentor_profile_save(
        profile=MentorProfile(programme=programme, user=mentor), actor=mentor
    )
    with pytest.raises(services.MentoringError, match="already have a mentor profile"):
        services.mentor_profile_save(
            profile=MentorProfile(programme=programme, user=mentor, capacity=5), actor=mentor
        )
    assert MentorProfile.objects.filter(user=mentor).count() == 1


def test_mentor_profile_save_allows_one_profile_per_programme(programme, other_programme, mentor):
    for p in (programme, other_programme):
        services.mentor_profile_save(profile=MentorProfile(programme=p, user=mentor), actor=mentor)
    assert MentorProfile.objects.filter(user=mentor).count() == 2


def _normal(value) -> str:
    return " ".join(str(value).split()).lower()[:60].strip()


# Tags typed by people: words and runs of blanks, sometimes longer than a tag may be.
TAG_TEXT = st.one_of(st.text(max_size=80), st.text(alphabet="aZÉß \t\n", max_size=130))


@given(st.lists(TAG_TEXT, max_size=8))
@example(["x" * 59 + " y"])  # cut at 60 characters right after a blank
def test_tags_are_trimmed_lower_case_short_unique_and_in_order(values):
    tags = services._tags(values)

    assert len(tags) == len(set(tags))
    for tag in tags:
        assert tag and len(tag) <= 60 and tag == tag.strip()
        assert tag == " ".join(tag.split()) == tag.lower()
    # Each value gives its tag, first come first kept; normalising again changes nothing.
    expected = list(dict.fromkeys(t for t in map(_normal, values) if t))
    assert tags == expected
    assert services._tags(tags) == tags


def test_tags_of_nothing():
    assert services._tags(None) == [] == services._tags(["", "  ", "\n"])


def test_mentee_preferences_save_keeps_three_wishes_best_first(programme, participant):
    aisha, ben, chen, dev = (
        _mentor(programme, name) for name in ("Aisha Rahman", "Ben Ong", "Chen Wei", "Dev Pillai")
    )
    participant_cohort = participant.participations.get().cohort
    preference = MenteePreference(
        cohort=participant_cohort,
        user=participant,
        goals="Move into MLOps.",
        topics=["MLOps", " mlops", "Career  Change"],
        languages=["en"],
        industry="ict",
    )
    services.mentee_preferences_save(
        preference=preference,
        # A repeated or empty choice is not a wish of its own.
        wishes=[ben, None, aisha, ben, chen],
        avoid=[dev],
        actor=participant,
    )

    preference = MenteePreference.objects.get()
    assert preference.wish_ids == (ben.pk, aisha.pk, chen.pk)
    assert preference.topics == ["mlops", "career change"]
    assert list(preference.avoid.all()) == [dev]

    # Saving again replaces the wishes and the mentors avoided.
    services.mentee_preferences_save(
        preference=preference, wishes=[chen], avoid=[], actor=participant
    )
    preference = MenteePreference.objects.get()
    assert preference.wish_ids == (chen.pk,)
    assert (preference.wish_2_id, preference.wish_3_id) == (None, None)
    assert not preference.avoid.exists()


def test_mentee_preferences_save_refuses_a_fourth_wish(programme, participant):
    mentors = [_mentor(programme, f"Mentor {n}") for n in range(4)]
    preference = MenteePreference(cohort=participant.participations.get().cohort, user=participant)
    with pytest.raises(services.MentoringError, match="at most three"):
        services.mentee_preferences_save(
            preference=preference, wishes=mentors, avoid=[], actor=participant
        )
    assert not MenteePreference.objects.exists()


def test_mentee_preferences_save_refuses_a_mentor_both_wished_and_avoided(programme, participant):
    aisha, ben = _mentor(programme, "Aisha Rahman"), _mentor(programme, "Ben Ong")
    preference = MenteePreference(cohort=participant.participations.get().cohort, user=participant)
    with pytest.raises(services.MentoringError, match="both wished for and avoided"):
        services.mentee_preferences_save(
            preference=preference, wishes=[aisha, ben], avoid=[ben], actor=participant
        )
    assert not MenteePreference.objects.exists()


@pytest.mark.parametrize("where", ["wishes", "avoid"])
def test_mentee_preferences_save_refuses_another_programmes_mentor(
    programme, other_programme, participant, where
):
    ours, theirs = _mentor(programme, "Aisha Rahman"), _mentor(other_programme, "Oscar Lee")
    preference = MenteePreference(cohort=participant.participations.get().cohort, user=participant)
    choices = {"wishes": [ours], "avoid": []}
    choices[where].append(theirs)
    with pytest.raises(services.MentoringError, match="mentors of this programme"):
        services.mentee_preferences_save(preference=preference, actor=participant, **choices)
    assert not MenteePreference.objects.exists()


# --- forbidden pairs ---------------------------------------------------------------------------


def test_forbidden_pair_add_and_remove_are_audited(programme, cohort, programme_admin):
    aisha = _mentor(programme, "Aisha Rahman")
    priya = _mentee(cohort, "Priya Nair")

    pair = services.forbidden_pair_add(
        programme=programme,
        mentor=aisha,
        mentee=priya,
        source=ForbiddenSource.ADMIN,
        reason="  Line manager of the mentee. ",
        actor=programme_admin,
    )
    assert (pair.source, pair.reason, pair.created_by) == (
        ForbiddenSource.ADMIN,
        "Line manager of the mentee.",
        programme_admin,
    )
    # Forbidding the same pair again keeps the first row and its reason.
    again = services.forbidden_pair_add(
        programme=programme,
        mentor=aisha,
        mentee=priya,
        source=ForbiddenSource.CONFLICT,
        reason="Friends",
        actor=aisha.user,
    )
    assert again == pair and ForbiddenPair.objects.count() == 1
    assert _audits("mentoring.forbid") == [
        {
            "mentor": "aisha.rahman@example.com",
            "mentee": "priya.nair@example.com",
            "source": "admin",
        }
    ]
    entry = AuditEntry.objects.get(action="mentoring.forbid")
    assert (entry.actor, entry.target_type, entry.target_id) == (
        programme_admin,
        "programmes.programme",
        str(programme.pk),
    )

    services.forbidden_pair_remove(pair=pair, actor=programme_admin)
    assert not ForbiddenPair.objects.exists()
    assert _audits("mentoring.unforbid") == [
        {"mentor": "aisha.rahman@example.com", "mentee": "priya.nair@example.com"}
    ]


def test_forbidden_pair_add_refuses_another_programmes_mentor(
    programme, other_programme, cohort, programme_admin
):
    oscar = _mentor(other_programme, "Oscar Lee")
    with pytest.raises(services.MentoringError, match="mentor of this programme"):
        services.forbidden_pair_add(
            programme=programme,
            mentor=oscar,
            mentee=_mentee(cohort, "Priya Nair"),
            source=ForbiddenSource.ADMIN,
            reason="",
            actor=programme_admin,
        )
    assert not ForbiddenPair.objects.exists()


def test_forbidden_pair_add_refuses_someone_who_is_not_a_participant(
    programme, other_programme, programme_admin, outsider
):
    aisha = _mentor(programme, "Aisha Rahman")
    elsewhere = ParticipantFactory(application__cohort__programme=other_programme).user
    for person in (outsider, elsewhere):
        with pytest.raises(services.MentoringError, match="not a participant of this programme"):
            services.forbidden_pair_add(
                programme=programme,
                mentor=aisha,
                mentee=person,
                source=ForbiddenSource.ADMIN,
                reason="",
                actor=programme_admin,
            )
    assert not ForbiddenPair.objects.exists()


# --- matching runs -----------------------------------------------------------------------------


@pytest.fixture
def people(programme, cohort):
    """Three mentors (one takes nobody just now) and five mentees: two suit Aisha, one suits
    Ben, one speaks only Tamil, one only Mandarin like Chen, who is full."""
    aisha = _mentor(
        programme,
        "Aisha Rahman",
        expertise=["mlops", "python"],
        languages=["en", "ms"],
        industries=["ict"],
        capacity=2,
    )
    ben = _mentor(
        programme,
        "Ben Ong",
        expertise=["data engineering"],
        industries=["finance"],
        capacity=1,
    )
    chen = _mentor(
        programme,
        "Chen Wei",
        expertise=["gpu cluster operations"],
        languages=["zh", "en"],
        industries=["data_centres"],
        capacity=0,
    )
    mentees = {
        "priya": _mentee(
            cohort, "Priya Nair", topics=["mlops", "python", "llm evaluation"], wishes=[aisha]
        ),
        "rahul": _mentee(
            cohort,
            "Rahul Menon",
            topics=["data engineering"],
            industry="finance",
            wishes=[chen, ben],
        ),
        "siti": _mentee(
            cohort, "Siti Abdullah", topics=["gpu cluster operations"], languages=["ta"]
        ),
        "daniel": _mentee(cohort, "Daniel Goh", topics=["mlops"]),
        "farid": _mentee(
            cohort,
            "Farid Hassan",
            topics=["gpu cluster operations"],
            languages=["zh"],
            industry="data_centres",
        ),
    }
    return {"aisha": aisha, "ben": ben, "chen": chen, **mentees}


def test_matching_run_create_optimal_proposes_pairs_with_scores_and_reasons(
    cohort, people, programme_admin
):
    run = _run(cohort, programme_admin)

    assert (run.number, run.mode, run.status, run.language_required) == (
        1,
        MatchingMode.OPTIMAL,
        RunStatus.PREVIEW,
        True,
    )
    assert run.weights == WEIGHTS and run.created_by == programme_admin
    assert _proposed(run) == [
        ("Daniel Goh", "Aisha Rahman"),
        ("Priya Nair", "Aisha Rahman"),
        ("Rahul Menon", "Ben Ong"),
    ]
    assert run.summary == {
        "mentees": 5,
        "mentors": 2,  # Chen takes nobody just now
        "places": 3,
        "result": {"matched": 3, "total_score": 20.32, "first_wishes": 1},
        "other_mode": "stable",
        "other": {"matched": 3, "total_score": 20.32, "first_wishes": 1},
        "unmatched": {
            str(people["siti"].pk): NO_ALLOWED,
            str(people["farid"].pk): ALL_FULL,
        },
    }
    priya = _pairing(run, people["priya"])
    assert (priya.status, priya.source, priya.started_at) == (
        PairingStatus.PROPOSED,
        PairingSource.ALGORITHM,
        None,
    )
    assert priya.score == 7.0
    assert priya.score_parts == {"topics": 2.0, "language": 2.0, "industry": 1.0, "wish": 2.0}
    assert priya.explanation == (
        "shares 2 of 3 topics (mlops, python); a shared language (English); knows the "
        "mentee's industry; the mentee's first wish"
    )
    assert priya.wish_note == ""
    rahul = _pairing(run, people["rahul"])
    assert rahul.score_parts == {"topics": 3.0, "language": 2.0, "industry": 1.0, "wish": 1.32}
    assert rahul.explanation == (
        "shares 1 of 1 topics (data engineering); a shared language (English); knows the "
        "mentee's industry; the mentee's second wish"
    )
    assert rahul.wish_note == "Their first wish, Chen Wei, has no free place."
    daniel = _pairing(run, people["daniel"])
    assert daniel.wish_note == ""
    assert daniel.explanation == (
        "shares 1 of 1 topics (mlops); a shared language (English); knows the mentee's industry"
    )
    assert _audits("mentoring.run") == [{"run": 1, "mode": "optimal", "matched": 3, "mentees": 5}]
    # A preview introduces nobody.
    assert not Notification.objects.filter(kind__startswith="mentoring.").exists()
    assert _run(cohort, programme_admin).number == 2


def test_matching_run_optimal_matches_more_than_stable_and_each_says_so(
    programme, cohort, programme_admin
):
    """Xavier suits Aisha best and Bala, who speaks only Malay, second; Yasmin speaks no Malay.
    Stable keeps Aisha with Xavier, leaving Bala out; optimal matches both."""
    xavier = _mentor(
        programme, "Xavier Tan", languages=["en", "ms"], expertise=["mlops", "python"], capacity=1
    )
    _mentor(
        programme, "Yasmin Lee", expertise=["responsible ai"], industries=["finance"], capacity=1
    )
    _mentee(cohort, "Aisha Rahman", topics=["mlops", "python"])
    bala = _mentee(cohort, "Bala Kumar", topics=["mlops", "career change"], languages=["ms"])

    stable = _run(cohort, programme_admin, mode=MatchingMode.STABLE)
    assert _proposed(stable) == [("Aisha Rahman", "Xavier Tan")]
    assert stable.summary["result"] == {"matched": 1, "total_score": 6.0, "first_wishes": 0}
    assert stable.summary["other_mode"] == "optimal"
    assert stable.summary["other"] == {"matched": 2, "total_score": 6.5, "first_wishes": 0}
    assert stable.summary["unmatched"] == {str(bala.pk): WENT_ELSEWHERE}

    optimal = _run(cohort, programme_admin, mode=MatchingMode.OPTIMAL)
    assert _proposed(optimal) == [("Aisha Rahman", "Yasmin Lee"), ("Bala Kumar", "Xavier Tan")]
    assert optimal.summary["result"] == stable.summary["other"]
    assert optimal.summary["other"] == stable.summary["result"]
    assert optimal.summary["unmatched"] == {}
    assert _pairing(optimal, bala).score_parts["topics"] == 1.5
    assert xavier.pk == _pairing(optimal, bala).mentor_id


def test_matching_run_weights_change_the_result(programme, cohort, programme_admin):
    """Priya's topic is Xavier's, but she wished for Yasmin: topics outweigh the wish with the
    default weights, and the wish outweighs the topics when it weighs more."""
    _mentor(programme, "Xavier Tan", expertise=["llm evaluation"], industries=[], capacity=1)
    yasmin = _mentor(programme, "Yasmin Lee", expertise=["mlops"], industries=[], capacity=1)
    priya = _mentee(cohort, "Priya Nair", topics=["llm evaluation"], wishes=[yasmin])

    topics_first = _run(cohort, programme_admin)
    assert _proposed(topics_first) == [("Priya Nair", "Xavier Tan")]
    assert _pairing(topics_first, priya).wish_note == (
        "Their first wish, Yasmin Lee, has a free place but does not suit them better than "
        "the mentor they got."
    )

    wish_first = _run(
        cohort, programme_admin, weights={"topics": 1, "language": 2, "industry": 1, "wish": 5}
    )
    assert wish_first.weights == {"topics": 1.0, "language": 2.0, "industry": 1.0, "wish": 5.0}
    assert _proposed(wish_first) == [("Priya Nair", "Yasmin Lee")]
    assert _pairing(wish_first, priya).score_parts == {
        "topics": 0.0,
        "language": 2.0,
        "industry": 0.0,
        "wish": 5.0,
    }


def test_matching_run_language_required_or_not(programme, cohort, programme_admin):
    _mentor(programme, "Ben Ong", languages=["en"])
    kavitha = _mentee(cohort, "Kavitha Pillai", languages=["ta"])

    required = _run(cohort, programme_admin, language_required=True)
    assert _proposed(required) == []
    assert required.summary["unmatched"] == {str(kavitha.pk): NO_ALLOWED}

    optional = _run(cohort, programme_admin, language_required=False)
    assert optional.language_required is False
    assert _proposed(optional) == [("Kavitha Pillai", "Ben Ong")]
    pairing = _pairing(optional, kavitha)
    assert pairing.score_parts["language"] == 0.0
    assert "language" not in pairing.explanation


@pytest.mark.parametrize("mode", [MatchingMode.OPTIMAL, MatchingMode.STABLE])
def test_matching_run_never_pairs_same_employer_avoided_or_forbidden(
    programme, cohort, programme_admin, mode
):
    xavier = _mentor(programme, "Xavier Tan", employer="Meridian Data Centres", capacity=5)
    colleague = _mentee(cohort, "Wei Ling Tan", employer="  meridian data centres ")
    avoids = _mentee(cohort, "Marcus Lim", avoid=[xavier])
    forbidden = _mentee(cohort, "Nurul Ismail")
    declared = _mentee(cohort, "Omar Yusof")
    for mentee, source in (
        (forbidden, ForbiddenSource.ADMIN),
        (declared, ForbiddenSource.CONFLICT),
    ):
        services.forbidden_pair_add(
            programme=programme,
            mentor=xavier,
            mentee=mentee,
            source=source,
            reason="",
            actor=programme_admin,
        )
    _mentee(cohort, "Grace Koh", employer="Straits Bank")

    run = _run(cohort, programme_admin, mode=mode)

    assert _proposed(run) == [("Grace Koh", "Xavier Tan")]
    assert run.summary["unmatched"] == {
        str(m.pk): NO_ALLOWED for m in (colleague, avoids, forbidden, declared)
    }


@pytest.mark.parametrize("mode", [MatchingMode.OPTIMAL, MatchingMode.STABLE])
def test_matching_run_first_wish_full_is_explained(programme, cohort, programme_admin, mode):
    """Aisha and Bala both suit Xavier, who takes one; Bala more so, so Aisha, who wished for
    him, gets Yasmin."""
    xavier = _mentor(programme, "Xavier Tan", expertise=["mlops"], capacity=1)
    _mentor(
        programme, "Yasmin Lee", expertise=["responsible ai"], industries=["finance"], capacity=1
    )
    aisha = _mentee(cohort, "Aisha Rahman", topics=["career change"], wishes=[xavier])
    bala = _mentee(cohort, "Bala Kumar", topics=["mlops"])

    run = _run(cohort, programme_admin, mode=mode)

    assert _proposed(run) == [("Aisha Rahman", "Yasmin Lee"), ("Bala Kumar", "Xavier Tan")]
    assert _pairing(run, aisha).wish_note == (
        "Their first wish, Xavier Tan, is full with mentees this run matched better."
    )
    assert _pairing(run, bala).wish_note == ""


def test_matching_run_first_wish_not_allowed_is_explained(programme, cohort, programme_admin):
    xavier = _mentor(programme, "Xavier Tan", employer="Meridian Data Centres")
    _mentor(programme, "Yasmin Lee")
    wei_ling = _mentee(cohort, "Wei Ling Tan", employer="Meridian Data Centres", wishes=[xavier])
    run = _run(cohort, programme_admin)
    assert _proposed(run) == [("Wei Ling Tan", "Yasmin Lee")]
    assert _pairing(run, wei_ling).wish_note == (
        "Their first wish, Xavier Tan, is not allowed for them (same employer, a declared "
        "conflict, a language they do not share, or forbidden)."
    )


def test_matching_run_counts_free_places_and_skips_mentees_with_a_mentor(
    programme, cohort, programme_admin
):
    """Xavier takes two and has one active mentee (and one whose pairing ended): one place."""
    xavier = _mentor(programme, "Xavier Tan", capacity=2)
    PairingFactory(
        cohort=cohort, mentor=xavier, mentee=_mentee(cohort, "Ravi Kumar"), status="active"
    )
    hui_min = _mentee(cohort, "Hui Min Ng", topics=["python", "career change"])
    PairingFactory(cohort=cohort, mentor=xavier, mentee=hui_min, status=PairingStatus.ENDED)
    _mentee(cohort, "Aisha Rahman", topics=["mlops", "python"])
    ethan = _mentee(cohort, "Ethan Teo", topics=["career change"])

    run = _run(cohort, programme_admin)

    # Hui Min, whose pairing ended, may be matched again; Ravi has a mentor.
    assert run.summary["mentees"] == 3
    assert (run.summary["mentors"], run.summary["places"]) == (1, 1)
    assert _proposed(run) == [("Aisha Rahman", "Xavier Tan")]
    assert run.summary["unmatched"] == {
        str(hui_min.pk): WENT_ELSEWHERE,
        str(ethan.pk): WENT_ELSEWHERE,
    }


def test_matching_run_leaves_out_mentors_without_the_role_and_other_cohorts(
    programme, other_programme, cohort, programme_admin
):
    former = _mentor(programme, "Former Mentor", capacity=5)
    ProgrammeRole.objects.filter(user=former.user).delete()
    _mentor(other_programme, "Oscar Lee", capacity=5)
    ben = _mentor(programme, "Ben Ong", capacity=1, expertise=["data engineering"])
    _mentee(cohort, "Priya Nair", wishes=[former])
    # A participant of another cohort of the programme is matched in their own cohort's runs.
    _mentee(CohortFactory(programme=programme), "Rachel Chua")

    run = _run(cohort, programme_admin)

    assert (run.summary["mentees"], run.summary["mentors"], run.summary["places"]) == (1, 1, 1)
    assert _proposed(run) == [("Priya Nair", "Ben Ong")]
    pairing = Pairing.objects.get(run=run)
    assert pairing.mentor_id == ben.pk
    assert pairing.wish_note == "Their first wish no longer mentors in this programme."


def test_matching_run_of_an_empty_cohort(cohort, programme_admin):
    run = _run(cohort, programme_admin)
    assert run.summary == {
        "mentees": 0,
        "mentors": 0,
        "places": 0,
        "result": {"matched": 0, "total_score": 0, "first_wishes": 0},
        "other_mode": "stable",
        "other": {"matched": 0, "total_score": 0, "first_wishes": 0},
        "unmatched": {},
    }


# --- changes by hand ---------------------------------------------------------------------------


@pytest.fixture
def preview(programme, cohort, programme_admin):
    """Xavier takes one and gets Aisha; Bala is left out; Yasmin joins after the run."""
    xavier = _mentor(programme, "Xavier Tan", capacity=1)
    aisha = _mentee(cohort, "Aisha Rahman", topics=["mlops", "python"])
    bala = _mentee(cohort, "Bala Kumar", topics=["career change"])
    run = _run(cohort, programme_admin)
    assert _proposed(run) == [("Aisha Rahman", "Xavier Tan")]
    yasmin = _mentor(programme, "Yasmin Lee", expertise=["career change"], capacity=1)
    return {"run": run, "xavier": xavier, "yasmin": yasmin, "aisha": aisha, "bala": bala}


def test_run_assign_pairs_an_unmatched_mentee_by_hand(preview, programme_admin):
    run, bala = preview["run"], preview["bala"]
    assert str(bala.pk) in run.summary["unmatched"]

    pairing = services.run_assign(
        run=run, mentee=bala, mentor=preview["yasmin"], actor=programme_admin
    )

    assert (pairing.status, pairing.source, pairing.run) == (
        PairingStatus.PROPOSED,
        PairingSource.MANUAL,
        run,
    )
    assert pairing.explanation == "assigned by hand by Farah Osman"
    assert pairing.score_parts == {"topics": 3.0, "language": 2.0, "industry": 1.0, "wish": 0.0}
    assert pairing.score == 6.0
    run.refresh_from_db()
    assert run.summary["unmatched"] == {}
    assert _proposed(run) == [("Aisha Rahman", "Xavier Tan"), ("Bala Kumar", "Yasmin Lee")]


def test_run_assign_refuses_a_mentor_without_a_free_place(preview, programme_admin):
    with pytest.raises(services.MentoringError, match="Xavier Tan takes 1 mentees and has no free"):
        services.run_assign(
            run=preview["run"],
            mentee=preview["bala"],
            mentor=preview["xavier"],
            actor=programme_admin,
        )


def test_run_assign_counts_active_pairings_against_the_capacity(preview, cohort, programme_admin):
    PairingFactory(cohort=cohort, mentor=preview["yasmin"])
    with pytest.raises(services.MentoringError, match="Yasmin Lee takes 1 mentees"):
        services.run_assign(
            run=preview["run"],
            mentee=preview["bala"],
            mentor=preview["yasmin"],
            actor=programme_admin,
        )


def test_run_assign_refuses_a_forbidden_pair_with_its_reason(preview, programme, programme_admin):
    services.forbidden_pair_add(
        programme=programme,
        mentor=preview["yasmin"],
        mentee=preview["bala"],
        source=ForbiddenSource.CONFLICT,
        reason="My nephew",
        actor=preview["yasmin"].user,
    )
    with pytest.raises(
        services.MentoringError, match="Yasmin Lee and Bala Kumar may not be paired: My nephew"
    ):
        services.run_assign(
            run=preview["run"],
            mentee=preview["bala"],
            mentor=preview["yasmin"],
            actor=programme_admin,
        )


def test_run_assign_refuses_a_pair_the_run_would_not_allow(preview, cohort, programme_admin):
    preference = MenteePreference.objects.get(user=preview["bala"])
    preference.languages = ["ta"]
    preference.save()
    with pytest.raises(services.MentoringError, match="no shared language"):
        services.run_assign(
            run=preview["run"],
            mentee=preview["bala"],
            mentor=preview["yasmin"],
            actor=programme_admin,
        )
    assert Pairing.objects.filter(mentee=preview["bala"]).count() == 0


def test_run_assign_refuses_a_mentee_already_paired(preview, cohort, programme_admin):
    with pytest.raises(services.MentoringError, match="already paired in this run"):
        services.run_assign(
            run=preview["run"],
            mentee=preview["aisha"],
            mentor=preview["yasmin"],
            actor=programme_admin,
        )
    other = _mentor(cohort.programme, "Other Mentor")
    PairingFactory(cohort=cohort, mentor=other, mentee=preview["bala"])
    with pytest.raises(services.MentoringError, match="Bala Kumar already has a mentor"):
        services.run_assign(
            run=preview["run"],
            mentee=preview["bala"],
            mentor=preview["yasmin"],
            actor=programme_admin,
        )


def test_run_assign_refuses_someone_not_in_the_cohort(
    preview, programme, other_programme, outsider, programme_admin
):
    other_cohort = CohortFactory(programme=programme)
    elsewhere = _mentee(other_cohort, "Rachel Chua")
    for person in (outsider, elsewhere):
        with pytest.raises(services.MentoringError, match="not a participant of this cohort"):
            services.run_assign(
                run=preview["run"], mentee=person, mentor=preview["yasmin"], actor=programme_admin
            )
    with pytest.raises(services.MentoringError, match="mentor of this programme"):
        services.run_assign(
            run=preview["run"],
            mentee=preview["bala"],
            mentor=_mentor(other_programme, "Oscar Lee"),
            actor=programme_admin,
        )
    ProgrammeRole.objects.filter(user=preview["yasmin"].user).delete()
    with pytest.raises(services.MentoringError, match="Yasmin Lee no longer holds the mentor role"):
        services.run_assign(
            run=preview["run"],
            mentee=preview["bala"],
            mentor=preview["yasmin"],
            actor=programme_admin,
        )


@pytest.mark.parametrize("how", ["publish", "discard"])
def test_changes_by_hand_refuse_a_run_that_is_no_longer_a_preview(preview, programme_admin, how):
    run = preview["run"]
    pairing = _pairing(run, preview["aisha"])
    getattr(services, f"run_{how}")(run=run, actor=programme_admin)
    with pytest.raises(services.MentoringError, match=STALE):
        services.run_assign(
            run=run, mentee=preview["bala"], mentor=preview["yasmin"], actor=programme_admin
        )
    with pytest.raises(services.MentoringError, match=STALE):
        services.run_unassign(pairing=pairing, actor=programme_admin)
    with pytest.raises(services.MentoringError, match=STALE):
        services.run_publish(run=run, actor=programme_admin)


def test_run_unassign_leaves_the_mentee_unmatched(preview, programme_admin):
    run = preview["run"]
    services.run_unassign(pairing=_pairing(run, preview["aisha"]), actor=programme_admin)
    run.refresh_from_db()
    assert _proposed(run) == []
    assert (
        run.summary["unmatched"][str(preview["aisha"].pk)] == "Unassigned by hand by Farah Osman."
    )
    # The place is free again for someone else.
    services.run_assign(
        run=run, mentee=preview["bala"], mentor=preview["xavier"], actor=programme_admin
    )
    assert _proposed(run) == [("Bala Kumar", "Xavier Tan")]


def test_run_discard_removes_its_proposals(preview, programme_admin):
    services.run_discard(run=preview["run"], actor=programme_admin)
    assert MatchingRun.objects.get().status == RunStatus.DISCARDED
    assert not Pairing.objects.exists()


@pytest.fixture
def two_pairs(programme, cohort, programme_admin):
    xavier = _mentor(programme, "Xavier Tan", expertise=["mlops"], capacity=1)
    yasmin = _mentor(programme, "Yasmin Lee", expertise=["career change"], capacity=1)
    aisha = _mentee(cohort, "Aisha Rahman", topics=["mlops"])
    bala = _mentee(cohort, "Bala Kumar", topics=["career change"])
    run = _run(cohort, programme_admin)
    assert _proposed(run) == [("Aisha Rahman", "Xavier Tan"), ("Bala Kumar", "Yasmin Lee")]
    return run, _pairing(run, aisha), _pairing(run, bala), xavier, yasmin


def test_run_swap_exchanges_mentors_and_rescores(two_pairs, programme_admin):
    run, first, second, _xavier, _yasmin = two_pairs
    assert (first.score, second.score) == (6.0, 6.0)

    first, second = services.run_swap(first=first, second=second, actor=programme_admin)

    assert _proposed(run) == [("Aisha Rahman", "Yasmin Lee"), ("Bala Kumar", "Xavier Tan")]
    for pairing in Pairing.objects.filter(run=run):
        assert pairing.source == PairingSource.MANUAL
        assert pairing.explanation == "swapped by hand by Farah Osman"
        assert pairing.score == 3.0
        assert pairing.score_parts == {"topics": 0.0, "language": 2.0, "industry": 1.0, "wish": 0.0}


def test_run_swap_refuses_a_forbidden_new_pair_and_changes_nothing(
    two_pairs, programme, programme_admin
):
    run, first, second, _xavier, yasmin = two_pairs
    services.forbidden_pair_add(
        programme=programme,
        mentor=yasmin,
        mentee=first.mentee,
        source=ForbiddenSource.ADMIN,
        reason="Same team",
        actor=programme_admin,
    )
    with pytest.raises(services.MentoringError, match="may not be paired: Same team"):
        services.run_swap(first=first, second=second, actor=programme_admin)
    assert _proposed(run) == [("Aisha Rahman", "Xavier Tan"), ("Bala Kumar", "Yasmin Lee")]
    assert set(Pairing.objects.values_list("source", flat=True)) == {PairingSource.ALGORITHM}


def test_run_swap_refuses_the_same_pair_or_pairs_of_two_runs(two_pairs, cohort, programme_admin):
    first = two_pairs[1]
    with pytest.raises(services.MentoringError, match="two different pairs of this run"):
        services.run_swap(first=first, second=first, actor=programme_admin)
    third = _mentee(cohort, "Chloe Wong", topics=["mlops"])
    _mentor(cohort.programme, "Zara Hassan", expertise=["mlops"], capacity=1)
    other_run = _run(cohort, programme_admin)
    with pytest.raises(services.MentoringError, match="two different pairs of this run"):
        services.run_swap(first=first, second=_pairing(other_run, third), actor=programme_admin)


def test_run_swap_of_two_pairs_of_one_mentor_is_refused(programme, cohort, programme_admin):
    _mentor(programme, "Xavier Tan", capacity=2)
    aisha, bala = _mentee(cohort, "Aisha Rahman"), _mentee(cohort, "Bala Kumar")
    run = _run(cohort, programme_admin)
    with pytest.raises(services.MentoringError, match="same mentor"):
        services.run_swap(
            first=_pairing(run, aisha), second=_pairing(run, bala), actor=programme_admin
        )


# --- publishing --------------------------------------------------------------------------------


def test_run_publish_introduces_both_sides_of_every_pair(cohort, people, programme_admin):
    run = _run(cohort, programme_admin)

    made = services.run_publish(run=run, actor=programme_admin)

    assert made == 3
    run.refresh_from_db()
    assert (run.status, run.published_by) == (RunStatus.PUBLISHED, programme_admin)
    assert run.published_at is not None and run.summary["published"] == 3
    assert _active() == [
        ("Daniel Goh", "Aisha Rahman"),
        ("Priya Nair", "Aisha Rahman"),
        ("Rahul Menon", "Ben Ong"),
    ]
    assert set(Pairing.objects.values_list("started_at", flat=True)) == {run.published_at}
    assert _notified("mentoring.introduced") == [
        ("aisha.rahman@example.com", "You are now mentoring Daniel Goh in Main intake."),
        ("aisha.rahman@example.com", "You are now mentoring Priya Nair in Main intake."),
        ("ben.ong@example.com", "You are now mentoring Rahul Menon in Main intake."),
        ("daniel.goh@example.com", "Aisha Rahman is your mentor in Main intake."),
        ("priya.nair@example.com", "Aisha Rahman is your mentor in Main intake."),
        ("rahul.menon@example.com", "Ben Ong is your mentor in Main intake."),
    ]
    assert _mailed("mentoring.introduced") == [
        "aisha.rahman@example.com",
        "aisha.rahman@example.com",
        "ben.ong@example.com",
        "daniel.goh@example.com",
        "priya.nair@example.com",
        "rahul.menon@example.com",
    ]
    to_priya = EmailMessage.objects.get(to_email="priya.nair@example.com")
    assert to_priya.subject == "Meet your mentor, Aisha Rahman"
    assert "aisha.rahman@example.com" in to_priya.body_text  # how to reach the mentor
    assert to_priya.scope == cohort.programme.notification_scope
    assert _audits("mentoring.publish") == [{"run": 1, "pairs": 3}]
    published = AuditEntry.objects.get(action="mentoring.publish")
    assert (published.actor, published.programme_id) == (programme_admin, cohort.programme_id)


def test_run_publish_discards_the_cohorts_other_previews(cohort, people, programme_admin):
    older = _run(cohort, programme_admin, mode=MatchingMode.STABLE)
    run = _run(cohort, programme_admin)
    elsewhere = _run(CohortFactory(programme=cohort.programme), programme_admin)

    services.run_publish(run=run, actor=programme_admin)

    statuses = dict(MatchingRun.objects.values_list("pk", "status"))
    assert statuses == {
        older.pk: RunStatus.DISCARDED,
        run.pk: RunStatus.PUBLISHED,
        elsewhere.pk: RunStatus.PREVIEW,
    }
    assert not Pairing.objects.filter(run=older).exists()
    with pytest.raises(services.MentoringError, match=STALE):
        services.run_publish(run=older, actor=programme_admin)
    # Published once: a second publish is refused and introduces nobody again.
    with pytest.raises(services.MentoringError, match=STALE):
        services.run_publish(run=run, actor=programme_admin)
    assert Notification.objects.filter(kind="mentoring.introduced").count() == 6


def test_run_publish_skips_a_mentee_paired_or_gone_meanwhile(cohort, people, programme_admin):
    run = _run(cohort, programme_admin)
    # Priya got a mentor by another way meanwhile; Daniel's seat is gone.
    zara = _mentor(cohort.programme, "Zara Hassan")
    PairingFactory(cohort=cohort, mentee=people["priya"], mentor=zara)
    daniel = _pairing(run, people["daniel"])
    daniel.mentee.participations.all().delete()

    assert services.run_publish(run=run, actor=programme_admin) == 1

    assert _active() == [("Priya Nair", "Zara Hassan"), ("Rahul Menon", "Ben Ong")]
    assert not Pairing.objects.filter(
        run=run, mentee__in=[people["priya"], people["daniel"]]
    ).exists()
    assert sorted(r for r, _ in _notified("mentoring.introduced")) == [
        "ben.ong@example.com",
        "rahul.menon@example.com",
    ]


@pytest.mark.parametrize("change", ["forbidden", "left the team"])
def test_run_publish_skips_a_pair_forbidden_or_a_mentor_gone_since_the_preview(
    cohort, people, programme_admin, change
):
    run = _run(cohort, programme_admin)
    if change == "forbidden":
        services.forbidden_pair_add(
            programme=cohort.programme,
            mentor=people["ben"],
            mentee=people["rahul"],
            source=ForbiddenSource.ADMIN,
            reason="Line manager",
            actor=programme_admin,
        )
    else:
        ProgrammeRole.objects.filter(user=people["ben"].user).delete()

    assert services.run_publish(run=run, actor=programme_admin) == 2

    assert _active() == [("Daniel Goh", "Aisha Rahman"), ("Priya Nair", "Aisha Rahman")]
    run.refresh_from_db()
    assert run.summary["published"] == 2
    assert run.summary["unmatched"][str(people["rahul"].pk)] == (
        "The pair with Ben Ong was forbidden, or they stopped mentoring, before this run was "
        "published."
    )
    assert "ben.ong@example.com" not in _mailed("mentoring.introduced")


def test_run_publish_keeps_a_mentor_within_capacity_across_cohorts(
    programme, cohort, programme_admin
):
    """Xavier mentors in two cohorts and takes two; each cohort's run gives him two mentees.
    The second published gives him none, and says why."""
    _mentor(programme, "Xavier Tan", capacity=2)
    spring = CohortFactory(programme=programme, name="Spring intake")
    ours = [_mentee(cohort, f"Main {n}") for n in range(2)]
    theirs = [_mentee(spring, f"Spring {n}") for n in range(2)]
    main_run, spring_run = _run(cohort, programme_admin), _run(spring, programme_admin)
    assert len(_proposed(main_run)) == len(_proposed(spring_run)) == 2

    assert services.run_publish(run=spring_run, actor=programme_admin) == 2
    assert services.run_publish(run=main_run, actor=programme_admin) == 0

    assert _active() == [("Spring 0", "Xavier Tan"), ("Spring 1", "Xavier Tan")]
    main_run.refresh_from_db()
    assert main_run.summary["published"] == 0
    assert main_run.summary["unmatched"] == {
        str(m.pk): "Xavier Tan's places were taken before this run was published." for m in ours
    }
    assert {p.mentee for p in Pairing.objects.filter(status="active")} == set(theirs)


def test_run_publish_respects_the_introduction_preference(cohort, people, programme_admin):
    notification_services.preference_set(
        user=people["priya"],
        kind="mentoring.introduced",
        is_email_enabled=False,
        is_in_app_enabled=True,
    )
    services.run_publish(run=_run(cohort, programme_admin), actor=programme_admin)
    assert "priya.nair@example.com" not in _mailed("mentoring.introduced")
    assert ("priya.nair@example.com", "Aisha Rahman is your mentor in Main intake.") in _notified(
        "mentoring.introduced"
    )


def test_a_mentee_whose_pairing_ended_can_be_matched_again(cohort, people, programme_admin):
    services.run_publish(run=_run(cohort, programme_admin), actor=programme_admin)
    priya = Pairing.objects.get(mentee=people["priya"])
    services.pairing_end(pairing=priya, reason="Different goals", actor=people["priya"])

    again = _run(cohort, programme_admin)
    assert again.summary["mentees"] == 3  # Priya, Siti and Farid
    # Aisha has a free place again, and Priya still wishes for her.
    assert _proposed(again) == [("Priya Nair", "Aisha Rahman")]
    services.run_publish(run=again, actor=programme_admin)
    assert Pairing.objects.filter(mentee=people["priya"], status="active").count() == 1
    assert Pairing.objects.filter(mentee=people["priya"], status="ended").count() == 1


# --- ending a pairing --------------------------------------------------------------------------


@pytest.fixture
def pairing(programme, cohort):
    """Aisha mentors Priya, introduced a week ago."""
    return PairingFactory(
        cohort=cohort,
        mentor=_mentor(programme, "Aisha Rahman"),
        mentee=_mentee(cohort, "Priya Nair"),
    )


@pytest.mark.parametrize(
    ("side", "told"),
    [
        ("mentor", ["priya.nair@example.com"]),
        ("mentee", ["aisha.rahman@example.com"]),
        ("admin", ["aisha.rahman@example.com", "priya.nair@example.com"]),
    ],
)
def test_pairing_end_by_each_side_tells_the_others(pairing, programme_admin, side, told):
    actor = {"mentor": pairing.mentor.user, "mentee": pairing.mentee, "admin": programme_admin}[
        side
    ]
    ended = services.pairing_end(
        pairing=pairing, reason="  Moved to another team. ", actor=actor, by_admin=side == "admin"
    )

    ended.refresh_from_db()
    assert (ended.status, ended.ended_by, ended.end_reason) == (
        PairingStatus.ENDED,
        actor,
        "Moved to another team.",
    )
    assert ended.ended_at is not None
    assert [r for r, _ in _notified("mentoring.ended")] == told
    assert _mailed("mentoring.ended") == told
    assert _audits("mentoring.end") == [{"by": side}]


def test_pairing_end_twice_is_refused(pairing):
    services.pairing_end(pairing=pairing, reason="Done", actor=pairing.mentee)
    with pytest.raises(services.MentoringError, match="already ended"):
        services.pairing_end(pairing=pairing, reason="Done", actor=pairing.mentor.user)
    assert Notification.objects.filter(kind="mentoring.ended").count() == 1


def test_pairing_end_needs_a_side_and_a_reason(pairing, outsider):
    with pytest.raises(services.MentoringError, match="Only the mentor, the mentee or an admin"):
        services.pairing_end(pairing=pairing, reason="Curious", actor=outsider)
    with pytest.raises(services.MentoringError, match="Say why"):
        services.pairing_end(pairing=pairing, reason="   ", actor=pairing.mentee)
    assert Pairing.objects.get().status == PairingStatus.ACTIVE


def _join(cohort):
    """An applicant accepts their offer through selection's real flow (participant_joined),
    then states their mentoring preferences."""
    offer = OfferFactory(application__cohort=cohort)
    participant = selection_services.offer_accept(offer=offer, user=offer.application.applicant)
    MenteePreferenceFactory(cohort=cohort, user=participant.user)
    return participant


def test_leaving_the_cohort_ends_the_pairing_and_frees_the_place(
    programme, cohort, programme_admin
):
    xavier = _mentor(programme, "Xavier Tan", capacity=1)
    leaver = _join(cohort)
    PairingFactory(cohort=cohort, mentor=xavier, mentee=leaver.user)
    stays = _join(cohort)

    application_services.application_withdraw(
        application=leaver.application, actor=leaver.user, reason="New job"
    )

    pairing = Pairing.objects.get(mentee=leaver.user)
    assert (pairing.status, pairing.end_reason) == (
        PairingStatus.ENDED,
        "The mentee left the cohort.",
    )
    assert pairing.ended_at is not None
    # The mentor is told; the mentee, who left, is not written to about mentoring.
    told = Notification.objects.filter(kind="mentoring.ended")
    assert [n.recipient_id for n in told] == [xavier.user_id]
    assert "has ended" in told.get().text
    ended = AuditEntry.objects.get(action="mentoring.end", target_id=str(pairing.pk))
    assert (ended.actor, ended.programme_id, ended.data) == (
        None,
        programme.pk,
        {"reason": "mentee_left"},
    )
    run = _run(cohort, programme_admin)
    assert run.summary["mentees"] == 1 and run.summary["places"] == 1
    assert Pairing.objects.get(run=run).mentee == stays.user


def test_leaving_the_cohort_takes_the_mentee_out_of_a_preview(programme, cohort, programme_admin):
    _mentor(programme, "Xavier Tan", capacity=2)
    leaver, stays = _join(cohort), _join(cohort)
    run = _run(cohort, programme_admin)
    assert Pairing.objects.filter(run=run).count() == 2

    application_services.application_withdraw(
        application=leaver.application, actor=leaver.user, reason="New job"
    )

    assert list(Pairing.objects.filter(run=run).values_list("mentee", flat=True)) == [stays.user_id]
    assert services.run_publish(run=run, actor=programme_admin) == 1


# --- sessions ----------------------------------------------------------------------------------


def _log(pairing, actor, **kwargs):
    values = {
        "held_on": _days_ago(2),
        "minutes": 45,
        "mode": SessionMode.VIDEO,
        "topics": " Model serving ",
        "summary": " Walked through a FastAPI model server. ",
        "private_notes": " Needs confidence with Docker. ",
        **kwargs,
    }
    return services.session_log(pairing=pairing, actor=actor, **values)


def test_session_log_by_the_mentor_counts_and_asks_the_mentee_to_rate(pairing):
    session, created = _log(pairing, pairing.mentor.user)

    assert created
    assert (session.logged_by, session.mentor_confirmed, session.attended) == (
        LoggedBy.MENTOR,
        True,
        None,
    )
    assert (session.topics, session.summary, session.private_notes) == (
        "Model serving",
        "Walked through a FastAPI model server.",
        "Needs confidence with Docker.",
    )
    assert (session.minutes, session.created_by) == (45, pairing.mentor.user)
    pairing.refresh_from_db()
    assert pairing.last_session_on == _days_ago(2)
    held = _days_ago(2).strftime("%-d %B %Y")
    assert _notified("mentoring.session_logged") == [
        ("priya.nair@example.com", f"Rate your session of {held} with Aisha Rahman.")
    ]
    # An older session does not move the last session back.
    _log(pairing, pairing.mentor.user, held_on=_days_ago(5))
    pairing.refresh_from_db()
    assert pairing.last_session_on == _days_ago(2)


def test_session_log_by_the_mentee_waits_for_the_mentor_and_has_no_private_notes(pairing):
    session, created = _log(pairing, pairing.mentee)

    assert created
    assert (session.logged_by, session.mentor_confirmed, session.attended) == (
        LoggedBy.MENTEE,
        False,
        True,
    )
    assert session.private_notes == ""
    assert not session.counts
    pairing.refresh_from_db()
    assert pairing.last_session_on is None
    held = _days_ago(2).strftime("%-d %B %Y")
    assert _notified("mentoring.session_logged") == [
        ("aisha.rahman@example.com", f"Priya Nair logged a session of {held}: confirm it.")
    ]

    confirmed = services.session_confirm(session=session, actor=pairing.mentor.user)
    assert confirmed.mentor_confirmed and confirmed.counts
    pairing.refresh_from_db()
    assert pairing.last_session_on == _days_ago(2)
    # Confirming twice does no harm.
    services.session_confirm(session=session, actor=pairing.mentor.user)
    assert MentoringSession.objects.get().mentor_confirmed


def test_session_confirm_only_by_the_mentor(pairing, outsider):
    session, _ = _log(pairing, pairing.mentee)
    for person in (pairing.mentee, outsider):
        with pytest.raises(services.MentoringError, match="Only the mentor confirms"):
            services.session_confirm(session=session, actor=person)
    assert not MentoringSession.objects.get().mentor_confirmed


def test_session_log_refuses_a_date_in_the_future(pairing):
    with pytest.raises(services.MentoringError, match="the date is in the future"):
        _log(
            pairing, pairing.mentor.user, held_on=timezone.localdate() + datetime.timedelta(days=1)
        )
    _log(pairing, pairing.mentor.user, held_on=timezone.localdate())
    assert MentoringSession.objects.count() == 1


def test_session_log_refuses_a_date_before_the_pairing(pairing):
    """Introduced seven days ago: a day's leeway for time zones, no more."""
    with pytest.raises(services.MentoringError, match="before the two of you were paired"):
        _log(pairing, pairing.mentor.user, held_on=_days_ago(9))
    _log(pairing, pairing.mentor.user, held_on=_days_ago(8))
    assert MentoringSession.objects.count() == 1


def test_session_log_refuses_an_ended_pairing(pairing):
    services.pairing_end(pairing=pairing, reason="Done", actor=pairing.mentee)
    for person in (pairing.mentor.user, pairing.mentee):
        with pytest.raises(services.MentoringError, match="has ended"):
            _log(pairing, person)
    assert not MentoringSession.objects.exists()


def test_session_log_refuses_anyone_but_the_two(pairing, programme_admin, outsider):
    other_mentor = _mentor(pairing.cohort.programme, "Ben Ong")
    for person in (outsider, programme_admin, other_mentor.user):
        with pytest.raises(services.MentoringError, match="Only the mentor or the mentee"):
            _log(pairing, person)
    assert not MentoringSession.objects.exists()


def test_session_log_twice_with_one_submission_makes_one_row(pairing):
    submission = uuid.uuid4()
    first, created = _log(pairing, pairing.mentor.user, submission_id=submission)
    again, created_again = _log(
        pairing, pairing.mentor.user, submission_id=submission, minutes=90, topics="Other"
    )

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk and again.minutes == 45
    assert MentoringSession.objects.get().submission_id == submission
    assert Notification.objects.filter(kind="mentoring.session_logged").count() == 1
    # The same form cannot be replayed on another pairing.
    other = PairingFactory(cohort=pairing.cohort, mentor=pairing.mentor)
    with pytest.raises(services.MentoringError, match="already used for another pairing"):
        _log(other, pairing.mentor.user, submission_id=submission)


def test_session_feedback_once_with_a_rating(pairing):
    session, _ = _log(pairing, pairing.mentor.user)

    rated = services.session_feedback(
        session=session, actor=pairing.mentee, attended=True, rating=4, comment="  Very useful. "
    )

    assert (rated.attended, rated.rating, rated.feedback) == (True, 4, "Very useful.")
    assert rated.feedback_at is not None and rated.counts
    with pytest.raises(services.MentoringError, match="already given your feedback"):
        services.session_feedback(
            session=session, actor=pairing.mentee, attended=True, rating=1, comment="Changed"
        )
    assert MentoringSession.objects.values_list("rating", "feedback").get() == (4, "Very useful.")


@pytest.mark.parametrize("rating", [None, 0, 6, -1])
def test_session_feedback_refuses_a_rating_out_of_range(pairing, rating):
    session, _ = _log(pairing, pairing.mentor.user)
    with pytest.raises(services.MentoringError, match="from 1 to 5"):
        services.session_feedback(
            session=session, actor=pairing.mentee, attended=True, rating=rating
        )
    assert MentoringSession.objects.get().feedback_at is None


@pytest.mark.parametrize("rating", [None, 3])
def test_session_feedback_not_attended_needs_no_rating_and_keeps_none(pairing, rating):
    session, _ = _log(pairing, pairing.mentor.user)
    absent = services.session_feedback(
        session=session, actor=pairing.mentee, attended=False, rating=rating, comment="Ill"
    )
    assert (absent.attended, absent.rating, absent.feedback) == (False, None, "Ill")
    assert not absent.counts


def test_session_feedback_only_by_the_mentee(pairing, outsider):
    session, _ = _log(pairing, pairing.mentor.user)
    for person in (pairing.mentor.user, outsider):
        with pytest.raises(services.MentoringError, match="Only the mentee"):
            services.session_feedback(session=session, actor=person, attended=True, rating=5)
    assert MentoringSession.objects.get().feedback_at is None


# --- nudges ------------------------------------------------------------------------------------


@pytest.fixture
def quiet(programme, cohort):
    """Aisha and Priya, introduced 15 days ago, no session since."""
    return PairingFactory(
        cohort=cohort,
        mentor=_mentor(programme, "Aisha Rahman"),
        mentee=_mentee(cohort, "Priya Nair"),
        started_at=timezone.now() - datetime.timedelta(days=15),
    )


def _admins(programme, other_programme):
    """Two admins of the programme, one whose account is closed, and another programme's."""
    ProgrammeRoleFactory(
        programme=programme,
        role=RoleKind.PROGRAMME_ADMIN,
        user=UserFactory(email="second.admin@example.com", display_name="Second Admin"),
    )
    ProgrammeRoleFactory(
        programme=programme,
        role=RoleKind.PROGRAMME_ADMIN,
        user=UserFactory(email="closed.admin@example.com", is_active=False),
    )
    ProgrammeRoleFactory(
        programme=other_programme,
        role=RoleKind.PROGRAMME_ADMIN,
        user=UserFactory(email="other.admin@example.com"),
    )


def test_pairings_nudge_reminds_both_sides_once_per_gap(quiet):
    assert services.pairings_nudge() == {"nudge": 1}

    assert _notified("mentoring.nudge") == [
        ("aisha.rahman@example.com", "No session with Priya Nair for 15 days: time to set one up?"),
        ("priya.nair@example.com", "No session with Aisha Rahman for 15 days: time to set one up?"),
    ]
    assert _mailed("mentoring.nudge") == ["aisha.rahman@example.com", "priya.nair@example.com"]
    quiet.refresh_from_db()
    assert quiet.nudged_14_for == quiet.gap_start == _days_ago(15)
    # Every hour after that, nothing more for this gap.
    assert services.pairings_nudge() == {}
    assert services.pairings_nudge(today=timezone.localdate() + datetime.timedelta(days=5)) == {}
    assert Notification.objects.filter(kind="mentoring.nudge").count() == 2


def test_pairings_nudge_waits_for_fourteen_days(programme, cohort):
    PairingFactory(
        cohort=cohort,
        mentor=_mentor(programme, "Aisha Rahman"),
        started_at=timezone.now() - datetime.timedelta(days=13),
    )
    recent = PairingFactory(
        cohort=cohort,
        mentor=_mentor(programme, "Ben Ong"),
        started_at=timezone.now() - datetime.timedelta(days=60),
        last_session_on=_days_ago(13),
    )
    assert services.pairings_nudge() == {}
    assert not Notification.objects.exists()
    assert services.pairings_nudge(today=timezone.localdate() + datetime.timedelta(days=1)) == {
        "nudge": 2
    }
    recent.refresh_from_db()
    assert recent.nudged_14_for == _days_ago(13)


def test_pairings_nudge_tells_the_programmes_admins_at_28_days_once(
    quiet, programme, other_programme, programme_admin
):
    _admins(programme, other_programme)
    services.pairings_nudge()  # the 14-day reminder
    later = timezone.localdate() + datetime.timedelta(days=13)  # 28 days quiet

    assert services.pairings_nudge(today=later) == {"stalled": 1}

    assert _notified("mentoring.stalled") == [
        ("programme.admin@example.com", "Aisha Rahman and Priya Nair: no session for 28 days."),
        ("second.admin@example.com", "Aisha Rahman and Priya Nair: no session for 28 days."),
    ]
    stalled = Notification.objects.filter(kind="mentoring.stalled").first()
    assert stalled.url == f"/programmes/{programme.slug}/mentoring/?stalled=1"
    assert Notification.objects.filter(kind="mentoring.nudge").count() == 2  # not again
    assert services.pairings_nudge(today=later + datetime.timedelta(days=3)) == {}
    quiet.refresh_from_db()
    assert quiet.nudged_28_for == _days_ago(15)


def test_pairings_nudge_after_a_long_silence_sends_both_at_once(quiet, programme_admin):
    later = timezone.localdate() + datetime.timedelta(days=20)
    assert services.pairings_nudge(today=later) == {"nudge": 1, "stalled": 1}
    assert _notified("mentoring.stalled") == [
        ("programme.admin@example.com", "Aisha Rahman and Priya Nair: no session for 35 days.")
    ]


def test_a_new_session_starts_a_new_gap(quiet, programme_admin):
    later = timezone.localdate() + datetime.timedelta(days=13)
    services.pairings_nudge(today=later)
    assert Notification.objects.filter(kind="mentoring.nudge").count() == 2

    _log(quiet, quiet.mentor.user, held_on=timezone.localdate())

    # Quiet again for 14 days after the session: one new reminder, then the admins at 28.
    assert services.pairings_nudge(today=later) == {}
    back = timezone.localdate() + datetime.timedelta(days=14)
    assert services.pairings_nudge(today=back) == {"nudge": 1}
    assert services.pairings_nudge(today=back) == {}
    assert Notification.objects.filter(kind="mentoring.nudge").count() == 4
    assert services.pairings_nudge(today=back + datetime.timedelta(days=14)) == {"stalled": 1}
    assert Notification.objects.filter(kind="mentoring.stalled").count() == 2


def test_a_session_the_mentor_has_not_confirmed_does_not_end_the_gap(quiet):
    _log(quiet, quiet.mentee, held_on=timezone.localdate())
    assert services.pairings_nudge() == {"nudge": 1}


def test_pairings_nudge_respects_notification_preferences(quiet, programme_admin):
    notification_services.preference_set(
        user=quiet.mentee, kind="mentoring.nudge", is_email_enabled=False, is_in_app_enabled=True
    )
    notification_services.preference_set(
        user=quiet.mentor.user,
        kind="mentoring.nudge",
        is_email_enabled=False,
        is_in_app_enabled=False,
    )
    notification_services.preference_set(
        user=programme_admin,
        kind="mentoring.stalled",
        is_email_enabled=False,
        is_in_app_enabled=True,
    )

    assert services.pairings_nudge(today=timezone.localdate() + datetime.timedelta(days=13)) == {
        "nudge": 1,
        "stalled": 1,
    }

    assert [r for r, _ in _notified("mentoring.nudge")] == ["priya.nair@example.com"]
    assert _mailed("mentoring.nudge") == []
    assert [r for r, _ in _notified("mentoring.stalled")] == ["programme.admin@example.com"]
    assert _mailed("mentoring.stalled") == []


def test_pairings_nudge_ignores_ended_and_proposed_pairings(quiet, cohort, programme_admin):
    services.pairing_end(pairing=quiet, reason="Done", actor=quiet.mentee)
    PairingFactory(
        cohort=cohort,
        mentor=quiet.mentor,
        status=PairingStatus.PROPOSED,
        started_at=None,
    )
    assert services.pairings_nudge(today=timezone.localdate() + datetime.timedelta(days=30)) == {}
    assert not Notification.objects.filter(
        kind__in=["mentoring.nudge", "mentoring.stalled"]
    ).exists()


# --- races on PostgreSQL -----------------------------------------------------------------------


def _race(target, args_list):
    """Run `target(*args)` for each args in threads that start together; return what each
    returned or the message of the MentoringError it raised."""
    barrier = threading.Barrier(len(args_list))
    outcomes: list = []
    lock = threading.Lock()

    def run(*args):
        try:
            barrier.wait()
            outcome = target(*args)
        except services.MentoringError as exc:
            outcome = str(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _crowd(programme, cohort, mentees: int):
    """Four mentors taking three each, and `mentees` participants who suit them."""
    for n in range(4):
        _mentor(programme, f"Mentor {n}", capacity=3)
    return [_mentee(cohort, f"Mentee {n}") for n in range(mentees)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_publishing_one_run_introduce_each_pair_once(programme_admin):
    cohort = CohortFactory()
    _crowd(cohort.programme, cohort, 10)
    run = _run(cohort, programme_admin)

    outcomes = _race(lambda: services.run_publish(run=run, actor=programme_admin), [(), ()])

    assert sorted(outcomes, key=str) == [10, STALE]
    assert Pairing.objects.filter(status="active").count() == 10
    assert Notification.objects.filter(kind="mentoring.introduced").count() == 20
    assert EmailMessage.objects.filter(kind="mentoring.introduced").count() == 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_of_a_cohort_published_at_once_give_no_mentee_two_mentors(programme_admin):
    cohort = CohortFactory()
    _crowd(cohort.programme, cohort, 10)
    first = _run(cohort, programme_admin, mode=MatchingMode.OPTIMAL)
    second = _run(cohort, programme_admin, mode=MatchingMode.STABLE)

    outcomes = _race(
        lambda run: services.run_publish(run=run, actor=programme_admin), [(first,), (second,)]
    )

    assert sorted(outcomes, key=str) == [10, STALE]
    active = Pairing.objects.filter(status="active")
    assert active.count() == 10
    assert active.values("mentee").distinct().count() == 10
    assert set(MatchingRun.objects.values_list("status", flat=True)) == {
        RunStatus.PUBLISHED,
        RunStatus.DISCARDED,
    }
    assert Notification.objects.filter(kind="mentoring.introduced").count() == 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_submissions_of_one_session_form_make_one_row():
    pairing = PairingFactory()
    submission = uuid.uuid4()
    held_on = _days_ago(1)

    outcomes = _race(
        lambda: services.session_log(
            pairing=pairing,
            actor=pairing.mentor.user,
            held_on=held_on,
            minutes=60,
            mode=SessionMode.VIDEO,
            submission_id=submission,
        ),
        [()] * 10,
    )

    assert sorted(created for _, created in outcomes) == [False] * 9 + [True]
    assert len({session.pk for session, _ in outcomes}) == 1
    assert MentoringSession.objects.count() == 1
    assert Notification.objects.filter(kind="mentoring.session_logged").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_nudge_runs_at_once_send_each_reminder_once():
    cohort = CohortFactory()
    ProgrammeRoleFactory(programme=cohort.programme, role=RoleKind.PROGRAMME_ADMIN)
    for n in range(8):
        PairingFactory(
            cohort=cohort,
            started_at=timezone.now() - datetime.timedelta(days=15 + 2 * n),
        )

    outcomes = _race(services.pairings_nudge, [(), ()])

    # Pairings quiet for 15–29 days: all get the 14-day reminder, the last one also the 28-day.
    assert sum((o["nudge"] for o in outcomes), 0) == 8
    assert sum((o["stalled"] for o in outcomes), 0) == 1
    assert Notification.objects.filter(kind="mentoring.nudge").count() == 16
    assert Notification.objects.filter(kind="mentoring.stalled").count() == 1
    assert EmailMessage.objects.filter(kind="mentoring.nudge").count() == 16


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_cohorts_published_at_once_keep_a_shared_mentor_within_capacity(programme_admin):
    """Four mentors taking three each serve two cohorts of twelve: each cohort's run proposes
    every place. Published at once, one run introduces twelve pairs and the other none."""
    first = CohortFactory()
    second = CohortFactory(programme=first.programme)
    _crowd(first.programme, first, 12)
    for n in range(12):
        _mentee(second, f"Second {n}")
    runs = [_run(first, programme_admin), _run(second, programme_admin)]
    assert [len(_proposed(run)) for run in runs] == [12, 12]

    outcomes = _race(
        lambda run: services.run_publish(run=run, actor=programme_admin), [(r,) for r in runs]
    )

    assert sorted(outcomes) == [0, 12]
    loads = Counter(
        Pairing.objects.filter(status="active").values_list("mentor__user__display_name", flat=True)
    )
    assert loads == {f"Mentor {n}": 3 for n in range(4)}
    assert Notification.objects.filter(kind="mentoring.introduced").count() == 24


def test_a_conflict_the_mentor_declares_is_never_paired(programme, cohort, programme_admin):
    xavier = _mentor(programme, "Xavier Tan", capacity=2)
    relative = _join(cohort)
    other = _join(cohort)
    assert services.conflict_declare(
        profile=xavier, email=relative.user.email.upper(), reason="My cousin", actor=xavier.user
    )
    assert not services.conflict_declare(
        profile=xavier, email="not-a-participant@example.com", reason="x", actor=xavier.user
    )
    pair = ForbiddenPair.objects.get()
    assert (pair.mentee, pair.source, pair.created_by) == (
        relative.user,
        ForbiddenSource.CONFLICT,
        xavier.user,
    )
    run = _run(cohort, programme_admin)
    assert list(Pairing.objects.filter(run=run).values_list("mentee_id", flat=True)) == [
        other.user_id
    ]
    assert str(relative.user_id) in run.summary["unmatched"]
