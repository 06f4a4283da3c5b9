"""The server-error handler (``handler500`` in config/urls.py).

Django calls it for any exception a view or a middleware let through, inside the ``except``
block, so ``sys.exc_info()`` still names the exception. When the database or the Redis cache is
unreachable the answer is a 503 "back shortly" page with ``Retry-After`` instead of a 500;
either way the page is rendered without a request context (no context processors), so it never
touches the database, and it shows the request id as a reference. Django's ``django.request``
logger has already logged the exception with its traceback and the request id.
"""

import sys

import redis.exceptions
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from .request_id import current_request_id

RETRY_AFTER_SECONDS = 30

# The database refused or dropped the connection; Redis (the cache, which holds the sign-in
# rate limits and used TOTP codes) is unreachable or too slow. Nothing the user can fix.
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


def is_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, UNAVAILABLE_ERRORS)


def _wants_json(request) -> bool:
    path = request.path_info
    return path.startswith("/api/") or path.rstrip("/") == "/healthz"


def _reference(request) -> str:
    return getattr(request, "request_id", None) or current_request_id()


def unavailable_response(request) -> HttpResponse:
    reference = _reference(request)
    if _wants_json(request):
        response = JsonResponse(
            {
                "status": "unavailable",
                "detail": _("The service is temporarily unavailable. Try again shortly."),
                "reference": reference,
            },
            status=503,
        )
    else:
        body = loader.get_template("503.html").render({"request_id": reference})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request) -> HttpResponse:
    if is_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    reference = _reference(request)
    if _wants_json(request):
        return JsonResponse(
            {"status": "error", "detail": _("Server error."), "reference": reference}, status=500
        )
    body = loader.get_template("500.html").render({"request_id": reference})
    return HttpResponse(body, status=500)
