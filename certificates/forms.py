"""Forms of certificates: a cohort's certification rule, the board's filter, and the staff's
waivers, sign-offs and revocations.

Choices (the programme's courses and compute resources, the requirements a person may be
excused) are built from what the view has already read, so a posted id from elsewhere is
refused like any other wrong choice.
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from certificates.enums import BoardState, Requirement
from core.forms import GuardedForm

REASON_MAX = 2000
TEXT_MAX = 4000
# More mentoring sessions than any programme holds: a typo beyond it.
MAX_SESSIONS = 1000


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


def _percent(label, help_text) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=100,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class RuleForm(GuardedForm):
    """What a participant of the cohort must have done to be certified."""

    achievement_name = forms.CharField(
        label=_("Certificate title"),
        max_length=200,
        help_text=_("As printed on the certificate, e.g. “Applied AI Practitioner”."),
    )
    achievement_description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the holder learned, in one or two sentences."),
    )
    criteria_narrative = forms.CharField(
        label=_("Criteria, in words"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Left blank, it is written from the requirements below."),
    )
    required_courses = forms.ModelMultipleChoiceField(
        label=_("Courses to complete"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    min_attendance = _percent(
        _("Minimum attendance overall (%)"), _("Over all the required courses; blank for none.")
    )
    min_course_attendance = _percent(
        _("Minimum attendance in each course (%)"),
        _("Blank: each course's own minimum attendance."),
    )
    assessments_must_pass = forms.BooleanField(
        label=_("Every assessment of the required courses must be passed"), required=False
    )
    min_mentoring_sessions = forms.IntegerField(
        label=_("Mentoring sessions attended, at least"),
        min_value=0,
        max_value=MAX_SESSIONS,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    compute_resource = forms.ModelChoiceField(
        label=_("Compute resource to use"),
        queryset=None,
        required=False,
        empty_label=_("None required"),
    )
    min_compute_use = forms.DecimalField(
        label=_("Minimum use of it"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=3,
        help_text=_("In the resource's own unit."),
    )
    requires_sign_off = forms.BooleanField(
        label=_("A member of staff signs each participant off"), required=False
    )

    def __init__(self, *args, courses, resources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_courses"].queryset = courses
        self.fields["compute_resource"].queryset = resources
        self.helper = _helper()

    @classmethod
    def initial_from(cls, rule) -> dict:
        """The form's starting values: the saved rule's, or the defaults."""
        if rule is None:
            return {"assessments_must_pass": True, "min_mentoring_sessions": 0}
        return {
            name: getattr(rule, name)
            for name in (
                "achievement_name",
                "achievement_description",
                "criteria_narrative",
                "min_attendance",
                "min_course_attendance",
                "assessments_must_pass",
                "min_mentoring_sessions",
                "compute_resource",
                "min_compute_use",
                "requires_sign_off",
            )
        } | {"required_courses": list(rule.required_courses.all())}

    def clean(self):
        cleaned = super().clean()
        resource, amount = cleaned.get("compute_resource"), cleaned.get("min_compute_use")
        if resource is not None and amount is None:
            self.add_error("min_compute_use", _("Say how much of it must be used."))
        if resource is None and amount is not None:
            self.add_error("compute_resource", _("Choose the resource this minimum is about."))
        return cleaned


class BoardFilterForm(GuardedForm):
    """The board's filter: a state and a search in name or email. Wrong values show everyone."""

    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Everyone")), *BoardState.choices]
    )
    q = forms.CharField(label=_("Name or email"), required=False, max_length=200)

    def filters(self) -> dict:
        if not self.is_valid():
            return {"state": "", "q": ""}
        return {"state": self.cleaned_data["state"], "q": self.cleaned_data["q"].strip()}


class WaiverForm(GuardedForm):
    """Excuse a participant from one requirement of the rule, with a reason kept in the audit."""

    requirement = forms.ChoiceField(label=_("Requirement"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the waiver and in the audit log."),
    )

    def __init__(self, *args, requirements: list[str], **kwargs):
        kwargs.setdefault("auto_id", "waiver-%s")
        super().__init__(*args, **kwargs)
        labels = dict(Requirement.choices)
        self.fields["requirement"].choices = [
            ("", "—"),
            *((key, labels.get(key, key)) for key in requirements),
        ]
        self.helper = _helper()

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the requirement is waived."))
        return reason


class SignOffForm(GuardedForm):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "signoff-%s")
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class RevokeForm(GuardedForm):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown on the public verification page and sent to the holder."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "revoke-%s")
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the certificate is revoked."))
        return reason
