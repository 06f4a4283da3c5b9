"""Receivers of signals sent by lower parts of the programme; imported from
`CohortsConfig.ready()`."""

from django.dispatch import receiver

from applications.enums import ApplicationStatus
from applications.signals import application_withdrawn
from cohorts.signals import cohort_copied
from selection.services import quotas_copy, selection_application_withdrawn

# Withdrawals the selection has to hear about: a decision was made (released or not).
DECIDED = (
    ApplicationStatus.OFFERED,
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.NOT_SELECTED,
)


@receiver(application_withdrawn, dispatch_uid="selection.application_withdrawn")
def selection_on_application_withdrawn(sender, *, application, previous_status, cohort, **kwargs):
    """A freed seat goes to the waitlist; an unreleased letter is discarded."""
    if previous_status not in DECIDED:
        return
    selection_application_withdrawn(
        application=application, previous_status=previous_status, cohort=cohort
    )


@receiver(cohort_copied, dispatch_uid="selection.cohort_copied")
def selection_on_cohort_copied(sender, *, source, target, **kwargs):
    """A cohort that takes an earlier one's set-up takes its quotas too."""
    return {"quotas": quotas_copy(source=source, target=target)}
