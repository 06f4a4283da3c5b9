"""Select a cohort: the best-scoring candidates that fit every quota. Pure: no Django.

`select_cohort` picks exactly n = min(capacity, number of candidates) candidates with the largest
total score such that every quota's count lies within its bounds. A candidate counts towards a
quota when `attributes[quota.attribute]` is one of `quota.values`.

How it stays exact at 100,000 candidates: candidates with the same *profile* (for each bounded
quota, in or out) are interchangeable as far as the quotas go, so an optimal cohort takes the
best-ranked members of each profile. The integer program has one integer x_p per profile (how many
to take from it) and continuous "segment" columns under it, one per distinct score among its
members, sorted best first. For a fixed integer x_p the best segment filling is the top x_p scores,
so the program's optimum is the true optimum of the original problem, and HiGHS only branches on
the few hundred profile counts. Its result is taken to be optimal within HiGHS' tolerances
(relative gap 0, absolute gap 1e-6); the exchange pass below then repairs any single exchange
that would still raise the total.

Ties are broken by a lottery drawn from `seed`: the ids, sorted, are shuffled by
`random.Random(seed)` and each candidate's place in that order is its lottery rank (so the result
does not depend on the order of `candidates`). Candidates are ranked by score (higher first), then
lottery rank. Within a profile the best-ranked are taken; across profiles an exchange pass swaps a
selected candidate for an unselected one of equal score and better lottery rank whenever the swap
keeps every quota. The result: no single exchange of one selected for one unselected candidate
keeps every quota and either raises the total or gives a seat to a better lottery rank at equal
score. Two cohorts with the same total but different scores (1 + 4 against 2 + 3) are not ranked
by the lottery; the solver's (deterministic) choice stands.

When no cohort fits, the result says why, with numbers: first simple single-quota conditions
(a minimum above the seats or above the candidates who count towards it, a maximum that leaves
too few other candidates, a minimum above its maximum); otherwise a smallest clashing set of
quotas, found by dropping quotas one at a time while the rest stays infeasible.
"""

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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
        value = attributes.get(self.attribute)
        return value is not None and value in self.values


@dataclass(frozen=True)
class SelectionResult:
    selected: list[int]  # ids, best first (score desc, then lottery order)
    waitlist: list[int]  # ids not selected, same order: the order of promotion
    objective: float  # total score of the selected
    binding: list[str]  # quotas met exactly that the top-by-score choice would break
    status: str  # "optimal" | "infeasible"
    conflict: str  # readable explanation when infeasible, "" otherwise


IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# HiGHS returns integers as floats; anything further than this from an integer is a solver fault.
_INTEGRALITY_SLACK = 1e-6


def _fmt(count: int) -> str:
    return f"{count:,}"


def _bound_text(quota: Quota) -> str:
    low, high = quota.min_count, quota.max_count
    if low is not None and high is not None:
        return f"{_fmt(low)} ≤ {quota.name} ≤ {_fmt(high)}"
    if low is not None:
        return f"{quota.name} ≥ {_fmt(low)}"
    return f"{quota.name} ≤ {_fmt(high or 0)}"


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _validate(candidates: Sequence[Candidate], capacity: int, quotas: Sequence[Quota]) -> None:
    if capacity < 0:
        raise ValueError(f"capacity must not be negative, got {capacity}")
    if len({candidate.id for candidate in candidates}) != len(candidates):
        raise ValueError("candidate ids must be unique")
    if len({quota.name for quota in quotas}) != len(quotas):
        raise ValueError("quota names must be unique")
    for candidate in candidates:
        if not math.isfinite(candidate.score):
            raise ValueError(f"candidate {candidate.id} has a score that is not finite")
    for quota in quotas:
        for bound in (quota.min_count, quota.max_count):
            if bound is not None and bound < 0:
                raise ValueError(f"quota {quota.name!r} has a negative bound")


