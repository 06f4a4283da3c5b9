from .accounts import (
    ApplicantProfileFactory,
    ConsentRecordFactory,
    PersonalTokenFactory,
    TotpAuthenticatorFactory,
    UserFactory,
)
from .applications import ApplicationDisputeFactory, ApplicationEventFactory, ApplicationFactory
from .certificates import (
    CertificateFactory,
    CertificationRuleFactory,
    IssueRunFactory,
    SignOffFactory,
    WaiverFactory,
)
from .cohorts import CohortFactory, EligibilityRuleFactory, QuestionFactory
from .compute import (
    AllocationChangeFactory,
    AllocationFactory,
    AllocationRequestFactory,
    IntegrationTokenFactory,
    ResourcePoolFactory,
    ResourceTypeFactory,
    UsageRecordFactory,
)
from .courses import (
    AssessmentFactory,
    AssessmentResultFactory,
    AttendanceFactory,
    CalendarFeedFactory,
    ClassSessionFactory,
    CourseFactory,
    EnrollmentFactory,
)
from .exports import ExportFactory
from .mentoring import (
    ForbiddenPairFactory,
    MatchingRunFactory,
    MenteePreferenceFactory,
    MentoringSessionFactory,
    MentorProfileFactory,
    PairingFactory,
)
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
    "AllocationChangeFactory",
    "AllocationFactory",
    "AllocationRequestFactory",
    "ApplicantProfileFactory",
    "ApplicationDisputeFactory",
    "ApplicationEventFactory",
    "ApplicationFactory",
    "AssessmentFactory",
    "AssessmentResultFactory",
    "AssignmentRunFactory",
    "AttendanceFactory",
    "CalendarFeedFactory",
    "CertificateFactory",
    "CertificationRuleFactory",
    "ClassSessionFactory",
    "CohortFactory",
    "ConflictOfInterestFactory",
    "ConsentRecordFactory",
    "CourseFactory",
    "EligibilityRuleFactory",
    "EnrollmentFactory",
    "ExportFactory",
    "ForbiddenPairFactory",
    "IntegrationTokenFactory",
    "IssueRunFactory",
    "MatchingRunFactory",
    "MenteePreferenceFactory",
    "MentorProfileFactory",
    "MentoringSessionFactory",
    "OfferFactory",
    "PairingFactory",
    "ParticipantFactory",
    "PartnerFactory",
    "PersonalTokenFactory",
    "ProgrammeFactory",
    "ProgrammeRoleFactory",
    "QuestionFactory",
    "QuotaFactory",
    "ResourcePoolFactory",
    "ResourceTypeFactory",
    "ReviewAssignmentFactory",
    "ReviewCriterionFactory",
    "ReviewFactory",
    "SelectionRunFactory",
    "SignOffFactory",
    "TotpAuthenticatorFactory",
    "UsageRecordFactory",
    "UserFactory",
    "WaiverFactory",
]
