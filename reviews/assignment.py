"""Assign k reviewers to each application, spreading the work evenly. Pure: no Django.

Rules that are never broken: a submission gets k distinct reviewers in total (existing + new)
where enough are eligible; a reviewer never reviews their own application, never one they have a
declared conflict with (a forbidden pair), and never one from their own employer (compared
case-insensitively after stripping; an empty employer matches nothing). Existing assignments are
kept as they are, count toward k and toward the reviewer's load; a submission that already has k
or more gets nothing new. When fewer than k reviewers are eligible, every eligible one is assigned
and the submission gets a readable reason in `shortfall`.

Balance is best effort within those rules: submissions with the fewest reviewers left under the
applicant and employer rules go first (declared conflicts are not counted for the order: that would
mean reading every pair) and each takes the least-loaded eligible reviewers (ties in a random order
drawn from `seed`, so a run is reproducible; the reviewers of an employer that applicants share
have a heap of their own, which that employer's applications skip in one step instead of popping
each of those reviewers again for every application); then a repair pass moves new assignments from
busy reviewers to eligible ones with a load at least two lower until no such move exists. Last,
while the busiest reviewer is two or more above the least busy one, an augmenting path of moves is
looked for: the busiest reviewer hands one new assignment to a reviewer who may take it, who hands
another one on, and so on, until a reviewer with a load at least two below the busiest one takes
the last one (the loads in between do not change). When no such path is left, no valid assignment
(keeping the existing ones) gives the busiest reviewer less work, and the busiest reviewer is at
most one assignment above the least busy one whenever some valid assignment achieves that.

Loads count every existing assignment in `existing`, including those of submissions not passed in
`submissions` (already fully reviewed applications still take a reviewer's time). Reviewer ids in
`existing` that are not in `reviewers` count toward the submission's k but have no load entry.
"""

import bisect
import gc
import heapq
import random
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Collection, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import chain
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Reviewer:
    id: int
    user_id: int
    employer: str = ""  # compared case-insensitively after stripping; "" means none


@dataclass(frozen=True)
class Submission:
    id: int
    applicant_user_id: int
    employer: str = ""


@dataclass(frozen=True)
class AssignmentResult:
    new: dict[int, list[int]]  # submission id -> reviewer ids newly assigned, every submission
    load: dict[int, int]  # reviewer id -> existing + new assignments, every reviewer
    shortfall: dict[int, str]  # submission id -> why it has fewer than k reviewers

    @property
    def balance(self) -> int:
        """The busiest reviewer's load minus the least busy one's."""
        return max(self.load.values()) - min(self.load.values()) if self.load else 0

    @property
    def is_complete(self) -> bool:
        return not self.shortfall


_NO_EXISTING: Mapping[int, Collection[int]] = MappingProxyType({})
_EMPTY: frozenset[int] = frozenset()


def _normalise(employer: str) -> str:
    return employer.strip().casefold()


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _shortfall_reason(
    k: int, can_review: int, total: int, applicant: int, conflict: int, employer: int
) -> str:
    needed = _plural(k, "reviewer", "reviewers")
    if total == 0:
        return f"{needed} needed but there are no reviewers"
    reasons = [
        _plural(count, one, many)
        for count, one, many in (
            (applicant, "is the applicant", "are the applicant"),
            (conflict, "has a declared conflict", "have a declared conflict"),
            (employer, "works at the same employer", "work at the same employer"),
        )
        if count
    ]
    if not reasons:
        return f"{needed} needed but only {_plural(total, 'exists', 'exist')}"
    return (
        f"{needed} needed but only {can_review} of {total} can review this application "
        f"({', '.join(reasons)})"
    )


def _positions(ids: Sequence[int], wanted: IntArray) -> tuple[IntArray, BoolArray]:
    """For each of `wanted`, its position in `ids` and whether it is there at all."""
    if not len(ids) or not len(wanted):
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=bool)
    ids_array = np.array(ids, dtype=np.int64)
    low, high = int(ids_array.min()), int(ids_array.max())
    if high - low <= 4 * len(ids) + 1024:  # ids close together (database keys): a table
        table = np.full(high - low + 1, -1, dtype=np.int64)
        table[ids_array - low] = np.arange(len(ids))
        inside = (wanted >= low) & (wanted <= high)
        place = np.where(inside, table[np.clip(wanted - low, 0, high - low)], -1)
        return np.maximum(place, 0), place >= 0
    by_id = np.argsort(ids_array, kind="stable")
    place = np.minimum(np.searchsorted(ids_array[by_id], wanted), len(ids) - 1)
    return by_id[place], ids_array[by_id[place]] == wanted