def _simple_conflicts(
    quotas: Sequence[Quota], members: Sequence[int], n: int, total: int
) -> list[str]:
    """Single-quota reasons why no cohort of n fits; exact for each quota taken alone."""
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
    """The profile model: profile sizes, membership and each profile's members in rank order."""

    def __init__(
        self,
        quotas: Sequence[Quota],
        membership: Sequence[tuple[bool, ...]],
        order: Sequence[int],
        n: int,
    ) -> None:
        index: dict[tuple[bool, ...], int] = {}
        self.members: list[list[int]] = []  # candidate positions, best rank first
        for position in order:
            key = membership[position]
            p = index.setdefault(key, len(index))
            if p == len(self.members):
                self.members.append([])
            self.members[p].append(position)
        self.quotas = quotas
        self.n = n
        self.size: IntArray = np.array([len(m) for m in self.members], dtype=np.int64)
        # in_quota[r, p]: profile p counts towards quota r.
        self.in_quota: BoolArray = np.array(
            [[key[r] for key in index] for r in range(len(quotas))], dtype=np.bool_
        ).reshape(len(quotas), len(index))
        big = n + 1  # "no maximum" as a number the counts can never reach
        self.low: IntArray = np.array([q.min_count or 0 for q in quotas], dtype=np.int64)
        self.high: IntArray = np.array(
            [big if q.max_count is None else q.max_count for q in quotas], dtype=np.int64
        )

    def _quota_rows(self, rows: Sequence[int], offset: int) -> tuple[list[int], list[int]]:
        row_index, col_index = [], []
        for k, r in enumerate(rows):
            for p in np.flatnonzero(self.in_quota[r]):
                row_index.append(offset + k)
                col_index.append(int(p))
        return row_index, col_index

    def feasible(self, rows: Sequence[int]) -> bool:
        """Whether some cohort of n satisfies the quotas numbered `rows` (the others ignored)."""
        n_profiles = len(self.members)
        row_index, col_index = self._quota_rows(rows, 1)
        row_index += [0] * n_profiles
        col_index += list(range(n_profiles))
        matrix = coo_array(
            (np.ones(len(row_index)), (row_index, col_index)), shape=(1 + len(rows), n_profiles)
        ).tocsr()
        lower = np.concatenate(([self.n], self.low[list(rows)])).astype(float)
        upper = np.concatenate(([self.n], self.high[list(rows)])).astype(float)
        result = milp(
            np.zeros(n_profiles),
            integrality=np.ones(n_profiles),
            bounds=Bounds(np.zeros(n_profiles), self.size.astype(float)),
            constraints=LinearConstraint(matrix, lower, upper),
        )
        if result.status not in (0, 2):
            raise RuntimeError(f"HiGHS failed on a feasibility check: {result.message}")
        return bool(result.status == 0)

    def solve(self, scores: Sequence[float]) -> IntArray | None:
        """Optimal count per profile, or None when infeasible."""
        n_profiles = len(self.members)
        # A profile never gives more than n, nor more than the smallest maximum it counts towards.
        cap = np.minimum(self.size, self.n)
        for r in range(len(self.quotas)):
            cap[self.in_quota[r]] = np.minimum(cap[self.in_quota[r]], self.high[r])
        # Segment columns: runs of equal score among each profile's first cap_p members.
        seg_score: list[float] = []
        seg_count: list[int] = []
        seg_profile: list[int] = []
        for p, positions in enumerate(self.members):
            previous = None
            for position in positions[: cap[p]]:
                score = scores[position]
                if score == previous:
                    seg_count[-1] += 1
                else:
                    seg_score.append(score)
                    seg_count.append(1)
                    seg_profile.append(p)
                    previous = score
        n_segments = len(seg_score)
        n_columns = n_profiles + n_segments
        # Rows: one link row per profile (x_p − Σ its segments = 0), the seat total, the quotas.
        row_index = list(range(n_profiles)) + seg_profile + [n_profiles] * n_profiles
        col_index = list(range(n_profiles)) + list(range(n_profiles, n_columns))
        col_index += list(range(n_profiles))
        values = [1.0] * n_profiles + [-1.0] * n_segments + [1.0] * n_profiles
        rows = range(len(self.quotas))
        quota_rows, quota_cols = self._quota_rows(rows, n_profiles + 1)
        row_index += quota_rows
        col_index += quota_cols
        values += [1.0] * len(quota_rows)
        matrix = coo_array(
            (values, (row_index, col_index)), shape=(n_profiles + 1 + len(self.quotas), n_columns)
        ).tocsr()
        lower = np.concatenate((np.zeros(n_profiles), [self.n], self.low)).astype(float)
        upper = np.concatenate((np.zeros(n_profiles), [self.n], self.high)).astype(float)
        objective = np.concatenate((np.zeros(n_profiles), -np.array(seg_score, dtype=float)))
        integrality = np.concatenate((np.ones(n_profiles), np.zeros(n_segments)))
        result = milp(
            objective,
            integrality=integrality,
            bounds=Bounds(
                np.zeros(n_columns),
                np.concatenate((cap, seg_count)).astype(float),
            ),
            constraints=LinearConstraint(matrix, lower, upper),
            options={"mip_rel_gap": 0.0},
        )
        if result.status == 2:
            return None
        if result.status != 0:
            raise RuntimeError(f"HiGHS did not finish: {result.message}")
        raw = result.x[:n_profiles]
        counts = np.round(raw).astype(np.int64)
        if np.abs(raw - counts).max(initial=0.0) > _INTEGRALITY_SLACK or not self.fits(counts):
            raise RuntimeError("HiGHS returned counts that break the quotas")
        return counts

    def fits(self, counts: IntArray) -> bool:
        per_quota = self.in_quota.astype(np.int64) @ counts
        return bool(
            counts.sum() == self.n
            and np.all(counts >= 0)
            and np.all(counts <= self.size)
            and np.all(per_quota >= self.low)
            and np.all(per_quota <= self.high)
        )

    def exchange(self, counts: IntArray, rank: Sequence[int]) -> IntArray:
        """Swap worst-selected for best-unselected members across profiles while that improves.

        A swap takes one seat from profile p (its worst selected member, rank s) and gives it to
        profile q (its best unselected member, rank u); it improves when u < s, i.e. a higher
        score or an equal score with a better lottery rank, and is allowed when every quota
        still holds. Each swap lowers the sum of selected ranks, so the loop ends.
        """
        counts = counts.copy()
        inside = self.in_quota.astype(np.int64)
        outside = 1 - inside
        per_quota = inside @ counts
        worst_rank = len(rank)  # worse than every real rank
        while True:
            may_lose = per_quota - 1 >= self.low
            may_gain = per_quota + 1 <= self.high
            # blocked[p, q]: a quota that p counts towards and q does not cannot lose a member,
            # or one that q counts towards and p does not cannot gain one.
            blocked = (inside * ~may_lose[:, None]).T @ outside
            blocked += outside.T @ (inside * ~may_gain[:, None])
            worst_selected = np.array(
                [rank[m[c - 1]] if c > 0 else -1 for m, c in zip(self.members, counts, strict=True)]
            )
            best_unselected = np.array(
                [
                    rank[m[c]] if c < len(m) else worst_rank
                    for m, c in zip(self.members, counts, strict=True)
                ]
            )
            better = best_unselected[None, :] < worst_selected[:, None]
            candidates = np.argwhere(better & (blocked == 0))
            if len(candidates) == 0:
                return counts
            # Take the best unselected member on offer, from the profile with the worst selected.
            gains = (
                best_unselected[candidates[:, 1]] * (worst_rank + 1)
                - worst_selected[candidates[:, 0]]
            )
            p, q = candidates[int(np.argmin(gains))]
            counts[p] -= 1
            counts[q] += 1
            per_quota += inside[:, q] - inside[:, p]

    def clash(self) -> list[int]:
        """A smallest set of quotas that cannot hold together: drop any quota not needed."""
        kept = list(range(len(self.quotas)))
        for r in range(len(self.quotas)):
            trial = [k for k in kept if k != r]
            if not self.feasible(trial):
                kept = trial
        return kept


