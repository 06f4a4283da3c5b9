"""Ask for the password (or a two-factor code) again before a sensitive action."""

import time

from allauth.account import app_settings as allauth_settings
from allauth.account.decorators import reauthentication_required
from django.http import HttpRequest

from .middleware import SIGNED_IN_AT


@reauthentication_required
def _confirmed_recently(request: HttpRequest) -> None:
    return None


def require_recent(request: HttpRequest) -> None:
    """Raise allauth's ReauthenticationRequired unless the user signed in, or confirmed who they
    are, within ACCOUNT_REAUTHENTICATION_TIMEOUT seconds.

    A fresh sign-in counts: someone who has just typed their password (and code) is not asked
    again for their first export. allauth's AccountMiddleware turns the exception into a redirect
    to the confirmation page (password, or an authenticator code for people who use one), which
    then sends the person back: a GET by its URL, so an export link leads to the download; a
    POST by replaying the form they sent. Call it after the access checks, so that people who
    may not act at all get their 403 or 404 rather than a password prompt.
    """
    signed_in_at = request.session.get(SIGNED_IN_AT)
    if (
        isinstance(signed_in_at, int)
        and time.time() - signed_in_at < allauth_settings.REAUTHENTICATION_TIMEOUT
    ):
        return
    _confirmed_recently(request)
