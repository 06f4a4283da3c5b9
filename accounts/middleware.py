"""How long a session lasts: an absolute limit for everyone, an idle limit for staff.

Django's own expiry slides forward whenever the session is saved, so it cannot end a session a
fixed time after sign-in. This middleware keeps two times in the session, in epoch seconds: when
the user signed in (`session_start`, called on every sign-in) and when they were last seen. The
last-seen time is written at most once a minute, so an active user does not cost a session write
on every request; the idle limit is therefore exact to within that minute.

Settings: SESSION_MAX_AGE_HOURS (everyone), SESSION_IDLE_MINUTES_STAFF (staff, superusers and
anyone with a row in SESSION_STAFF_ROLE_MODEL; 0 switches the idle limit off).
"""

import time

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import ngettext

SIGNED_IN_AT = "cohortline_signed_in_at"
SEEN_AT = "cohortline_seen_at"
IDLE_LIMITED = "cohortline_idle_limited"

SEEN_WRITE_INTERVAL_SECONDS = 60


def _max_age_seconds() -> int:
    return settings.SESSION_MAX_AGE_HOURS * 3600


def _idle_seconds() -> int:
    return settings.SESSION_IDLE_MINUTES_STAFF * 60


def _is_idle_limited(user) -> bool:
    """Staff and superusers, and anyone holding a role in a programme.

    The role model is named by a setting (an app label, not an import): accounts sits below the
    app that owns programme roles.
    """
    if user.is_staff or user.is_superuser:
        return True
    label = getattr(settings, "SESSION_STAFF_ROLE_MODEL", "")
    if not label:
        return False
    return apps.get_model(label)._default_manager.filter(user=user).exists()


def session_start(request, user) -> None:
    """Start the clocks of a session that has just been signed in to."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now
    request.session[IDLE_LIMITED] = _is_idle_limited(user)


def _has_clocks(session) -> bool:
    return isinstance(session.get(SIGNED_IN_AT), int) and isinstance(session.get(SEEN_AT), int)


def _expiry(request, now: int) -> tuple[str, str] | None:
    """Why this session must end now (a reason code and a message), or None while it may go on."""
    session = request.session
    if not _has_clocks(session):
        return None  # signed in before these limits existed: the clocks start now
    signed_in_at, seen_at = session[SIGNED_IN_AT], session[SEEN_AT]
    if now - signed_in_at >= _max_age_seconds():
        hours = settings.SESSION_MAX_AGE_HOURS
        return "max_age", ngettext(
            "You were signed out because you signed in more than %(hours)s hour ago. "
            "Please sign in again.",
            "You were signed out because you signed in more than %(hours)s hours ago. "
            "Please sign in again.",
            hours,
        ) % {"hours": hours}
    idle = _idle_seconds()
    if idle and session.get(IDLE_LIMITED) and now - seen_at >= idle:
        minutes = settings.SESSION_IDLE_MINUTES_STAFF
        return "idle", ngettext(
            "You were signed out after %(minutes)s minute without activity. Please sign in again.",
            "You were signed out after %(minutes)s minutes without activity. Please sign in again.",
            minutes,
        ) % {"minutes": minutes}
    return None


class SessionLifetimeMiddleware:
    """Sign out sessions past their limit, with a message saying why.

    The request then goes on as an anonymous one: a page that needs a signed-in user sends the
    person to the sign-in page, where the message is shown.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        now = int(time.time())
        expiry = _expiry(request, now)
        if expiry is not None:
            reason, message = expiry
            request.session_end_reason = reason  # recorded with the sign-out in the audit trail
            logout(request)
            messages.info(request, message)
            return
        seen_at = request.session.get(SEEN_AT)
        if not _has_clocks(request.session):
            session_start(request, request.user)
        elif now - seen_at >= SEEN_WRITE_INTERVAL_SECONDS:
            request.session[SEEN_AT] = now
            # Re-read now and then, so that a role granted or revoked takes effect.
            request.session[IDLE_LIMITED] = _is_idle_limited(request.user)