def _conflict_pairs(
    forbidden: Collection[tuple[int, int]],
    reviewer_ids: Sequence[int],
    submission_ids: Sequence[int],
) -> tuple[IntArray, IntArray]:
    """The declared conflicts between known reviewers and submissions, as positions (reviewer,
    submission), each pair once."""
    flat = np.fromiter(chain.from_iterable(forbidden), dtype=np.int64, count=2 * len(forbidden))
    i, known_reviewer = _positions(reviewer_ids, flat[0::2])
    j, known_submission = _positions(submission_ids, flat[1::2])
    known = known_reviewer & known_submission
    i, j = i[known], j[known]
    if not isinstance(forbidden, AbstractSet):  # a list may repeat a pair
        pair = np.unique(i * max(len(submission_ids), 1) + j)
        i, j = pair // max(len(submission_ids), 1), pair % max(len(submission_ids), 1)
    return i, j


def assign_reviewers(
    submissions: Sequence[Submission],
    reviewers: Sequence[Reviewer],
    k: int,
    *,
    existing: Mapping[int, Collection[int]] = _NO_EXISTING,
    forbidden: Collection[tuple[int, int]] = (),
    seed: int = 0,
) -> AssignmentResult:
    """Give each submission k reviewers in total; see the module docstring for the rules.

    `existing` maps submission ids to reviewer ids already assigned; `forbidden` holds
    (reviewer id, submission id) pairs that must never be assigned. Raises ValueError when k < 1
    or when reviewer or submission ids repeat.
    """
    # A run allocates a list per submission and a heap entry per pick, and makes no reference
    # cycles; with the caller's objects in memory (say 600,000 conflict pairs), the full passes
    # of the cyclic garbage collector that those allocations set off cost up to a fifth of a
    # run, so it is paused meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _assign_reviewers(
            submissions, reviewers, k, existing=existing, forbidden=forbidden, seed=seed
        )
    finally:
        if collecting:
            gc.enable()


