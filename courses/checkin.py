"""The rotating check-in codes of a class session: a signed token for the QR code and a short
code to type, both changing every WINDOW_SECONDS and accepted for one window more, so a code
is good for between 30 and 60 seconds. Nothing is stored: both are derived from the session,
the window and the secret key."""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

WINDOW_SECONDS = 30
# Check-in opens this long before a session starts and closes when it ends.
OPENS_BEFORE = timedelta(minutes=15)
SHORT_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
SHORT_CODE_LENGTH = 6
_SALT = "courses.checkin"


class CodeError(Exception):
    """The code cannot be used; the message says why."""


@dataclass(frozen=True)
class Code:
    token: str  # for the QR code's URL
    short: str  # to type
    window: int
    expires_at: datetime  # when this code stops being shown


def window_at(moment: datetime) -> int:
    return math.floor(moment.timestamp() / WINDOW_SECONDS)


def _window_end(window: int) -> datetime:
    return datetime.fromtimestamp((window + 1) * WINDOW_SECONDS, tz=UTC)


def short_code(session_id: int, window: int) -> str:
    digest = salted_hmac(_SALT, f"{session_id}:{window}").digest()
    n = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(SHORT_CODE_LENGTH):
        n, i = divmod(n, len(SHORT_CODE_ALPHABET))
        chars.append(SHORT_CODE_ALPHABET[i])
    return "".join(chars)


def code_for(session_id: int, moment: datetime) -> Code:
    window = window_at(moment)
    token = signing.dumps([session_id, window], salt=_SALT, compress=False)
    return Code(
        token=token,
        short=short_code(session_id, window),
        window=window,
        expires_at=_window_end(window),
    )


def _fresh(window: int, moment: datetime) -> bool:
    return window_at(moment) - 1 <= window <= window_at(moment)


def read_token(token: str, *, session_id: int, moment: datetime) -> None:
    """Accept the QR token for this session now, or raise CodeError saying why not."""
    try:
        signed_session, window = signing.loads(token, salt=_SALT)
        signed_session, window = int(signed_session), int(window)
    except (signing.BadSignature, TypeError, ValueError):
        raise CodeError(
            "This check-in code is not valid. Scan the code on the screen again."
        ) from None
    if signed_session != session_id:
        raise CodeError("This code is for another session.")
    if not _fresh(window, moment):
        raise CodeError(
            "This code has expired: codes change every 30 seconds. Scan the code on the screen again."
        )


def normalise_short(code: str) -> str:
    return "".join(code.split()).upper().replace("-", "")


def matches_short(code: str, *, session_id: int, moment: datetime) -> bool:
    """Whether the typed code is this session's current or previous short code."""
    typed = normalise_short(code)
    now = window_at(moment)
    return any(constant_time_compare(typed, short_code(session_id, w)) for w in (now, now - 1))
