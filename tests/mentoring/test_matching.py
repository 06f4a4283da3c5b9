import math
import random
from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from mentoring.matching import (
    ALLOWED_MENTORS_FULL,
    HAS_FREE_PLACE,
    NO_ALLOWED_MENTOR,
    MatchSummary,
    MenteeView,
    MentorView,
    ScoreParts,
    Weights,
    match_optimal,
    match_stable,
    preferences_from_scores,
    same_employer,
    score_all,
    score_pair,
    summarise,
    totals,
    unmatched_reason,
)

W = Weights()


def score(mentee: MenteeView, mentor: MentorView, *, language_required: bool = False):
    return score_pair(mentee, mentor, W, language_required=language_required)


def assert_valid(pairs, allowed, capacities):
    """Sorted, each mentee once, each mentor within capacity, only allowed pairs."""
    assert pairs == sorted(pairs)
    mentees = [mentee for mentee, _ in pairs]
    assert len(mentees) == len(set(mentees))
    for pair in pairs:
        assert pair in allowed
    for mentor in {mentor for _, mentor in pairs}:
        assert sum(1 for _, m in pairs if m == mentor) <= capacities.get(mentor, 0)


SCORE_VALUES = st.one_of(
    st.sampled_from([-2.0, -0.5, 0.0, 0.5, 1.0, 1.5, 3.0]),
    st.floats(-10, 10, allow_nan=False, allow_infinity=False),
)


@st.composite
def scored_instances(draw, max_mentees=5, max_mentors=3, values=SCORE_VALUES):
    mentees = range(1, draw(st.integers(0, max_mentees)) + 1)
    mentors = range(10, 10 + draw(st.integers(0, max_mentors)))
    capacities = {
        mentor: draw(st.integers(-1, 3)) for mentor in mentors if draw(st.integers(0, 5)) > 0
    }
    scores = {}
    for pair in product(mentees, mentors):
        value = draw(st.none() | values)
        if value is not None:
            scores[pair] = value
    return scores, capacities


# --- score_pair ------------------------------------------------------------------------------


def test_score_pair_adds_up_each_part():
    mentee = MenteeView(
        1,
        topics=frozenset({"llm", "mlops", "gpu"}),
        languages=frozenset({"en", "de"}),
        industry="finance",
        wishes=(7,),
    )
    mentor = MentorView(
        7,
        topics=frozenset({"llm", "gpu", "rag"}),
        languages=frozenset({"de"}),
        industries=frozenset({"finance", "retail"}),
    )

    parts = score(mentee, mentor)

    assert parts == ScoreParts(topics=3.0 * (2 / 3), language=2.0, industry=1.0, wish=2.0)
    assert parts.total == 3.0 * (2 / 3) + 2.0 + 1.0 + 2.0


def test_score_pair_nothing_in_common_scores_zero():
    parts = score(
        MenteeView(1, topics=frozenset({"llm"}), industry="retail"),
        MentorView(2, topics=frozenset({"sql"}), industries=frozenset({"finance"})),
    )

    assert parts == ScoreParts(0.0, 0.0, 0.0, 0.0)
    assert parts.total == 0.0


def test_score_pair_mentee_without_topics_scores_no_topics():
    parts = score(MenteeView(1), MentorView(2, topics=frozenset({"llm"})))

    assert parts is not None
    assert parts.topics == 0.0


def test_score_pair_empty_industry_matches_nothing():
    parts = score(MenteeView(1, industry=""), MentorView(2, industries=frozenset({""})))

    assert parts is not None
    assert parts.industry == 0.0


@pytest.mark.parametrize(
    ("wishes", "expected"),
    [
        ((5, 6, 7), 2.0),
        ((6, 5, 7), 2.0 * 0.66),
        ((6, 7, 5), 2.0 * 0.33),
        ((6, 7, 8, 5), 0.0),
        ((), 0.0),
    ],
)
def test_score_pair_wish_counts_by_rank(wishes, expected):
    parts = score(MenteeView(1, wishes=wishes), MentorView(5))

    assert parts is not None
    assert parts.wish == expected


