"""Forms of the programme pages: settings, team, outbox, announcements."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import selectors as account_selectors
from accounts.models import User
from core.forms import GuardedForm, GuardedModelForm
from programmes.enums import RoleKind
from programmes.models import Partner, Programme


class ProgrammeForm(GuardedModelForm):
    class Meta:
        model = Programme
        fields = ["name", "tagline", "description", "partners", "is_published"]
        widgets = {
            "partners": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class RoleGrantForm(GuardedForm):
    email = forms.EmailField(
        label=_("Email of an existing account"),
        help_text=_("The person must have signed up and verified their email first."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("Choose…")), *RoleKind.choices])
    employer = forms.CharField(
        label=_("Employer (reviewers)"),
        required=False,
        max_length=200,
        help_text=_("Reviewers never get applications from their own employer."),
    )
    partner = forms.ModelChoiceField(
        label=_("Partner (partner viewers)"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("Choose…"),
        help_text=_(
            "Partner viewers see the dashboard's aggregates only: no names, no small counts."
        ),
    )

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = programme.partners.order_by("name")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Div(
                Div("email", css_class="col-md-3"),
                Div("role", css_class="col-md-2"),
                Div("employer", css_class="col-md-2"),
                Div("partner", css_class="col-md-3"),
                Div(
                    Submit("grant", _("Add to team"), css_class="w-100"),
                    css_class="col-md-2 pt-md-4 mt-md-2",
                ),
                css_class="row align-items-start",
            )
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == RoleKind.PARTNER_VIEWER and not cleaned.get("partner"):
            self.add_error("partner", _("Choose the partner this person works for."))
        return cleaned

    def clean_email(self) -> User:
        user = account_selectors.user_get_by_verified_email(email=self.cleaned_data["email"])
        if user is None:
            raise forms.ValidationError(
                _("No active account has verified this email. Ask the person to sign up first.")
            )
        return user


class AnnouncementForm(GuardedForm):
    audience = forms.ChoiceField(
        label=_("To"),
        choices=[
            ("team", _("Everyone in the team")),
            (RoleKind.PROGRAMME_ADMIN, _("Programme admins")),
            (RoleKind.REVIEWER, _("Reviewers")),
            (RoleKind.MENTOR, _("Mentors")),
            (RoleKind.STAFF, _("Staff and instructors")),
        ],
    )
    subject = forms.CharField(label=_("Subject"), max_length=150)
    message = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Plain text. The message is staged: you read it in the outbox before releasing it."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout("audience", "subject", "message")

    def clean_subject(self) -> str:
        subject = " ".join(self.cleaned_data["subject"].split())
        if not subject:
            raise forms.ValidationError(_("Write a subject."))
        return subject

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError(_("Write a message."))
        return message


class OutboxFilterForm(GuardedForm):
    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    q = forms.CharField(label=_("Recipient or subject"), required=False, max_length=200)
    # Emails carry the programme, not the cohort: a cohort's messages are those sent to the
    # people who applied to it (its applicants and participants), whatever their kind.
    cohort = forms.TypedChoiceField(
        label=_("To applicants of"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, statuses, kinds, cohorts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *statuses]
        self.fields["kind"].choices = [("", _("Any kind")), *kinds]
        self.fields["cohort"].choices = [("", _("Any cohort")), *cohorts]
