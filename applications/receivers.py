"""Receivers of signals sent by lower parts of the programme; imported from
`ApplicationsConfig.ready()`."""

from django.dispatch import receiver

from accounts.enums import ConsentPurpose
from accounts.signals import consent_withdrawn
from applications.services import applications_withdraw_for_consent


@receiver(consent_withdrawn, dispatch_uid="applications.consent_withdrawn")
def applications_on_consent_withdrawn(sender, *, user, purpose, actor, **kwargs):
    """Without consent to processing, no application of the person's can go on."""
    if purpose != ConsentPurpose.PROCESSING:
        return
    applications_withdraw_for_consent(user=user, actor=actor)