def _assign_reviewers(
    submissions: Sequence[Submission],
    reviewers: Sequence[Reviewer],
    k: int,
    *,
    existing: Mapping[int, Collection[int]] = _NO_EXISTING,
    forbidden: Collection[tuple[int, int]] = (),
    seed: int = 0,
) -> AssignmentResult:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    reviewer_ids = [reviewer.id for reviewer in reviewers]
    position = {reviewer_id: i for i, reviewer_id in enumerate(reviewer_ids)}
    if len(position) != len(reviewers):
        raise ValueError("reviewer ids must be unique")
    submission_ids = [submission.id for submission in submissions]
    slot = {submission_id: j for j, submission_id in enumerate(submission_ids)}
    if len(slot) != len(submissions):
        raise ValueError("submission ids must be unique")

    # Reviewers and submissions are addressed by their position from here on.
    m, n = len(reviewers), len(submissions)
    rev_user = [reviewer.user_id for reviewer in reviewers]
    rev_employer = [_normalise(reviewer.employer) for reviewer in reviewers]
    sub_user = [submission.applicant_user_id for submission in submissions]
    typed = [submission.employer for submission in submissions]
    normalised = {employer: _normalise(employer) for employer in set(typed)}  # a few hundred
    sub_employer = list(map(normalised.__getitem__, typed))
    reviewers_of_user: dict[int, list[int]] = {}
    for i, user_id in enumerate(rev_user):
        reviewers_of_user.setdefault(user_id, []).append(i)
    employer_size = Counter(employer for employer in rev_employer if employer)
    # Employers as numbers: -1 for none, and the same number for a reviewer and a submission
    # at the same employer.
    employer_code = {employer: c for c, employer in enumerate(employer_size)}
    rev_code = np.array([employer_code.get(e, -1) for e in rev_employer], dtype=np.int64)
    code_of_typed = {typed: employer_code.get(e, -1) for typed, e in normalised.items()}
    sub_code = np.fromiter(map(code_of_typed.__getitem__, typed), dtype=np.int64, count=n)

    load = [0] * m
    on: dict[int, set[int]] = {}  # existing reviewers among `reviewers`, by position
    outsiders = [0] * n  # existing reviewer ids not among `reviewers`
    for submission_id, existing_ids in existing.items():
        j = slot.get(submission_id)
        for reviewer_id in set(existing_ids):
            i = position.get(reviewer_id)
            if i is not None:
                load[i] += 1
            if j is None:
                continue
            if i is None:
                outsiders[j] += 1
            else:
                on.setdefault(j, set()).add(i)
    kept: dict[int, frozenset[int]] = {j: frozenset(ids) for j, ids in on.items()}

    # The order: submissions with the fewest reviewers left under the applicant and employer
    # rules (and their existing reviewers) first, ties in input order. Declared conflicts are
    # not counted for it (that would mean reading every pair, the biggest cost of a run): they
    # are few per submission, the greedy skips them anyway, and the balancing passes below even
    # out whatever the order leaves.
    on_count = np.zeros(n, dtype=np.int64)
    for j, ids in on.items():
        on_count[j] = len(ids)
    applicant_count = np.zeros(n, dtype=np.int64)
    for j in [j for j, user in enumerate(sub_user) if user in reviewers_of_user]:
        applicant_count[j] = len(reviewers_of_user[sub_user[j]])
    size_of_code = np.array([*employer_size.values(), 0], dtype=np.int64)
    missing = k - on_count - np.array(outsiders, dtype=np.int64)
    blocked = np.where(sub_code >= 0, size_of_code[sub_code], 0) + applicant_count + on_count
    needed = np.flatnonzero(missing > 0)
    queue = needed[np.argsort(-blocked[needed], kind="stable")].tolist()
    forbidden_set = _conflict_set(forbidden)

    wanted = missing.tolist()
    picks = _greedy(
        queue,
        wanted,
        load,
        seed,
        k,
        rev_user,
        rev_employer,
        sub_user,
        sub_employer,
        on,
        forbidden_set,
        reviewer_ids,
        submission_ids,
        None,
    )
    # The greedy gives a submission every reviewer who may take it when there are too few, so
    # a submission is short exactly when it got fewer than it was missing.
    short = [j for j in needed.tolist() if len(picks[j]) < wanted[j]]
    conflict_pairs: tuple[IntArray, IntArray] | None = None
    exclusions: dict[int, tuple[int, int, int]] = {}
    if short:
        conflict_pairs = _conflict_pairs(forbidden, reviewer_ids, submission_ids)
        applicant, conflict, clash = _exclusion_counts(
            conflict_pairs,
            on,
            rev_user,
            rev_employer,
            sub_user,
            sub_employer,
            reviewers_of_user,
            rev_code,
            sub_code,
            size_of_code,
        )
        exclusions = {j: (int(applicant[j]), int(conflict[j]), int(clash[j])) for j in short}

    if m and max(load) - min(load) >= 2:
        # Rebalance: the passes work on every submission's full set of reviewers.
        members = [on.get(j, set()) | set(picks[j]) for j in range(n)]
        new_of_reviewer: list[set[int]] = [set() for _ in range(m)]
        for j, picked in enumerate(picks):
            for i in picked:
                new_of_reviewer[i].add(j)
        banned: dict[int, set[int]] = defaultdict(set)
        if conflict_pairs is None:
            conflict_pairs = _conflict_pairs(forbidden, reviewer_ids, submission_ids)
        conflict_i, conflict_j = conflict_pairs
        for i, j in zip(conflict_i.tolist(), conflict_j.tolist(), strict=True):
            banned[j].add(i)

        def is_blocked(j: int, i: int) -> bool:
            employer = rev_employer[i]
            return (
                i in members[j]
                or rev_user[i] == sub_user[j]
                or (employer != "" and employer == sub_employer[j])
                or i in banned.get(j, _EMPTY)
            )

        _repair(load, members, new_of_reviewer, is_blocked, rev_employer, sub_employer)
        # A path can leave a single move behind (its last reviewer got busier), so repair again
        # until neither pass changes anything; each change lowers the sum of squared loads.
        while _augment(
            load, members, new_of_reviewer, is_blocked, banned, rev_employer, sub_employer
        ):
            if not _repair(load, members, new_of_reviewer, is_blocked, rev_employer, sub_employer):
                break
        picks = [sorted(members[j] - kept.get(j, _EMPTY)) for j in range(n)]

    ids_of = reviewer_ids.__getitem__
    return AssignmentResult(
        new=dict(
            zip(submission_ids, [sorted(map(ids_of, picked)) for picked in picks], strict=True)
        ),
        load=dict(zip(reviewer_ids, load, strict=True)),
        shortfall={
            submission_ids[j]: _shortfall_reason(
                k, len(on.get(j, _EMPTY)) + len(picks[j]) + outsiders[j], m + outsiders[j], *reasons
            )
            for j, reasons in exclusions.items()
        },
    )