@pytest.mark.parametrize(
    ("mentee_employer", "mentor_employer"),
    [("Acme", "acme"), ("  ACME Ltd ", "acme ltd"), ("Straße AG", "STRASSE AG")],
)
def test_score_pair_forbids_the_same_employer(mentee_employer, mentor_employer):
    assert (
        score(MenteeView(1, employer=mentee_employer), MentorView(2, employer=mentor_employer))
        is None
    )


@pytest.mark.parametrize(
    ("mentee_employer", "mentor_employer"),
    [("", ""), ("  ", ""), ("Acme", ""), ("Acme", "Acme Ltd")],
)
def test_score_pair_allows_empty_or_different_employers(mentee_employer, mentor_employer):
    assert (
        score(MenteeView(1, employer=mentee_employer), MentorView(2, employer=mentor_employer))
        is not None
    )


def test_same_employer_rule():
    assert same_employer(" Acme ", "ACME")
    assert not same_employer("", "")
    assert not same_employer("Acme", "Acme Inc")


def test_score_pair_forbids_a_mentor_the_mentee_avoids():
    mentee = MenteeView(1, avoid=frozenset({2}), wishes=(2,))

    assert score(mentee, MentorView(2)) is None
    assert score(mentee, MentorView(3)) is not None


def test_score_pair_language_required_forbids_no_shared_language():
    mentee = MenteeView(1, languages=frozenset({"fr"}))
    mentor = MentorView(2, languages=frozenset({"en"}))

    assert score(mentee, mentor, language_required=True) is None
    assert score(mentee, mentor, language_required=False) == ScoreParts(0.0, 0.0, 0.0, 0.0)
    # A mentee who named no language is not held to the requirement, and scores no language.
    assert score(MenteeView(1), MentorView(2), language_required=True) == ScoreParts(0, 0, 0, 0)
    shared = score(mentee, MentorView(2, languages=frozenset({"fr", "en"})), language_required=True)
    assert shared is not None
    assert shared.language == 2.0


def test_score_pair_uses_the_weights():
    weights = Weights(topics=10.0, language=0.0, industry=5.0, wish=1.0)
    mentee = MenteeView(
        1, topics=frozenset({"a", "b"}), languages=frozenset({"en"}), industry="x", wishes=(3, 2)
    )
    mentor = MentorView(
        2, topics=frozenset({"a"}), languages=frozenset({"en"}), industries=frozenset({"x"})
    )

    parts = score_pair(mentee, mentor, weights, language_required=False)

    assert parts == ScoreParts(topics=5.0, language=0.0, industry=5.0, wish=0.66)


@pytest.mark.parametrize("bad", [-1.0, math.inf, math.nan])
def test_weights_reject_negative_or_not_finite(bad):
    with pytest.raises(ValueError, match="weight wish"):
        Weights(wish=bad)


# --- score_all and preferences ------------------------------------------------------------------

TAGS = ["llm", "mlops", "gpu", "rag", "sql", "vision"]
LANGUAGES = ["en", "de", "fr"]
INDUSTRIES = ["", "finance", "retail", "public"]
EMPLOYERS = ["", "Acme", " acme ", "Globex", "GLOBEX"]


