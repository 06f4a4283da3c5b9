"""The burn-rate forecast (compute/forecast.py): examples, then properties that hold for any
history of use."""

import datetime
import math
import random
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from compute.forecast import HORIZON_DAYS, run_out_date

TODAY = datetime.date(2026, 3, 15)
D = Decimal


def _days(*amounts, today=TODAY):
    """Use on consecutive days ending today: the last amount is today's."""
    return [
        (today - datetime.timedelta(days=len(amounts) - 1 - n), D(amount))
        for n, amount in enumerate(amounts)
    ]


def test_run_out_date_at_a_steady_rate():
    # 14 days of 2 units a day, 30 left: 15 more days.
    assert run_out_date(
        _days(*[2] * 14), remaining=D(30), today=TODAY
    ) == TODAY + datetime.timedelta(days=15)


def test_run_out_date_counts_days_without_use_in_the_window():
    # 28 units in the last 14 days (on one day) is 2 a day, like a steady 2.
    daily = [(TODAY - datetime.timedelta(days=3), D(28))]
    assert run_out_date(daily, remaining=D(30), today=TODAY) == TODAY + datetime.timedelta(days=15)


def test_run_out_date_ignores_use_outside_the_window():
    daily = [
        (TODAY - datetime.timedelta(days=14), D(1000)),
        (TODAY + datetime.timedelta(days=1), D(5)),
    ]
    assert run_out_date(daily, remaining=D(10), today=TODAY) is None


def test_run_out_date_is_today_when_nothing_is_left():
    assert run_out_date([], remaining=D(0), today=TODAY) == TODAY
    assert run_out_date(_days(1), remaining=D(-3), today=TODAY) == TODAY


def test_run_out_date_without_use_is_none():
    assert run_out_date([], remaining=D(10), today=TODAY) is None
    assert run_out_date(_days(0, 0, 0), remaining=D(10), today=TODAY) is None


def test_run_out_date_with_a_shorter_window():
    # 7 units over a 7-day window is 1 a day.
    daily = _days(*[1] * 7)
    assert run_out_date(daily, remaining=D(5), today=TODAY, window_days=7) == TODAY + (
        datetime.timedelta(days=5)
    )


# --- properties -------------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False)
remainings = st.decimals(min_value=D("0.01"), max_value=10_000_000, places=2, allow_nan=False)
todays = st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2035, 12, 31))
# (days before today, amount); some outside the 14-day window, some in the future
histories = st.lists(st.tuples(st.integers(min_value=-3, max_value=40), amounts), max_size=40)


def _daily(history, today):
    return [(today - datetime.timedelta(days=ago), amount) for ago, amount in history]


def _used_in_window(history):
    return sum((amount for ago, amount in history if 0 <= ago < 14), D(0))


@given(histories, remainings, todays)
def test_run_out_date_is_never_before_today(history, remaining, today):
    result = run_out_date(_daily(history, today), remaining=remaining, today=today)
    assert result is None or result >= today


def _exact_days(history, remaining):
    """Whole days `remaining` lasts at the window's average rate, in exact arithmetic."""
    used = _used_in_window(history)
    return math.floor(Fraction(remaining) * 14 / Fraction(used))


@given(histories, remainings, todays)
def test_run_out_date_is_none_exactly_without_use_or_beyond_the_horizon(history, remaining, today):
    result = run_out_date(_daily(history, today), remaining=remaining, today=today)
    if _used_in_window(history) == 0:
        assert result is None
    else:
        assert (result is None) == (_exact_days(history, remaining) > HORIZON_DAYS)


@given(histories, remainings, remainings, todays)
def test_run_out_date_is_monotone_in_what_is_left(history, one, other, today):
    less, more = sorted([one, other])
    daily = _daily(history, today)
    sooner = run_out_date(daily, remaining=less, today=today)
    later = run_out_date(daily, remaining=more, today=today)
    if later is not None:  # (None for more left means: not in sight)
        assert sooner is not None and sooner <= later


@given(histories, st.integers(min_value=0, max_value=13), amounts, remainings, todays)
def test_more_use_never_pushes_the_date_later(history, ago, extra, remaining, today):
    daily = _daily(history, today)
    before = run_out_date(daily, remaining=remaining, today=today)
    after = run_out_date(
        [*daily, (today - datetime.timedelta(days=ago), extra)], remaining=remaining, today=today
    )
    if before is not None:
        assert after is not None and after <= before


@given(histories, remainings, todays, st.randoms(use_true_random=False))
def test_run_out_date_does_not_depend_on_the_order_of_days(history, remaining, today, rng):
    daily = _daily(history, today)
    shuffled = list(daily)
    rng.shuffle(shuffled)
    assert run_out_date(shuffled, remaining=remaining, today=today) == run_out_date(
        daily, remaining=remaining, today=today
    )


@given(histories, remainings, todays)
def test_run_out_date_is_the_last_whole_day_at_the_average_rate(history, remaining, today):
    result = run_out_date(_daily(history, today), remaining=remaining, today=today)
    if result is not None:
        assert (result - today).days == _exact_days(history, remaining)


def test_run_out_date_far_away_is_not_in_sight():
    """20 million tokens left after using 100 in two weeks: no date (and no overflow)."""
    daily = _days(100)
    assert run_out_date(daily, remaining=D(20_000_000), today=TODAY) is None
    assert run_out_date(daily, remaining=D(20_000_000), today=datetime.date(9999, 12, 1)) is None
    # Exactly at the horizon still gives the date.
    assert run_out_date(
        _days(14), remaining=D(HORIZON_DAYS), today=TODAY
    ) == TODAY + datetime.timedelta(days=HORIZON_DAYS)


def test_a_seeded_random_history_agrees_with_a_day_by_day_walk():
    """Spend the remainder day by day at the average rate (as fractions, no rounding): the
    forecast is the last whole day."""
    rng = random.Random(7)
    for _ in range(200):
        history = [(rng.randint(0, 20), D(rng.randint(0, 500))) for _ in range(rng.randint(1, 10))]
        remaining = D(rng.randint(1, 5000))
        result = run_out_date(_daily(history, TODAY), remaining=remaining, today=TODAY)
        per_day = Fraction(_used_in_window(history)) / 14
        if per_day == 0:
            assert result is None
            continue
        left, days = Fraction(remaining), 0
        while left - per_day >= 0:
            left -= per_day
            days += 1
        expected = TODAY + datetime.timedelta(days=days) if days <= HORIZON_DAYS else None
        assert result == expected
