"""Match mentees to mentors. Pure: no Django.

Two modes over the same data, each returning a sorted list of (mentee id, mentor id) pairs in
which every mentee appears at most once and every mentor at most its capacity (a mentor missing
from the capacities, or with a capacity of 0 or less, takes nobody):

- `match_optimal` maximises first the number of pairs, then the total compatibility score among
  the matchings with that many pairs. A pair missing from the scores is forbidden; a pair with a
  zero or negative score is allowed like any other and still counts towards the number of pairs.
- `match_stable` is mentee-proposing deferred acceptance with capacities (Gale–Shapley for the
  hospitals/residents problem): no mentee and mentor would both rather have each other than what
  they got, and each mentee gets the best mentor it has in any such stable matching.

How the optimal mode stays exact and fast: each mentor becomes as many interchangeable *slots* as
its capacity (at most as many as the mentees allowed to take it), and the problem becomes a
rectangular assignment of mentees to slots. First a maximum bipartite matching (Hopcroft–Karp)
gives the largest possible number of pairs, k. Then n − k *spare* columns that any mentee may take
at no score are added beside the slots, forbidden pairs get an infinite cost, and
`scipy.optimize.linear_sum_assignment` (shortest augmenting paths) assigns every mentee. A full
assignment uses at most n − k spare columns, so it holds at least k real pairs, and at most k
since k is the maximum: every assignment it may return has exactly k pairs, and it returns the one
of best total score. No "big number" weighs the count against the scores, so no score difference
is lost to rounding. Scores are scaled by a power of two (exact in floating point) before solving.
1,000 mentees × 200 mentors of capacity 5 with every pair allowed solve in about a tenth of a
second; the dense matrix grows with mentees × (slots + unmatched mentees).

Scoring (`score_pair`, `score_all`) turns mentee and mentor profiles into those scores: a weighted
sum of topic overlap, a shared language, the mentee's industry among the mentor's, and the
mentee's ranked wishes. Same employer, a mentor on the mentee's avoid list and (when required) no
shared language forbid the pair. `preferences_from_scores` derives both sides' rankings from the
scores so that the stable mode can run from the same data, and `unmatched_reason` says why a
mentee was left without a mentor.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from heapq import heappush, heapreplace
from itertools import chain

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_bipartite_matching

Pair = tuple[int, int]  # (mentee id, mentor id)
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

# Factors of the wish weight for a mentee's first, second and third wish.
WISH_FACTORS = (1.0, 0.66, 0.33)

NO_ALLOWED_MENTOR = "no allowed mentor"
ALLOWED_MENTORS_FULL = "every allowed mentor is full"
HAS_FREE_PLACE = "an allowed mentor has a free place"


# --- Profiles and scores ---------------------------------------------------------------------


@dataclass(frozen=True)
class Weights:
    """How much each part of the compatibility score weighs (each at least 0)."""

    topics: float = 3.0
    language: float = 2.0
    industry: float = 1.0
    wish: float = 2.0

    def __post_init__(self) -> None:
        for name in ("topics", "language", "industry", "wish"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"weight {name} must be a finite number ≥ 0, got {value!r}")


@dataclass(frozen=True)
class MenteeView:
    """What matching needs of a mentee. Tags (topics, languages, industry) are compared as
    given, so callers pass them normalised; employers are compared case-insensitively."""

    id: int
    topics: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    industry: str = ""
    wishes: tuple[int, ...] = ()  # mentor ids, best first; only the first three count
    avoid: frozenset[int] = frozenset()  # mentor ids the mentee must not get
    employer: str = ""  # "" means none, and matches nobody


@dataclass(frozen=True)
class MentorView:
    """What matching needs of a mentor."""

    id: int
    topics: frozenset[str] = frozenset()  # the mentor's expertise: topics it mentors on
    languages: frozenset[str] = frozenset()
    industries: frozenset[str] = frozenset()
    employer: str = ""
    capacity: int = 1


@dataclass(frozen=True)
class ScoreParts:
    """A pair's score, part by part, to explain it; `total` is what matching maximises."""

    topics: float = 0.0
    language: float = 0.0
    industry: float = 0.0
    wish: float = 0.0

    @cached_property  # score_all shares one instance between many pairs
    def total(self) -> float:
        return self.topics + self.language + self.industry + self.wish


