"""The JSON API (django-ninja), mounted at /api/v1/: each app adds its own router.

Every error answers JSON `{"detail": "..."}` with a precise 4xx: ninja's own validation errors
are a 400 (not its default 422), a missing or bad token a 401 that says how to send one.
Anything unexpected goes on to Django, whose 500/503 handler answers JSON under /api/ too.
"""

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from compute.api import router as compute_router

api = NinjaAPI(
    title="Cohortline API",
    version="1",
    description=(
        "Usage reporting for compute providers. Authenticate with an integration token "
        "created by the programme's admins: `Authorization: Bearer <token>`."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/", compute_router)


def _error(request: HttpRequest, detail: str, status: int, **extra) -> HttpResponse:
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(
        request,
        _("A valid integration token is required: send Authorization: Bearer <token>."),
        401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
        for error in exc.errors
    ]
    summary = "; ".join(f"{'.'.join(e['loc'][1:]) or e['loc'][0]}: {e['msg']}" for e in errors)
    return _error(request, _("Invalid input: %(errors)s") % {"errors": summary}, 400, errors=errors)


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, _("The request body is too large."), 413)


@api.exception_handler(SuspiciousOperation)
def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return _error(request, _("The request is malformed."), 400)


@api.exception_handler(UnreadablePostError)
def unreadable(request: HttpRequest, exc: UnreadablePostError) -> HttpResponse:
    return _error(request, _("The request body could not be read completely."), 400)
