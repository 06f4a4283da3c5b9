"""`selection.promotions`: who of the waitlist gets the free seats, every quota decided jointly.

Checked against a brute-force reference on small random instances, with the plain properties
(maxima, counts, order) and the concrete cases where the old per-quota check `promotable`
decided differently.
"""

from collections.abc import Mapping, Sequence
from itertools import combinations

from hypothesis import event, given, settings
from hypothesis import strategies as st

from selection.selection import Candidate, Promotion, Quota, promotable, promotions

SECTOR = "sector"
LEVEL = "job_level"


def person(id: int, **attributes: str) -> Candidate:
    return Candidate(id, 0.0, attributes)


# --- Reference ------------------------------------------------------------------------------


def counts(members: Sequence[Mapping[str, str]], quotas: Sequence[Quota]) -> list[int]:
    return [sum(q.counts(m) for m in members) for q in quotas]


def breaks_max(base: Sequence[int], attributes: Mapping[str, str], quotas: Sequence[Quota]) -> bool:
    return any(
        q.max_count is not None and q.counts(attributes) and b + 1 > q.max_count
        for q, b in zip(quotas, base, strict=True)
    )


def least_shortfall(
    base: Sequence[int],
    pool: Sequence[Mapping[str, str]],
    seats: int,
    quotas: Sequence[Quota],
) -> int:
    """The smallest total shortfall below the minimums over every way of adding at most `seats`
    members of `pool` that keeps every maximum (one already exceeded: nobody more of it)."""
    best = None
    for size in range(min(max(seats, 0), len(pool)) + 1):
        for added in combinations(pool, size):
            extra = counts(added, quotas)
            if any(
                q.max_count is not None and e > max(q.max_count - b, 0)
                for q, b, e in zip(quotas, base, extra, strict=True)
            ):
                continue
            shortfall = sum(
                max(q.min_count - b - e, 0)
                for q, b, e in zip(quotas, base, extra, strict=True)
                if q.min_count is not None
            )
            best = shortfall if best is None else min(best, shortfall)
    assert best is not None  # adding nobody always keeps the maxima
    return best


def reference(
    holders: Sequence[Mapping[str, str]],
    waitlist: Sequence[Candidate],
    quotas: Sequence[Quota],
    free: int,
) -> list[tuple[int, list[int]]]:
    """(promoted id, passed-over ids) per seat: the first waitlisted candidate who keeps every
    maximum and does not raise the least shortfall the remaining seats can reach."""
    base = counts(holders, quotas)
    remaining = list(waitlist)
    chosen: list[tuple[int, list[int]]] = []
    for _ in range(max(free, 0)):
        if not remaining:
            break
        seats_left = free - len(chosen)
        best = least_shortfall(base, [c.attributes for c in remaining], seats_left, quotas)
        passed: list[int] = []
        pick = None
        for candidate in remaining:
            if not breaks_max(base, candidate.attributes, quotas):
                after = [
                    b + q.counts(candidate.attributes) for q, b in zip(quotas, base, strict=True)
                ]
                rest = [c.attributes for c in remaining if c is not candidate]
                if least_shortfall(after, rest, seats_left - 1, quotas) <= best:
                    pick = candidate
                    break
            passed.append(candidate.id)
        if pick is None:
            break
        chosen.append((pick.id, passed))
        base = [b + q.counts(pick.attributes) for q, b in zip(quotas, base, strict=True)]
        remaining.remove(pick)
    return chosen


# --- Random instances -----------------------------------------------------------------------

DOMAINS = {SECTOR: ["ict", "retail", "finance"], LEVEL: ["frontline", "manager"]}


@st.composite
def domains(draw):
    """Two attributes with 2 or 3 values each."""
    return {
        SECTOR: DOMAINS[SECTOR][: draw(st.integers(2, 3))],
        LEVEL: DOMAINS[LEVEL] + draw(st.sampled_from([[], ["director"]])),
    }


