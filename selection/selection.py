"""Select a cohort: the best-scoring candidates that fit every quota. Pure: no Django.

`select_cohort` picks exactly n = min(capacity, number of candidates) candidates with the largest
total score such that every quota's count lies within its bounds. A candidate counts towards a
quota when `attributes[quota.attribute]` is one of `quota.values`.

How it stays exact at 100,000 candidates: candidates with the same *profile* (for each bounded
quota, in or out) are interchangeable as far as the quotas go, so an optimal cohort takes the
best-ranked members of each profile. The integer program has one integer x_p per profile (how many
to take from it) and continuous "segment" columns under it, one per distinct score among its
members, best first. For a fixed integer x_p the best filling of the segments is the top x_p
scores, so the program's optimum is the true optimum of the original problem, and HiGHS branches
only on the profile counts (a few hundred at most in practice). The linear relaxation is solved
first: when its profile counts are whole numbers (as they almost always are on these models) they
are optimal for the integer program too, and the integer program is not needed. Otherwise HiGHS
solves the integer program with a relative gap of 0 (and its absolute gap of 1e-6). The exchange
pass below then repairs any single exchange that would still raise the total.

Ties are broken by a lottery drawn from `seed`: NumPy's default generator (PCG64), seeded with
`seed` (a negative seed s with the entropy [-s, 1]), draws a random permutation of the places
0..N-1, and the candidate with the k-th smallest id gets place permutation[k] (so the result does
not depend on the order of `candidates`). The same seed always gives the same lottery. (Runs
computed before December 2026 shuffled the ids with Python's `random.Random(seed)`: for the same
seed, candidates with tied scores may now come in a different order.) Candidates are ranked by
score (higher first), then lottery place. Within a profile the best-ranked are taken; across
profiles an exchange pass swaps a selected candidate for an unselected one of equal score and
better lottery rank whenever the swap keeps every quota. So no single exchange of a selected for
an unselected candidate keeps every quota and either raises the total or gives the seat to a
better lottery rank at equal score. Two cohorts with the same total from different scores (1 + 4
against 2 + 3) are not ranked by the lottery; the solver's deterministic choice stands. (Since
December 2026 that choice comes from the linear relaxation, so with the same seed a run may pick
other candidates of tied scores than a run computed before; the total is the same.)

When no cohort fits, the result says why, with numbers: first single-quota conditions (a minimum
above its maximum, above the seats, or above the candidates who count towards it; a maximum that
leaves too few other candidates to fill the seats); otherwise an irreducible set of quotas that
clash (each is needed for the clash), found by dropping quotas one at a time while the rest stays
infeasible.

The preparation works on arrays: ids, scores and quota memberships are read once per candidate
(each distinct combination of quota attributes is checked once), then ranking (`np.lexsort`),
grouping into profiles and the segments are vectorised, so at 300,000 candidates the time goes
mostly to reading the candidates and to HiGHS.
"""

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array


@dataclass(frozen=True)
class Candidate:
    id: int
    score: float
    attributes: Mapping[str, str]  # e.g. {"sector": "ict", "job_level": "frontline"}


@dataclass(frozen=True)
class Quota:
    name: str
    attribute: str
    values: frozenset[str]
    min_count: int | None = None
    max_count: int | None = None

    def counts(self, attributes: Mapping[str, str]) -> bool:
        """Whether a candidate with these attributes counts towards this quota."""
        return attributes.get(self.attribute) in self.values


def quota_bounds(quotas: Sequence[Mapping], seats: int) -> list[Quota]:
    """Quotas stored as shares of the seats ({"name", "attribute", "values", "min_percent",
    "max_percent"}, percentages as text or numbers, either may be None) as counts of `seats`:
    minimums round up, maximums round down."""
    bounds = []
    for q in quotas:
        low = (
            math.ceil(float(q["min_percent"]) * seats / 100 - 1e-9)
            if q.get("min_percent") is not None
            else None
        )
        high = (
            math.floor(float(q["max_percent"]) * seats / 100 + 1e-9)
            if q.get("max_percent") is not None
            else None
        )
        bounds.append(Quota(q["name"], q["attribute"], frozenset(q["values"]), low, high))
    return bounds


