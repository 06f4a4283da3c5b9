"""How amounts of compute are written on the pages."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compute.templatetags.compute_tags import amount, plain_amount, short_amount


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1234.5000"), "1,234.5"),
        (Decimal("100.0000"), "100"),
        (Decimal("0.0000"), "0"),
        (Decimal("-0.0000"), "0"),
        (Decimal("22000000000"), "22,000,000,000"),
        (None, ""),
        ("n/a", "n/a"),
    ],
)
def test_amount(value, text):
    assert amount(value) == text


def test_plain_amount_has_no_grouping():
    assert plain_amount(Decimal("12345.25")) == "12345.25"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("22000000000"), "22B"),
        (Decimal("11995000000"), "12B"),
        (Decimal("12500000"), "12.5M"),
        (Decimal("999999"), "999,999"),
        (Decimal("1234.5"), "1,234.5"),
        (Decimal("3000000000000"), "3T"),
        (Decimal("-2500000"), "-2.5M"),
        (None, ""),
    ],
)
def test_short_amount(value, text):
    assert short_amount(value) == text


@given(st.decimals(min_value=-(10**15), max_value=10**15, places=4))
def test_short_amount_is_never_longer_than_the_full_amount(value):
    assert len(short_amount(value)) <= len(amount(value)) + 1
