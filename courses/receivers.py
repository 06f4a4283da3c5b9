"""Receivers of the signals selection sends; connected from `CoursesConfig.ready()`."""

from django.dispatch import receiver

from courses import services
from selection.signals import participant_joined, participant_left


@receiver(participant_joined, dispatch_uid="courses.enrol_required")
def courses_on_participant_joined(sender, *, participant, **kwargs):
    """A new participant is enrolled in each required course of their cohort."""
    services.enrol_required(participant=participant)


@receiver(participant_left, dispatch_uid="courses.withdraw")
def courses_on_participant_left(sender, *, participant, **kwargs):
    """A participant who leaves the cohort leaves its courses; attendance and results stay."""
    services.withdraw_leaver(cohort_id=participant.cohort_id, user_id=participant.user_id)
