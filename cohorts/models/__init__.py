from .applications import (
    Application,
    ApplicationEvent,
    ApplicationQuestion,
    Cohort,
    EligibilityRule,
)
from .programmes import Partner, Programme, ProgrammeQuerySet, ProgrammeRole
from .reviews import (
    AssignmentRun,
    ConflictOfInterest,
    Review,
    ReviewAssignment,
    ReviewCriterion,
)
from .selection import Offer, Participant, Quota, SelectionRun

__all__ = [
    "Application",
    "ApplicationEvent",
    "ApplicationQuestion",
    "AssignmentRun",
    "Cohort",
    "ConflictOfInterest",
    "EligibilityRule",
    "Offer",
    "Participant",
    "Partner",
    "Programme",
    "ProgrammeQuerySet",
    "ProgrammeRole",
    "Quota",
    "Review",
    "ReviewAssignment",
    "ReviewCriterion",
    "SelectionRun",
]
