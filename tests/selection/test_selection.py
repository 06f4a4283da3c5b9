import math
from itertools import combinations

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from selection.selection import (
    Candidate,
    Quota,
    SelectionResult,
    promotable,
    quota_bounds,
    select_cohort,
)

FRONTLINE = Quota("frontline", "job_level", frozenset({"frontline"}))
ICT = Quota("ICT", "sector", frozenset({"ict"}))
UNION = Quota("union", "union", frozenset({"yes"}))


def bounded(quota: Quota, low: int | None = None, high: int | None = None) -> Quota:
    return Quota(quota.name, quota.attribute, quota.values, low, high)


def candidate(id: int, score: float, **attributes: str) -> Candidate:
    return Candidate(id, score, attributes)


def lottery_order(candidates: list[Candidate], seed: int) -> list[int]:
    """All ids by score then lottery: what select_cohort does with every seat and no quota."""
    return select_cohort(candidates, len(candidates), [], seed=seed).selected


def test_select_cohort_without_quotas_takes_the_top_scores():
    pool = [candidate(i, score) for i, score in enumerate([2.5, 4.0, 3.0, 1.0, 4.5], start=1)]

    result = select_cohort(pool, 3, [])

    assert result == SelectionResult(
        selected=[5, 2, 3],
        waitlist=[1, 4],
        objective=11.5,
        binding=[],
        status="optimal",
        conflict="",
    )


def test_select_cohort_min_quota_brings_in_lower_scores():
    pool = [
        candidate(1, 9.0, job_level="manager"),
        candidate(2, 8.0, job_level="manager"),
        candidate(3, 7.0, job_level="manager"),
        candidate(4, 3.0, job_level="frontline"),
        candidate(5, 2.0, job_level="frontline"),
        candidate(6, 1.0, job_level="frontline"),
    ]

    result = select_cohort(pool, 3, [bounded(FRONTLINE, low=2)])

    assert result.status == "optimal"
    assert result.selected == [1, 4, 5]
    assert result.waitlist == [2, 3, 6]
    assert result.objective == 14.0
    assert result.binding == ["frontline"]


def test_select_cohort_max_quota_keeps_the_surplus_out():
    pool = [
        candidate(1, 9.0, sector="ict"),
        candidate(2, 8.0, sector="ict"),
        candidate(3, 7.0, sector="ict"),
        candidate(4, 3.0, sector="retail"),
        candidate(5, 2.0, sector="finance"),
    ]

    result = select_cohort(pool, 3, [bounded(ICT, high=1)])

    assert result.selected == [1, 4, 5]
    assert result.waitlist == [2, 3]
    assert result.binding == ["ICT"]


def test_select_cohort_takes_everyone_when_seats_exceed_candidates():
    pool = [candidate(1, 1.0, sector="ict"), candidate(2, 2.0, sector="retail")]

    result = select_cohort(pool, 10, [bounded(ICT, low=1, high=1)])

    assert result.selected == [2, 1]
    assert result.waitlist == []
    assert result.objective == 3.0
    assert result.status == "optimal"


def test_select_cohort_with_no_candidates_selects_nobody():
    assert select_cohort([], 5, [bounded(ICT, high=3)]) == SelectionResult(
        [], [], 0.0, [], "optimal", ""
    )


def test_select_cohort_breaks_ties_reproducibly_by_seed():
    pool = [candidate(i, 1.0) for i in range(1, 11)]

    first = select_cohort(pool, 3, [], seed=0)

    assert select_cohort(pool, 3, [], seed=0) == first
    assert select_cohort(list(reversed(pool)), 3, [], seed=0) == first
    assert select_cohort(pool, 3, [], seed=1).selected != first.selected
    assert first.selected == lottery_order(pool, 0)[:3]


@pytest.mark.parametrize("seed", range(6))
def test_select_cohort_breaks_ties_across_quota_groups_by_lottery(seed):
    # One frontline seat is forced; the two others go to the tied candidates with the best
    # lottery ranks, at most one of them from ICT.
    pool = [
        candidate(1, 1.0, job_level="frontline", sector="retail"),
        candidate(2, 2.0, sector="ict"),
        candidate(3, 2.0, sector="finance"),
        candidate(4, 2.0, sector="ict"),
        candidate(5, 2.0, sector="finance"),
    ]
    quotas = [bounded(FRONTLINE, low=1), bounded(ICT, high=1)]
    expected, ict = [], 0
    for i in lottery_order(pool, seed):
        if i != 1 and len(expected) < 2 and not (i in (2, 4) and ict == 1):
            expected.append(i)
            ict += i in (2, 4)

    result = select_cohort(pool, 3, quotas, seed=seed)

    assert result.selected == [*expected, 1]


