"""The rotating check-in codes: a signed token and a short code, each good in the window it was
shown in and the next one, for its own session only, and nothing stored."""

import datetime

import pytest
import time_machine
from django.core import signing
from django.test import override_settings
from django.utils import timezone

from courses import checkin
from courses.checkin import (
    SHORT_CODE_ALPHABET,
    SHORT_CODE_LENGTH,
    WINDOW_SECONDS,
    CodeError,
    code_for,
    matches_short,
    normalise_short,
    read_token,
    short_code,
    window_at,
)

# A moment at the start of a 30-second window.
START = datetime.datetime(2026, 12, 8, 11, 0, tzinfo=datetime.UTC)
SESSION = 41
INVALID = "This check-in code is not valid. Scan the code on the screen again."
EXPIRED = "This code has expired: codes change every 30 seconds. Scan the code on the screen again."


def _at(seconds: float) -> datetime.datetime:
    return START + datetime.timedelta(seconds=seconds)


def test_start_is_the_start_of_a_window():
    assert window_at(START) * WINDOW_SECONDS == START.timestamp()
    assert window_at(_at(29.999)) == window_at(START)
    assert window_at(_at(30)) == window_at(START) + 1


def test_code_for_a_moment_names_its_window_and_when_it_stops_being_shown():
    code = code_for(SESSION, _at(12))
    assert code.window == window_at(START)
    assert code.expires_at == _at(30)
    assert code.short == short_code(SESSION, code.window)
    assert code_for(SESSION, _at(29)) == code  # the same code all through the window
    assert code_for(SESSION, _at(30)).window == code.window + 1


@pytest.mark.parametrize(
    ("shown_at", "read_at"), [(0, 0), (0, 29.999), (0, 30), (0, 59.999), (29, 29), (29, 59.999)]
)
def test_token_is_good_in_its_window_and_the_next(shown_at, read_at):
    token = code_for(SESSION, _at(shown_at)).token
    read_token(token, session_id=SESSION, moment=_at(read_at))  # no error


@pytest.mark.parametrize("read_at", [60, 61, 3600])
def test_token_expires_after_the_next_window(read_at):
    token = code_for(SESSION, _at(29)).token
    with pytest.raises(CodeError) as error:
        read_token(token, session_id=SESSION, moment=_at(read_at))
    assert str(error.value) == EXPIRED


def test_token_from_the_future_is_refused():
    """A token minted for a later window (a skewed clock) is not accepted early."""
    token = code_for(SESSION, _at(30)).token
    with pytest.raises(CodeError, match="expired"):
        read_token(token, session_id=SESSION, moment=_at(29))


def test_token_expires_as_the_clock_moves():
    with time_machine.travel(_at(5), tick=False) as traveller:
        token = code_for(SESSION, timezone.now()).token
        read_token(token, session_id=SESSION, moment=timezone.now())
        traveller.shift(datetime.timedelta(seconds=54))  # 59 s: the next window still
        read_token(token, session_id=SESSION, moment=timezone.now())
        traveller.shift(datetime.timedelta(seconds=1))  # 60 s: two windows on
        with pytest.raises(CodeError, match="expired"):
            read_token(token, session_id=SESSION, moment=timezone.now())


def test_token_of_another_session_is_refused():
    token = code_for(SESSION + 1, START).token
    with pytest.raises(CodeError) as error:
        read_token(token, session_id=SESSION, moment=START)
    assert str(error.value) == "This code is for another session."


def _tampered(token: str) -> list[str]:
    payload, signature = token.rsplit(":", 1)
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    other_payload = signing.dumps([SESSION + 1, window_at(START)], salt="courses.checkin")
    return [
        f"{payload}:{flipped}",  # signature changed
        other_payload.rsplit(":", 1)[0] + ":" + signature,  # payload changed
        token[:-3],  # truncated
        "",
        "not-a-token",
        signing.dumps([SESSION, window_at(START)], salt="another.salt"),
        signing.dumps([SESSION, window_at(START)]),  # no salt
    ]


