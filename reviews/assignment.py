"""Assign k reviewers to each application, spreading the work evenly. Pure: no Django.

Rules that are never broken: a submission gets k distinct reviewers in total (existing + new)
where enough are eligible; a reviewer never reviews their own application, never one they have a
declared conflict with (a forbidden pair), and never one from their own employer (compared
case-insensitively after stripping; an empty employer matches nothing). Existing assignments are
kept as they are, count toward k and toward the reviewer's load; a submission that already has k
or more gets nothing new. When fewer than k reviewers are eligible, every eligible one is assigned
and the submission gets a readable reason in `shortfall`.

Balance is best effort within those rules: submissions with the fewest eligible reviewers go
first and each takes the least-loaded eligible reviewers (ties in a random order drawn from
`seed`, so a run is reproducible); then a repair pass moves new assignments from busy reviewers
to eligible ones with a load at least two lower until no such move exists. Last, while the busiest
reviewer is two or more above the least busy one, an augmenting path of moves is looked for: the
busiest reviewer hands one new assignment to a reviewer who may take it, who hands another one on,
and so on, until a reviewer with a load at least two below the busiest one takes the last one (the
loads in between do not change). When no such path is left, no valid assignment (keeping the
existing ones) gives the busiest reviewer less work, and the busiest reviewer is at most one
assignment above the least busy one whenever some valid assignment achieves that.

Loads count every existing assignment in `existing`, including those of submissions not passed in
`submissions` (already fully reviewed applications still take a reviewer's time). Reviewer ids in
`existing` that are not in `reviewers` count toward the submission's k but have no load entry.
"""

import bisect
import heapq
import random
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType


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
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    position = {reviewer.id: i for i, reviewer in enumerate(reviewers)}
    if len(position) != len(reviewers):
        raise ValueError("reviewer ids must be unique")
    slot = {submission.id: j for j, submission in enumerate(submissions)}
    if len(slot) != len(submissions):
        raise ValueError("submission ids must be unique")

    # Reviewers and submissions are addressed by their position from here on.
    m = len(reviewers)
    rev_user = [reviewer.user_id for reviewer in reviewers]
    rev_employer = [_normalise(reviewer.employer) for reviewer in reviewers]
    sub_user = [submission.applicant_user_id for submission in submissions]
    sub_employer = [_normalise(submission.employer) for submission in submissions]
    reviewers_of_user: dict[int, list[int]] = {}
    for i, user_id in enumerate(rev_user):
        reviewers_of_user.setdefault(user_id, []).append(i)
    employer_size = Counter(employer for employer in rev_employer if employer)

    load = [0] * m
    members: list[set[int]] = [set() for _ in submissions]  # existing + new, by position
    kept: dict[int, frozenset[int]] = {}  # existing, by position, to tell new ones apart
    outsiders = [0] * len(submissions)  # existing reviewer ids not among `reviewers`
    for submission_id, reviewer_ids in existing.items():
        j = slot.get(submission_id)
        for reviewer_id in set(reviewer_ids):
            i = position.get(reviewer_id)
            if i is not None:
                load[i] += 1
            if j is None:
                continue
            if i is None:
                outsiders[j] += 1
            else:
                members[j].add(i)
        if j is not None:
            kept[j] = frozenset(members[j])

    # Declared conflicts by submission position; grouped by id first because this loop runs
    # once per forbidden pair (hundreds of thousands) and must stay cheap.
    conflicts_of: dict[int, list[int]] = defaultdict(list)
    for reviewer_id, submission_id in forbidden:
        conflicts_of[submission_id].append(reviewer_id)
    banned: dict[int, set[int]] = {}
    for submission_id, reviewer_ids in conflicts_of.items():
        j = slot.get(submission_id)
        if j is not None:
            banned[j] = {position[r] for r in reviewer_ids if r in position}

    def is_blocked(j: int, i: int) -> bool:
        employer = rev_employer[i]
        return (
            i in members[j]
            or rev_user[i] == sub_user[j]
            or (employer != "" and employer == sub_employer[j])
            or i in banned.get(j, _EMPTY)
        )

    def excluded(j: int) -> tuple[int, int, int]:
        """Reviewers not yet on submission j who may not take it: applicant, conflict, employer.

        Each reviewer is counted once, under the first reason that applies, without a scan of
        all reviewers: employer clashes come from per-employer counts.
        """
        on = members[j]
        applicant = {i for i in reviewers_of_user.get(sub_user[j], ()) if i not in on}
        conflict = {i for i in banned.get(j, _EMPTY) if i not in on and i not in applicant}
        employer = sub_employer[j]
        clash = 0
        if employer:
            counted = sum(1 for i in on | applicant | conflict if rev_employer[i] == employer)
            clash = employer_size[employer] - counted
        return len(applicant), len(conflict), clash

    needed: dict[int, int] = {}
    eligible: dict[int, int] = {}
    exclusions: dict[int, tuple[int, int, int]] = {}
    for j in range(len(submissions)):
        missing = k - len(members[j]) - outsiders[j]
        if missing <= 0:
            continue
        reasons = excluded(j)
        needed[j] = missing
        eligible[j] = m - len(members[j]) - sum(reasons)
        if eligible[j] < missing:
            exclusions[j] = reasons

    # Greedy: one heap entry per reviewer, (load, random tie-break, position). A reviewer who
    # cannot take the current submission is popped, set aside and pushed back unchanged.
    rng = random.Random(seed)
    heap = [(load[i], rng.random(), i) for i in range(m)]
    heapq.heapify(heap)
    new_of_reviewer: list[set[int]] = [set() for _ in range(m)]
    # `needed` is in position order and sorted() is stable, so ties keep the input order.
    for j in sorted(needed, key=eligible.__getitem__):
        want = min(needed[j], eligible[j])
        picked: list[int] = []
        set_aside = []
        while len(picked) < want:
            entry = heapq.heappop(heap)
            if is_blocked(j, entry[2]):
                set_aside.append(entry)
            else:
                picked.append(entry[2])
        for entry in set_aside:
            heapq.heappush(heap, entry)
        for i in picked:
            load[i] += 1
            members[j].add(i)
            new_of_reviewer[i].add(j)
            heapq.heappush(heap, (load[i], rng.random(), i))

    _repair(load, members, new_of_reviewer, is_blocked, rev_employer, sub_employer)
    # A path can leave a single move behind (its last reviewer got busier), so repair again until
    # neither pass changes anything; each change lowers the sum of squared loads.
    while _augment(load, members, new_of_reviewer, is_blocked, banned, rev_employer, sub_employer):
        if not _repair(load, members, new_of_reviewer, is_blocked, rev_employer, sub_employer):
            break

    reviewer_ids = [reviewer.id for reviewer in reviewers]
    return AssignmentResult(
        new={
            submission.id: sorted(
                reviewer_ids[i] for i in (members[j] - kept[j] if j in kept else members[j])
            )
            for j, submission in enumerate(submissions)
        },
        load={reviewer_ids[i]: load[i] for i in range(m)},
        shortfall={
            submissions[j].id: _shortfall_reason(
                k,
                len(members[j]) + outsiders[j],
                m + outsiders[j],
                *reasons,
            )
            for j, reasons in exclusions.items()
        },
    )


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