@dataclass(frozen=True)
class SelectionResult:
    selected: list[int]  # ids, best first (score desc, then lottery order)
    waitlist: list[int]  # ids not selected, same order: the order of promotion
    objective: float  # total score of the selected
    binding: list[str]  # quotas met exactly that the top-by-score choice would break
    status: str  # "optimal" | "infeasible"
    conflict: str  # readable explanation when infeasible, "" otherwise


IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Profile = tuple[bool, ...]  # for each bounded quota: does the candidate count towards it

# HiGHS returns integers as floats; further than this from an integer is a solver fault.
_INTEGRALITY_SLACK = 1e-6
# Quota memberships are packed this many to an int64 key.
_BITS_PER_KEY = 62


def _fmt(count: int) -> str:
    return f"{count:,}"


def _bound_text(quota: Quota) -> str:
    low, high = quota.min_count, quota.max_count
    if low is not None and high is not None:
        return f"{_fmt(low)} ≤ {quota.name} ≤ {_fmt(high)}"
    if low is not None:
        return f"{quota.name} ≥ {_fmt(low)}"
    return f"{quota.name} ≤ {_fmt(high or 0)}"


def _validate(
    ids: IntArray, scores: FloatArray, capacity: int, quotas: Sequence[Quota]
) -> IntArray:
    """Check the input; returns the candidate positions in ascending id order."""
    if capacity < 0:
        raise ValueError(f"capacity must not be negative, got {capacity}")
    by_id = np.argsort(ids, kind="stable")
    sorted_ids = ids[by_id]
    if np.any(sorted_ids[1:] == sorted_ids[:-1]):
        raise ValueError("candidate ids must be unique")
    if len({quota.name for quota in quotas}) != len(quotas):
        raise ValueError("quota names must be unique")
    not_finite = np.flatnonzero(~np.isfinite(scores))
    if len(not_finite):
        raise ValueError(f"candidate {ids[not_finite[0]]} has a score that is not finite")
    for quota in quotas:
        for bound in (quota.min_count, quota.max_count):
            if bound is not None and bound < 0:
                raise ValueError(f"quota {quota.name!r} has a negative bound")
    return by_id


def _lottery(by_id: IntArray, seed: int) -> IntArray:
    """Each candidate's lottery rank: the candidate with the k-th smallest id gets place
    `permutation[k]` of a random permutation drawn by NumPy's default generator (PCG64) from
    `seed` (a negative seed s is drawn as the entropy [-s, 1])."""
    rng = np.random.default_rng(seed if seed >= 0 else [-seed, 1])
    lottery = np.empty(len(by_id), dtype=np.int64)
    lottery[by_id] = rng.permutation(len(by_id))
    return lottery


def _memberships(candidates: Sequence[Candidate], quotas: Sequence[Quota]) -> BoolArray:
    """inside[i, r]: whether candidate i counts towards quota r. The quota attributes are read
    once per candidate, and each distinct combination of their values is checked once."""
    if not quotas:
        return np.zeros((len(candidates), 0), dtype=bool)
    names = sorted({quota.attribute for quota in quotas})
    attributes = list(map(attrgetter("attributes"), candidates))
    try:
        combinations = list(map(itemgetter(*names), attributes))
    except KeyError:  # some candidate lacks an attribute: it counts as None
        combinations = [tuple(map(a.get, names)) for a in attributes]
    if len(names) == 1:
        combinations = [(value,) for value in combinations]
    code = dict.fromkeys(combinations, 0)  # distinct combinations, in order of appearance
    for number, combination in enumerate(code):
        code[combination] = number
    codes = np.fromiter(map(code.__getitem__, combinations), dtype=np.int64, count=len(attributes))
    value_of = {name: [combination[k] for combination in code] for k, name in enumerate(names)}
    table = np.empty((len(code), len(quotas)), dtype=bool)
    for r, quota in enumerate(quotas):
        values = value_of[quota.attribute]
        table[:, r] = np.fromiter(map(quota.values.__contains__, values), bool, len(values))
    return table[codes]