def _clash_text(
    quotas: Sequence[Quota],
    clash: Sequence[int],
    membership: Sequence[tuple[bool, ...]],
    n: int,
) -> str:
    named = [quotas[r] for r in clash]
    total = len(membership)
    seats = f"{_fmt(n)} seats"
    if not named:
        return f"No cohort of {_fmt(n)} fits the quotas."
    bounds = [_bound_text(q) for q in named]
    if len(named) == 1:
        return f"{bounds[0]} cannot hold with {seats} among {_fmt(total)} eligible candidates."
    if len(named) == 2:
        a, b = clash
        cells = Counter((key[a], key[b]) for key in membership)
        name_a, name_b = named[0].name, named[1].name
        return (
            f"{bounds[0]} and {bounds[1]} cannot both hold with {seats}: of the {_fmt(total)} "
            f"eligible candidates, {_fmt(cells[True, True])} count towards both, "
            f"{_fmt(cells[True, False])} only towards {name_a}, "
            f"{_fmt(cells[False, True])} only towards {name_b} and "
            f"{_fmt(cells[False, False])} towards neither."
        )
    eligible = ", ".join(
        f"{q.name} {_fmt(sum(key[r] for key in membership))}"
        for q, r in zip(named, clash, strict=True)
    )
    return (
        f"{_join(bounds)} cannot all hold with {seats} (of the {_fmt(total)} eligible "
        f"candidates, counting towards each: {eligible}); loosening any one of them removes "
        "this clash."
    )


