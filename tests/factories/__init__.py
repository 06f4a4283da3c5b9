from .accounts import ApplicantProfileFactory, TotpAuthenticatorFactory, UserFactory
from .cohorts import (
    ApplicationFactory,
    CohortFactory,
    EligibilityRuleFactory,
    PartnerFactory,
    ProgrammeFactory,
    ProgrammeRoleFactory,
    QuestionFactory,
)

__all__ = [
    "ApplicationFactory",
    "CohortFactory",
    "EligibilityRuleFactory",
    "QuestionFactory",
    "ApplicantProfileFactory",
    "PartnerFactory",
    "ProgrammeFactory",
    "ProgrammeRoleFactory",
    "TotpAuthenticatorFactory",
    "UserFactory",
]