def _profile_keys(inside: BoolArray) -> IntArray:
    """One integer per candidate, equal for candidates with the same quota memberships."""
    words = [
        inside[:, first : first + _BITS_PER_KEY].astype(np.int64)
        @ (np.int64(1) << np.arange(min(_BITS_PER_KEY, inside.shape[1] - first), dtype=np.int64))
        for first in range(0, inside.shape[1], _BITS_PER_KEY)
    ]
    if not words:
        return np.zeros(inside.shape[0], dtype=np.int64)
    if len(words) == 1:
        return words[0]
    return np.unique(np.stack(words, axis=1), axis=0, return_inverse=True)[1].reshape(-1)


def _simple_conflicts(
    quotas: Sequence[Quota], members: Sequence[int], n: int, total: int
) -> list[str]:
    """Reasons why no cohort of n fits, each about one quota; exact for a quota taken alone."""
    reasons = []
    for quota, inside in zip(quotas, members, strict=True):
        low, high = quota.min_count, quota.max_count
        outside = total - inside
        values = ", ".join(sorted(quota.values))
        if low is not None and high is not None and low > high:
            reasons.append(f"{quota.name} asks for at least {_fmt(low)} but at most {_fmt(high)}.")
        elif low is not None and low > n:
            reasons.append(f"{quota.name} ≥ {_fmt(low)}, but there are only {_fmt(n)} seats.")
        elif low is not None and low > inside:
            reasons.append(
                f"{quota.name} ≥ {_fmt(low)}, but only {_fmt(inside)} eligible candidates are "
                f"{quota.name} ({quota.attribute}: {values})."
            )
        elif high is not None and n - outside > high:
            reasons.append(
                f"{quota.name} ≤ {_fmt(high)}, but only {_fmt(outside)} eligible candidates are "
                f"not {quota.name} ({quota.attribute}: {values}), so at least "
                f"{_fmt(n - outside)} of the {_fmt(n)} seats would go to {quota.name}."
            )
    return reasons


