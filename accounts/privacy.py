"""Accounts' part of a person's data: the account, the applicant profile, the API tokens
(their names and scopes, never the secret) and the consents given and withdrawn."""

from django.utils.translation import gettext_lazy as _

from accounts.models import ApplicantProfile, ConsentRecord, PersonalToken
from core.privacy_registry import PersonalData, PrivacyPart, Target, target_of, when


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


PARTS = (
    PrivacyPart(
        slug="account", label=_("Your account and profile"), collect=collect_account, order=10
    ),
    PrivacyPart(slug="consents", label=_("Your consents"), collect=collect_consents, order=11),
)