def _exclusion_counts(
    conflict_pairs: tuple[IntArray, IntArray],
    on: Mapping[int, set[int]],
    rev_user: list[int],
    rev_employer: list[str],
    sub_user: list[int],
    sub_employer: list[str],
    reviewers_of_user: Mapping[int, list[int]],
    rev_code: IntArray,
    sub_code: IntArray,
    size_of_code: IntArray,
) -> tuple[IntArray, IntArray, IntArray]:
    """Who may not take each submission, by reason (applicant, declared conflict, employer),
    counted without looking at every (reviewer, submission) pair: each reviewer not yet on it is
    counted once, under the first reason that applies; employer clashes come from per-employer
    counts."""
    n = len(sub_user)
    conflict_i, conflict_j = conflict_pairs
    counts_as_conflict = (
        np.array(rev_user, dtype=np.int64)[conflict_i]
        != np.array(sub_user, dtype=np.int64)[conflict_j]
    )
    for t in np.flatnonzero(np.isin(conflict_j, list(on))).tolist():
        counts_as_conflict[t] &= int(conflict_i[t]) not in on[int(conflict_j[t])]
    same_employer = (rev_code[conflict_i] == sub_code[conflict_j]) & (sub_code[conflict_j] >= 0)
    conflict = np.bincount(conflict_j[counts_as_conflict], minlength=n)
    counted = np.bincount(conflict_j[counts_as_conflict & same_employer], minlength=n)
    applicant = np.zeros(n, dtype=np.int64)
    for j, ids in on.items():
        counted[j] += sum(1 for i in ids if rev_employer[i] == sub_employer[j])
    for j in [j for j, user in enumerate(sub_user) if user in reviewers_of_user]:
        ids = [i for i in reviewers_of_user[sub_user[j]] if i not in on.get(j, _EMPTY)]
        applicant[j] = len(ids)
        counted[j] += sum(1 for i in ids if rev_employer[i] == sub_employer[j])
    clash = np.where(sub_code >= 0, size_of_code[sub_code] - counted, 0)
    return applicant, conflict, clash


def _conflict_set(forbidden: Collection[tuple[int, int]]) -> AbstractSet[tuple[int, int]]:
    return forbidden if isinstance(forbidden, AbstractSet) else set(forbidden)


