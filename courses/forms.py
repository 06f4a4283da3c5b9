"""Forms of courses: the programme's settings, courses, class sessions (their times typed in
the cohort's own time zone), enrolments by staff, assessments and their results (one by one or
from a CSV file), and messages to participants.

Choices of people are built from lists the view has already read, so a posted id that is not
on the list (someone not enrolled, not on the staff) is refused like any other wrong choice.
"""

import datetime

from crispy_forms.bootstrap import InlineCheckboxes
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.core.validators import MaxValueValidator, URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import NUL_MESSAGE, GuardedForm, GuardedModelForm
from courses.models import Assessment, ClassSession, Course, CourseSettings

# A results file is a few dozen bytes a row: 2 MB is ample for the 5,000 rows an import takes.
MAX_CSV_BYTES = 2 * 1024 * 1024
# Places of a course and seats of a room: more than any programme has, well inside the column.
MAX_CAPACITY = 100_000
# Sessions are dated within these years: outside them is a typo (and near the calendar's ends
# a time zone could carry the moment past what a date can hold).
SESSION_YEARS = (2000, 2099)
MESSAGE_TARGETS = [
    ("selected", _("The people ticked in the list")),
    ("at_risk", _("Everyone at risk in this cohort")),
]


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    if layout:
        helper.layout = Layout(*layout)
    return helper


def _cap_capacity(field) -> None:
    field.max_value = MAX_CAPACITY
    field.validators.append(MaxValueValidator(MAX_CAPACITY))
    field.widget.attrs["max"] = MAX_CAPACITY


def local_moment(day: datetime.date, time: datetime.time, tz) -> datetime.datetime | None:
    """The day and wall-clock time in the time zone, or None when the clocks skip that time
    (the hour lost when daylight saving time starts). A time that happens twice, when the
    clocks go back, is its first occurrence."""
    naive = datetime.datetime.combine(day, time)
    moment = naive.replace(tzinfo=tz)
    if moment.astimezone(datetime.UTC).astimezone(tz).replace(tzinfo=None) != naive:
        return None
    return moment


def person_label(user) -> str:
    return f"{user.display_name} ({user.email})" if user.display_name else user.email