@st.composite
def profiles(draw):
    n_mentors = draw(st.integers(0, 6))
    mentor_ids = list(range(100, 100 + n_mentors))
    subset = st.frozensets
    mentors = [
        MentorView(
            mentor_id,
            topics=draw(subset(st.sampled_from(TAGS))),
            languages=draw(subset(st.sampled_from(LANGUAGES))),
            industries=draw(subset(st.sampled_from(INDUSTRIES[1:]))),
            employer=draw(st.sampled_from(EMPLOYERS)),
            capacity=draw(st.integers(0, 3)),
        )
        for mentor_id in mentor_ids
    ]
    any_mentor = st.sampled_from([*mentor_ids, 999])
    mentees = [
        MenteeView(
            mentee_id,
            topics=draw(subset(st.sampled_from(TAGS))),
            languages=draw(subset(st.sampled_from(LANGUAGES))),
            industry=draw(st.sampled_from(INDUSTRIES)),
            wishes=tuple(draw(st.lists(any_mentor, max_size=4))),
            avoid=draw(subset(any_mentor, max_size=2)),
            employer=draw(st.sampled_from(EMPLOYERS)),
        )
        for mentee_id in range(1, draw(st.integers(0, 6)) + 1)
    ]
    pairs = [(mentee.id, mentor.id) for mentee in mentees for mentor in mentors]
    forbidden = draw(st.sets(st.sampled_from(pairs))) if pairs else set()
    weights = Weights(*draw(st.tuples(*[st.sampled_from([0.0, 0.5, 1.0, 3.0])] * 4)))
    return mentees, mentors, weights, draw(st.booleans()), forbidden


@settings(max_examples=200, deadline=None)
@given(profiles())
def test_score_all_is_score_pair_on_every_allowed_pair(profile):
    mentees, mentors, weights, language_required, forbidden = profile

    scores = score_all(
        mentees, mentors, weights, language_required=language_required, forbidden=forbidden
    )

    expected = {}
    for mentee in mentees:
        for mentor in mentors:
            parts = score_pair(mentee, mentor, weights, language_required=language_required)
            if parts is not None and (mentee.id, mentor.id) not in forbidden:
                expected[mentee.id, mentor.id] = parts
    assert scores == expected


def test_totals_and_preferences_from_scores_rank_by_score_then_id():
    scores = totals(
        {
            (1, 10): ScoreParts(topics=1.0),
            (1, 11): ScoreParts(wish=2.0),
            (1, 12): ScoreParts(topics=1.0),
            (2, 10): ScoreParts(topics=1.0),
            (3, 10): ScoreParts(language=-1.0),
        }
    )

    mentee_prefs, mentor_prefs = preferences_from_scores(scores)

    assert mentee_prefs == {1: [11, 10, 12], 2: [10], 3: [10]}
    assert mentor_prefs == {10: [1, 2, 3], 11: [1], 12: [1]}
    assert preferences_from_scores({}) == ({}, {})


@settings(max_examples=100, deadline=None)
@given(scored_instances(max_mentees=6, max_mentors=4))
def test_preferences_from_scores_is_a_sort_by_score_then_id(instance):
    scores, _ = instance

    mentee_prefs, mentor_prefs = preferences_from_scores(scores)

    mentees = {e for e, _ in scores}
    mentors = {m for _, m in scores}
    assert mentee_prefs == {
        e: sorted((m for (e2, m) in scores if e2 == e), key=lambda m: (-scores[e, m], m))
        for e in mentees
    }
    assert mentor_prefs == {
        m: sorted((e for (e, m2) in scores if m2 == m), key=lambda e: (-scores[e, m], e))
        for m in mentors
    }


def test_preferences_from_scores_put_a_first_wish_first():
    mentee = MenteeView(1, topics=frozenset({"llm", "rag"}), wishes=(3,))
    mentors = [MentorView(2, topics=frozenset({"llm"})), MentorView(3)]  # 1.5 against 2

    scores = totals(score_all([mentee], mentors, W, language_required=False))

    assert preferences_from_scores(scores)[0] == {1: [3, 2]}


# --- match_optimal ------------------------------------------------------------------------------


def test_match_optimal_prefers_more_pairs_to_a_higher_total():
    # Mentee 1 on mentor 10 scores 100, but then mentee 2 (who may only take 10) goes without.
    scores = {(1, 10): 100.0, (1, 11): 1.0, (2, 10): 1.0}

    assert match_optimal(scores, {10: 1, 11: 1}) == [(1, 11), (2, 10)]