class _Model:
    """Candidates grouped by profile, each group in rank order, with the quota bounds.

    Profiles are numbered in the order their best-ranked member appears. `flat` holds the
    candidate positions of profile 0 (best rank first), then of profile 1, and so on;
    profile p's members are flat[start[p]:start[p] + size[p]].
    """

    def __init__(self, quotas: Sequence[Quota], inside: BoolArray, order: IntArray, n: int) -> None:
        keys = _profile_keys(inside)[order]  # in rank order
        by_key = np.argsort(keys, kind="stable")  # ranks grouped by key, ascending within
        sorted_keys = keys[by_key]
        group_start = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        group_size = np.diff(np.r_[group_start, len(keys)])
        # A group's first entry is its best rank; number the groups by it.
        numbering = np.argsort(by_key[group_start], kind="stable")
        self.size: IntArray = group_size[numbering].astype(np.int64)
        self.start: IntArray = np.r_[0, np.cumsum(self.size)[:-1]].astype(np.int64)
        source = np.repeat(group_start[numbering] - self.start, self.size)
        self.flat: IntArray = order[by_key[np.arange(len(keys)) + source]]
        self.profile_of: IntArray = np.repeat(np.arange(len(self.size)), self.size)
        self.n = n
        self.n_quotas = len(quotas)
        # inside[r, p] is 1 when profile p counts towards quota r.
        self.inside: IntArray = inside[self.flat[self.start]].T.astype(np.int64)
        no_max = n + 1  # a count can never reach it
        self.low: IntArray = np.array([q.min_count or 0 for q in quotas], dtype=np.int64)
        self.high: IntArray = np.array(
            [no_max if q.max_count is None else q.max_count for q in quotas], dtype=np.int64
        )

    def first(self, counts: IntArray) -> BoolArray:
        """Which entries of `flat` are among the first counts[p] members of their profile."""
        within = np.arange(len(self.flat)) - self.start[self.profile_of]
        return within < counts[self.profile_of]

    def _milp(
        self,
        objective: FloatArray,
        integral: int,
        upper: FloatArray,
        segments: IntArray,
        quotas: Sequence[int],
    ) -> FloatArray | None:
        """Solve over the profile counts x_p (the first columns, integer) and segment columns.

        `segments[k]` is the profile of column n_profiles + k. Rows: the seat total (Σ x_p = n),
        the quotas numbered `quotas`, and when there are segments one link row per profile
        (x_p minus its segments = 0).
        """
        n_profiles = len(self.size)
        every = np.arange(n_profiles)
        rows = [np.zeros(n_profiles, dtype=np.int64)]
        cols = [every]
        row_low, row_high = [self.n], [self.n]
        for r in quotas:
            profiles = np.flatnonzero(self.inside[r])
            rows.append(np.full(len(profiles), len(row_low)))
            cols.append(profiles)
            row_low.append(int(self.low[r]))
            row_high.append(int(self.high[r]))
        n_entries = sum(len(c) for c in cols)
        values = [np.ones(n_entries)]
        if len(segments):
            first_link = len(row_low)
            rows += [first_link + every, first_link + segments]
            cols.append(np.arange(n_profiles + len(segments)))
            values += [np.ones(n_profiles), -np.ones(len(segments))]
            row_low += [0] * n_profiles
            row_high += [0] * n_profiles
        shape = (len(row_low), len(objective))
        matrix = coo_array(
            (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))), shape=shape
        ).tocsr()
        integrality = np.zeros(len(objective))
        integrality[:integral] = 1
        result = milp(
            objective,
            integrality=integrality,
            bounds=Bounds(np.zeros(len(objective)), upper),
            constraints=LinearConstraint(matrix, np.array(row_low), np.array(row_high)),
            # Presolve removes next to nothing from this model but takes seconds over its tens of
            # thousands of segment columns; the gap of 0 makes HiGHS prove optimality.
            options={"mip_rel_gap": 0.0, "presolve": False},
        )
        if result.status == 2:
            return None
        if result.status != 0:
            raise RuntimeError(f"HiGHS did not finish: {result.message}")
        return np.asarray(result.x)

    def feasible(self, quotas: Sequence[int]) -> bool:
        """Whether some cohort of n satisfies the quotas numbered `quotas` (the others ignored)."""
        n_profiles = len(self.size)
        upper = self.size.astype(float)
        no_segments = np.zeros(0, dtype=np.int64)
        return self._milp(np.zeros(n_profiles), n_profiles, upper, no_segments, quotas) is not None

    def solve(self, scores: FloatArray) -> IntArray | None:
        """The optimal number of candidates to take from each profile, or None if infeasible."""
        n_profiles = len(self.size)
        # A profile never gives more than n, nor more than the smallest maximum it counts towards.
        cap = np.minimum(self.size, self.n)
        for r in range(self.n_quotas):
            inside = self.inside[r] == 1
            cap[inside] = np.minimum(cap[inside], self.high[r])
        # Segments: runs of equal score among each profile's first cap_p members.
        kept = self.first(cap)
        kept_scores = scores[self.flat[kept]]
        kept_profiles = self.profile_of[kept]
        begins = np.flatnonzero(
            np.r_[
                True,
                (kept_profiles[1:] != kept_profiles[:-1]) | (kept_scores[1:] != kept_scores[:-1]),
            ]
        )[: len(kept_scores)]
        seg_score = kept_scores[begins]
        seg_profile = kept_profiles[begins]
        seg_count = np.diff(np.r_[begins, len(kept_scores)])
        objective = np.concatenate((np.zeros(n_profiles), -seg_score))
        upper = np.concatenate((cap, seg_count)).astype(float)
        # The linear relaxation first: it is solved several times faster than the integer
        # program and on these models its optimum almost always has whole profile counts, which
        # makes it an optimum of the integer program too (its score is an upper bound). Only
        # when it has not are the counts required to be integers.
        every_quota = range(self.n_quotas)
        x = self._milp(objective, 0, upper, seg_profile, every_quota)
        if x is None:  # no fractional cohort fits, so no cohort does
            return None
        raw = x[:n_profiles]
        counts = np.round(raw).astype(np.int64)
        if np.abs(raw - counts).max(initial=0.0) <= _INTEGRALITY_SLACK and self._fits(counts):
            return counts
        x = self._milp(objective, n_profiles, upper, seg_profile, every_quota)
        if x is None:
            return None
        raw = x[:n_profiles]
        counts = np.round(raw).astype(np.int64)
        if np.abs(raw - counts).max(initial=0.0) > _INTEGRALITY_SLACK or not self._fits(counts):
            raise RuntimeError("HiGHS returned counts that break the quotas")
        return counts

    def _fits(self, counts: IntArray) -> bool:
        per_quota = self.inside @ counts
        return bool(
            counts.sum() == self.n
            and np.all(counts >= 0)
            and np.all(counts <= self.size)
            and np.all(per_quota >= self.low)
            and np.all(per_quota <= self.high)
        )

    def exchange(self, counts: IntArray, rank: IntArray) -> IntArray:
        """Move seats between profiles while a move gives a seat to a better-ranked candidate.

        A move takes one seat from profile p (its worst selected member, rank s) and gives it to
        profile q (its best unselected member, rank u). It is made when u < s (a higher score,
        or an equal score and a better lottery rank) and every quota still holds. Each move
        lowers the sum of the selected ranks, so the loop ends.
        """
        per_quota = self.inside @ counts
        nobody = len(rank)  # a rank worse than every real one
        unblocked: dict[bytes, BoolArray] = {}
        few_quotas = self.n_quotas <= _BITS_PER_KEY
        if few_quotas:
            # Quota memberships as bits: only_p[p, q] has the quotas that p counts towards and q
            # does not (so only_p.T those that q counts towards and p does not).
            bit = np.int64(1) << np.arange(self.n_quotas, dtype=np.int64)
            memberships = bit @ self.inside
            only_p = memberships[:, None] & ~memberships[None, :]
            only_q = only_p.T.copy()
        else:
            inside = self.inside.astype(float)
            outside = 1.0 - inside
        # Scalars are read from Python lists: much faster one at a time than from arrays.
        start, flat, size = self.start, self.flat, self.size
        ranked = rank[flat]  # in the order of flat
        first, members, taken = start.tolist(), size.tolist(), counts.tolist()
        column = np.ascontiguousarray(self.inside.T)  # column[p]: the quotas p counts towards

        def worst_selected_of(p: int) -> int:
            return int(ranked[first[p] + taken[p] - 1]) if taken[p] else -1

        def best_unselected_of(p: int) -> int:
            return int(ranked[first[p] + taken[p]]) if taken[p] < members[p] else nobody

        worst_selected = np.where(counts > 0, ranked[np.maximum(start + counts - 1, 0)], -1)
        best_unselected = np.where(
            counts < size, ranked[np.minimum(start + counts, len(flat) - 1)], nobody
        )
        lose_floor, gain_ceiling = self.low + 1, self.high - 1
        while True:
            may_lose = per_quota >= lose_floor
            may_gain = per_quota <= gain_ceiling
            key = may_lose.tobytes() + may_gain.tobytes()
            allowed = unblocked.get(key)
            if allowed is None:
                # A move p -> q is blocked when a quota that p counts towards and q does not
                # cannot lose a member, or one that q counts towards and p does not cannot gain.
                if few_quotas:
                    stuck_low, stuck_high = bit @ ~may_lose, bit @ ~may_gain
                    allowed = ((only_p & stuck_low) | (only_q & stuck_high)) == 0
                else:
                    blocked = (inside * ~may_lose[:, None]).T @ outside
                    blocked += outside.T @ (inside * ~may_gain[:, None])
                    allowed = blocked == 0
                unblocked[key] = allowed
            # The best unselected candidate on offer (the lowest rank u) takes the seat of the
            # worst selected one (the highest rank s) that it may replace.
            may_replace = allowed & (worst_selected[:, None] > best_unselected)
            on_offer = may_replace.any(axis=0)
            if not on_offer.any():
                return np.array(taken, dtype=np.int64)
            q = int(np.where(on_offer, best_unselected, nobody).argmin())
            p = int(np.where(may_replace[:, q], worst_selected, -2).argmax())
            taken[p] -= 1
            taken[q] += 1
            per_quota += column[q]
            per_quota -= column[p]
            for changed in (p, q):
                worst_selected[changed] = worst_selected_of(changed)
                best_unselected[changed] = best_unselected_of(changed)

    def clash(self) -> list[int]:
        """An irreducible set of quotas that cannot hold together (dropping any one of them
        leaves the rest feasible), found by dropping each quota the clash does not need."""
        kept = list(range(self.n_quotas))
        for r in range(self.n_quotas):
            trial = [k for k in kept if k != r]
            if not self.feasible(trial):
                kept = trial
        return kept