def _normalise_employer(employer: str) -> str:
    return employer.strip().casefold()


def same_employer(a: str, b: str) -> bool:
    """Whether two employers are the same: compared case-insensitively after stripping
    surrounding whitespace; an empty employer is the same as none."""
    a = _normalise_employer(a)
    return a != "" and a == _normalise_employer(b)


def _wish_rank(wishes: Sequence[int], mentor_id: int) -> int | None:
    for rank, wish in enumerate(wishes[: len(WISH_FACTORS)]):
        if wish == mentor_id:
            return rank
    return None


def score_pair(
    mentee: MenteeView, mentor: MentorView, weights: Weights, *, language_required: bool
) -> ScoreParts | None:
    """The pair's score parts, or None when the pair is forbidden: same employer, the mentor on
    the mentee's avoid list, or (with `language_required`) no language in common — a mentee who
    named no language is not held to it (and gets no language points).

    - topics: weights.topics × (mentee topics the mentor covers) / (mentee topics), 0 when the
      mentee named none;
    - language: weights.language when they share a language;
    - industry: weights.industry when the mentee's industry is one of the mentor's;
    - wish: weights.wish × 1, 0.66 or 0.33 when the mentor is the mentee's first, second or third
      wish.
    """
    if mentor.id in mentee.avoid or same_employer(mentee.employer, mentor.employer):
        return None
    shares_language = not mentee.languages.isdisjoint(mentor.languages)
    if language_required and mentee.languages and not shares_language:
        return None
    rank = _wish_rank(mentee.wishes, mentor.id)
    return ScoreParts(
        topics=(
            weights.topics * (len(mentee.topics & mentor.topics) / len(mentee.topics))
            if mentee.topics
            else 0.0
        ),
        language=weights.language if shares_language else 0.0,
        industry=weights.industry
        if mentee.industry and mentee.industry in mentor.industries
        else 0.0,
        wish=weights.wish * WISH_FACTORS[rank] if rank is not None else 0.0,
    )


def _bits(values: Iterable[str], index: dict[str, int]) -> int:
    mask = 0
    for value in values:
        mask |= 1 << index.setdefault(value, len(index))
    return mask


