"""Request-level input guards: what no view should have to think about."""

import logging

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from .forms import NUL, contains_nul

logger = logging.getLogger(__name__)


def _wants_json(request) -> bool:
    return request.path_info.startswith("/api/")


def bad_request_response(request, detail: str) -> HttpResponse:
    """400 saying what was wrong: JSON under /api/, a page elsewhere."""
    if _wants_json(request):
        return JsonResponse(
            {
                "status": "error",
                "detail": detail,
                "reference": getattr(request, "request_id", ""),
            },
            status=400,
        )
    body = loader.render_to_string("400.html", {"detail": detail}, request=request)
    return HttpResponse(body, status=400)


class InputGuardMiddleware:
    """Two guards around every view.

    A path or query string holding a NUL character (``%00``) is refused with a 400 that says
    so, before any view reads it: PostgreSQL cannot store or compare text holding NUL, and no
    link or search box of ours makes one. Form fields are guarded where the form is
    (core.forms.NulGuardMixin), so that a NUL typed into a form is reported on its field with
    the rest of the input kept; request bodies are not read here.

    An OverflowError escaping a view is a 400 too: it comes from a number or a date outside
    what Python or the database can represent (``?created_at__gte=0001-01-01`` in an admin
    date filter, whose day start in UTC falls before year 1). Our own filters validate their
    range and say so on the field; this catches what third-party views leave through.

    Put it after AuthenticationMiddleware: the refusal page has the usual navigation.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path_info or contains_nul(request.GET.lists()):
            logger.info("NUL character in the address refused: %s", request.get_full_path()[:200])
            return bad_request_response(
                request,
                _(
                    "The address contains a NUL character, which is not allowed. Remove it "
                    "from the address or the search and try again."
                ),
            )
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OverflowError):
            return None
        logger.warning(
            "Out-of-range input refused: %s", request.get_full_path()[:200], exc_info=True
        )
        return bad_request_response(
            request,
            _(
                "A number or a date in your request is out of range. Check the values you "
                "entered (for example a year between 1900 and 9999) and try again."
            ),
        )


class ApiJsonErrorsMiddleware:
    """Under /api/ every answer is JSON: a 404 for an address that names nothing, or a 405 for
    a method the endpoint does not take, comes from Django or the API framework as a page or
    plain text; it is replaced here by `{"detail": ...}` with the same status (and, for 405,
    the same `Allow` header)."""

    MESSAGES = {
        404: _("No such API endpoint. The endpoints are listed at /api/v1/docs."),
        405: _("This endpoint does not accept %(method)s; it accepts %(allowed)s."),
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code in self.MESSAGES
            and _wants_json(request)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allowed = response.get("Allow", "")
            detail = str(self.MESSAGES[response.status_code]) % {
                "method": request.method,
                "allowed": allowed,
            }
            json_response = JsonResponse({"detail": detail}, status=response.status_code)
            if allowed:
                json_response["Allow"] = allowed
            return json_response
        return response
