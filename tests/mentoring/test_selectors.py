"""Mentoring selectors: a mentor sees only their mentees, a mentee only their mentors, nobody
another programme's pairs or a run's unpublished proposals; figures per pairing; one query per
list whatever its length."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from mentoring import selectors
from mentoring.enums import PairingStatus, RunStatus
from programmes import services as programme_services
from programmes.enums import RoleKind
from programmes.models import ProgrammeRole
from tests.factories import (
    CohortFactory,
    ForbiddenPairFactory,
    MatchingRunFactory,
    MentoringSessionFactory,
    MentorProfileFactory,
    PairingFactory,
    ParticipantFactory,
    ProgrammeRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="Main intake")


@pytest.fixture
def profile(programme, mentor):
    """The `mentor` persona's profile in the programme."""
    return MentorProfileFactory(programme=programme, user=mentor)


def _pairs(cohort, profile, count: int, **kwargs):
    return [PairingFactory(cohort=cohort, mentor=profile, **kwargs) for _ in range(count)]


@pytest.fixture
def elsewhere(other_programme):
    """Another programme's pairing, with a session and private notes."""
    pairing = PairingFactory(cohort=CohortFactory(programme=other_programme))
    MentoringSessionFactory(pairing=pairing, private_notes="Not for anyone else.")
    return pairing


# --- a mentor's and a mentee's pairings ----------------------------------------------------------


def test_pairings_as_mentor_lists_only_their_active_mentees(
    cohort, profile, mentor, elsewhere, programme
):
    mine = _pairs(cohort, profile, 2)
    PairingFactory(cohort=cohort, mentor=profile, status=PairingStatus.ENDED)
    PairingFactory(cohort=cohort, mentor=profile, status=PairingStatus.PROPOSED, started_at=None)
    PairingFactory(cohort=cohort)  # another mentor's

    assert sorted(p.pk for p in selectors.pairings_as_mentor(user=mentor)) == sorted(
        p.pk for p in mine
    )
    assert list(selectors.pairings_as_mentor(user=elsewhere.mentee)) == []


def test_pairings_as_mentor_quietest_first_with_figures(cohort, profile, mentor):
    today = timezone.localdate()
    recent, quiet, new = _pairs(cohort, profile, 3)
    MentoringSessionFactory(pairing=recent, held_on=today - datetime.timedelta(days=2), rating=4)
    MentoringSessionFactory(pairing=recent, held_on=today - datetime.timedelta(days=4), rating=2)
    # Logged by the mentee and not confirmed; and one the mentee says they missed.
    MentoringSessionFactory(pairing=recent, mentor_confirmed=False, logged_by="mentee")
    MentoringSessionFactory(pairing=recent, attended=False, feedback_at=timezone.now())
    MentoringSessionFactory(pairing=quiet, held_on=today - datetime.timedelta(days=6))
    for pairing, last in ((recent, 2), (quiet, 6)):
        pairing.last_session_on = today - datetime.timedelta(days=last)
        pairing.save()
    new.started_at = timezone.now() - datetime.timedelta(days=1)
    new.save()

    listed = list(selectors.pairings_as_mentor(user=mentor))

    assert [p.pk for p in listed] == [quiet.pk, recent.pk, new.pk]
    figures = {
        p.pk: (p.session_count, p.last_held, p.average_rating, p.awaiting_confirmation)
        for p in listed
    }
    assert figures == {
        recent.pk: (2, today - datetime.timedelta(days=2), 3.0, 1),
        quiet.pk: (1, today - datetime.timedelta(days=6), None, 0),
        new.pk: (0, None, None, 0),
    }
    assert [selectors.days_quiet(p) for p in listed] == [6, 2, 1]


def test_pairings_as_mentee_active_first_never_a_proposal(cohort, programme, participant):
    own_cohort = participant.participations.get().cohort
    ended = PairingFactory(
        cohort=own_cohort,
        mentee=participant,
        status=PairingStatus.ENDED,
        started_at=timezone.now() - datetime.timedelta(days=60),
    )
    active = PairingFactory(cohort=own_cohort, mentee=participant)
    PairingFactory(
        cohort=own_cohort, mentee=participant, status=PairingStatus.PROPOSED, started_at=None
    )
    assert [p.pk for p in selectors.pairings_as_mentee(user=participant)] == [active.pk, ended.pk]


def test_pairing_get_for_user_only_for_its_two_sides(
    cohort, profile, mentor, programme_admin, outsider, elsewhere
):
    pairing = PairingFactory(cohort=cohort, mentor=profile)
    other_mentor = MentorProfileFactory(programme=cohort.programme).user

    assert selectors.pairing_get_for_user(user=mentor, pairing_id=pairing.pk) == pairing
    assert selectors.pairing_get_for_user(user=pairing.mentee, pairing_id=pairing.pk) == pairing
    for person in (outsider, other_mentor, programme_admin, elsewhere.mentee, AnonymousUser()):
        assert selectors.pairing_get_for_user(user=person, pairing_id=pairing.pk) is None
    # The two sides of another programme's pair see nothing of this one, and vice versa.
    assert selectors.pairing_get_for_user(user=mentor, pairing_id=elsewhere.pk) is None