def score_all(
    mentees: Sequence[MenteeView],
    mentors: Sequence[MentorView],
    weights: Weights,
    *,
    language_required: bool,
    forbidden: Iterable[Pair] = frozenset(),
) -> dict[Pair, ScoreParts]:
    """`score_pair` for every (mentee, mentor) pair that is allowed, keyed by (mentee id, mentor
    id); `forbidden` adds pairs to leave out (declared conflicts, an admin's exclusions).

    Same result as calling `score_pair` on each pair, but fast at 1,000 × 200: tags become bit
    masks, employers small integers, and the few distinct score combinations share one
    ScoreParts each (they are immutable)."""
    forbidden = frozenset(forbidden)
    tags: dict[str, int] = {}
    languages: dict[str, int] = {}
    industries: dict[str, int] = {}
    employers: dict[str, int] = {"": 0}  # 0: none, never the same as another

    def employer_code(employer: str) -> int:
        return employers.setdefault(_normalise_employer(employer), len(employers))

    mentor_rows = [
        (
            mentor.id,
            _bits(mentor.topics, tags),
            _bits(mentor.languages, languages),
            _bits(mentor.industries, industries),
            employer_code(mentor.employer),
        )
        for mentor in mentors
    ]
    parts_cache: dict[tuple[int, int, bool, bool, int], ScoreParts] = {}
    scores: dict[Pair, ScoreParts] = {}
    for mentee in mentees:
        topic_mask = _bits(mentee.topics, tags)
        topic_count = len(mentee.topics)
        language_mask = _bits(mentee.languages, languages)
        industry_mask = _bits([mentee.industry], industries) if mentee.industry else 0
        employer = employer_code(mentee.employer)
        wish_rank = {}
        for rank, wish in enumerate(mentee.wishes[: len(WISH_FACTORS)]):
            wish_rank.setdefault(wish, rank)
        avoid = mentee.avoid
        mentee_id = mentee.id
        for (
            mentor_id,
            expertise,
            mentor_languages,
            mentor_industries,
            mentor_employer,
        ) in mentor_rows:
            if (employer and employer == mentor_employer) or mentor_id in avoid:
                continue
            shares_language = bool(language_mask & mentor_languages)
            if language_required and language_mask and not shares_language:
                continue
            if forbidden and (mentee_id, mentor_id) in forbidden:
                continue
            key = (
                (topic_mask & expertise).bit_count(),
                topic_count,
                shares_language,
                bool(industry_mask & mentor_industries),
                wish_rank.get(mentor_id, -1),
            )
            parts = parts_cache.get(key)
            if parts is None:
                shared, count, language, industry, rank = key
                parts = parts_cache[key] = ScoreParts(
                    topics=weights.topics * (shared / count) if count else 0.0,
                    language=weights.language if language else 0.0,
                    industry=weights.industry if industry else 0.0,
                    wish=weights.wish * WISH_FACTORS[rank] if rank >= 0 else 0.0,
                )
            scores[mentee_id, mentor_id] = parts
    return scores


def totals(scores: Mapping[Pair, ScoreParts]) -> dict[Pair, float]:
    """The scores that `match_optimal` and `preferences_from_scores` take: each pair's total."""
    return {pair: parts.total for pair, parts in scores.items()}


def preferences_from_scores(
    scores: Mapping[Pair, float],
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Both sides' rankings for `match_stable` from pair scores: each mentee's allowed mentors by
    score, best first (equal scores by mentor id), and each mentor's allowed mentees likewise
    (equal scores by mentee id). A mentee's wishes come first when the wish weight lifts them."""
    mentee_ids, mentor_ids, values = _columns(scores)
    return (
        _rankings(mentee_ids, mentor_ids, values),
        _rankings(mentor_ids, mentee_ids, values),
    )


def _columns(scores: Mapping[Pair, float]) -> tuple[IntArray, IntArray, FloatArray]:
    """Mentee ids, mentor ids and scores as arrays; ValueError for a score that is not finite."""
    pair_ids = np.fromiter(chain.from_iterable(scores), dtype=np.int64, count=2 * len(scores))
    values = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
    if not np.isfinite(values).all():
        at = int(np.flatnonzero(~np.isfinite(values))[0])
        pair = (int(pair_ids[2 * at]), int(pair_ids[2 * at + 1]))
        raise ValueError(f"the score of pair {pair} must be finite, got {values[at]!r}")
    return pair_ids[0::2], pair_ids[1::2], values


def _rankings(owners: IntArray, others: IntArray, values: FloatArray) -> dict[int, list[int]]:
    """For each owner, the others by value (highest first), equal values by id."""
    if len(owners) == 0:
        return {}
    order = np.lexsort((others, -values, owners))
    owners, ranked = owners[order], others[order].tolist()
    starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]]).tolist()
    ends = [*starts[1:], len(ranked)]
    return {
        owner: ranked[start:end]
        for owner, start, end in zip(owners[starts].tolist(), starts, ends, strict=True)
    }


# --- Matching ----------------------------------------------------------------------------------


