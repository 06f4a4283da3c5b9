from datetime import datetime
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.email_verification import send_verification_email_at_login
from allauth.account.internal.stagekit import unstash_login
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from core import tokens
from core.models import AuditEntry
from core.services import audit_record
from notifications import services as notification_services

from .enums import ConsentPurpose, TokenScope
from .models import ApplicantProfile, ConsentRecord, PersonalToken, User
from .signals import consent_withdrawn

USER_AGENT_MAX_LENGTH = 200


@transaction.atomic
def profile_save(*, user: User, data: dict[str, Any]) -> ApplicantProfile:
    """Create or update the user's applicant profile from validated form data.

    Also copies the full name to the user's display name. Writes two rows. Refuses (with
    PermissionDenied) an account erased meanwhile: the account row is locked first, as the
    erasure locks it.
    """
    if not User.objects.select_for_update().filter(pk=user.pk, is_active=True).exists():
        raise PermissionDenied("This account can no longer be changed.")
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


# --- personal API tokens ---------------------------------------------------------------------


class TokenError(Exception):
    """A token that cannot be made as asked; the message says why."""


def personal_token_create(
    *, user: User, name: str, scopes: list[str], expires_at: datetime | None = None
) -> tuple[PersonalToken, str]:
    """A new token of `user`'s; returns it and the secret, which is shown once and never
    stored. Writes the token and an audit entry. Raises TokenError for an empty name, an
    unknown or missing scope, or an expiry in the past."""
    name = name.strip()
    if not name:
        raise TokenError(_("Give the token a name."))
    chosen = sorted(set(scopes))
    if not chosen or not set(chosen) <= set(TokenScope.values):
        raise TokenError(_("Choose what the token may do."))
    if expires_at is not None and expires_at <= timezone.now():
        raise TokenError(_("The expiry must be in the future."))
    token, secret = tokens.token_issue(
        PersonalToken, user=user, name=name, scopes=chosen, expires_at=expires_at
    )
    audit_record(
        actor=user,
        action="accounts.token_create",
        target=token,
        token=token.prefix,
        scopes=chosen,
        expires_at=expires_at.isoformat() if expires_at else None,
    )
    return token, secret


def personal_token_revoke(*, token: PersonalToken, actor: User) -> bool:
    """Revoke the token (at once: the next request with it is refused). Writes an audit entry
    when this call revoked it; revoking a revoked token does nothing."""
    if not tokens.token_revoke(token):
        return False
    audit_record(actor=actor, action="accounts.token_revoke", target=token, token=token.prefix)
    return True


def personal_token_authenticate(secret: str) -> PersonalToken | None:
    """The active, unexpired token of an active user this secret belongs to, with its user;
    None for anything else. One query (and a write a minute at most, for `last_used_at`)."""
    return tokens.token_find(
        PersonalToken.objects.filter(user__is_active=True).select_related("user"), secret
    )


# --- erasure ---------------------------------------------------------------------------------


def placeholder_email(user: User) -> str:
    """The address an erased account is left with: unique, and never deliverable."""
    return f"erased-{user.pk}@erased.invalid"


@transaction.atomic
def account_anonymise(*, user: User) -> User:
    """The last step of an erasure: the account keeps its row (others' decisions and the
    programme's figures point at it) but nothing that names the person, and can no longer be
    signed in to. Its email address is free to sign up with again."""
    user.email = placeholder_email(user)
    user.display_name = ""
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    user.save(
        update_fields=[
            "email",
            "display_name",
            "password",
            "is_active",
            "is_staff",
            "is_superuser",
            "last_login",
        ]
    )
    user.groups.clear()
    user.user_permissions.clear()
    return user


# --- consent ---------------------------------------------------------------------------------


@transaction.atomic
def consent_give(
    *,
    user: User,
    purpose: str,
    notice_version: str,
    request: HttpRequest | None = None,
    at: datetime | None = None,
) -> ConsentRecord:
    """Record that `user` consents to `purpose` under privacy notice `notice_version`.

    Giving a consent that is already active returns its record and writes nothing else.
    Otherwise writes a new record and an audit entry ("accounts.consent_given"); consent to
    processing also lets optional notifications through again (`optional_mute_set`).
    """
    purpose = ConsentPurpose(purpose)
    active = ConsentRecord.objects.active().filter(
        user=user, purpose=purpose, notice_version=notice_version
    )
    existing = active.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            record = ConsentRecord.objects.create(
                user=user,
                purpose=purpose,
                notice_version=notice_version,
                given_at=at or timezone.now(),
            )
    except IntegrityError:  # a concurrent request gave it first
        return active.get()
    if purpose == ConsentPurpose.PROCESSING:
        notification_services.optional_mute_set(user=user, is_muted=False)
    account_event_record(
        request=request,
        action="accounts.consent_given",
        actor=user,
        account=user,
        purpose=purpose.value,
        notice_version=notice_version,
    )
    return record


@transaction.atomic
def consent_withdraw(
    *, user: User, purpose: str, actor: User, request: HttpRequest | None = None
) -> int:
    """Withdraw every active consent of `user` to `purpose` (whatever the notice version);
    returns how many records were withdrawn, 0 when none was active (then nothing is written).

    Stamps the records, writes an audit entry ("accounts.consent_withdrawn") and sends
    `consent_withdrawn`. Withdrawing consent to processing also stops every optional
    notification (`optional_mute_set`) and, through the signal, withdraws the person's open
    applications: show them `application_list_withdrawn_by_consent` before calling this.
    """
    purpose = ConsentPurpose(purpose)
    records = list(
        ConsentRecord.objects.select_for_update()
        .active()
        .filter(user=user, purpose=purpose)
        .order_by("pk")
    )
    if not records:
        return 0
    now = timezone.now()
    ConsentRecord.objects.filter(pk__in=[record.pk for record in records]).update(withdrawn_at=now)
    if purpose == ConsentPurpose.PROCESSING:
        notification_services.optional_mute_set(user=user, is_muted=True)
    account_event_record(
        request=request,
        action="accounts.consent_withdrawn",
        actor=actor,
        account=user,
        purpose=purpose.value,
        notice_versions=sorted({record.notice_version for record in records}),
    )
    consent_withdrawn.send(sender=ConsentRecord, user=user, purpose=purpose.value, actor=actor)
    return len(records)
