from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import GuardedForm
from privacy.enums import CertificateChoice
from programmes.models import RETENTION_MONTHS_MAX


class ErasureForm(GuardedForm):
    certificate_choice = forms.ChoiceField(
        label=_("Your certificates"),
        choices=CertificateChoice.choices,
        initial=CertificateChoice.KEEP,
        widget=forms.RadioSelect,
        help_text=_(
            "Kept: anyone with the link can still check that your certificate is genuine, and it "
            "still shows your name. Revoked: its page says it was revoked, without your name."
        ),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone once it is carried out."),
        error_messages={"required": _("Tick the box to confirm that you want this.")},
    )

    def __init__(self, *args, has_certificates: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_certificates:
            # Nothing to choose: the field is left out, and the answer is "keep" (there is none).
            del self.fields["certificate_choice"]

    def chosen_certificate_choice(self) -> str:
        # Not named after the field: a method of the same name would hide the declared field.
        return self.cleaned_data.get("certificate_choice") or CertificateChoice.KEEP


class RetentionForm(GuardedForm):
    months_not_selected = forms.IntegerField(
        label=_("People not selected: keep their data for (months)"),
        min_value=1,
        max_value=RETENTION_MONTHS_MAX,
        help_text=_(
            "After their cohort ends. Everyone without a place: drafts, ineligible, "
            "not selected, declined, expired, withdrawn before a place."
        ),
    )
    months_participants = forms.IntegerField(
        label=_("Participants: keep their data for (months)"),
        min_value=1,
        max_value=RETENTION_MONTHS_MAX,
        help_text=_("After their cohort ends. Issued certificates are kept for verification."),
    )
