from .accounts import ApplicantProfileFactory, TotpAuthenticatorFactory, UserFactory
from .applications import ApplicationEventFactory, ApplicationFactory
from .cohorts import CohortFactory, EligibilityRuleFactory, QuestionFactory
from .programmes import PartnerFactory, ProgrammeFactory, ProgrammeRoleFactory
from .reviews import (
    AssignmentRunFactory,
    ConflictOfInterestFactory,
    ReviewAssignmentFactory,
    ReviewCriterionFactory,
    ReviewFactory,
)
from .selection import (
    OfferFactory,
    ParticipantFactory,
    QuotaFactory,
    SelectionRunFactory,
)

__all__ = [
    "ApplicantProfileFactory",
    "ApplicationEventFactory",
    "ApplicationFactory",
    "AssignmentRunFactory",
    "CohortFactory",
    "ConflictOfInterestFactory",
    "EligibilityRuleFactory",
    "OfferFactory",
    "ParticipantFactory",
    "PartnerFactory",
    "ProgrammeFactory",
    "ProgrammeRoleFactory",
    "QuestionFactory",
    "QuotaFactory",
    "ReviewAssignmentFactory",
    "ReviewCriterionFactory",
    "ReviewFactory",
    "SelectionRunFactory",
    "TotpAuthenticatorFactory",
    "UserFactory",
]