@st.composite
def instances(draw):
    domain = draw(domains())

    def attributes():
        return {name: draw(st.sampled_from(values)) for name, values in domain.items()}

    holders = [attributes() for _ in range(draw(st.integers(0, 3)))]
    waitlist = [Candidate(i, 0.0, attributes()) for i in range(1, draw(st.integers(0, 7)) + 1)]
    quotas = []
    for number in range(draw(st.integers(1, 3))):
        attribute = draw(st.sampled_from(sorted(domain)))
        values = draw(st.frozensets(st.sampled_from(domain[attribute]), min_size=1, max_size=2))
        low = draw(st.none() | st.integers(0, 4))
        high = draw(st.none() | st.integers(0, 4))
        quotas.append(Quota(f"q{number}", attribute, values, low, high))
    free = draw(st.integers(0, 4))
    seats = len(holders) + free
    return holders, waitlist, seats, quotas, free


@settings(max_examples=300, deadline=None)
@given(instances())
def test_promotions_matches_brute_force_on_small_instances(instance):
    holders, waitlist, seats, quotas, free = instance

    chosen = promotions(holders, waitlist, seats, quotas, free=free)

    expected = reference(holders, waitlist, quotas, free)
    event(f"{len(expected)} promoted, {sum(bool(p) for _, p in expected)} with passed over")
    assert [(p.id, p.passed_over) for p in chosen] == expected


@settings(max_examples=300, deadline=None)
@given(instances())
def test_promotions_keeps_maxima_counts_and_waitlist_order(instance):
    holders, waitlist, seats, quotas, free = instance
    by_id = {c.id: c for c in waitlist}
    place = {c.id: k for k, c in enumerate(waitlist)}

    chosen = promotions(holders, waitlist, seats, quotas, free=free)

    assert len(chosen) <= free
    assert len(chosen) <= len(waitlist)
    ids = [p.id for p in chosen]
    assert len(set(ids)) == len(ids)
    assert set(ids) <= set(by_id)
    base = counts(holders, quotas)
    for promotion in chosen:
        attributes = by_id[promotion.id].attributes
        # No promotion pushes a quota over its maximum, even one the holders already exceed.
        assert not breaks_max(base, attributes, quotas)
        base = [b + q.counts(attributes) for q, b in zip(quotas, base, strict=True)]
        assert promotion.id not in promotion.passed_over
        assert set(promotion.passed_over) <= set(by_id)
        assert all(place[i] < place[promotion.id] for i in promotion.passed_over)
        assert promotion.passed_over == sorted(promotion.passed_over, key=place.__getitem__)
        # A reason exactly when someone was passed over, and it names a quota.
        assert bool(promotion.reason) == bool(promotion.passed_over)
        if promotion.reason:
            assert any(q.name in promotion.reason for q in quotas)
    # Seats stay empty only when everyone still waiting would break a maximum.
    if len(chosen) < min(free, len(waitlist)):
        left = [c for c in waitlist if c.id not in set(ids)]
        assert all(breaks_max(base, c.attributes, quotas) for c in left)


@given(
    waitlist=st.lists(st.integers(1, 100), unique=True, max_size=7).map(
        lambda ids: [person(i, sector="ict") for i in ids]
    ),
    free=st.integers(0, 9),
)
def test_promotions_without_quotas_takes_the_first_in_order(waitlist, free):
    unbounded = [Quota("ICT", SECTOR, frozenset({"ict"}))]

    for quotas in ([], unbounded):
        chosen = promotions([{"sector": "ict"}], waitlist, 10, quotas, free=free)

        assert chosen == [Promotion(c.id, [], "") for c in waitlist[:free]]


def test_promotions_with_no_free_seat_or_no_waitlist_promotes_nobody():
    quotas = [Quota("ICT", SECTOR, frozenset({"ict"}), min_count=1)]

    assert promotions([], [person(1, sector="ict")], 3, quotas, free=0) == []
    assert promotions([], [person(1, sector="ict")], 3, quotas, free=-2) == []
    assert promotions([], [], 3, quotas, free=2) == []


# --- Cases the old per-quota check decided differently --------------------------------------

ICT = Quota("ICT", SECTOR, frozenset({"ict"}), min_count=1)
FRONTLINE = Quota("frontline", LEVEL, frozenset({"frontline"}), min_count=1)


