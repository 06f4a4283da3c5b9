"""Burn-rate forecast: when does an allocation run out at the recent rate of use? Pure: plain
numbers and dates in, a date (or None) out."""

from datetime import date, timedelta
from decimal import Decimal

# Further than this the rate says "not in sight" (and a date that far would overflow).
HORIZON_DAYS = 3650


def run_out_date(
    daily: list[tuple[date, Decimal]], *, remaining: Decimal, today: date, window_days: int = 14
) -> date | None:
    """The day `remaining` is used up at the average daily use of the last `window_days`
    (counting days without use); today when nothing is left; None when nothing was used in that
    window or it would last more than HORIZON_DAYS. `daily` holds (day, amount used that day),
    in any order."""
    if remaining <= 0:
        return today
    start = today - timedelta(days=window_days - 1)
    used = sum((amount for day, amount in daily if start <= day <= today), Decimal(0))
    if used <= 0:
        return None
    # remaining / (used / window) in whole days, without rounding the daily rate first.
    days_left = int((remaining * window_days) // used)
    if days_left > HORIZON_DAYS:
        return None
    return today + timedelta(days=days_left)
