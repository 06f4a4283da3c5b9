from .applications import (
    Application,
    ApplicationEvent,
    ApplicationQuestion,
    Cohort,
    EligibilityRule,
)
from .programmes import Partner, Programme, ProgrammeQuerySet, ProgrammeRole

__all__ = [
    "Application",
    "ApplicationEvent",
    "ApplicationQuestion",
    "Cohort",
    "EligibilityRule",
    "Partner",
    "Programme",
    "ProgrammeQuerySet",
    "ProgrammeRole",
]
