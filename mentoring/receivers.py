"""Receivers of the signals selection sends; connected from `MentoringConfig.ready()`."""

from django.dispatch import receiver

from mentoring import services
from selection.signals import participant_left


@receiver(participant_left, dispatch_uid="mentoring.end_pairing")
def mentoring_on_participant_left(sender, *, participant, **kwargs):
    """A participant who leaves the cohort leaves their mentor, whose place is free again."""
    services.pairings_end_for_leaver(cohort_id=participant.cohort_id, user_id=participant.user_id)