def select_cohort(
    candidates: Sequence[Candidate],
    capacity: int,
    quotas: Sequence[Quota],
    *,
    seed: int = 0,
) -> SelectionResult:
    """Pick min(capacity, len(candidates)) candidates of largest total score within the quotas.

    See the module docstring for the method, the tie-breaking lottery and the infeasibility
    explanations. An infeasible result has empty `selected` and `waitlist` and objective 0.
    Raises ValueError on repeated candidate ids or quota names, a negative capacity or bound,
    or a score that is not finite; RuntimeError if HiGHS fails.
    """
    _validate(candidates, capacity, quotas)
    n = min(capacity, len(candidates))
    total = len(candidates)

    lottery_order = sorted(candidate.id for candidate in candidates)
    random.Random(seed).shuffle(lottery_order)
    lottery = {candidate_id: place for place, candidate_id in enumerate(lottery_order)}
    order = sorted(range(total), key=lambda i: (-candidates[i].score, lottery[candidates[i].id]))
    rank = [0] * total
    for place, i in enumerate(order):
        rank[i] = place

    # Quotas without bounds never constrain anything.
    bounded = [q for q in quotas if q.min_count is not None or q.max_count is not None]
    membership = [tuple(q.counts(c.attributes) for q in bounded) for c in candidates]
    members = [sum(key[r] for key in membership) for r in range(len(bounded))]

    def infeasible(conflict: str) -> SelectionResult:
        return SelectionResult([], [], 0.0, [], "infeasible", conflict)

    reasons = _simple_conflicts(bounded, members, n, total)
    if reasons:
        return infeasible(" ".join(reasons))

    def quota_counts(positions: Sequence[int]) -> list[int]:
        return [sum(membership[i][r] for i in positions) for r in range(len(bounded))]

    def within(counts: Sequence[int]) -> bool:
        return all(
            (q.min_count is None or count >= q.min_count)
            and (q.max_count is None or count <= q.max_count)
            for q, count in zip(bounded, counts, strict=True)
        )

    top = order[:n]
    top_counts = quota_counts(top)
    if within(top_counts):
        # The unconstrained best already fits: it is optimal and nothing binds.
        chosen = top
    else:
        model = _Model(bounded, membership, order, n)
        scores = [c.score for c in candidates]
        counts = model.solve(scores)
        if counts is None:
            return infeasible(_clash_text(bounded, model.clash(), membership, n))
        counts = model.exchange(counts, rank)
        chosen = sorted(
            (i for m, c in zip(model.members, counts, strict=True) for i in m[:c]),
            key=rank.__getitem__,
        )

    chosen_set = set(chosen)
    chosen_counts = quota_counts(chosen)
    binding = [
        q.name
        for q, count, unconstrained in zip(bounded, chosen_counts, top_counts, strict=True)
        if (q.min_count is not None and count == q.min_count and unconstrained < q.min_count)
        or (q.max_count is not None and count == q.max_count and unconstrained > q.max_count)
    ]
    return SelectionResult(
        selected=[candidates[i].id for i in chosen],
        waitlist=[candidates[i].id for i in order if i not in chosen_set],
        objective=math.fsum(candidates[i].score for i in chosen),
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
) -> bool:
    """Whether offering this waitlisted candidate a seat keeps every quota within reach.

    `counts` holds, per quota name, how many accepted or offered candidates count towards it;
    `seats` is the number of seats still open, the one this candidate would take included;
    `remaining_pool` holds, per quota name, how many waitlisted candidates (this one included)
    count towards it. Missing names count as 0.

    After the promotion every maximum must still hold and, for every minimum, the members still
    missing must fit both into the seats left and into the rest of the waitlist. This is a
    necessary condition only: it looks at each quota alone, so overlapping quotas that cannot be
    met together pass it. `select_cohort` on the remaining pool decides that exactly.
    """
    if seats < 1:
        return False
    seats_left = seats - 1
    for quota in quotas:
        member = quota.counts(candidate_attributes)
        count = counts.get(quota.name, 0) + member
        if quota.max_count is not None and count > quota.max_count:
            return False
        if quota.min_count is not None:
            missing = quota.min_count - count
            pool_left = remaining_pool.get(quota.name, 0) - member
            if missing > seats_left or missing > pool_left:
                return False
    return True
