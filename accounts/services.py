from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.email_verification import send_verification_email_at_login
from allauth.account.internal.stagekit import unstash_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from core.models import AuditEntry
from core.services import audit_record

from .models import ApplicantProfile, User

USER_AGENT_MAX_LENGTH = 200


@transaction.atomic
def profile_save(*, user: User, data: dict[str, Any]) -> ApplicantProfile:
    """Create or update the user's applicant profile from validated form data.

    Also copies the full name to the user's display name. Writes two rows.
    """
    profile, _created = ApplicantProfile.objects.update_or_create(user=user, defaults=data)
    if user.display_name != profile.full_name:
        user.display_name = profile.full_name
        user.save(update_fields=["display_name"])
    return profile


def _request_origin(request: HttpRequest | None) -> dict[str, str]:
    """The client's IP address (as allauth's rate limits see it) and its trimmed user agent."""
    if request is None:
        return {}
    try:
        ip = get_adapter(request).get_client_ip(request)
    except PermissionDenied:  # no usable address (for example behind a misconfigured proxy)
        ip = ""
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    return {"ip": ip, "user_agent": user_agent[:USER_AGENT_MAX_LENGTH]}


def account_event_record(
    *,
    request: HttpRequest | None,
    action: str,
    actor: User | None,
    account: User | None,
    **data: Any,
) -> AuditEntry:
    """Append an audit entry about `account`, with where the request came from.

    `actor` is who acted (None when unknown, as for a failed sign-in). Callers pass no password,
    code, key or token in `data`. Writes one row.
    """
    return audit_record(
        actor=actor, action=action, target=account, **_request_origin(request), **data
    )


def verification_resend(*, request: HttpRequest) -> bool:
    """Send the confirmation link again to the address whose sign-in waits for it in this
    browser session (after signing up, or signing in unconfirmed).

    Returns whether an email was sent: False when nothing waits here, the address is already
    confirmed, or a link went out too recently (allauth's `confirm_email` rate limit). Callers
    must answer the same either way, or the answer would tell whether an address has an
    account. Sends through the adapter (the outbox, for a new account's link).
    """
    login = unstash_login(request, peek=True)
    if login is None:
        return False
    return bool(send_verification_email_at_login(request, login))