def _greedy(
    queue: list[int],
    want: list[int],
    load: list[int],
    seed: int,
    k: int,
    rev_user: list[int],
    rev_employer: list[str],
    sub_user: list[int],
    sub_employer: list[str],
    on: Mapping[int, set[int]],
    forbidden: AbstractSet[tuple[int, int]],
    reviewer_ids: list[int],
    submission_ids: list[int],
    has_conflict: BoolArray | None,
) -> list[list[int]]:
    """Give each submission in `queue`, in that order, its `want` least-loaded reviewers who may
    take it, or every one who may when there are fewer (ties by a random number drawn from
    `seed`). Updates `load`; returns the reviewers
    picked for each submission, by position.

    Heap entries are (load, random tie-break, position); one reviewer has one entry. A reviewer
    who may not take the current submission is popped, set aside and pushed back unchanged. The
    reviewers of an employer with more than k of them, where some applicants work too, have a
    heap of their own that a submission from that employer skips in one step, so that they are
    not popped and set aside again for every such submission; a small heap of the heads of
    those heaps gives the least-loaded reviewer overall. The picks are those of one heap.
    """
    m, n = len(load), len(sub_user)
    rng = random.Random(seed)
    entries = [(load[i], rng.random(), i) for i in range(m)]
    picks: list[list[int]] = [[] for _ in sub_user]
    # Which submissions have declared conflicts, when known; otherwise every one is looked up.
    conflicted = has_conflict.tolist() if has_conflict is not None else [bool(forbidden)] * n
    size = Counter(rev_employer)
    wanted_employers = {sub_employer[j] for j in queue}
    own_heap = {
        employer: number + 1
        for number, employer in enumerate(
            e for e, count in size.items() if e and count > k and e in wanted_employers
        )
    }
    heap_of = [own_heap.get(employer, 0) for employer in rev_employer]
    heaps: list[list[tuple[int, float, int]]] = [[] for _ in range(len(own_heap) + 1)]
    for entry in entries:
        heaps[heap_of[entry[2]]].append(entry)
    for heap in heaps:
        heapq.heapify(heap)

    def blocked(j: int, i: int) -> bool:
        employer = rev_employer[i]
        return (
            rev_user[i] == sub_user[j]
            or (employer != "" and employer == sub_employer[j])
            or (j in on and i in on[j])
            or (conflicted[j] and (reviewer_ids[i], submission_ids[j]) in forbidden)
        )

    if len(heaps) == 1:  # the same, with the test written out: this loop is the hot path
        heap = heaps[0]
        pop, push, draw = heapq.heappop, heapq.heappush, rng.random
        for j in queue:
            picked = picks[j]
            count = want[j]
            user, employer, kept = sub_user[j], sub_employer[j], on.get(j, _EMPTY)
            submission_id = submission_ids[j] if conflicted[j] else None
            set_aside = []
            while len(picked) < count and heap:
                entry = pop(heap)
                i = entry[2]
                if (
                    rev_user[i] == user
                    or (employer and rev_employer[i] == employer)
                    or i in kept
                    or (submission_id is not None and (reviewer_ids[i], submission_id) in forbidden)
                ):
                    set_aside.append(entry)
                else:
                    picked.append(i)
            for entry in set_aside:
                push(heap, entry)
            for i in picked:
                load[i] += 1
                push(heap, (load[i], draw(), i))
        return picks

    # heads: (the head entry of heap h, h); an entry is stale once it is no longer the head.
    heads = [(heap[0], h) for h, heap in enumerate(heaps) if heap]
    heapq.heapify(heads)
    for j in queue:
        picked = picks[j]
        count = want[j]
        skip = own_heap.get(sub_employer[j], -1)
        set_aside: list[tuple[int, float, int]] = []
        skipped = []
        while len(picked) < count and heads:
            head = heads[0]
            entry, h = head
            heap = heaps[h]
            if not heap or heap[0] is not entry:
                heapq.heappop(heads)
            elif h == skip:
                skipped.append(heapq.heappop(heads))
            else:
                heapq.heappop(heap)
                if heap:
                    heapq.heapreplace(heads, (heap[0], h))
                else:
                    heapq.heappop(heads)
                if blocked(j, entry[2]):
                    set_aside.append(entry)
                else:
                    picked.append(entry[2])
        for head in skipped:
            heapq.heappush(heads, head)
        returning = set_aside + [(load[i] + 1, rng.random(), i) for i in picked]
        for entry in returning:
            heap = heaps[heap_of[entry[2]]]
            heapq.heappush(heap, entry)
            if heap[0] is entry:
                heapq.heappush(heads, (entry, heap_of[entry[2]]))
        for i in picked:
            load[i] += 1
    return picks