def match_optimal(scores: Mapping[Pair, float], capacities: Mapping[int, int]) -> list[Pair]:
    """The largest number of (mentee, mentor) pairs, and among those the largest total score.

    `scores` holds every allowed pair (an absent pair is forbidden); scores may be any finite
    number. Raises ValueError for a score that is not finite. Sorted output; the same input
    (whatever the order of the mappings) gives the same pairs."""
    if not scores:
        return []
    mentee_ids, mentor_ids, values = _columns(scores)

    # Only mentors who take someone, and only mentees who have one of them.
    listed, listed_at = np.unique(mentor_ids, return_inverse=True)
    listed_capacity = np.array(
        [max(capacities.get(mentor, 0), 0) for mentor in listed.tolist()], dtype=np.int64
    )
    kept = listed_capacity[listed_at] > 0
    if not kept.any():
        return []
    mentee_ids, mentor_ids, values = mentee_ids[kept], mentor_ids[kept], values[kept]
    mentees, row = np.unique(mentee_ids, return_inverse=True)
    mentors, column = np.unique(mentor_ids, return_inverse=True)
    capacity = listed_capacity[np.searchsorted(listed, mentors)]
    n = len(mentees)

    # Scaling down by a power of two changes no comparison and brings every score into (-1, 1),
    # so that sums of huge scores cannot overflow.
    exponent = math.frexp(float(np.abs(values).max()))[1]
    scale = math.ldexp(1.0, -exponent) if exponent > 0 else 1.0
    # Cost of mentee × mentor (minimised, so the score negated); inf = forbidden.
    compact = np.full((n, len(mentors)), np.inf)
    compact[row, column] = values * -scale

    # Each mentor as min(capacity, mentees allowed to take it) identical slots.
    allowed_per_mentor = np.isfinite(compact).sum(axis=0)
    slots = np.minimum(capacity, allowed_per_mentor)
    slot_mentor = np.repeat(np.arange(len(mentors)), slots)
    cost = compact[:, slot_mentor]

    allowed = csr_array(np.isfinite(cost))
    best_count = int((maximum_bipartite_matching(allowed, perm_type="column") >= 0).sum())
    spare = np.zeros((n, n - best_count))
    chosen_rows, chosen_cols = linear_sum_assignment(np.hstack([cost, spare]))
    real = chosen_cols < len(slot_mentor)
    chosen_mentees = mentees[chosen_rows[real]].tolist()
    chosen_mentors = mentors[slot_mentor[chosen_cols[real]]].tolist()
    return sorted(zip(chosen_mentees, chosen_mentors, strict=True))


def match_stable(
    mentee_prefs: Mapping[int, Sequence[int]],
    mentor_prefs: Mapping[int, Sequence[int]],
    capacities: Mapping[int, int],
) -> list[Pair]:
    """The mentee-optimal stable matching: mentee-proposing deferred acceptance.

    Each list ranks acceptable partners, best first; a pair is acceptable only when each lists
    the other (a repeated entry counts at its first place). Mentees propose down their lists in
    id order; a mentor holds its best proposals up to its capacity and rejects the rest. The
    result has no blocking pair (an acceptable mentee and mentor who would both rather have each
    other, the mentor having a free place or a worse mentee), and no stable matching gives any
    mentee a better mentor. Sorted output."""
    capacity = {mentor: capacities.get(mentor, 0) for mentor in mentor_prefs}
    rank: dict[int, dict[int, int]] = {}
    for mentor, ranked in mentor_prefs.items():
        if capacity[mentor] > 0:
            places: dict[int, int] = {}
            for place, mentee in enumerate(ranked):
                places.setdefault(mentee, place)
            rank[mentor] = places
    proposals: dict[int, list[int]] = {}
    for mentee, ranked in mentee_prefs.items():
        proposals[mentee] = [
            mentor for mentor in dict.fromkeys(ranked) if mentor in rank and mentee in rank[mentor]
        ]

    held: dict[int, list[tuple[int, int]]] = {mentor: [] for mentor in rank}  # (-place, mentee)
    following = dict.fromkeys(proposals, 0)
    free = sorted(proposals, reverse=True)  # popped from the end: lowest id first
    while free:
        mentee = free.pop()
        ranked = proposals[mentee]
        at = following[mentee]
        if at == len(ranked):
            continue  # rejected by every acceptable mentor: stays unmatched
        following[mentee] = at + 1
        mentor = ranked[at]
        place = rank[mentor][mentee]
        heap = held[mentor]
        if len(heap) < capacity[mentor]:
            heappush(heap, (-place, mentee))
        elif -heap[0][0] > place:  # the mentor prefers this one to its worst held
            free.append(heapreplace(heap, (-place, mentee))[1])
        else:
            free.append(mentee)
    return sorted((mentee, mentor) for mentor, heap in held.items() for _, mentee in heap)


