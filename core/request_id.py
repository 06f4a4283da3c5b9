"""A request id on every request, response and log line, so support can find what happened.

A sane incoming ``X-Request-ID`` (set by the proxy, e.g. nginx's ``$request_id``) is kept;
anything else is replaced by a fresh one. Error pages show it as their "Reference".
"""

import logging
import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
NO_REQUEST = "-"
# Letters, digits and a little punctuation, short: nothing that could forge a log line.
# No ":" either: the audit trail's "task:…" and "command:…" ids are the server's own.
_SANE = re.compile(r"[A-Za-z0-9._@+=-]{8,128}")

_current: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)


def current_request_id() -> str:
    """The id of the request being handled, or "-" outside a request (tasks, commands)."""
    return _current.get()


def _incoming_or_new(value: str | None) -> str:
    if value and _SANE.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every log line of the request (errors included) carries the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _incoming_or_new(request.headers.get(HEADER))
        request.request_id = request_id
        # Set, not reset at the end: Django logs 4xx/5xx responses after the middleware chain
        # returns. The next request on this thread sets its own; request_finished clears it.
        _current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def clear_request_id(**kwargs) -> None:
    """request_finished receiver: log lines between requests carry no stale id."""
    _current.set(NO_REQUEST)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record so the formatter can print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True