def test_match_optimal_counts_negative_and_zero_scores():
    scores = {(1, 10): -5.0, (2, 10): 0.0, (3, 11): -0.5}

    assert match_optimal(scores, {10: 2, 11: 1}) == [(1, 10), (2, 10), (3, 11)]


def test_match_optimal_maximises_the_total_among_the_largest_matchings():
    scores = {(1, 10): 3.0, (1, 11): 2.0, (2, 10): 2.5, (2, 11): 0.5, (3, 10): 1.0}

    # Three pairs, mentee 3 on mentor 10: 1-11 and 2-10 (2 + 2.5 + 1 = 5.5) beat 1 on its
    # favourite 10 with 2-11 (3 + 0.5 + 1 = 4.5).
    assert match_optimal(scores, {10: 2, 11: 1}) == [(1, 11), (2, 10), (3, 10)]


def test_match_optimal_respects_capacity_zero_missing_and_negative():
    scores = {(1, 10): 1.0, (2, 11): 1.0, (3, 12): 1.0, (4, 13): 1.0}

    assert match_optimal(scores, {10: 0, 11: -2, 13: 1}) == [(4, 13)]


def test_match_optimal_empty_inputs():
    assert match_optimal({}, {}) == []
    assert match_optimal({}, {10: 3}) == []
    assert match_optimal({(1, 10): 1.0}, {}) == []


def test_match_optimal_rejects_a_score_that_is_not_finite():
    with pytest.raises(ValueError, match=r"pair \(2, 10\)"):
        match_optimal({(1, 10): 1.0, (2, 10): math.nan}, {10: 1})


def test_match_optimal_keeps_tiny_differences_next_to_huge_scores():
    scores = {(1, 10): 1e12, (1, 11): 1e12 + 2**-8, (2, 10): 1e12, (2, 11): 1e12}

    assert match_optimal(scores, {10: 1, 11: 1}) == [(1, 11), (2, 10)]
    small = {(1, 10): 1e-300, (1, 11): 2e-300, (2, 10): 0.0, (2, 11): 0.0}
    assert match_optimal(small, {10: 1, 11: 1}) == [(1, 11), (2, 10)]


def test_match_optimal_more_places_than_mentees():
    scores = {(1, 10): 1.0, (1, 11): 2.0, (2, 11): 3.0}

    assert match_optimal(scores, {10: 50, 11: 50}) == [(1, 11), (2, 11)]


def test_match_optimal_ties_are_deterministic_whatever_the_order():
    scores = {(mentee, mentor): 1.0 for mentee in range(1, 7) for mentor in (10, 11, 12)}
    capacities = {10: 1, 11: 2, 12: 1}
    first = match_optimal(scores, capacities)

    items = list(scores.items())
    for seed in range(5):
        random.Random(seed).shuffle(items)
        assert match_optimal(dict(items), dict(reversed(capacities.items()))) == first
    assert len(first) == 4


def brute_force_optimal(scores, capacities):
    """(largest number of pairs, best total among matchings with that many) by enumeration."""
    mentees = sorted({mentee for mentee, _ in scores})
    options = [
        [None, *[m for (e, m) in scores if e == mentee and capacities.get(m, 0) > 0]]
        for mentee in mentees
    ]
    best = (0, 0.0)
    for choice in product(*options):
        taken = [m for m in choice if m is not None]
        if any(taken.count(m) > capacities[m] for m in set(taken)):
            continue
        total = math.fsum(scores[e, m] for e, m in zip(mentees, choice, strict=True) if m)
        count = len(taken)
        if count > best[0] or (count == best[0] and total > best[1]):
            best = (count, total)
    return best


@settings(max_examples=300, deadline=None)
@given(scored_instances())
def test_match_optimal_matches_brute_force_on_small_instances(instance):
    scores, capacities = instance

    pairs = match_optimal(scores, capacities)

    assert_valid(pairs, scores, capacities)
    count, total = brute_force_optimal(scores, capacities)
    assert len(pairs) == count
    assert math.fsum(scores[pair] for pair in pairs) == pytest.approx(total, rel=1e-9, abs=1e-9)


