from .applications import (
    Application,
    ApplicationEvent,
    ApplicationQuestion,
    Cohort,
    EligibilityRule,
)
from .programmes import Partner, Programme, ProgrammeQuerySet, ProgrammeRole
from .reviews import ConflictOfInterest, Review, ReviewAssignment, ReviewCriterion

__all__ = [
    "Application",
    "ApplicationEvent",
    "ApplicationQuestion",
    "Cohort",
    "ConflictOfInterest",
    "EligibilityRule",
    "Partner",
    "Programme",
    "ProgrammeQuerySet",
    "ProgrammeRole",
    "Review",
    "ReviewAssignment",
    "ReviewCriterion",
]
