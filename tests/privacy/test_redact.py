"""What an erasure replaces in other people's rows: the person's names and addresses, as
wholes, never a part of someone else's."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.privacy_registry import REDACTED, redact

NEEDLES = frozenset({"Mei Lim", "mei@example.com"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello Mei Lim, welcome", f"Hello {REDACTED}, welcome"),
        ("MEI LIM asked", f"{REDACTED} asked"),
        ("Mei Lim's plan", f"{REDACTED}'s plan"),
        ("write to mei@example.com.", f"write to {REDACTED}."),
        ("Mei Limbang is someone else", "Mei Limbang is someone else"),
        ("amei@example.com is someone else", "amei@example.com is someone else"),
        ("mei@example.com.sg is someone else", "mei@example.com.sg is someone else"),
        ("mei.lim@example.com is another address", "mei.lim@example.com is another address"),
    ],
)
def test_a_name_or_address_is_replaced_only_as_a_whole(text, expected):
    assert redact(text, NEEDLES) == expected


def test_json_is_redacted_throughout_and_other_values_are_kept():
    data = {"mentee": "mei@example.com", "n": 3, "names": ["Mei Lim", "Raj Kumar"], "ok": True}
    assert redact(data, NEEDLES) == {
        "mentee": REDACTED,
        "n": 3,
        "names": [REDACTED, "Raj Kumar"],
        "ok": True,
    }


@given(st.text(alphabet=st.characters(blacklist_characters="mMeEiI@"), max_size=60))
def test_text_without_the_needles_is_left_alone(text):
    assert redact(text, NEEDLES) == text


@given(st.text(alphabet=" ,.;:!?()", max_size=5), st.text(alphabet=" ,;:!?()", max_size=5))
def test_a_needle_between_separators_is_always_replaced(left, right):
    assert redact(f"{left}Mei Lim{right}", NEEDLES) == f"{left}{REDACTED}{right}"