def milp_optimal(scores, capacities):
    """(largest number of pairs, best total among those) by two integer programs."""
    pairs = [pair for pair in scores if capacities.get(pair[1], 0) > 0]
    if not pairs:
        return 0, 0.0
    mentees = sorted({e for e, _ in pairs})
    mentors = sorted({m for _, m in pairs})
    rows = [[1.0 if e == mentee else 0.0 for e, _ in pairs] for mentee in mentees]
    rows += [[1.0 if m == mentor else 0.0 for _, m in pairs] for mentor in mentors]
    upper = [1] * len(mentees) + [capacities[m] for m in mentors]
    places = LinearConstraint(np.array(rows), -np.inf, upper)
    binary = {"integrality": np.ones(len(pairs)), "bounds": Bounds(0, 1)}
    count = round(-milp(-np.ones(len(pairs)), constraints=[places], **binary).fun)
    exactly = LinearConstraint(np.ones((1, len(pairs))), count, count)
    weights = -np.array([scores[pair] for pair in pairs])
    total = -milp(weights, constraints=[places, exactly], **binary).fun
    return count, total


@settings(max_examples=40, deadline=None)
@given(scored_instances(max_mentees=25, max_mentors=6, values=st.integers(-3, 9).map(float)))
def test_match_optimal_matches_an_integer_program_on_medium_instances(instance):
    scores, capacities = instance

    pairs = match_optimal(scores, capacities)

    assert_valid(pairs, scores, capacities)
    count, total = milp_optimal(scores, capacities)
    assert len(pairs) == count
    assert math.fsum(scores[pair] for pair in pairs) == pytest.approx(total, abs=1e-6)


@settings(max_examples=50, deadline=None)
@given(scored_instances(max_mentees=40, max_mentors=8), st.randoms(use_true_random=False))
def test_match_optimal_is_valid_and_deterministic_on_larger_instances(instance, rng):
    scores, capacities = instance

    pairs = match_optimal(scores, capacities)

    assert_valid(pairs, scores, capacities)
    items = list(scores.items())
    rng.shuffle(items)
    assert match_optimal(dict(items), capacities) == pairs


# --- match_stable -------------------------------------------------------------------------------


def blocking_pairs(pairs, mentee_prefs, mentor_prefs, capacities):
    """Mutually acceptable (mentee, mentor) who would both rather have each other."""

    def place(ranked, who):
        return ranked.index(who) if who in ranked else None

    mentor_of = dict(pairs)
    blocking = []
    for mentee, ranked in mentee_prefs.items():
        for mentor in ranked:
            mentee_place = place(mentor_prefs.get(mentor, []), mentee)
            if mentee_place is None or capacities.get(mentor, 0) <= 0:
                continue
            current = mentor_of.get(mentee)
            if current is not None and place(ranked, current) <= place(ranked, mentor):
                continue  # the mentee has this mentor or a better one
            held = [e for e, m in pairs if m == mentor]
            if len(held) < capacities[mentor] or any(
                place(mentor_prefs[mentor], e) > mentee_place for e in held
            ):
                blocking.append((mentee, mentor))
    return blocking


def acceptable(mentee_prefs, mentor_prefs, capacities):
    return {
        (e, m)
        for e, ranked in mentee_prefs.items()
        for m in ranked
        if e in mentor_prefs.get(m, []) and capacities.get(m, 0) > 0
    }


def test_match_stable_classic_example():
    mentee_prefs = {1: [10, 11], 2: [10, 11], 3: [10]}
    mentor_prefs = {10: [3, 2, 1], 11: [1, 2]}

    assert match_stable(mentee_prefs, mentor_prefs, {10: 1, 11: 1}) == [(1, 11), (3, 10)]
    assert match_stable(mentee_prefs, mentor_prefs, {10: 2, 11: 1}) == [(1, 11), (2, 10), (3, 10)]


