"""Sign-ins, sign-outs and account changes, written to the audit trail.

Django's and allauth's signals are third-party events; each receiver appends one audit entry
(`services.account_event_record`), with the client's IP address and user agent. Passwords,
one-time codes, recovery codes, confirmation keys and reset tokens are never recorded: only which
event happened, to whom, and from where. A failed sign-in records the login typed (an email
address), never the password.
"""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from . import middleware, services

LOGIN_MAX_LENGTH = 254
# Keys of the credentials passed to authenticate() that name the account, never the secret.
_LOGIN_KEYS = ("email", "login", "username")


def _record(request, user, action: str, **data) -> None:
    services.account_event_record(request=request, action=action, actor=user, account=user, **data)


# --- Signing in and out ----------------------------------------------------------------------


@receiver(auth_signals.user_logged_in, dispatch_uid="accounts.audit_login")
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        middleware.session_start(request, user)
    _record(request, user, "account.login")


@receiver(auth_signals.user_login_failed, dispatch_uid="accounts.audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    login = next((str(credentials[key]) for key in _LOGIN_KEYS if credentials.get(key)), "")
    _record(request, None, "account.login_failed", login=login[:LOGIN_MAX_LENGTH])


@receiver(auth_signals.user_logged_out, dispatch_uid="accounts.audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    reason = getattr(request, "session_end_reason", None)  # set by SessionLifetimeMiddleware
    if reason:
        _record(request, user, "account.logout", reason=reason)
    else:
        _record(request, user, "account.logout")


@receiver(account_signals.authentication_step_completed, dispatch_uid="accounts.audit_reauth")
def _step_completed(sender, request, user, method, **kwargs):
    # Confirming the password again before a sensitive action; a second factor used for the
    # same purpose is recorded by `_mfa_used`.
    if method == "password" and kwargs.get("reauthenticated"):
        _record(request, user, "account.reauthenticate", method="password")


# --- Account changes -------------------------------------------------------------------------


@receiver(account_signals.user_signed_up, dispatch_uid="accounts.audit_signup")
def _signed_up(sender, request, user, **kwargs):
    _record(request, user, "account.signup")


@receiver(account_signals.password_changed, dispatch_uid="accounts.audit_password_change")
def _password_changed(sender, request, user, **kwargs):
    _record(request, user, "account.password_change")


@receiver(account_signals.password_set, dispatch_uid="accounts.audit_password_set")
def _password_set(sender, request, user, **kwargs):
    _record(request, user, "account.password_set")


@receiver(account_signals.password_reset, dispatch_uid="accounts.audit_password_reset")
def _password_reset(sender, request, user, **kwargs):
    _record(request, user, "account.password_reset")


@receiver(account_signals.email_added, dispatch_uid="accounts.audit_email_add")
def _email_added(sender, request, user, email_address, **kwargs):
    _record(request, user, "account.email_add", email=email_address.email)


@receiver(account_signals.email_changed, dispatch_uid="accounts.audit_email_change")
def _email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    _record(
        request,
        user,
        "account.email_change",
        from_email=from_email_address.email if from_email_address else "",
        to_email=to_email_address.email,
    )


@receiver(account_signals.email_confirmed, dispatch_uid="accounts.audit_email_verify")
def _email_confirmed(sender, request, email_address, **kwargs):
    _record(request, email_address.user, "account.email_verify", email=email_address.email)


@receiver(account_signals.email_removed, dispatch_uid="accounts.audit_email_remove")
def _email_removed(sender, request, user, email_address, **kwargs):
    _record(request, user, "account.email_remove", email=email_address.email)


# --- Two-factor authentication ---------------------------------------------------------------


@receiver(mfa_signals.authenticator_added, dispatch_uid="accounts.audit_mfa_add")
def _mfa_added(sender, request, user, authenticator, **kwargs):
    _record(request, user, "account.mfa_activate", type=authenticator.type)


@receiver(mfa_signals.authenticator_removed, dispatch_uid="accounts.audit_mfa_remove")
def _mfa_removed(sender, request, user, authenticator, **kwargs):
    _record(request, user, "account.mfa_deactivate", type=authenticator.type)


@receiver(mfa_signals.authenticator_reset, dispatch_uid="accounts.audit_mfa_reset")
def _mfa_reset(sender, request, user, authenticator, **kwargs):
    action = (
        "account.mfa_recovery_codes_regenerate"
        if authenticator.type == Authenticator.Type.RECOVERY_CODES
        else "account.mfa_reset"
    )
    _record(request, user, action, type=authenticator.type)


@receiver(mfa_signals.authenticator_used, dispatch_uid="accounts.audit_mfa_used")
def _mfa_used(sender, request, user, authenticator, **kwargs):
    _record(
        request,
        user,
        "account.mfa_authenticate",
        type=authenticator.type,
        reauthenticated=bool(kwargs.get("reauthenticated")),
    )


@receiver(mfa_signals.authentication_failed, dispatch_uid="accounts.audit_mfa_failed")
def _mfa_failed(sender, request, user, authenticator, **kwargs):
    _record(
        request,
        user,
        "account.mfa_failed",
        type=authenticator.type,
        reauthentication=bool(kwargs.get("reauthentication")),
    )
