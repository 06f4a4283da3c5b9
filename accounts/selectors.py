from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Exists, QuerySet

from .enums import ConsentPurpose
from .models import ApplicantProfile, ConsentRecord, PersonalToken, User


def profile_get_for_user(*, user: User) -> ApplicantProfile | None:
    """The user's own applicant profile, or None when they have not completed it."""
    if not user.is_authenticated:
        return None
    return ApplicantProfile.objects.filter(user=user).first()


def user_get_by_verified_email(*, email: str) -> User | None:
    """The active user who owns and has verified this address, whatever its case."""
    address = (
        EmailAddress.objects.filter(
            email__iexact=email.strip(), verified=True, user__is_active=True
        )
        .select_related("user")
        .first()
    )
    return address.user if address else None


def _totp_authenticators(*, user):
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP)


def user_has_totp(*, user: User) -> bool:
    return _totp_authenticators(user=user).exists()


def totp_condition(*, user_ref) -> Exists:
    """Whether the user `user_ref` points at has an authenticator app, for an annotation."""
    return Exists(_totp_authenticators(user=user_ref))


def user_get_by_email(*, email: str) -> User | None:
    """The user who owns this address (primary or not, verified or not), whatever its case."""
    address = (
        EmailAddress.objects.filter(email__iexact=email.strip()).select_related("user").first()
    )
    if address is not None:
        return address.user
    return User.objects.filter(email__iexact=email.strip()).first()


def personal_token_list_for_user(*, user: User) -> QuerySet[PersonalToken]:
    """The user's own API tokens, the newest first (revoked and expired ones too)."""
    return PersonalToken.objects.filter(user=user).order_by("-created_at", "-id")


def personal_token_get_for_user(*, user: User, token_id: int) -> PersonalToken | None:
    """One of the user's own tokens, or None (404) — never someone else's."""
    return PersonalToken.objects.filter(user=user, pk=token_id).first()


@dataclass(frozen=True)
class ConsentRow:
    """One purpose as the privacy page shows it: the current record (None when never
    given) and all the person's records for it, newest first."""

    purpose: ConsentPurpose
    current: ConsentRecord | None
    records: list[ConsentRecord]

    @property
    def is_given(self) -> bool:
        return self.current is not None and self.current.is_active


def consent_list_for_user(*, user: User) -> QuerySet[ConsentRecord]:
    """Every consent record of the user's own, the newest first (withdrawn ones too)."""
    return ConsentRecord.objects.filter(user=user).order_by("-given_at", "-id")


def consent_rows_for_user(*, user: User) -> list[ConsentRow]:
    """One row per purpose for the privacy page, from one query. The current record is the
    newest active one, else the newest one."""
    records = list(consent_list_for_user(user=user))
    rows = []
    for purpose in ConsentPurpose:
        mine = [record for record in records if record.purpose == purpose]
        active = [record for record in mine if record.is_active]
        current = active[0] if active else (mine[0] if mine else None)
        rows.append(
            ConsentRow(
                purpose=purpose,
                current=current,
                records=mine,
            )
        )
    return rows