# --- Explanations ------------------------------------------------------------------------------


def unmatched_reason(
    mentee_id: int,
    scores: Mapping[Pair, float],
    capacities: Mapping[int, int],
    pairs: Iterable[Pair],
) -> str:
    """Why a mentee has no mentor in `pairs`: NO_ALLOWED_MENTOR when no mentor may take it,
    ALLOWED_MENTORS_FULL when every mentor who may take it has filled its places (a mentor with
    no capacity counts as full), HAS_FREE_PLACE when one still has a place (possible only after
    hand edits: both modes would have given it that mentor); "" when the mentee is matched."""
    load: dict[int, int] = {}
    for mentee, mentor in pairs:
        if mentee == mentee_id:
            return ""
        load[mentor] = load.get(mentor, 0) + 1
    allowed = [mentor for mentee, mentor in scores if mentee == mentee_id]
    if not allowed:
        return NO_ALLOWED_MENTOR
    if any(load.get(mentor, 0) < capacities.get(mentor, 0) for mentor in allowed):
        return HAS_FREE_PLACE
    return ALLOWED_MENTORS_FULL


@dataclass(frozen=True)
class MatchSummary:
    """How a matching turned out, for a run's page."""

    pairs: int
    unmatched: int
    first_wish: int  # mentees who got their first wish
    any_wish: int  # mentees who got one of their (first three) wishes
    total_score: float  # of the pairs that have a score
    unmatched_reasons: dict[int, str]  # mentee id -> unmatched_reason


def summarise(
    mentees: Sequence[MenteeView],
    scores: Mapping[Pair, float],
    capacities: Mapping[int, int],
    pairs: Sequence[Pair],
) -> MatchSummary:
    """Counts of a matching of these mentees, and why each unmatched one has no mentor."""
    mentor_of = dict(pairs)
    load: dict[int, int] = {}
    for mentor in mentor_of.values():
        load[mentor] = load.get(mentor, 0) + 1
    allowed: dict[int, list[int]] = {}
    for mentee, mentor in scores:
        allowed.setdefault(mentee, []).append(mentor)
    reasons = {}
    for mentee in mentees:
        if mentee.id in mentor_of:
            continue
        mentors = allowed.get(mentee.id, [])
        if not mentors:
            reasons[mentee.id] = NO_ALLOWED_MENTOR
        elif any(load.get(mentor, 0) < capacities.get(mentor, 0) for mentor in mentors):
            reasons[mentee.id] = HAS_FREE_PLACE
        else:
            reasons[mentee.id] = ALLOWED_MENTORS_FULL
    got = [(mentee.wishes[: len(WISH_FACTORS)], mentor_of.get(mentee.id)) for mentee in mentees]
    return MatchSummary(
        pairs=len(mentor_of),
        unmatched=len(reasons),
        first_wish=sum(
            1 for wishes, mentor in got if mentor is not None and wishes[:1] == (mentor,)
        ),
        any_wish=sum(1 for wishes, mentor in got if mentor is not None and mentor in wishes),
        total_score=math.fsum(scores[pair] for pair in pairs if pair in scores),
        unmatched_reasons=reasons,
    )
