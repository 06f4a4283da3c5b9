from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .enums import RoleKind


class RoleGrantForm(forms.Form):
    email = forms.EmailField(
        label=_("Email of an existing account"),
        help_text=_("The person must have signed up and verified their email first."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("Choose…")), *RoleKind.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Div(
                Div("email", css_class="col-md-6"),
                Div("role", css_class="col-md-4"),
                Div(
                    Submit("grant", _("Add to team"), css_class="w-100"),
                    css_class="col-md-2 pt-md-4 mt-md-2",
                ),
                css_class="row align-items-start",
            )
        )

    def clean_email(self) -> User:
        email = self.cleaned_data["email"].strip().lower()
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("No active account uses this email. Ask the person to sign up first.")
            )
        return user
