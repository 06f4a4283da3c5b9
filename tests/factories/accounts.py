import datetime

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from allauth.mfa.utils import encrypt
from django.utils import timezone

from accounts.enums import (
    ConsentPurpose,
    Education,
    EmployerSize,
    Gender,
    JobLevel,
    Residency,
    Sector,
)
from accounts.models import ApplicantProfile, ConsentRecord, PersonalToken, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A user whose email is verified, so they can sign in."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class ApplicantProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicantProfile

    user = factory.SubFactory(UserFactory)
    full_name = factory.Faker("name")
    phone = "+6591234567"
    residency = Residency.CITIZEN
    date_of_birth = datetime.date(1990, 5, 17)
    gender = Gender.PREFER_NOT_TO_SAY
    employer = "Harbour Logistics"
    employer_size = EmployerSize.SME
    sector = Sector.LOGISTICS
    job_level = JobLevel.FRONTLINE
    is_union_member = True
    highest_education = Education.DIPLOMA
    years_of_experience = 8
    linkedin_url = ""


class TotpAuthenticatorFactory(factory.django.DjangoModelFactory):
    """An activated authenticator app for `user`, so MFA-required users pass the check."""

    class Meta:
        model = Authenticator

    user = factory.SubFactory(UserFactory)
    type = Authenticator.Type.TOTP
    data = factory.LazyFunction(lambda: {"secret": encrypt(generate_totp_secret())})


class PersonalTokenFactory(factory.django.DjangoModelFactory):
    """A person's active read token (its secret is not known: use
    `services.personal_token_create` when a test needs to send one)."""

    class Meta:
        model = PersonalToken

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Script {n}")
    prefix = factory.Sequence(lambda n: f"p{n:07d}")
    secret_hash = "0" * 64
    scopes = factory.LazyFunction(lambda: ["read"])


class ConsentRecordFactory(factory.django.DjangoModelFactory):
    """Consent to processing, given under a notice version of its own and not withdrawn."""

    class Meta:
        model = ConsentRecord

    user = factory.SubFactory(UserFactory)
    purpose = ConsentPurpose.PROCESSING
    notice_version = factory.Sequence(lambda n: f"2026-{n}")
    given_at = factory.LazyFunction(timezone.now)