def test_a_mentor_whose_role_was_revoked_no_longer_sees_their_mentees(
    programme, programme_admin, cohort, profile, mentor
):
    pairing = PairingFactory(cohort=cohort, mentor=profile)
    assert [p.pk for p in selectors.pairing_list_for_user(user=mentor)] == [pairing.pk]
    grant = ProgrammeRole.objects.get(user=mentor, programme=programme, role=RoleKind.MENTOR)
    programme_services.programme_role_revoke(grant=grant, revoked_by=programme_admin)
    assert list(selectors.pairing_list_for_user(user=mentor)) == []
    assert selectors.pairing_get_for_user(user=mentor, pairing_id=pairing.pk) is None
    # Their mentee still sees the pairing.
    assert [p.pk for p in selectors.pairing_list_for_user(user=pairing.mentee)] == [pairing.pk]
    assert selectors.pairing_get_for_user(user=pairing.mentee, pairing_id=pairing.pk) == pairing


def test_pairing_list_for_user_needs_the_role_in_the_pairings_own_programme(
    programme, other_programme, cohort, profile, mentor
):
    # A mentor of this programme who was a mentor of another one: only this one's mentees.
    here = PairingFactory(cohort=cohort, mentor=profile)
    there = PairingFactory(
        cohort=CohortFactory(programme=other_programme),
        mentor=MentorProfileFactory(programme=other_programme, user=mentor),
    )
    assert {p.pk for p in selectors.pairing_list_for_user(user=mentor)} == {here.pk}
    assert selectors.pairing_get_for_user(user=mentor, pairing_id=there.pk) is None
    ProgrammeRoleFactory(user=mentor, programme=other_programme, role=RoleKind.MENTOR)
    assert {p.pk for p in selectors.pairing_list_for_user(user=mentor)} == {here.pk, there.pk}


def test_pairing_get_for_user_hides_a_runs_proposal(cohort, profile, mentor):
    proposal = PairingFactory(
        cohort=cohort, mentor=profile, status=PairingStatus.PROPOSED, started_at=None
    )
    for person in (mentor, proposal.mentee):
        assert selectors.pairing_get_for_user(user=person, pairing_id=proposal.pk) is None


def test_session_list_is_the_pairings_own(cohort, profile, elsewhere):
    pairing = PairingFactory(cohort=cohort, mentor=profile)
    older = MentoringSessionFactory(
        pairing=pairing, held_on=timezone.localdate() - datetime.timedelta(days=9)
    )
    newer = MentoringSessionFactory(pairing=pairing)
    assert list(selectors.session_list(pairing=pairing)) == [newer, older]
    other_session = elsewhere.sessions.get()
    assert selectors.session_get(pairing=pairing, session_id=other_session.pk) is None
    assert selectors.session_get(pairing=pairing, session_id=newer.pk) == newer


# --- the programme's view ----------------------------------------------------------------------


def test_pairing_get_and_list_never_cross_programmes(programme, cohort, profile, elsewhere):
    pairing = PairingFactory(cohort=cohort, mentor=profile)
    PairingFactory(cohort=cohort, mentor=profile, status=PairingStatus.ENDED)

    assert selectors.pairing_get(programme=programme, pairing_id=pairing.pk) == pairing
    assert selectors.pairing_get(programme=programme, pairing_id=elsewhere.pk) is None
    assert [p.pk for p in selectors.pairing_list_for_programme(programme=programme)] == [pairing.pk]
    exported = selectors.pairing_list_export(programme=programme)
    assert sorted(p.status for p in exported) == [PairingStatus.ACTIVE, PairingStatus.ENDED]
    assert elsewhere.pk not in {p.pk for p in exported}