def _clash_text(quotas: Sequence[Quota], clash: Sequence[int], inside: BoolArray, n: int) -> str:
    named = [quotas[r] for r in clash]
    total = len(inside)
    seats = f"{_fmt(n)} seats"
    if not named:
        return f"No cohort of {_fmt(n)} fits the quotas."
    bounds = [_bound_text(q) for q in named]
    if len(named) == 1:
        return f"{bounds[0]} cannot hold with {seats} among {_fmt(total)} eligible candidates."
    if len(named) == 2:
        a, b = inside[:, clash[0]], inside[:, clash[1]]
        name_a, name_b = named[0].name, named[1].name
        return (
            f"{bounds[0]} and {bounds[1]} cannot both hold with {seats}: of the {_fmt(total)} "
            f"eligible candidates, {_fmt(int(np.sum(a & b)))} count towards both, "
            f"{_fmt(int(np.sum(a & ~b)))} only towards {name_a}, "
            f"{_fmt(int(np.sum(~a & b)))} only towards {name_b} and "
            f"{_fmt(int(np.sum(~a & ~b)))} towards neither."
        )
    eligible = ", ".join(
        f"{q.name} {_fmt(int(inside[:, r].sum()))}" for q, r in zip(named, clash, strict=True)
    )
    return (
        f"{', '.join(bounds[:-1])} and {bounds[-1]} cannot all hold with {seats} (of the "
        f"{_fmt(total)} eligible candidates, counting towards each: {eligible}); loosening any "
        "one of them removes this clash."
    )