def test_match_stable_is_mentee_optimal_not_mentor_optimal():
    # Two stable matchings: {1-10, 2-11} (mentees' favourites) and {1-11, 2-10} (mentors').
    mentee_prefs = {1: [10, 11], 2: [11, 10]}
    mentor_prefs = {10: [2, 1], 11: [1, 2]}

    assert match_stable(mentee_prefs, mentor_prefs, {10: 1, 11: 1}) == [(1, 10), (2, 11)]


def test_match_stable_needs_both_sides_to_list_each_other():
    mentee_prefs = {1: [10], 2: [11], 3: []}
    mentor_prefs = {10: [2], 11: [2, 3]}

    assert match_stable(mentee_prefs, mentor_prefs, {10: 1, 11: 1}) == [(2, 11)]


def test_match_stable_respects_capacity_zero_missing_and_negative():
    mentee_prefs = {1: [10], 2: [11], 3: [12], 4: [13]}
    mentor_prefs = {10: [1], 11: [2], 12: [3], 13: [4]}

    assert match_stable(mentee_prefs, mentor_prefs, {10: 0, 11: -1, 13: 2}) == [(4, 13)]


def test_match_stable_empty_inputs_and_repeated_entries():
    assert match_stable({}, {}, {}) == []
    assert match_stable({1: [10]}, {}, {10: 1}) == []
    mentee_prefs = {1: [10, 10, 11], 2: [10]}
    mentor_prefs = {10: [2, 1, 2], 11: [1, 1]}
    assert match_stable(mentee_prefs, mentor_prefs, {10: 1, 11: 1}) == [(1, 11), (2, 10)]


@st.composite
def preference_instances(draw, max_mentees=5, max_mentors=3):
    mentees = list(range(1, draw(st.integers(0, max_mentees)) + 1))
    mentors = list(range(10, 10 + draw(st.integers(0, max_mentors))))

    def ranking(options):
        ordered = draw(st.permutations(options))
        return ordered[: draw(st.integers(0, len(ordered)))]

    mentee_prefs = {mentee: ranking(mentors) for mentee in mentees}
    mentor_prefs = {mentor: ranking(mentees) for mentor in mentors}
    capacities = {
        mentor: draw(st.integers(-1, 3)) for mentor in mentors if draw(st.integers(0, 5)) > 0
    }
    return mentee_prefs, mentor_prefs, capacities


def all_stable_matchings(mentee_prefs, mentor_prefs, capacities):
    mentees = sorted(mentee_prefs)
    allowed = acceptable(mentee_prefs, mentor_prefs, capacities)
    options = [[None, *[m for m in mentee_prefs[e] if (e, m) in allowed]] for e in mentees]
    for choice in product(*options):
        pairs = sorted((e, m) for e, m in zip(mentees, choice, strict=True) if m is not None)
        taken = [m for m in choice if m is not None]
        if any(taken.count(m) > capacities[m] for m in set(taken)):
            continue
        if not blocking_pairs(pairs, mentee_prefs, mentor_prefs, capacities):
            yield pairs


@settings(max_examples=300, deadline=None)
@given(preference_instances())
def test_match_stable_is_the_mentee_optimal_stable_matching_by_brute_force(instance):
    mentee_prefs, mentor_prefs, capacities = instance

    pairs = match_stable(mentee_prefs, mentor_prefs, capacities)

    assert_valid(pairs, acceptable(mentee_prefs, mentor_prefs, capacities), capacities)
    assert blocking_pairs(pairs, mentee_prefs, mentor_prefs, capacities) == []
    unmatched = math.inf

    def place(mentee, mentor):
        return unmatched if mentor is None else mentee_prefs[mentee].index(mentor)

    best = dict.fromkeys(mentee_prefs, unmatched)
    for stable in all_stable_matchings(mentee_prefs, mentor_prefs, capacities):
        for mentee, mentor in stable:
            best[mentee] = min(best[mentee], place(mentee, mentor))
    got = dict(pairs)
    assert {mentee: place(mentee, got.get(mentee)) for mentee in mentee_prefs} == best