def test_pairing_list_for_programme_stalled_only(programme, cohort, profile):
    quiet = PairingFactory(
        cohort=cohort, mentor=profile, started_at=timezone.now() - datetime.timedelta(days=20)
    )
    PairingFactory(cohort=cohort, mentor=profile)  # introduced a week ago
    PairingFactory(
        cohort=cohort,
        mentor=profile,
        started_at=timezone.now() - datetime.timedelta(days=40),
        last_session_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    stalled = selectors.pairing_list_for_programme(programme=programme, stalled_only=True)
    assert [p.pk for p in stalled] == [quiet.pk]
    other_cohort = CohortFactory(programme=programme)
    assert (
        list(selectors.pairing_list_for_programme(programme=programme, cohort=other_cohort)) == []
    )


def test_runs_and_forbidden_pairs_never_cross_programmes(programme, other_programme, cohort):
    run = MatchingRunFactory(cohort=cohort)
    theirs = MatchingRunFactory(cohort=CohortFactory(programme=other_programme))
    ours_forbidden = ForbiddenPairFactory(mentor__programme=programme)
    ForbiddenPairFactory(mentor__programme=other_programme)

    assert selectors.run_get(programme=programme, run_id=run.pk) == run
    assert selectors.run_get(programme=programme, run_id=theirs.pk) is None
    assert list(selectors.run_list_for_programme(programme=programme)) == [run]
    assert list(selectors.forbidden_pairs(programme=programme)) == [ours_forbidden]


def test_run_pairings_of_a_preview_and_of_a_published_run(cohort, profile):
    run = MatchingRunFactory(cohort=cohort)
    proposed = PairingFactory(
        cohort=cohort, run=run, mentor=profile, status=PairingStatus.PROPOSED, score=4
    )
    assert list(selectors.run_pairings(run=run)) == [proposed]
    run.status = RunStatus.PUBLISHED
    run.save()
    ended = PairingFactory(
        cohort=cohort, run=run, mentor=profile, status=PairingStatus.ENDED, score=2
    )
    assert list(selectors.run_pairings(run=run)) == [proposed, ended]


def test_mentor_profile_list_counts_load_and_needs_the_role(programme, cohort, profile, mentor):
    _pairs(cohort, profile, 2)
    PairingFactory(cohort=cohort, mentor=profile, status=PairingStatus.ENDED)
    former = MentorProfileFactory(programme=programme)
    former.user.programme_roles.all().delete()
    MentorProfileFactory(programme=CohortFactory().programme)
    without = UserFactory()
    ProgrammeRoleFactory(user=without, programme=programme, role=RoleKind.MENTOR)

    listed = list(selectors.mentor_profile_list_for_programme(programme=programme))
    assert [(p.pk, p.load) for p in listed] == [(profile.pk, 2)]
    assert list(selectors.mentors_without_profile(programme=programme)) == [without]
    assert list(selectors.mentor_choices(programme=programme)) == listed


def test_unpaired_participants_and_has_mentoring(cohort, profile, mentor, outsider, participant):
    paired = PairingFactory(cohort=cohort, mentor=profile).mentee
    free = ParticipantFactory(application__cohort=cohort).user
    assert list(selectors.unpaired_participants(cohort=cohort)) == [free]
    assert paired != free
    assert selectors.has_mentoring(user=mentor)
    assert selectors.has_mentoring(user=participant)
    assert not selectors.has_mentoring(user=outsider)


# --- one query per list ------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_mentor_and_programme_lists_take_one_query(
    django_assert_num_queries, programme, cohort, profile, mentor, count
):
    for pairing in _pairs(cohort, profile, count):
        MentoringSessionFactory(pairing=pairing, rating=5)
        ForbiddenPairFactory(mentor=profile, programme=programme, mentee=pairing.mentee)
        MatchingRunFactory(cohort=cohort)

    with django_assert_num_queries(1):
        rows = [
            (p.mentee.email, p.cohort.programme.name, p.session_count, p.average_rating)
            for p in selectors.pairings_as_mentor(user=mentor)
        ]
    assert len(rows) == count
    with django_assert_num_queries(1):
        rows = [
            (p.mentee.email, p.mentor.user.email, p.cohort.name, p.session_count)
            for p in selectors.pairing_list_for_programme(programme=programme)
        ]
    assert len(rows) == count
    with django_assert_num_queries(1):
        rows = [
            (p.mentee.email, p.mentor.user.email, p.cohort.name, p.last_held)
            for p in selectors.pairing_list_export(programme=programme)
        ]
    assert len(rows) == count
    with django_assert_num_queries(1):
        rows = [
            (f.mentor.user.email, f.mentee.email)
            for f in selectors.forbidden_pairs(programme=programme)
        ]
    assert len(rows) == count
    with django_assert_num_queries(1):
        rows = [
            (r.cohort.name, r.number) for r in selectors.run_list_for_programme(programme=programme)
        ]
    assert len(rows) == count


@pytest.mark.parametrize("count", [1, 3])
def test_mentee_list_takes_one_query(django_assert_num_queries, participant, count):
    cohort = participant.participations.get().cohort
    for n in range(count):
        PairingFactory(
            cohort=cohort,
            mentee=participant,
            status=PairingStatus.ACTIVE if n == 0 else PairingStatus.ENDED,
        )
    with django_assert_num_queries(1):
        rows = [
            (p.mentor.user.email, p.cohort.programme.name, p.session_count)
            for p in selectors.pairings_as_mentee(user=participant)
        ]
    assert len(rows) == count
