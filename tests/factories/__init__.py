from .accounts import ApplicantProfileFactory, TotpAuthenticatorFactory, UserFactory
from .cohorts import PartnerFactory, ProgrammeFactory, ProgrammeRoleFactory

__all__ = [
    "ApplicantProfileFactory",
    "PartnerFactory",
    "ProgrammeFactory",
    "ProgrammeRoleFactory",
    "TotpAuthenticatorFactory",
    "UserFactory",
]
