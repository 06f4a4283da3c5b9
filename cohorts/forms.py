from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from accounts import selectors as account_selectors
from accounts.models import User
from accounts.validators import HTTP_URL_MESSAGE, http_url_validator
from core.forms import NUL_MESSAGE, GuardedForm, GuardedModelForm, contains_nul
from core.virus_scan import validate_upload_is_clean

from . import attributes
from .enums import (
    STAFF_SETTABLE_STATUSES,
    ApplicationStatus,
    ConflictKind,
    QuestionType,
    Recommendation,
    RoleKind,
    RuleOperator,
    ScoreKind,
)
from .models import ApplicationQuestion, Cohort, Programme, Quota, ReviewCriterion


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Div(
                Div("email", css_class="col-md-4"),
                Div("role", css_class="col-md-3"),
                Div("employer", css_class="col-md-3"),
                Div(
                    Submit("grant", _("Add to team"), css_class="w-100"),
                    css_class="col-md-2 pt-md-4 mt-md-2",
                ),
                css_class="row align-items-start",
            )
        )

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

    def __init__(self, *args, statuses, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *statuses]
        self.fields["kind"].choices = [("", _("Any kind")), *kinds]


# --- Applications ------------------------------------------------------------------------------

CV_MAX_BYTES = 5 * 1024 * 1024
MAX_TEXT = 20_000


def _field_name(question) -> str:
    return f"q_{question.key}"


def raw_answers_from_post(questions, data) -> dict:
    """What the applicant typed, for a draft: known questions only, nothing validated yet.

    Unknown fields are ignored; long values are cut to a safe size so a draft never fails to save.
    """
    answers = {}
    for question in questions:
        if question.type == QuestionType.FILE:
            continue
        name = _field_name(question)
        if question.type == QuestionType.MULTI_CHOICE:
            if name in data:
                answers[question.key] = [str(v)[:300] for v in data.getlist(name) if v][:50]
            continue
        if name in data:
            answers[question.key] = str(data.get(name, ""))[:MAX_TEXT]
    return answers


def draft_answer_errors(questions, answers: dict) -> dict[str, list[str]]:
    """What even a draft may not hold, by field name: a NUL character (see core.forms).
    Anything else is kept as typed until the applicant submits."""
    return {
        _field_name(question): [str(NUL_MESSAGE)]
        for question in questions
        if contains_nul(answers.get(question.key))
    }


def _word_limit_validator(limit: int):
    def check(value: str) -> None:
        words = len(value.split())
        if words > limit:
            raise forms.ValidationError(
                _("Keep this to %(limit)s words; you wrote %(words)s.")
                % {"limit": limit, "words": words}
            )

    return check