def test_select_cohort_ignores_quotas_without_bounds_and_missing_attributes():
    pool = [candidate(1, 3.0), candidate(2, 2.0, sector="ict"), candidate(3, 1.0, sector="ict")]

    ict_cap = Quota("ICT cap", "sector", frozenset({"ict"}), min_count=0, max_count=2)

    result = select_cohort(pool, 2, [ICT, ict_cap])

    assert result.selected == [1, 2]
    assert result.binding == []


def test_select_cohort_explains_a_minimum_above_the_eligible_candidates():
    pool = [
        candidate(1, 5.0, job_level="frontline"),
        candidate(2, 4.0, job_level="frontline"),
        candidate(3, 3.0, job_level="manager"),
        candidate(4, 2.0, job_level="manager"),
    ]

    result = select_cohort(pool, 3, [bounded(FRONTLINE, low=3)])

    assert result == SelectionResult(
        selected=[],
        waitlist=[],
        objective=0.0,
        binding=[],
        status="infeasible",
        conflict=(
            "frontline ≥ 3, but only 2 eligible candidates are frontline (job_level: frontline)."
        ),
    )


def test_select_cohort_explains_single_quota_contradictions_with_numbers():
    pool = [candidate(i, float(i), sector="ict" if i <= 1200 else "retail") for i in range(1, 1501)]
    quotas = [
        bounded(ICT, high=500),
        Quota("retail", "sector", frozenset({"retail"}), min_count=7, max_count=6),
        Quota("SME", "employer_size", frozenset({"micro", "small"}), min_count=1200),
    ]

    result = select_cohort(pool, 1000, quotas)

    assert result.status == "infeasible"
    assert result.conflict == (
        "ICT ≤ 500, but only 300 eligible candidates are not ICT (sector: ict), so at least "
        "700 of the 1,000 seats would go to ICT. "
        "retail asks for at least 7 but at most 6. "
        "SME ≥ 1,200, but there are only 1,000 seats."
    )


def test_select_cohort_names_two_quotas_that_clash():
    pool = [
        candidate(1, 4.0, sector="ict", union="yes"),
        candidate(2, 3.0, sector="ict", union="yes"),
        candidate(3, 2.0, sector="retail", union="no"),
        candidate(4, 1.0, sector="retail", union="no"),
    ]

    result = select_cohort(pool, 3, [bounded(ICT, low=2), bounded(UNION, high=1)])

    assert result.status == "infeasible"
    assert (result.selected, result.waitlist, result.objective) == ([], [], 0.0)
    assert result.conflict == (
        "ICT ≥ 2 and union ≤ 1 cannot both hold with 3 seats: of the 4 eligible candidates, "
        "2 count towards both, 0 only towards ICT, 0 only towards union and 2 towards neither."
    )


def test_select_cohort_names_the_smallest_set_of_clashing_quotas():
    sectors = ["ict", "retail", "finance"]
    pool = [candidate(i, float(i), sector=sectors[i % 3], union="yes") for i in range(30)]
    quotas = [
        bounded(UNION, low=5),
        *(Quota(s, "sector", frozenset({s}), max_count=3) for s in sectors),
    ]

    result = select_cohort(pool, 10, quotas)

    assert result.status == "infeasible"
    assert result.conflict == (
        "ict ≤ 3, retail ≤ 3 and finance ≤ 3 cannot all hold with 10 seats (of the 30 eligible "
        "candidates, counting towards each: ict 10, retail 10, finance 10); loosening any one "
        "of them removes this clash."
    )


def test_select_cohort_reports_only_quotas_that_change_the_result_as_binding():
    pool = [
        candidate(1, 9.0, sector="ict", job_level="manager", union="no"),
        candidate(2, 8.0, sector="ict", job_level="manager", union="yes"),
        candidate(3, 7.0, sector="ict", job_level="manager", union="no"),
        candidate(4, 6.0, sector="retail", job_level="frontline", union="no"),
        candidate(5, 5.0, sector="retail", job_level="manager", union="yes"),
        candidate(6, 1.0, sector="retail", job_level="frontline", union="no"),
    ]
    quotas = [
        bounded(ICT, high=2),  # top 4 has 3 from ICT: binds
        bounded(FRONTLINE, low=1),  # top 4 already has one: met with equality, does not bind
        bounded(UNION, low=1, high=3),  # slack
    ]

    result = select_cohort(pool, 4, quotas)

    assert result.selected == [1, 2, 4, 5]
    assert result.binding == ["ICT"]