@settings(max_examples=50, deadline=None)
@given(preference_instances(max_mentees=40, max_mentors=8), st.randoms(use_true_random=False))
def test_match_stable_is_valid_stable_and_deterministic_on_larger_instances(instance, rng):
    mentee_prefs, mentor_prefs, capacities = instance

    pairs = match_stable(mentee_prefs, mentor_prefs, capacities)

    assert_valid(pairs, acceptable(mentee_prefs, mentor_prefs, capacities), capacities)
    assert blocking_pairs(pairs, mentee_prefs, mentor_prefs, capacities) == []
    shuffled = list(mentee_prefs.items())
    rng.shuffle(shuffled)
    assert match_stable(dict(shuffled), mentor_prefs, capacities) == pairs


@settings(max_examples=100, deadline=None)
@given(scored_instances(max_mentees=12, max_mentors=4))
def test_match_stable_from_scores_never_breaks_capacities_or_forbidden_pairs(instance):
    scores, capacities = instance
    mentee_prefs, mentor_prefs = preferences_from_scores(scores)

    pairs = match_stable(mentee_prefs, mentor_prefs, capacities)

    assert_valid(pairs, scores, capacities)
    assert blocking_pairs(pairs, mentee_prefs, mentor_prefs, capacities) == []


# --- explanations -------------------------------------------------------------------------------


def test_unmatched_reason_says_why():
    scores = {(1, 10): 1.0, (2, 10): 2.0, (3, 11): 1.0, (4, 12): 1.0}
    capacities = {10: 1, 11: 0, 12: 1}
    pairs = match_optimal(scores, capacities)

    assert pairs == [(2, 10), (4, 12)]
    assert unmatched_reason(2, scores, capacities, pairs) == ""
    assert unmatched_reason(1, scores, capacities, pairs) == ALLOWED_MENTORS_FULL
    assert unmatched_reason(3, scores, capacities, pairs) == ALLOWED_MENTORS_FULL
    assert unmatched_reason(5, scores, capacities, pairs) == NO_ALLOWED_MENTOR
    assert unmatched_reason(4, scores, capacities, [(2, 10)]) == HAS_FREE_PLACE


@settings(max_examples=100, deadline=None)
@given(scored_instances(max_mentees=8, max_mentors=3), st.booleans())
def test_unmatched_reason_after_either_mode_is_never_a_free_place(instance, stable):
    scores, capacities = instance
    if stable:
        pairs = match_stable(*preferences_from_scores(scores), capacities)
    else:
        pairs = match_optimal(scores, capacities)

    matched = {mentee for mentee, _ in pairs}
    for mentee in {mentee for mentee, _ in scores} - matched:
        assert unmatched_reason(mentee, scores, capacities, pairs) in {
            NO_ALLOWED_MENTOR,
            ALLOWED_MENTORS_FULL,
        }


def test_summarise_counts_wishes_and_reasons():
    mentees = [
        MenteeView(1, wishes=(10, 11)),
        MenteeView(2, wishes=(10, 11)),
        MenteeView(3, wishes=(10,)),
        MenteeView(4),
    ]
    scores = {(1, 10): 3.0, (2, 10): 1.0, (2, 11): 2.0, (3, 10): 1.0}
    capacities = {10: 1, 11: 1}

    summary = summarise(mentees, scores, capacities, [(1, 10), (2, 11)])

    assert summary == MatchSummary(
        pairs=2,
        unmatched=2,
        first_wish=1,
        any_wish=2,
        total_score=5.0,
        unmatched_reasons={3: ALLOWED_MENTORS_FULL, 4: NO_ALLOWED_MENTOR},
    )