def select_cohort(
    candidates: Sequence[Candidate],
    capacity: int,
    quotas: Sequence[Quota],
    *,
    seed: int = 0,
) -> SelectionResult:
    """Pick min(capacity, len(candidates)) candidates of largest total score within the quotas.

    See the module docstring for the method, the tie-breaking lottery and the explanations of
    infeasibility. An infeasible result has empty `selected` and `waitlist` and objective 0.
    Raises ValueError on repeated candidate ids or quota names, a negative capacity or bound,
    or a score that is not finite; RuntimeError if HiGHS fails.
    """
    total = len(candidates)
    ids = np.fromiter(map(attrgetter("id"), candidates), dtype=np.int64, count=total)
    scores = np.fromiter(map(attrgetter("score"), candidates), dtype=np.float64, count=total)
    by_id = _validate(ids, scores, capacity, quotas)
    n = min(capacity, total)

    # Rank: score, higher first, then lottery place.
    order: IntArray = np.lexsort((_lottery(by_id, seed), -scores))
    rank = np.empty(total, dtype=np.int64)
    rank[order] = np.arange(total)

    # Quotas without bounds constrain nothing and never bind.
    bounded = [q for q in quotas if q.min_count is not None or q.max_count is not None]
    inside = _memberships(candidates, bounded)

    def infeasible(conflict: str) -> SelectionResult:
        return SelectionResult([], [], 0.0, [], "infeasible", conflict)

    reasons = _simple_conflicts(bounded, inside.sum(axis=0).tolist(), n, total)
    if reasons:
        return infeasible(" ".join(reasons))

    top = order[:n]
    top_counts = inside[top].sum(axis=0).tolist()
    if all(
        (q.min_count is None or count >= q.min_count)
        and (q.max_count is None or count <= q.max_count)
        for q, count in zip(bounded, top_counts, strict=True)
    ):
        chosen = top  # the unconstrained best already fits, so it is optimal
    else:
        model = _Model(bounded, inside, order, n)
        counts = model.solve(scores)
        if counts is None:
            return infeasible(_clash_text(bounded, model.clash(), inside, n))
        counts = model.exchange(counts, rank)
        chosen = order[np.sort(rank[model.flat[model.first(counts)]])]

    chosen_counts = inside[chosen].sum(axis=0).tolist()
    binding = [
        q.name
        for q, count, unconstrained in zip(bounded, chosen_counts, top_counts, strict=True)
        if (q.min_count is not None and count == q.min_count and unconstrained < q.min_count)
        or (q.max_count is not None and count == q.max_count and unconstrained > q.max_count)
    ]
    is_chosen = np.zeros(total, dtype=bool)
    is_chosen[chosen] = True
    return SelectionResult(
        selected=ids[chosen].tolist(),
        waitlist=ids[order[~is_chosen[order]]].tolist(),
        objective=math.fsum(scores[chosen].tolist()),
        binding=binding,
        status="optimal",
        conflict="",
    )