@pytest.mark.parametrize("index", range(7))
def test_tampered_token_is_refused_as_invalid(index):
    token = code_for(SESSION, START).token
    with pytest.raises(CodeError) as error:
        read_token(_tampered(token)[index], session_id=SESSION, moment=START)
    assert str(error.value) == INVALID


@pytest.mark.parametrize(
    "payload",
    [["41", "x"], [SESSION], [SESSION, 1, 2], {}, 41, None, [None, None]],
    ids=repr,
)
def test_signed_token_of_the_wrong_shape_is_refused_as_invalid(payload):
    """Only our own code signs with this salt, but a malformed payload must still fail cleanly."""
    token = signing.dumps(payload, salt="courses.checkin", compress=False)
    with pytest.raises(CodeError) as error:
        read_token(token, session_id=SESSION, moment=START)
    assert str(error.value) == INVALID


@override_settings(SECRET_KEY="another secret key of more than fifty characters, for the test")
def test_token_signed_with_another_secret_key_is_refused():
    token = code_for(SESSION, START).token
    with (
        override_settings(SECRET_KEY="the original secret key of more than fifty characters, too"),
        pytest.raises(CodeError, match="not valid"),
    ):
        read_token(token, session_id=SESSION, moment=START)


# --- the short code ------------------------------------------------------------------------------


def test_short_code_alphabet_has_no_ambiguous_characters():
    assert not set(SHORT_CODE_ALPHABET) & set("0O1IL")
    assert len(set(SHORT_CODE_ALPHABET)) == len(SHORT_CODE_ALPHABET) == 31
    assert SHORT_CODE_ALPHABET.isupper()


def test_short_codes_use_the_alphabet_and_change_with_session_and_window():
    window = window_at(START)
    codes = {short_code(session, w) for session in range(1, 21) for w in range(window, window + 10)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == SHORT_CODE_LENGTH
        assert set(code) <= set(SHORT_CODE_ALPHABET)


def test_short_code_depends_on_the_secret_key():
    window = window_at(START)
    with override_settings(SECRET_KEY="one secret key that is long enough to be a real one, 1"):
        first = short_code(SESSION, window)
    with override_settings(SECRET_KEY="one secret key that is long enough to be a real one, 2"):
        second = short_code(SESSION, window)
    assert first != second


@pytest.mark.parametrize(("shown_at", "typed_at"), [(0, 0), (0, 29), (29, 30), (29, 59.999)])
def test_short_code_is_good_in_its_window_and_the_next(shown_at, typed_at):
    code = code_for(SESSION, _at(shown_at)).short
    assert matches_short(code, session_id=SESSION, moment=_at(typed_at))


@pytest.mark.parametrize("typed_at", [60, 90, -1])
def test_short_code_is_refused_outside_its_two_windows(typed_at):
    code = code_for(SESSION, _at(29)).short
    assert not matches_short(code, session_id=SESSION, moment=_at(typed_at))


def test_short_code_of_another_session_does_not_match():
    code = code_for(SESSION + 1, START).short
    assert code != code_for(SESSION, START).short
    assert not matches_short(code, session_id=SESSION, moment=START)


def test_typed_short_code_is_normalised():
    code = code_for(SESSION, START).short
    typed = [
        code.lower(),
        f" {code[:3]} {code[3:]} ",
        f"{code[:3]}-{code[3:]}",
        f"{code[:3].lower()} - {code[3:]}\n",
        "\t".join(code),
    ]
    for variant in typed:
        assert normalise_short(variant) == code
        assert matches_short(variant, session_id=SESSION, moment=START)


@pytest.mark.parametrize("typed", ["", "   ", "-", "ABC", "ABCDEFG"])
def test_short_code_of_the_wrong_length_or_empty_never_matches(typed):
    assert not matches_short(typed, session_id=SESSION, moment=START)


def test_check_in_opens_a_quarter_of_an_hour_before():
    assert datetime.timedelta(minutes=15) == checkin.OPENS_BEFORE