class ApplicationAnswersForm(GuardedForm):
    """Validates answers against the cohort's questions, whatever the browser sent.

    Questions hidden by their condition are not validated and their answers are dropped.
    """

    def __init__(self, *args, questions, visible_keys, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = [
            q for q in questions if q.key in visible_keys and q.type != QuestionType.FILE
        ]
        for question in self.questions:
            self.fields[_field_name(question)] = self._field_for(question)

    def _field_for(self, question):
        common = {
            "label": question.label,
            "required": question.is_required,
            "help_text": question.help_text,
        }
        choices = [(c, c) for c in question.choices]
        match question.type:
            case QuestionType.SHORT_TEXT:
                return forms.CharField(max_length=300, **common)
            case QuestionType.LONG_TEXT:
                validators = (
                    [_word_limit_validator(question.word_limit)] if question.word_limit else []
                )
                return forms.CharField(
                    max_length=MAX_TEXT, validators=validators, widget=forms.Textarea, **common
                )
            case QuestionType.CHOICE:
                return forms.ChoiceField(choices=[("", _("Choose…")), *choices], **common)
            case QuestionType.MULTI_CHOICE:
                return forms.MultipleChoiceField(
                    choices=choices, widget=forms.CheckboxSelectMultiple, **common
                )
            case QuestionType.NUMBER:
                return forms.DecimalField(
                    min_value=question.min_value,
                    max_value=question.max_value,
                    max_digits=12,
                    decimal_places=4,
                    **common,
                )
            case QuestionType.YES_NO:
                return forms.ChoiceField(
                    choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect, **common
                )
            case QuestionType.URL:
                return forms.URLField(
                    assume_scheme="https",
                    validators=[http_url_validator],
                    error_messages={"invalid": HTTP_URL_MESSAGE},
                    **common,
                )
        raise ValueError(question.type)

    def cleaned_answers(self) -> dict:
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get(_field_name(question))
            if value in (None, "", []):
                continue
            if question.type == QuestionType.NUMBER:
                value = format(value.normalize(), "f")
            answers[question.key] = value
        return answers


def clean_upload_name(name: str) -> str:
    """A display name for an uploaded file: no folders, no control characters, short."""
    base = name.replace("\\", "/").split("/")[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*').strip(" .")
    return (base or "document.pdf")[-120:]


def validate_pdf(upload) -> None:
    """A real PDF of at most 5 MB, judged by its content, not its name, and free of malware
    when a virus scanner is configured (core.virus_scan)."""
    if upload.size == 0:
        raise forms.ValidationError(_("The file is empty."))
    if upload.size > CV_MAX_BYTES:
        raise forms.ValidationError(
            _("The file is %(size)s MB; the limit is 5 MB.")
            % {"size": f"{upload.size / 1_048_576:.1f}"}
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(max(upload.size - 2048, 0))
    tail = upload.read()
    upload.seek(0)
    if not head.startswith(b"%PDF-") or b"%%EOF" not in tail:
        raise forms.ValidationError(
            _("This is not a PDF file. Export your CV as PDF and try again.")
        )
    # Before anything is stored: a refused file is never saved, so it can never be served.
    validate_upload_is_clean(upload)


class PdfUploadForm(GuardedForm):
    file = forms.FileField(label=_("CV (PDF, at most 5 MB)"), allow_empty_file=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_pdf(upload)
        return upload


class SubmitForm(GuardedForm):
    consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice and agree that my application is processed as it says."
        ),
        error_messages={"required": _("Please agree to the privacy notice to submit.")},
    )


class WithdrawForm(GuardedForm):
    reason = forms.CharField(
        label=_("Why are you withdrawing?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. It helps the programme team."),
        required=False,
    )


class BulkStatusForm(GuardedForm):
    to_status = forms.ChoiceField(
        label=_("Move selected to"),
        choices=[(s, ApplicationStatus(s).label) for s in STAFF_SETTABLE_STATUSES],
    )
    ids = forms.CharField(widget=forms.MultipleHiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.application_ids = []

    def clean(self):
        cleaned = super().clean()
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        try:
            self.application_ids = sorted({int(v) for v in raw})[:5000]
        except ValueError:
            raise forms.ValidationError(_("The selection is not valid.")) from None
        if not self.application_ids:
            raise forms.ValidationError(_("Select at least one application."))
        return cleaned


# --- Programme and cohort set-up -----------------------------------------------------------------


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


class CohortForm(GuardedModelForm):
    """Dates and times are typed in the cohort's own time zone."""

    opens_at = forms.DateTimeField(
        label=_("Applications open"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    closes_at = forms.DateTimeField(
        label=_("Applications close"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    timezone = forms.ChoiceField(label=_("Time zone"), choices=[])

    class Meta:
        model = Cohort
        fields = [
            "name",
            "slug",
            "description",
            "capacity",
            "offer_validity_days",
            "waitlist_length",
            "timezone",
            "opens_at",
            "closes_at",
            "starts_on",
            "ends_on",
            "status",
            "allow_edit_after_submit",
            "privacy_notice",
            "privacy_notice_version",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
            "privacy_notice": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        import zoneinfo

        self.programme = programme
        self.fields["timezone"].choices = [
            (tz, tz) for tz in sorted(zoneinfo.available_timezones())
        ]
        tz_name = (self.instance.timezone if self.instance.pk else None) or "Asia/Singapore"
        self.fields["timezone"].initial = tz_name
        if self.instance.pk:
            tz = zoneinfo.ZoneInfo(tz_name)
            for name in ("opens_at", "closes_at"):
                self.initial[name] = (
                    getattr(self.instance, name).astimezone(tz).replace(tzinfo=None)
                )
        # Left empty, the days to answer an offer keep their current value (7 for a new cohort).
        self.fields["offer_validity_days"].required = False
        self.fields["offer_validity_days"].help_text = _(
            "Counted from the release of the decisions (or from a promotion after it)."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Div(
                Div("name", css_class="col-md-8"),
                Div("slug", css_class="col-md-4"),
                css_class="row",
            ),
            "description",
            Div(
                Div("capacity", css_class="col-md-4"),
                Div("status", css_class="col-md-4"),
                Div("timezone", css_class="col-md-4"),
                css_class="row",
            ),
            Div(
                Div("opens_at", css_class="col-md-6"),
                Div("closes_at", css_class="col-md-6"),
                css_class="row",
            ),
            Div(
                Div("starts_on", css_class="col-md-6"),
                Div("ends_on", css_class="col-md-6"),
                css_class="row",
            ),
            "allow_edit_after_submit",
            Div(
                Div("offer_validity_days", css_class="col-md-6"),
                Div("waitlist_length", css_class="col-md-6"),
                css_class="row",
            ),
            Div(
                Div("privacy_notice", css_class="col-md-9"),
                Div("privacy_notice_version", css_class="col-md-3"),
                css_class="row",
            ),
        )

    def clean(self):
        import zoneinfo

        cleaned = super().clean()
        if cleaned.get("offer_validity_days") is None and "offer_validity_days" not in self.errors:
            cleaned["offer_validity_days"] = self.instance.offer_validity_days or 7
        tz_name = cleaned.get("timezone")
        if tz_name:
            tz = zoneinfo.ZoneInfo(tz_name)
            for name in ("opens_at", "closes_at"):
                value = cleaned.get(name)
                if value is not None:
                    cleaned[name] = value.replace(tzinfo=None).replace(tzinfo=tz)
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("Applications must close after they open."))
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The cohort must end on or after its start."))
        if closes and starts and closes.date() > starts:
            self.add_error("starts_on", _("The cohort should start after applications close."))
        slug = cleaned.get("slug")
        if (
            slug
            and Cohort.objects.filter(programme=self.programme, slug=slug)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("slug", _("Another cohort of this programme uses this slug."))
        return cleaned


class QuestionForm(GuardedModelForm):
    choices_text = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For single and multiple choice: one choice per line."),
    )
    show_when_text = forms.CharField(
        label=_("…has one of these answers"),
        required=False,
        help_text=_(
            "One per line, exactly as the choices are written (yes/no questions: yes or no)."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = ApplicationQuestion
        fields = [
            "label",
            "key",
            "type",
            "is_required",
            "help_text",
            "word_limit",
            "min_value",
            "max_value",
            "depends_on",
        ]

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        others = ApplicationQuestion.objects.filter(cohort=cohort).exclude(pk=self.instance.pk)
        self.fields["depends_on"].queryset = others.filter(
            type__in=[QuestionType.CHOICE, QuestionType.MULTI_CHOICE, QuestionType.YES_NO]
        )
        self.fields["depends_on"].required = False
        if self.instance.pk:
            self.initial["choices_text"] = "\n".join(self.instance.choices)
            self.initial["show_when_text"] = "\n".join(self.instance.show_when)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "label",
            Div(
                Div("key", css_class="col-md-4"),
                Div("type", css_class="col-md-4"),
                Div("is_required", css_class="col-md-4 pt-md-4"),
                css_class="row",
            ),
            "help_text",
            "choices_text",
            Div(
                Div("word_limit", css_class="col-md-4"),
                Div("min_value", css_class="col-md-4"),
                Div("max_value", css_class="col-md-4"),
                css_class="row",
            ),
            Div(
                Div("depends_on", css_class="col-md-6"),
                Div("show_when_text", css_class="col-md-6"),
                css_class="row",
            ),
        )

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("type")
        choices = self._lines(cleaned.get("choices_text", ""))
        if kind in (QuestionType.CHOICE, QuestionType.MULTI_CHOICE):
            if len(choices) < 2:
                self.add_error("choices_text", _("Give at least two choices, one per line."))
            if len(set(choices)) != len(choices):
                self.add_error("choices_text", _("Each choice must be different."))
        else:
            choices = []
        cleaned["choices"] = choices
        if cleaned.get("word_limit") and kind != QuestionType.LONG_TEXT:
            cleaned["word_limit"] = None
        low, high = cleaned.get("min_value"), cleaned.get("max_value")
        if low is not None and high is not None and low > high:
            self.add_error("max_value", _("The maximum must not be below the minimum."))
        parent = cleaned.get("depends_on")
        show_when = self._lines(cleaned.get("show_when_text", ""))
        if parent and not show_when:
            self.add_error("show_when_text", _("Say which answers show this question."))
        if parent:
            offered = parent.choices if parent.type != QuestionType.YES_NO else ["yes", "no"]
            unknown = [v for v in show_when if v not in offered]
            if unknown:
                self.add_error(
                    "show_when_text",
                    _("Not an answer of that question: %(values)s")
                    % {"values": ", ".join(unknown)},
                )
        cleaned["show_when"] = show_when if parent else []
        ancestor, seen = parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.instance.pk and ancestor.pk == self.instance.pk:
                self.add_error(
                    "depends_on",
                    _("A question cannot depend on itself, even through other questions."),
                )
                break
            seen.add(ancestor.pk)
            ancestor = ancestor.depends_on
        if cleaned.get("key") == "cv":
            self.add_error("key", _("“cv” is reserved for the CV; choose another key."))
        key = cleaned.get("key")
        if (
            key
            and ApplicationQuestion.objects.filter(cohort=self.cohort, key=key)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("key", _("Another question of this cohort uses this key."))
        return cleaned


class EligibilityRuleForm(GuardedForm):
    attribute = forms.ChoiceField(label=_("Attribute"))
    operator = forms.ChoiceField(label=_("Condition"), choices=RuleOperator.choices)
    values_text = forms.CharField(
        label=_("Values"),
        required=False,
        help_text=_(
            "One per line. For ages and numbers: the bound(s), e.g. 18 and 65 for “between”."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    message = forms.CharField(
        label=_("Message when not met (optional)"), required=False, max_length=300
    )

    def __init__(self, *args, attributes: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attribute"].choices = [("", _("Choose…")), *attributes]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        from decimal import Decimal, InvalidOperation

        cleaned = super().clean()
        values = [
            line.strip() for line in cleaned.get("values_text", "").splitlines() if line.strip()
        ]
        op = cleaned.get("operator")
        needed = {RuleOperator.BETWEEN: 2, RuleOperator.AT_LEAST: 1, RuleOperator.AT_MOST: 1}.get(
            op
        )
        if needed:
            try:
                numbers = [Decimal(v) for v in values]
            except InvalidOperation:
                numbers = None
            if numbers and not all(n.is_finite() for n in numbers):
                numbers = None
            if numbers is None or len(numbers) != needed:
                self.add_error(
                    "values_text", _("Give %(n)s number(s), one per line.") % {"n": needed}
                )
            elif op == RuleOperator.BETWEEN and numbers[0] > numbers[1]:
                self.add_error("values_text", _("Give the lower bound first."))
        elif op in (RuleOperator.IN, RuleOperator.NOT_IN) and not values:
            self.add_error("values_text", _("Give at least one value, one per line."))
        elif op in (RuleOperator.IS_TRUE, RuleOperator.IS_FALSE):
            values = []
        cleaned["values"] = values
        return cleaned


# --- Review ----------------------------------------------------------------------------------------


class ReviewSettingsForm(GuardedModelForm):
    review_deadline = forms.DateTimeField(
        label=_("Review deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the cohort's time zone. Reviews can be edited until then."),
    )

    class Meta:
        model = Cohort
        fields = [
            "reviewers_per_application",
            "is_blind_review",
            # Its help text warns what showing files reveals.
            "is_blind_review_files_visible",
            "reviewers_see_others",
            "review_deadline",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.review_deadline:
            self.initial["review_deadline"] = self.instance.review_deadline.astimezone(
                self.instance.tz
            ).replace(tzinfo=None)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_review_deadline(self):
        value = self.cleaned_data.get("review_deadline")
        return value.replace(tzinfo=None).replace(tzinfo=self.instance.tz) if value else None


class CriterionForm(GuardedModelForm):
    labels_text = forms.CharField(
        label=_("Labels of the points"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional, one per line, e.g. “1 = no evidence” … “5 = outstanding”."),
    )

    class Meta:
        model = ReviewCriterion
        fields = ["name", "guidance", "weight", "scale_min", "scale_max", "is_required"]
        widgets = {"guidance": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["labels_text"] = "\n".join(
                f"{k} = {v}"
                for k, v in sorted(self.instance.scale_labels.items(), key=lambda kv: int(kv[0]))
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "name",
            "guidance",
            Div(
                Div("weight", css_class="col-md-4"),
                Div("scale_min", css_class="col-md-4"),
                Div("scale_max", css_class="col-md-4"),
                css_class="row",
            ),
            "labels_text",
            "is_required",
        )

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("scale_min"), cleaned.get("scale_max")
        if low is not None and high is not None:
            if high <= low:
                self.add_error("scale_max", _("The highest score must be above the lowest."))
            elif high - low > 20:
                self.add_error("scale_max", _("Keep the scale to at most 21 points."))
        labels = {}
        for line in cleaned.get("labels_text", "").splitlines():
            if not line.strip():
                continue
            point, _sep, label = line.partition("=")
            try:
                number = int(point.strip())
            except ValueError:
                number = None
            if number is None or not label.strip():
                self.add_error("labels_text", _("Write each label as “number = text”."))
                break
            if low is not None and high is not None and not low <= number <= high:
                self.add_error("labels_text", _("%(n)s is not on the scale.") % {"n": number})
                break
            labels[str(number)] = label.strip()[:80]
        cleaned["scale_labels"] = labels
        return cleaned


class ConflictForm(GuardedForm):
    kind = forms.ChoiceField(
        label=_("Conflict with"),
        choices=[(k, label) for k, label in ConflictKind.choices if k != ConflictKind.APPLICATION],
    )
    value = forms.CharField(label=_("Their email, or the employer's name"), max_length=200)
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ConflictKind.PERSON and cleaned.get("value"):
            try:
                forms.EmailField().clean(cleaned["value"])
            except forms.ValidationError:
                self.add_error("value", _("For a person, give their email address."))
        return cleaned


class ConflictFlagForm(GuardedForm):
    """A reviewer stepping away from an assigned application, with an optional reason."""

    reason = forms.CharField(label=_("Why (kept confidential)"), required=False)

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()[:300]


class ReviewForm(GuardedForm):
    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        choices=[("", _("Choose…")), *Recommendation.choices],
        required=False,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name,
                required=False,
                coerce=int,
                empty_value=None,
                choices=[
                    (p, f"{p}{' — ' + label if label else ''}") for p, label in criterion.points
                ],
                widget=forms.RadioSelect,
                help_text=criterion.guidance,
            )

    def scores(self) -> dict[int, int]:
        return {
            c.pk: self.cleaned_data[f"score_{c.pk}"]
            for c in self.criteria
            if self.cleaned_data.get(f"score_{c.pk}") is not None
        }

    def score_fields(self):
        return [self[f"score_{c.pk}"] for c in self.criteria]


class ReassignForm(GuardedForm):
    reviewer = forms.ModelChoiceField(label=_("New reviewer"), queryset=User.objects.none())

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = User.objects.filter(pk__in=[u.pk for u in reviewers])


# --- Selection -------------------------------------------------------------------------------------


class QuotaForm(GuardedModelForm):
    attribute = forms.ChoiceField(label=_("Attribute"))
    values = forms.MultipleChoiceField(
        label=_("Values that count"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick the values of the chosen attribute that count towards this quota."),
    )

    class Meta:
        model = Quota
        fields = ["name", "attribute", "values", "min_percent", "max_percent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        quotas = attributes.Use.QUOTAS
        self.fields["attribute"].choices = [("", _("Choose…")), *attributes.choices(quotas)]
        self.fields["values"].choices = [
            (f"{a.key}:{value}", f"{a.label_for(quotas)}: {label}")
            for a in attributes.in_use(quotas)
            for value, label in a.choices
        ]
        if self.instance.pk:
            self.initial["values"] = [
                f"{self.instance.attribute}:{v}" for v in self.instance.values
            ]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        attribute = cleaned.get("attribute")
        chosen = cleaned.get("values") or []
        values = [v.split(":", 1)[1] for v in chosen if v.split(":", 1)[0] == attribute]
        if attribute and chosen and len(values) != len(chosen):
            self.add_error("values", _("Tick only values of the chosen attribute."))
        elif attribute and not values:
            self.add_error("values", _("Tick at least one value of the chosen attribute."))
        cleaned["values"] = values
        low, high = cleaned.get("min_percent"), cleaned.get("max_percent")
        if low is None and high is None:
            self.add_error("min_percent", _("Give a minimum, a maximum or both."))
        if low is not None and high is not None and low > high:
            self.add_error("max_percent", _("The maximum must not be below the minimum."))
        return cleaned


class SelectionRunForm(GuardedForm):
    score_kind = forms.ChoiceField(
        label=_("Rank by"), choices=ScoreKind.choices, initial=ScoreKind.NORMALIZED
    )
    seats = forms.IntegerField(label=_("Seats to fill"), min_value=1, max_value=1_000_000)
    min_reviews = forms.IntegerField(
        label=_("Only applications with at least this many reviews"),
        min_value=0,
        max_value=20,
        initial=1,
    )
    seed = forms.IntegerField(
        label=_("Lottery seed (optional)"),
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text=_(
            "Ties in score are broken by a lottery. Leave empty for a new draw, or give the seed "
            "of an earlier run to reproduce its lottery."
        ),
    )

    def __init__(self, *args, max_seats: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if max_seats is not None:
            self.fields["seats"].max_value = max_seats
            self.fields["seats"].validators.append(MaxValueValidator(max_seats))
            self.fields["seats"].help_text = _("At most %(n)s: the seats not yet taken.") % {
                "n": max_seats
            }
        self.helper = FormHelper()
        self.helper.form_tag = False


class DeclineForm(GuardedForm):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