@pytest.mark.parametrize(
    ("pool", "capacity", "quotas", "message"),
    [
        ([candidate(1, 1.0), candidate(1, 2.0)], 1, [], "candidate ids must be unique"),
        ([candidate(1, math.nan)], 1, [], "not finite"),
        ([candidate(1, 1.0)], -1, [], "capacity must not be negative"),
        ([candidate(1, 1.0)], 1, [ICT, ICT], "quota names must be unique"),
        ([candidate(1, 1.0)], 1, [bounded(ICT, low=-1)], "negative bound"),
    ],
)
def test_select_cohort_rejects_malformed_input(pool, capacity, quotas, message):
    with pytest.raises(ValueError, match=message):
        select_cohort(pool, capacity, quotas)


def test_promotable_refuses_a_candidate_who_would_exceed_a_maximum():
    quotas = [bounded(ICT, high=2)]

    assert not promotable({"ICT": 2}, 10, quotas, {"sector": "ict"}, {"ICT": 5}, taken=8)
    assert promotable({"ICT": 2}, 10, quotas, {"sector": "retail"}, {"ICT": 5}, taken=8)


def test_promotable_keeps_the_last_seats_for_an_unmet_minimum():
    quotas = [bounded(FRONTLINE, low=3)]
    manager = {"job_level": "manager"}

    assert not promotable({"frontline": 1}, 10, quotas, manager, {"frontline": 4}, taken=8)
    assert promotable({"frontline": 1}, 10, quotas, manager, {"frontline": 4}, taken=7)
    assert not promotable({"frontline": 1}, 10, quotas, {"job_level": "frontline"}, {}, taken=8)
    assert promotable(
        {"frontline": 1}, 10, quotas, {"job_level": "frontline"}, {"frontline": 1}, taken=8
    )


def test_promotable_refuses_when_the_waitlist_cannot_meet_a_minimum():
    quotas = [bounded(FRONTLINE, low=5)]

    assert not promotable({"frontline": 2}, 20, quotas, {}, {"frontline": 2}, taken=5)
    assert promotable({"frontline": 2}, 20, quotas, {}, {"frontline": 3}, taken=5)


def test_promotable_refuses_when_no_seat_is_free():
    assert not promotable({}, 10, [], {}, {}, taken=10)
    assert promotable({}, 10, [], {}, {}, taken=9)


def test_promotable_without_taken_uses_the_largest_count_as_seats_taken():
    quotas = [bounded(FRONTLINE, low=3), bounded(UNION)]
    manager = {"job_level": "manager"}

    # At least 8 seats are taken (8 union members hold one), so 1 is left after this one.
    assert promotable({"frontline": 2, "union": 8}, 10, quotas, manager, {"frontline": 5})
    assert not promotable({"frontline": 1, "union": 8}, 10, quotas, manager, {"frontline": 5})


# Properties on small random instances, checked against brute force.

ATTRIBUTES = {"sector": ["ict", "retail", "finance"], "job_level": ["frontline", "manager"]}


@st.composite
def instances(draw):
    size = draw(st.integers(0, 12))
    scores = st.one_of(
        st.integers(0, 4).map(float),  # many ties
        st.floats(0, 10, allow_nan=False, allow_infinity=False),
    )
    pool = [
        Candidate(
            i,
            draw(scores),
            {name: draw(st.sampled_from(values)) for name, values in ATTRIBUTES.items()},
        )
        for i in range(1, size + 1)
    ]
    capacity = draw(st.integers(0, size + 1))
    # Bounds are drawn around the count among the top scores so that most quotas bind.
    top = sorted(pool, key=lambda c: -c.score)[:capacity]
    quotas = []
    for number in range(draw(st.integers(0, 3))):
        attribute = draw(st.sampled_from(sorted(ATTRIBUTES)))
        domain = ATTRIBUTES[attribute]
        values = draw(st.frozensets(st.sampled_from(domain), min_size=1, max_size=len(domain) - 1))
        count = sum(c.attributes[attribute] in values for c in top)
        inside = sum(c.attributes[attribute] in values for c in pool)
        n = min(capacity, size)
        kind = draw(st.sampled_from(["min", "max", "both", "any"]))
        low = high = None
        if kind in ("min", "both"):
            low = min(count + draw(st.integers(1, 2)), inside)
        if kind == "max":
            high = max(0, count - draw(st.integers(1, 2)), n - (size - inside))
        if kind == "both":
            high = low + draw(st.integers(0, 2))
        if kind == "any":
            low = draw(st.none() | st.integers(0, 6))
            high = draw(st.none() | st.integers(0, 8))
        quotas.append(Quota(f"q{number}", attribute, values, low, high))
    seed = draw(st.integers(0, 5))
    return pool, capacity, quotas, seed


