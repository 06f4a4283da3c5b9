"""Forms of the application: answers, uploads, submission, withdrawal, staff bulk status."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.validators import HTTP_URL_MESSAGE, http_url_validator
from applications.enums import DISPUTE_TEXT_MAX, STAFF_SETTABLE_STATUSES, ApplicationStatus
from cohorts.enums import QuestionType
from core.forms import NUL_MESSAGE, GuardedForm, contains_nul
from core.virus_scan import validate_upload_is_clean

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


class DisputeForm(GuardedForm):
    """An applicant's request to correct a submitted application. `subjects` are the choices
    of `selectors.dispute_subjects`, grouped."""

    about = forms.ChoiceField(
        label=_("What is it about?"),
        error_messages={
            "required": _("Choose what the correction is about."),
            "invalid_choice": _("Choose what the correction is about from the list."),
        },
    )
    note = forms.CharField(
        label=_("What is wrong, and what should it be?"),
        max_length=DISPUTE_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=format_lazy(
            _(
                "For example: “My employer is Harbour Logistics, not Harbor Logistic.” "
                "At most {max} characters."
            ),
            max=DISPUTE_TEXT_MAX,
        ),
        error_messages={
            "required": _("Say what is wrong and what it should be."),
            "max_length": _("Keep the note to %(limit_value)s characters; it has %(show_value)s."),
        },
    )

    def __init__(self, *args, subjects: list[tuple], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["about"].choices = [("", _("Choose…")), *subjects]


class DisputeResolveForm(GuardedForm):
    response = forms.CharField(
        label=_("Response to the applicant"),
        max_length=DISPUTE_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. The applicant sees it, for example what was corrected."),
        required=False,
    )
