from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from programmes import selectors

# Pages a user must still reach while setting up their second factor.
_EXEMPT_URL_NAMES = {"healthz", "account_logout", "account_reauthenticate"}


_EXEMPT_URL_PREFIXES = ("mfa_", "account_email", "account_confirm_email")


class ProgrammeRolesMiddleware:
    """Read the signed-in user's programme roles once per request (on first use): the MFA
    check, every permission check and the navigation share that one query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        selectors.role_list_keep_for_request(user=request.user)
        return self.get_response(request)


class AdminMfaRequiredMiddleware:
    """Send platform admins, and everyone whose role shows them other people's personal data
    (programme admins, staff, reviewers, mentors), to the MFA setup page until they have TOTP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.COHORTLINE_ADMIN_MFA_REQUIRED or not request.user.is_authenticated:
            return None
        match = request.resolver_match
        url_name = match.url_name if match else ""
        if url_name in _EXEMPT_URL_NAMES or (url_name or "").startswith(_EXEMPT_URL_PREFIXES):
            return None
        if not selectors.user_lacks_required_mfa(user=request.user):
            return None
        messages.warning(
            request,
            _(
                "Your role shows you other people's personal data, so you must use two-factor "
                "authentication. Set up an authenticator app to continue."
            ),
        )
        return redirect("mfa_activate_totp")