def promotable(
    counts: Mapping[str, int],
    seats: int,
    quotas: Sequence[Quota],
    candidate_attributes: Mapping[str, str],
    remaining_pool: Mapping[str, int],
    *,
    taken: int | None = None,
) -> bool:
    """Whether offering this waitlisted candidate a seat keeps every quota within reach.

    `counts` holds, per quota name, how many accepted or offered candidates count towards it;
    `seats` is the cohort's total number of seats; `remaining_pool` holds, per quota name, how
    many *other* waitlisted candidates count towards it; `taken` is the number of seats already
    accepted or offered. Missing names count as 0.

    After the promotion every maximum must still hold and, for every minimum, the members still
    missing must fit both into the seats left and into the rest of the waitlist. Without `taken`
    the seats left are not known, and the largest count stands in for the seats taken (every
    one of them holds a seat): the check stays necessary but can let through a candidate who
    takes a seat a minimum needed, so callers should pass it.

    This is a necessary condition only: it looks at each quota alone, so quotas that can each
    still be met but not together pass it; `select_cohort` over the remaining pool decides
    that exactly.
    """
    after = {q.name: counts.get(q.name, 0) + q.counts(candidate_attributes) for q in quotas}
    if taken is None:
        taken = max((counts.get(q.name, 0) for q in quotas), default=0)
    seats_left = seats - taken - 1
    if seats_left < 0:
        return False
    for quota in quotas:
        count = after[quota.name]
        if quota.max_count is not None and count > quota.max_count:
            return False
        if quota.min_count is not None:
            missing = quota.min_count - count
            if missing > seats_left or missing > remaining_pool.get(quota.name, 0):
                return False
    return True


@dataclass(frozen=True)
class Promotion:
    id: int  # the waitlisted candidate offered the seat
    passed_over: list[int]  # better-placed candidates skipped, in waitlist order
    reason: str  # why they were skipped ("" when none was), in English for logs and tests
    # The same, for a translated message: "max" (a maximum would be exceeded) or "min" (the
    # seats left are needed for minimums), and the quotas concerned.
    reason_kind: str = field(default="", compare=False)
    reason_quotas: tuple[str, ...] = field(default=(), compare=False)


def _least_shortfall(
    base: Sequence[int],
    available: Mapping[Profile, int],
    seats: int,
    quotas: Sequence[Quota],
) -> int | None:
    """The smallest total shortfall below the minimums that adding at most `seats` candidates,
    taken from `available` (count per profile), can reach while every maximum holds; None when
    the solver fails. A maximum already exceeded only forbids adding more of its members."""
    profiles = [p for p, count in available.items() if count > 0]
    mins = [q.min_count for q in quotas]
    if not profiles or seats <= 0:
        return sum(max(m - b, 0) for m, b in zip(mins, base, strict=True) if m is not None)
    n_p, n_q = len(profiles), len(quotas)
    # Variables: x_p (how many of profile p are added), then s_q (shortfall of quota q).
    cost = np.concatenate([np.zeros(n_p), np.ones(n_q)])
    rows, lows, highs = [], [], []
    rows.append(np.concatenate([np.ones(n_p), np.zeros(n_q)]))
    lows.append(0)
    highs.append(seats)
    for r, q in enumerate(quotas):
        members = np.array([1.0 if p[r] else 0.0 for p in profiles])
        if q.max_count is not None:
            rows.append(np.concatenate([members, np.zeros(n_q)]))
            lows.append(-np.inf)
            highs.append(max(q.max_count - base[r], 0))
        if mins[r] is not None:
            # members added + shortfall >= minimum - already counted
            slack = np.zeros(n_q)
            slack[r] = 1.0
            rows.append(np.concatenate([members, slack]))
            lows.append(mins[r] - base[r])
            highs.append(np.inf)
    upper = np.concatenate(
        [np.array([available[p] for p in profiles], dtype=float), np.full(n_q, np.inf)]
    )
    result = milp(
        cost,
        constraints=LinearConstraint(np.array(rows), lows, highs),
        integrality=np.concatenate([np.ones(n_p), np.zeros(n_q)]),
        bounds=Bounds(np.zeros(n_p + n_q), upper),
        options={"mip_rel_gap": 0},
    )
    if result.status != 0 or result.x is None:
        return None
    return round(result.fun)