def quota_counts(chosen: list[Candidate], quotas: list[Quota]) -> list[int]:
    return [sum(q.counts(c.attributes) for c in chosen) for q in quotas]


def fits(chosen: list[Candidate], quotas: list[Quota]) -> bool:
    return all(
        (q.min_count is None or count >= q.min_count)
        and (q.max_count is None or count <= q.max_count)
        for q, count in zip(quotas, quota_counts(chosen, quotas), strict=True)
    )


def brute_force(pool: list[Candidate], n: int, quotas: list[Quota]) -> float | None:
    totals = [
        math.fsum(c.score for c in chosen)
        for chosen in combinations(pool, n)
        if fits(list(chosen), quotas)
    ]
    return max(totals, default=None)


def greedy(pool: list[Candidate], n: int, quotas: list[Quota]) -> list[Candidate]:
    """Best score first, skipping anyone who would break a maximum."""
    maxima = [bounded(q, high=q.max_count) for q in quotas]
    chosen: list[Candidate] = []
    for c in sorted(pool, key=lambda c: -c.score):
        if len(chosen) < n and fits([*chosen, c], maxima):
            chosen.append(c)
    return chosen


@settings(max_examples=400, deadline=None)
@given(instances())
def test_select_cohort_matches_brute_force_on_small_instances(instance):
    pool, capacity, quotas, seed = instance
    n = min(capacity, len(pool))
    by_id = {c.id: c for c in pool}

    result = select_cohort(pool, capacity, quotas, seed=seed)

    best = brute_force(pool, n, quotas)
    event(f"{result.status}, {len(result.binding)} binding")
    assert select_cohort(pool, capacity, quotas, seed=seed) == result
    if best is None:
        assert result.status == "infeasible"
        assert result.conflict
        assert (result.selected, result.waitlist, result.objective) == ([], [], 0.0)
        return
    assert result.status == "optimal"
    assert result.conflict == ""
    chosen = [by_id[i] for i in result.selected]
    assert len(chosen) == n
    assert fits(chosen, quotas)
    assert result.objective == pytest.approx(best, abs=1e-6)
    assert result.objective == pytest.approx(math.fsum(c.score for c in chosen))
    baseline = greedy(pool, n, quotas)
    if len(baseline) == n and fits(baseline, quotas):
        assert result.objective >= math.fsum(c.score for c in baseline) - 1e-6
    assert sorted(result.selected + result.waitlist) == sorted(by_id)
    assert not set(result.selected) & set(result.waitlist)
    # Both lists run best first, ties in lottery order.
    order = lottery_order(pool, seed)
    assert result.selected == [i for i in order if i in set(result.selected)]
    assert result.waitlist == [i for i in order if i in set(result.waitlist)]
    # No single exchange gives the seat to a better-ranked candidate within the quotas.
    place = {i: k for k, i in enumerate(order)}
    for out in result.selected:
        for inn in result.waitlist:
            if place[inn] < place[out]:
                swapped = [c for c in chosen if c.id != out] + [by_id[inn]]
                assert not fits(swapped, quotas)
    # Binding quotas are met exactly and the top-by-score choice breaks them.
    top = [by_id[i] for i in order[:n]]
    for q, count, unconstrained in zip(
        quotas, quota_counts(chosen, quotas), quota_counts(top, quotas), strict=True
    ):
        binds = (q.min_count == count and unconstrained < count) or (
            q.max_count == count and unconstrained > count
        )
        assert (q.name in result.binding) == binds


def test_quota_bounds_round_minimums_up_and_maximums_down():
    stored = [
        {"name": "Women", "attribute": "gender", "values": ["woman"], "min_percent": "40.00"},
        {"name": "Few execs", "attribute": "job_level", "values": ["executive"], "max_percent": 15},
        {
            "name": "Union",
            "attribute": "is_union_member",
            "values": ["yes"],
            "min_percent": "33.33",
            "max_percent": "50",
        },
    ]

    assert quota_bounds(stored, 7) == [
        Quota("Women", "gender", frozenset({"woman"}), 3, None),
        Quota("Few execs", "job_level", frozenset({"executive"}), None, 1),
        Quota("Union", "is_union_member", frozenset({"yes"}), 3, 3),
    ]
    # Exact shares stay exact despite floating point: 30% of 10 is 3, not 4 or 2.
    assert quota_bounds([{**stored[0], "min_percent": "30", "max_percent": "30"}], 10) == [
        Quota("Women", "gender", frozenset({"woman"}), 3, 3)
    ]