def test_promotions_judges_two_minimums_together_where_promotable_does_not():
    # Three holders count towards neither quota; two seats are free. The first waitlisted
    # counts towards neither: after him one seat is left, enough for ICT or for frontline
    # but not for both.
    holders = [{"sector": "retail", "job_level": "manager"}] * 3
    neither = person(1, sector="retail", job_level="manager")
    ict = person(2, sector="ict", job_level="manager")
    frontline = person(3, sector="retail", job_level="frontline")
    waitlist = [neither, ict, frontline]
    quotas = [ICT, FRONTLINE]

    # Each quota alone is still within reach, so the per-quota check lets him through ...
    assert promotable(
        {"ICT": 0, "frontline": 0},
        5,
        quotas,
        neither.attributes,
        {"ICT": 1, "frontline": 1},
        taken=3,
    )
    # ... but together they are not: both seats go to the two who meet a minimum each.
    chosen = promotions(holders, waitlist, 5, quotas, free=2)

    assert [p.id for p in chosen] == [2, 3]
    assert [p.passed_over for p in chosen] == [[1], [1]]
    assert chosen[0].reason == "the seats left are needed to reach the minimum of ICT, frontline"
    assert chosen[1].reason == "the seats left are needed to reach the minimum of frontline"


def test_promotions_does_not_let_an_unreachable_minimum_block_everyone():
    # ICT needs 3 but only one ICT candidate waits: the minimum is out of reach whatever
    # happens, so promoting someone outside it harms nothing.
    quotas = [Quota("ICT", SECTOR, frozenset({"ict"}), min_count=3)]
    holders = [{"sector": "retail"}] * 3
    waitlist = [person(1, sector="retail"), person(2, sector="ict")]

    # The per-quota check refuses him: 3 ICT members are missing and only 1 is waiting.
    assert not promotable({"ICT": 0}, 5, quotas, {"sector": "retail"}, {"ICT": 1}, taken=3)

    assert promotions(holders, waitlist, 5, quotas, free=2) == [
        Promotion(1, [], ""),
        Promotion(2, [], ""),
    ]
    # With a single seat it still goes to the ICT candidate: that brings the shortfall from 3
    # down to 2, promoting the first would leave it at 3.
    assert promotions(holders, waitlist, 4, quotas, free=1) == [
        Promotion(2, [1], "the seats left are needed to reach the minimum of ICT"),
    ]


def test_promotions_skips_members_of_a_maximum_the_holders_already_exceed():
    quotas = [Quota("managers", LEVEL, frozenset({"manager"}), max_count=1)]
    holders = [{"job_level": "manager"}] * 2  # already one over
    waitlist = [
        person(1, job_level="manager"),
        person(2, job_level="frontline"),
        person(3, job_level="manager"),
        person(4, job_level="frontline"),
    ]

    chosen = promotions(holders, waitlist, 5, quotas, free=3)

    # Two seats are filled from outside the quota; the third stays empty.
    assert chosen == [
        Promotion(2, [1], "promoting them would exceed the maximum of managers"),
        Promotion(4, [1, 3], "promoting them would exceed the maximum of managers"),
    ]


def test_promotions_reason_names_the_quota_when_a_maximum_is_reached():
    quotas = [Quota("ICT", SECTOR, frozenset({"ict"}), max_count=2)]
    waitlist = [person(1, sector="ict"), person(2, sector="ict"), person(3, sector="retail")]

    chosen = promotions([{"sector": "ict"}], waitlist, 4, quotas, free=2)

    assert chosen == [
        Promotion(1, [], ""),
        Promotion(3, [2], "promoting them would exceed the maximum of ICT"),
    ]


def test_promotions_reason_names_a_minimum_when_the_skipped_candidate_counts_towards_it():
    # ICT needs 2. The first waitlisted is ICT too, but he also uses up the only place under
    # both maxima, so the two others could no longer both follow.
    quotas = [
        Quota("ICT", SECTOR, frozenset({"ict"}), min_count=2),
        Quota("frontline or director", LEVEL, frozenset({"frontline", "director"}), max_count=1),
        Quota("frontline or manager", LEVEL, frozenset({"frontline", "manager"}), max_count=1),
    ]
    waitlist = [
        person(1, sector="ict", job_level="frontline"),
        person(2, sector="ict", job_level="director"),
        person(3, sector="ict", job_level="manager"),
    ]

    chosen = promotions([], waitlist, 2, quotas, free=2)

    assert [(p.id, p.passed_over) for p in chosen] == [(2, [1]), (3, [1])]
    assert chosen[0].reason == "the seats left are needed to reach the minimum of ICT"
