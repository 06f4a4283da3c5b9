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
    "ApplicantProfileFactory",
    "ApplicationFactory",
    "CohortFactory",
    "EligibilityRuleFactory",
    "PartnerFactory",
    "ProgrammeFactory",
    "ProgrammeRoleFactory",
    "QuestionFactory",
    "TotpAuthenticatorFactory",
    "UserFactory",
]