class SettingsForm(GuardedModelForm):
    class Meta:
        model = CourseSettings
        fields = ["max_electives"]
        help_texts = {
            "max_electives": _(
                "How many electives each participant may choose in a cohort; 0 closes electives."
            )
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "settings-%s")
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class CourseForm(GuardedModelForm):
    """A course with the cohorts it is offered to (the programme's own) and its instructors
    (the programme's staff and admins)."""

    class Meta:
        model = Course
        fields = [
            "code",
            "title",
            "description",
            "kind",
            "hours",
            "min_attendance",
            "capacity",
            "cohorts",
            "instructors",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "kind": forms.RadioSelect,
            "cohorts": forms.CheckboxSelectMultiple,
            "instructors": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, programme, cohorts, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.programme = programme
        self.fields["cohorts"].queryset = cohorts
        self.fields["cohorts"].label_from_instance = lambda cohort: cohort.name
        self.fields["cohorts"].help_text = _(
            "A required course enrols every participant of these cohorts at once."
        )
        self.fields["instructors"].queryset = staff
        self.fields["instructors"].label_from_instance = person_label
        self.fields["instructors"].help_text = _("People on the programme's staff.")
        _cap_capacity(self.fields["capacity"])
        self.helper = _helper(
            "code",
            "title",
            "description",
            "kind",
            "hours",
            "min_attendance",
            "capacity",
            InlineCheckboxes("cohorts"),
            "instructors",
        )


class SessionForm(GuardedModelForm):
    """A class session. Its day and times are typed as the cohort's people read them: in the
    chosen cohort's time zone, whatever the time zone of whoever types them."""

    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(
        label=_("Starts"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends = forms.TimeField(
        label=_("Ends"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    online_url = forms.URLField(
        label=_("Online link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        # Shown as a link to participants: http and https only (no javascript:, data:, ftp:).
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("For a session people can join online: an http or https address."),
    )

    class Meta:
        model = ClassSession
        fields = ["cohort", "title", "place", "online_url", "instructor", "capacity"]

    def __init__(self, *args, course, cohorts, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.course = course
        self.fields["cohort"].queryset = cohorts
        self.fields["cohort"].label_from_instance = lambda cohort: (
            f"{cohort.name} ({cohort.timezone})"
        )
        self.fields["cohort"].help_text = _("The date and times are in this cohort's time zone.")
        self.fields["cohort"].empty_label = None
        self.fields["instructor"].queryset = staff
        self.fields["instructor"].label_from_instance = person_label
        self.fields["instructor"].empty_label = _("Not decided yet")
        _cap_capacity(self.fields["capacity"])
        self.order_fields(
            ["cohort", "day", "starts", "ends", "title", "place", "online_url", "instructor"]
        )
        if self.instance.pk and not self.is_bound:
            tz = self.instance.cohort.tz
            starts = timezone.localtime(self.instance.starts_at, tz)
            ends = timezone.localtime(self.instance.ends_at, tz)
            self.initial.update(
                {"day": starts.date(), "starts": starts.time(), "ends": ends.time()}
            )
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        cohort, day = cleaned.get("cohort"), cleaned.get("day")
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if cohort is None or day is None or starts is None or ends is None:
            return cleaned
        if not SESSION_YEARS[0] <= day.year <= SESSION_YEARS[1]:
            self.add_error(
                "day",
                _("Choose a date between %(first)s and %(last)s.")
                % {"first": SESSION_YEARS[0], "last": SESSION_YEARS[1]},
            )
            return cleaned
        if ends <= starts:
            self.add_error("ends", _("The session must end after it starts, on the same day."))
            return cleaned
        tz = cohort.tz
        starts_at, ends_at = local_moment(day, starts, tz), local_moment(day, ends, tz)
        for name, moment in (("starts", starts_at), ("ends", ends_at)):
            if moment is None:
                self.add_error(
                    name,
                    _(
                        "This time does not exist on that day in %(timezone)s: the clocks skip "
                        "it when they go forward. Choose a time after the change."
                    )
                    % {"timezone": cohort.timezone},
                )
        if starts_at is None or ends_at is None:
            return cleaned
        self.instance.starts_at, self.instance.ends_at = starts_at, ends_at
        return cleaned


class EnrolmentForm(GuardedForm):
    cohort = forms.ModelChoiceField(label=_("Cohort"), queryset=None, empty_label=None)
    email = forms.EmailField(
        label=_("Participant's email"), help_text=_("A participant of the chosen cohort.")
    )

    def __init__(self, *args, cohorts, **kwargs):
        kwargs.setdefault("auto_id", "enrol-%s")
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = cohorts
        self.fields["cohort"].label_from_instance = lambda cohort: cohort.name
        self.helper = _helper()


class AssessmentForm(GuardedModelForm):
    class Meta:
        model = Assessment
        fields = ["name", "kind", "max_score", "pass_mark", "weight", "due_on"]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.course = course
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        max_score, pass_mark = cleaned.get("max_score"), cleaned.get("pass_mark")
        if max_score is not None and pass_mark is not None and pass_mark > max_score:
            self.add_error("pass_mark", _("The pass mark cannot be above the maximum score."))
        return cleaned


class ResultForm(GuardedForm):
    """One participant's result; `people` are those enrolled in the course."""

    user = forms.ChoiceField(label=_("Participant"))
    score = forms.DecimalField(label=_("Score"), min_value=0, max_digits=7, decimal_places=2)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The participant reads it with their score."),
    )

    def __init__(self, *args, people: list, max_score=None, **kwargs):
        kwargs.setdefault("auto_id", "result-%s")
        super().__init__(*args, **kwargs)
        self.people = {str(user.pk): user for user in people}
        self.fields["user"].choices = [
            ("", "—"),
            *((key, person_label(user)) for key, user in self.people.items()),
        ]
        self.max_score = max_score
        if max_score is not None:
            self.fields["score"].help_text = _("From 0 to %(max)s.") % {"max": max_score}
        self.helper = _helper()

    def clean_user(self):
        return self.people[self.cleaned_data["user"]]

    def clean_score(self):
        score = self.cleaned_data["score"]
        if self.max_score is not None and score > self.max_score:
            raise forms.ValidationError(
                _("The score must be between 0 and %(max)s.") % {"max": self.max_score}
            )
        return score


class ResultsImportForm(GuardedForm):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One row per participant: email,score,comment — the comment is optional, and so is "
            "a header line. UTF-8, at most 2 MB."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "import-%s")
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_file(self) -> str:
        """The file's text: at most 2 MB of UTF-8 without NUL characters."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 2 MB; split it into smaller files.")
            )
        content = upload.read()
        if b"\x00" in content:
            raise forms.ValidationError(NUL_MESSAGE)
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _(
                    "The file is not UTF-8 text. In your spreadsheet, save it as "
                    "“CSV UTF-8 (comma delimited)” and upload it again."
                )
            ) from None


class IdListField(forms.Field):
    """Ids posted as a list (checkboxes of one name): a list of whole numbers."""

    widget = forms.MultipleHiddenInput

    def clean(self, value) -> list[int]:
        values = value or []
        if isinstance(values, str):
            values = [values]
        try:
            return sorted({int(v) for v in values})
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Choose people from the list.")) from None


class ProgressMessageForm(GuardedForm):
    target = forms.ChoiceField(
        label=_("Write to"), choices=MESSAGE_TARGETS, initial="selected", widget=forms.RadioSelect
    )
    people = IdListField(required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Sent by email and shown in their notifications, signed with your name."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "message-%s")
        super().__init__(*args, **kwargs)
        self.helper = _helper("target", "subject", "body")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("target") == "selected" and not cleaned.get("people"):
            self.add_error(
                "target", _("Tick at least one person in the list, or write to everyone at risk.")
            )
        return cleaned


class CheckInCodeForm(GuardedForm):
    """The short code on the session's screen, typed by a participant to check in."""

    code = forms.CharField(
        label=_("Check-in code"),
        max_length=20,
        help_text=_("The 6 letters and digits shown on the screen in the room."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "inputmode": "text",
                "spellcheck": "false",
                "autofocus": True,
                "class": "form-control-lg text-center font-monospace text-uppercase",
            }
        ),
    )