def promotions(
    holders: Sequence[Mapping[str, str]],
    waitlist: Sequence[Candidate],
    seats: int,
    quotas: Sequence[Quota],
    *,
    free: int,
) -> list[Promotion]:
    """Who of the waitlist is offered the `free` seats, deciding every quota jointly.

    `holders` are the attributes of those holding a seat (accepted or open offers), `waitlist`
    the waitlisted candidates in promotion order, `seats` the seat count the quota bounds refer
    to. A seat goes to the first waitlisted candidate whose promotion keeps the best reachable
    outcome: every maximum holds, and the total shortfall below the minimums that the seats
    still free can reach (filling them from the rest of the waitlist) is no larger than without
    promoting them. So a promotion never puts a reachable minimum out of reach, two minimums
    are judged together, and a minimum already out of reach blocks nobody who does not make
    things worse. Seats stay empty when every waitlisted candidate would break a maximum.
    """
    bounded = [q for q in quotas if q.min_count is not None or q.max_count is not None]
    base = [sum(1 for h in holders if q.counts(h)) for q in bounded]
    remaining = list(waitlist)
    profile_of = {c.id: tuple(q.counts(c.attributes) for q in bounded) for c in remaining}
    chosen: list[Promotion] = []
    for _ in range(max(free, 0)):
        if not remaining:
            break
        available = Counter(profile_of[c.id] for c in remaining)
        seats_left = max(free - len(chosen), 0)
        best = _least_shortfall(base, available, seats_left, bounded)
        verdict: dict[Profile, bool] = {}
        passed: list[int] = []
        pick = None
        for candidate in remaining:
            profile = profile_of[candidate.id]
            if profile not in verdict:
                breaks_max = any(
                    q.max_count is not None and profile[r] and base[r] + 1 > q.max_count
                    for r, q in enumerate(bounded)
                )
                if breaks_max or best is None:
                    verdict[profile] = not breaks_max
                else:
                    after = [b + profile[r] for r, b in enumerate(base)]
                    rest = available.copy()
                    rest[profile] -= 1
                    reach = _least_shortfall(after, rest, seats_left - 1, bounded)
                    verdict[profile] = reach is not None and reach <= best
            if verdict[profile]:
                pick = candidate
                break
            passed.append(candidate.id)
        if pick is None:
            break
        reason, reason_kind, reason_quotas = "", "", ()
        if passed:
            first = profile_of[passed[0]]
            over = [
                q.name
                for r, q in enumerate(bounded)
                if q.max_count is not None and first[r] and base[r] + 1 > q.max_count
            ]
            unmet = [
                (r, q)
                for r, q in enumerate(bounded)
                if q.min_count is not None and base[r] < q.min_count
            ]
            # Name the unmet minimums they do not count towards; if they count towards all of
            # them, they were skipped for taking room under a maximum that others need.
            short = [q.name for r, q in unmet if not first[r]] or [q.name for _, q in unmet]
            reason_kind, reason_quotas = ("max", tuple(over)) if over else ("min", tuple(short))
            reason = (
                f"promoting them would exceed the maximum of {', '.join(over)}"
                if over
                else f"the seats left are needed to reach the minimum of {', '.join(short)}"
            )
        chosen.append(Promotion(pick.id, passed, reason, reason_kind, reason_quotas))
        base = [b + profile_of[pick.id][r] for r, b in enumerate(base)]
        remaining = [c for c in remaining if c.id != pick.id]
    return chosen
