"""Accounts' part of a person's data: the account, the applicant profile, the API tokens
(their names and scopes, never the secret) and the consents given and withdrawn."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.utils.translation import gettext_lazy as _

from accounts.models import ApplicantProfile, ConsentRecord, PersonalToken
from core.privacy_registry import (
    Erased,
    ErasureScope,
    PersonalData,
    PrivacyPart,
    Target,
    target_of,
    when,
)


def collect_account(person, targets: frozenset[Target]) -> PersonalData:
    records: list[dict] = [
        {
            "email": person.email,
            "display_name": person.display_name,
            "language": person.language,
            "date_joined": when(person.date_joined),
            "last_login": when(person.last_login),
        }
    ]
    found = set()
    profile = ApplicantProfile.objects.filter(user=person).first()
    if profile is not None:
        records.append(
            {
                "applicant_profile": {
                    "full_name": profile.full_name,
                    "phone": profile.phone,
                    "residency": profile.residency,
                    "date_of_birth": when(profile.date_of_birth),
                    "gender": profile.gender,
                    "employer": profile.employer,
                    "employer_size": profile.employer_size,
                    "sector": profile.sector,
                    "job_level": profile.job_level,
                    "is_union_member": profile.is_union_member,
                    "highest_education": profile.highest_education,
                    "years_of_experience": profile.years_of_experience,
                    "linkedin_url": profile.linkedin_url,
                    "updated_at": when(profile.updated_at),
                }
            }
        )
        found.add(target_of(profile))
    tokens = PersonalToken.objects.filter(user=person).order_by("created_at", "id")
    records.extend(
        {
            "api_token": {
                "name": token.name,
                "revoked_at": when(token.revoked_at),
                "scopes": list(token.scopes),
                "created_at": when(token.created_at),
                "expires_at": when(token.expires_at),
            }
        }
        for token in tokens
    )
    return PersonalData(records=records, targets=found)


def collect_consents(person, targets: frozenset[Target]) -> PersonalData:
    consents = ConsentRecord.objects.filter(user=person).order_by("given_at", "id")
    return PersonalData(
        records=[
            {
                "purpose": consent.purpose,
                "notice_version": consent.notice_version,
                "given_at": when(consent.given_at),
                "withdrawn_at": when(consent.withdrawn_at),
            }
            for consent in consents
        ]
    )


def erase_account(scope: ErasureScope) -> Erased:
    """API tokens, email addresses, two-factor authenticators and sessions go; the applicant
    profile keeps only its categories (the sign-up figures count them) and the month of birth;
    the account row itself is anonymised last (`accounts.services.account_anonymise`). A
    retention purge keeps the account: the person may apply again."""
    if not scope.is_whole:
        return Erased()
    person = scope.person
    rows = 0
    profile = ApplicantProfile.objects.filter(user=person).first()
    if profile is not None:
        # The row stays, as the programme's sign-up figures count it by its categories; what
        # names or reaches the person goes, and the date of birth keeps only its month.
        profile.full_name = profile.phone = profile.employer = profile.linkedin_url = ""
        profile.date_of_birth = profile.date_of_birth.replace(day=1)
        profile.save(
            update_fields=[
                "full_name",
                "phone",
                "employer",
                "linkedin_url",
                "date_of_birth",
                "updated_at",
            ]
        )
        rows += 1
    for queryset in (
        PersonalToken.objects.filter(user=person),
        EmailAddress.objects.filter(user=person),
        Authenticator.objects.filter(user=person),
    ):
        rows += queryset.delete()[0]
    rows += sessions_end(person.pk)
    return Erased(rows=rows)


def erase_consents(scope: ErasureScope) -> Erased:
    """Consent records stay: they prove what was agreed, and hold nothing but the notice
    version and the times (the erasure has withdrawn every active one first)."""
    return Erased()


def sessions_end(user_id: int) -> int:
    """Delete the person's stored sessions (read one by one: the table is not keyed by user)."""
    ended = []
    for session in Session.objects.iterator(chunk_size=500):
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id):
            ended.append(session.pk)
    return Session.objects.filter(pk__in=ended).delete()[0]


PARTS = (
    PrivacyPart(
        slug="account",
        label=_("Your account and profile"),
        collect=collect_account,
        order=10,
        erase=erase_account,
    ),
    PrivacyPart(
        slug="consents",
        label=_("Your consents"),
        collect=collect_consents,
        order=11,
        erase=erase_consents,
    ),
)
