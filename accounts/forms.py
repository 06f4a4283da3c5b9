import datetime

from allauth.account.forms import SignupForm as AllauthSignupForm
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import GuardedForm

from .enums import EmployerSize, TokenScope
from .models import ApplicantProfile
from .validators import HTTP_URL_MESSAGE, http_url_validator, normalise_phone

EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
MINIMUM_AGE = 15


def _pair(left: str, right: str) -> Div:
    """Two fields side by side on wide screens, stacked on phones."""
    return Div(Div(left, css_class="col-md-6"), Div(right, css_class="col-md-6"), css_class="row")


class ApplicantProfileForm(forms.ModelForm):
    linkedin_url = forms.URLField(
        label=_("LinkedIn profile"),
        required=False,
        assume_scheme="https",
        validators=[http_url_validator],
        error_messages={"invalid": HTTP_URL_MESSAGE},
        help_text=_("Optional. For example https://www.linkedin.com/in/your-name"),
    )

    class Meta:
        model = ApplicantProfile
        fields = [
            "full_name",
            "phone",
            "date_of_birth",
            "gender",
            "residency",
            "employer",
            "employer_size",
            "sector",
            "job_level",
            "is_union_member",
            "highest_education",
            "years_of_experience",
            "linkedin_url",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "employer": forms.TextInput(attrs={"autocomplete": "organization"}),
            "years_of_experience": forms.NumberInput(attrs={"min": 0, "max": 60}),
        }
        help_texts = {
            "phone": _("Include the country code, e.g. +65 9123 4567."),
            "employer": _("Leave empty if you are self-employed or not employed."),
            "is_union_member": _("Some cohorts reserve seats for union members."),
        }
        labels = {"is_union_member": _("I am a member of a trade union")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in (
            "gender",
            "residency",
            "employer_size",
            "sector",
            "job_level",
            "highest_education",
        ):
            field = self.fields[name]
            field.choices = [("", _("Choose…")), *[c for c in field.choices if c[0] != ""]]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                _("About you"),
                "full_name",
                _pair("phone", "date_of_birth"),
                _pair("gender", "residency"),
            ),
            Fieldset(
                _("Your work"),
                _pair("employer", "employer_size"),
                _pair("sector", "job_level"),
                "is_union_member",
            ),
            Fieldset(
                _("Your experience"),
                _pair("highest_education", "years_of_experience"),
                "linkedin_url",
            ),
            Submit("save", _("Save profile"), css_class="mt-2"),
        )

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter your full name."))
        return name

    def clean_date_of_birth(self) -> datetime.date:
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError(_("Your date of birth cannot be in the future."))
        if born < EARLIEST_BIRTH_DATE:
            raise forms.ValidationError(_("Enter a date of birth after 1 January 1900."))
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if age < MINIMUM_AGE:
            raise forms.ValidationError(
                _("You must be at least %(age)s years old.") % {"age": MINIMUM_AGE}
            )
        return born

    def clean(self):
        cleaned = super().clean()
        size = cleaned.get("employer_size")
        employer = (cleaned.get("employer") or "").strip()
        needs_employer = size not in (
            None,
            "",
            EmployerSize.SELF_EMPLOYED,
            EmployerSize.NOT_EMPLOYED,
        )
        if needs_employer and not employer:
            self.add_error(
                "employer", _("Enter your employer's name, or choose another employer size.")
            )
        return cleaned


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, with the same work whether or not the address has an account.

    A new account costs a password hash; without one here, the answer for a registered address
    came back several times faster and told anyone who has an account. The hash is thrown away.
    """

    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


# How long a new personal token lasts, in days; "" for no expiry.
TOKEN_LIFETIMES = [
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("One year")),
    ("", _("No expiry")),
]


class PersonalTokenForm(GuardedForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("What uses it, e.g. “Weekly report script”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("It may"),
        choices=TokenScope.choices,
        initial=[TokenScope.READ],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose what the token may do.")},
    )
    lifetime = forms.ChoiceField(
        label=_("Expires after"),
        choices=TOKEN_LIFETIMES,
        initial="90",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name

    @property
    def expires_at(self) -> datetime.datetime | None:
        days = self.cleaned_data.get("lifetime")
        return timezone.now() + datetime.timedelta(days=int(days)) if days else None
