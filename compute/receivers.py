"""Receivers of the signals selection sends; connected from `ComputeConfig.ready()`."""

from django.dispatch import receiver

from compute import services
from selection.signals import participant_joined, participant_left


@receiver(participant_joined, dispatch_uid="compute.grant_defaults")
def compute_on_participant_joined(sender, *, participant, **kwargs):
    """A new participant gets each of their cohort's pools' default grant."""
    services.allocations_grant_defaults(participant=participant)


@receiver(participant_left, dispatch_uid="compute.release")
def compute_on_participant_left(sender, *, participant, **kwargs):
    """What a leaving participant did not use goes back to the pool."""
    services.allocations_release(cohort_id=participant.cohort_id, user_id=participant.user_id)
