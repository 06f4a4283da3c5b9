"""The JSON API (django-ninja), mounted at /api/v1/: each app adds its own router.

Two kinds of client use it. Compute providers' systems report usage with their integration
token (`compute/api.py`, with its own authentication). Everything else is the read API: each
app's `api.py`, answering GET only, to a person — through the site's own session, or with a
personal token carrying the `read` scope (`Authorization: Bearer <token>`), made on the
person's "API tokens" page. Either way the request then acts as that person, and every object
goes through the same choke points as the site's pages (docs/api.md).

Every error answers JSON `{"detail": "..."}` with a precise 4xx: ninja's own validation errors
are a 400 (not its default 422), a missing or bad token a 401 that says how to send one, a
token without the scope a 403, and anything the person may not see a 404 — the same 404
whether it does not exist or is not theirs. Anything unexpected goes on to Django, whose
500/503 handler answers JSON under /api/ too.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, ValidationError
from ninja.security import HttpBearer

from accounts import services as account_services
from accounts.enums import TokenScope
from accounts.models import PersonalToken
from applications.api import router as applications_router
from certificates.api import router as certificates_router
from cohorts.api import router as cohorts_router
from compute import services as compute_services
from compute.api import router as compute_router
from compute.api import staff_router as compute_staff_router
from compute.models import IntegrationToken
from courses.api import router as courses_router
from mentoring.api import router as mentoring_router
from programmes import selectors as programme_selectors
from programmes.api import router as programmes_router
from reviews.api import router as reviews_router
from selection.api import router as selection_router


class SignInRequired(AuthenticationError):
    """No session and no usable personal token."""


class ScopeMissing(AuthorizationError):
    """A valid token that may not do this."""


class SecondFactorMissing(AuthorizationError):
    """A valid token of someone who must use two-factor authentication and has not set it up
    (the site's pages send them to set it up; a token cannot go round that)."""


class PersonAuth(HttpBearer):
    """The read API's authentication: a personal token with the `read` scope when an
    Authorization header is sent (a bad one is a 401 even with a session), else the site's own
    session. Read-only (GET), so a session needs no CSRF token. The request then acts as the
    token's owner: `request.user` is theirs, and their roles are read once for the request."""

    scope = TokenScope.READ

    def __call__(self, request: HttpRequest):
        header = request.headers.get("Authorization")
        if header is None:
            if request.user.is_authenticated:
                return request.user
            raise SignInRequired
        scheme, _space, secret = header.partition(" ")
        if scheme.lower() != "bearer":
            raise SignInRequired
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> PersonalToken:
        if "\x00" in token:
            raise SignInRequired
        found = account_services.personal_token_authenticate(token)
        if found is None:
            # An integration token is a valid token, for the usage API only.
            if token.startswith(IntegrationToken.SECRET_MARKER) and (
                compute_services.token_authenticate(token) is not None
            ):
                raise ScopeMissing
            raise SignInRequired
        if not found.has_scope(self.scope):
            raise ScopeMissing
        request.user = found.user
        programme_selectors.role_list_keep_for_request(user=found.user)
        if settings.COHORTLINE_ADMIN_MFA_REQUIRED and programme_selectors.user_lacks_required_mfa(
            user=found.user
        ):
            raise SecondFactorMissing
        return found


api = NinjaAPI(
    title="Cohortline API",
    version="1",
    description=(
        "The read API: programmes, cohorts, applications, reviews, selection, participants, "
        "compute, mentoring, attendance and certificates, as the person asking may see them "
        "on the site. Authenticate with the site's session, or with a personal token (made on "
        "your account's API tokens page) that has the `read` scope: "
        "`Authorization: Bearer <token>`. Lists take `limit` (at most 100) and `offset` and "
        "give the total `count`.\n\n"
        "Usage reporting for compute providers (`/usage`, `/allocations`) takes an "
        "integration token created by the programme's admins instead."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=PersonAuth(),
)
api.add_router("/", compute_router)
api.add_router("/", programmes_router)
api.add_router("/", cohorts_router)
api.add_router("/", applications_router)
api.add_router("/", reviews_router)
api.add_router("/", selection_router)
api.add_router("/", compute_staff_router)
api.add_router("/", mentoring_router)
api.add_router("/", courses_router)
api.add_router("/", certificates_router)


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


@api.exception_handler(SignInRequired)
def sign_in_required(request: HttpRequest, exc: SignInRequired) -> HttpResponse:
    response = _error(
        request,
        _(
            "Sign in, or send a valid personal token with the read scope: "
            "Authorization: Bearer <token>."
        ),
        401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(ScopeMissing)
def scope_missing(request: HttpRequest, exc: ScopeMissing) -> HttpResponse:
    return _error(
        request,
        _("This token may not read the API: it needs the %(scope)s scope.")
        % {"scope": PersonAuth.scope.value},
        403,
    )


@api.exception_handler(SecondFactorMissing)
def second_factor_missing(request: HttpRequest, exc: SecondFactorMissing) -> HttpResponse:
    return _error(
        request,
        _(
            "Your role shows you other people's personal data, so you must use two-factor "
            "authentication: set up an authenticator app on the site first."
        ),
        403,
    )


@api.exception_handler(Http404)
@api.exception_handler(PermissionDenied)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    # One answer for what does not exist and for what exists but is not the person's to see
    # (`programme_for` refuses a member without the right with PermissionDenied).
    return _error(request, _("Not found."), 404)


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