def _repair(
    load: list[int],
    members: list[set[int]],
    new_of_reviewer: list[set[int]],
    is_blocked: Callable[[int, int], bool],
    rev_employer: list[str],
    sub_employer: list[str],
) -> bool:
    """Move new assignments from a reviewer with load L to an eligible one with load <= L - 2.

    Each move lowers the sum of squared loads, so the passes end; a pass without a move has
    checked every new assignment against the final loads, so none is left. Returns whether
    anything moved.
    """
    if not load:
        return False
    # load -> employer -> reviewers. Grouping by employer lets a search skip a whole employer
    # that clashes with the submission in one step: when one big employer's reviewers are the
    # least loaded because most applicants work there too, every search would otherwise walk
    # through all of them, for every assignment of every busy reviewer.
    levels: dict[int, dict[str, set[int]]] = {}
    for i, value in enumerate(load):
        levels.setdefault(value, {}).setdefault(rev_employer[i], set()).add(i)
    present = sorted(levels)  # loads someone has, ascending

    def receiver(j: int, at_most: int) -> int | None:
        clash = sub_employer[j]
        for value in present:
            if value > at_most:
                break
            for employer, group in levels[value].items():
                if employer and employer == clash:
                    continue
                for i in group:
                    if not is_blocked(j, i):
                        return i
        return None

    def set_load(i: int, value: int) -> None:
        groups = levels[load[i]]
        groups[rev_employer[i]].discard(i)
        if not groups[rev_employer[i]]:
            del groups[rev_employer[i]]
            if not groups:
                del levels[load[i]]
                present.remove(load[i])
        load[i] = value
        if value not in levels:
            bisect.insort(present, value)
        levels.setdefault(value, {}).setdefault(rev_employer[i], set()).add(i)

    any_moved = False
    moved = True
    while moved and present[-1] - present[0] >= 2:
        moved = False
        for donor in sorted(range(len(load)), key=lambda i: (-load[i], i)):
            for j in sorted(new_of_reviewer[donor]):
                if load[donor] - present[0] < 2:
                    break
                target = receiver(j, load[donor] - 2)
                if target is None:
                    continue
                members[j].remove(donor)
                members[j].add(target)
                new_of_reviewer[donor].remove(j)
                new_of_reviewer[target].add(j)
                set_load(donor, load[donor] - 1)
                set_load(target, load[target] + 1)
                moved = True
                any_moved = True
    return any_moved


def _augment(
    load: list[int],
    members: list[set[int]],
    new_of_reviewer: list[set[int]],
    is_blocked: Callable[[int, int], bool],
    banned: Mapping[int, set[int]],
    rev_employer: list[str],
    sub_employer: list[str],
) -> bool:
    """Apply augmenting paths from the busiest reviewers until none is left.

    A path runs r0, r1, ..., rk: r0 has the highest load L, rk a load <= L - 2, and each step
    moves one new assignment (of some submission) from r_i to r_{i+1}, who may take it and is
    not on it yet. Only r0 and rk change load. A breadth-first search from every reviewer with
    load L at once finds one; each submission is expanded once, since the reviewers it can go to
    are all reached the first time, so a path never moves the same submission twice. Returns
    whether anything moved.

    When no path is left, let T be the reviewers reachable from the busiest ones: a submission
    with a new assignment in T has every other reviewer who may take it either in T or already
    on it, so no valid assignment puts less work in T, and every load in T is L - 1 or L, so none
    has a busiest reviewer below L.
    """
    if not load:
        return False
    by_employer: dict[str, list[int]] = {}
    for i, employer in enumerate(rev_employer):
        by_employer.setdefault(employer, []).append(i)
    any_moved = False
    while True:
        top = max(load)
        if top - min(load) < 2:
            return any_moved
        sources = [i for i, value in enumerate(load) if value == top]
        # Reviewers not reached yet, grouped by employer so that a submission skips a whole
        # employer that clashes with it in one step.
        unreached = {
            employer: {i for i in group if load[i] != top}
            for employer, group in by_employer.items()
        }
        unreached = {employer: group for employer, group in unreached.items() if group}
        via: dict[int, tuple[int, int]] = {}  # reviewer -> (previous reviewer, submission)
        expanded: set[int] = set()
        queue = deque(sources)
        end = None
        while queue and unreached and end is None:
            u = queue.popleft()
            for j in new_of_reviewer[u]:
                if j in expanded:
                    continue
                expanded.add(j)
                clash = sub_employer[j]
                for employer in list(unreached):
                    if employer and employer == clash:
                        continue
                    group = unreached[employer]
                    # Declared conflicts are taken out as a set first: when most reviewers
                    # conflict with most submissions, checking them one by one dominates.
                    candidates = group - banned[j] if j in banned else group
                    reached = [v for v in candidates if not is_blocked(j, v)]
                    for v in reached:
                        group.remove(v)
                        via[v] = (u, j)
                        if load[v] <= top - 2:
                            end = v
                            break
                        queue.append(v)
                    if not group:
                        del unreached[employer]
                    if end is not None:
                        break
                if end is not None or not unreached:
                    break
        if end is None:
            return any_moved
        load[end] += 1
        v = end
        while v in via:
            u, j = via[v]
            members[j].remove(u)
            members[j].add(v)
            new_of_reviewer[u].remove(j)
            new_of_reviewer[v].add(j)
            v = u
        load[v] -= 1
        any_moved = True
