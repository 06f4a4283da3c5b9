"""Forms of mentoring: a mentor's profile, a mentee's preferences, matching runs and their changes
by hand, forbidden pairs, sessions, feedback, and ending a pairing.

Choices of mentors, mentees and pairs are built from lists the view has already read, so a page
reads each list once however many selects show it, and a posted id that is not on the list is
refused like any other wrong choice.
"""

import uuid

from crispy_forms.bootstrap import InlineCheckboxes, InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.enums import Sector
from core.forms import GuardedForm, GuardedModelForm
from mentoring.enums import Language, MatchingMode, SessionMode
from mentoring.matching import Weights, same_employer
from mentoring.models import MAX_CAPACITY, MAX_WISHES, MenteePreference, MentorProfile

MAX_TAGS = 20
MAX_TAG_LENGTH = 60
MAX_WEIGHT = 10
DEFAULT_WEIGHTS = Weights()
WISH_LABELS = (_("First choice"), _("Second choice"), _("Third choice"))


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    if layout:
        helper.layout = Layout(*layout)
    return helper


def mentor_label(profile: MentorProfile, *, with_expertise: bool = True) -> str:
    """A mentor as a choice: name, employer and what they mentor on."""
    bits = [str(profile)]
    if profile.employer:
        bits.append(profile.employer)
    label = " — ".join(bits)
    if with_expertise and profile.expertise:
        label += " · " + ", ".join(profile.expertise[:4])
    return label


def person_label(user) -> str:
    name = user.display_name or user.email
    return f"{name} ({user.email})" if user.display_name else name


class TagsField(forms.CharField):
    """Tags typed comma-separated: “MLOps, LLM evaluation” is ["mlops", "llm evaluation"]."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 1000)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def clean(self, value) -> list[str]:
        text = super().clean(value)
        tags: list[str] = []
        for part in (text or "").split(","):
            tag = " ".join(part.split()).lower()
            if tag and tag not in tags:
                tags.append(tag)
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(
                _("Give at most %(n)s, separated by commas.") % {"n": MAX_TAGS}
            )
        if any(len(tag) > MAX_TAG_LENGTH for tag in tags):
            raise forms.ValidationError(
                _("Keep each one under %(n)s characters; separate them with commas.")
                % {"n": MAX_TAG_LENGTH}
            )
        return tags


def _languages(label, help_text) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        help_text=help_text,
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one language.")},
    )


# --- profiles and preferences ------------------------------------------------------------------


class MentorProfileForm(GuardedModelForm):
    expertise = TagsField(
        label=_("What you mentor on"),
        help_text=_("Topics, separated by commas, e.g. “MLOps, LLM evaluation, Python”."),
    )
    industries = forms.MultipleChoiceField(
        label=_("Industries you know"),
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    languages = _languages(_("Languages you mentor in"), "")
    capacity = forms.IntegerField(
        label=_("Mentees you can take"),
        min_value=0,
        max_value=MAX_CAPACITY,
        help_text=_("0 means you are not taking more mentees just now; at most %(n)s.")
        % {"n": MAX_CAPACITY},
    )

    class Meta:
        model = MentorProfile
        fields = [
            "expertise",
            "industries",
            "languages",
            "employer",
            "availability",
            "capacity",
            "bio",
        ]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "employer": _("Mentees from your own employer are never matched with you."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].label = _("Employer")
        self.fields["bio"].label = _("Short bio")
        self.fields["bio"].help_text = _("What mentees read about you: a few lines.")
        self.helper = _helper(
            "expertise",
            InlineCheckboxes("industries"),
            InlineCheckboxes("languages"),
            "employer",
            "availability",
            "capacity",
            "bio",
        )


class PreferenceForm(GuardedModelForm):
    """A participant's preferences: the model's own fields, then up to three wished mentors,
    best first, and those they would rather not have (given to the service as profiles)."""

    topics = TagsField(
        label=_("Topics you want help with"),
        help_text=_("Separated by commas, e.g. “MLOps, career change”."),
    )
    languages = _languages(_("Languages you can be mentored in"), "")
    avoid = forms.MultipleChoiceField(
        label=_("Mentors you would rather not have"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "They are never matched with you. Nobody but the programme's admins sees this."
        ),
    )

    class Meta:
        model = MenteePreference
        fields = ["goals", "topics", "languages", "industry"]
        widgets = {"goals": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, mentors: list[MentorProfile], employer: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goals"].label = _("What you want from mentoring")
        self.fields["industry"].label = _("Your industry")
        self.fields["industry"].help_text = _("Empty: the sector in your applicant profile.")
        # Mentors of the participant's own employer are never matched: not offered at all.
        allowed = [m for m in mentors if not same_employer(employer, m.employer)]
        self.mentors = {str(m.pk): m for m in allowed}
        choices = [(str(m.pk), mentor_label(m)) for m in allowed]
        self.wish_names = [f"wish_{n}" for n in range(1, MAX_WISHES + 1)]
        for name, label in zip(self.wish_names, WISH_LABELS, strict=True):
            self.fields[name] = forms.ChoiceField(
                label=label, required=False, choices=[("", _("No preference")), *choices]
            )
        self.fields["avoid"].choices = [
            (str(m.pk), mentor_label(m, with_expertise=False)) for m in allowed
        ]
        self.order_fields(["goals", "topics", "languages", "industry", *self.wish_names, "avoid"])
        if self.instance.pk and not self.is_bound:
            for name, wish_id in zip(self.wish_names, self.instance.wish_ids, strict=False):
                self.initial[name] = str(wish_id)
            self.initial["avoid"] = [str(m.pk) for m in self.instance.avoid.all()]
        self.helper = _helper("goals", "topics", InlineCheckboxes("languages"), "industry")

    def clean(self):
        cleaned = super().clean()
        seen: set[str] = set()
        for name in self.wish_names:
            value = cleaned.get(name)
            if value and value in seen:
                self.add_error(name, _("You chose this mentor already; choose another."))
            seen.add(value or "")
        if set(cleaned.get("avoid") or ()) & (seen - {""}):
            self.add_error(
                "avoid", _("A mentor you wish for cannot be one you would rather not have.")
            )
        return cleaned

    @property
    def wishes(self) -> list[MentorProfile]:
        values = [self.cleaned_data.get(name) for name in self.wish_names]
        return [self.mentors[v] for v in values if v]

    @property
    def avoided(self) -> list[MentorProfile]:
        return [self.mentors[v] for v in self.cleaned_data.get("avoid") or []]


# --- the admins' page --------------------------------------------------------------------------


def _weight(label, default: float) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        min_value=0,
        max_value=MAX_WEIGHT,
        initial=default,
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )


class RunForm(GuardedForm):
    cohort = forms.ChoiceField(label=_("Cohort"))
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=MatchingMode.choices,
        initial=MatchingMode.OPTIMAL,
        widget=forms.RadioSelect,
    )
    topics = _weight(_("Topics"), DEFAULT_WEIGHTS.topics)
    language = _weight(_("Language"), DEFAULT_WEIGHTS.language)
    industry = _weight(_("Industry"), DEFAULT_WEIGHTS.industry)
    wish = _weight(_("Wish"), DEFAULT_WEIGHTS.wish)
    language_required = forms.BooleanField(
        label=_("A shared language is required"), required=False, initial=True
    )

    def __init__(self, *args, cohorts: list, **kwargs):
        kwargs.setdefault("auto_id", "run-%s")
        super().__init__(*args, **kwargs)
        self.cohorts = {str(c.pk): c for c in cohorts}
        self.fields["cohort"].choices = [(str(c.pk), c.name) for c in cohorts]

    def clean_cohort(self):
        return self.cohorts[self.cleaned_data["cohort"]]

    @property
    def weights(self) -> dict[str, float]:
        return {
            name: self.cleaned_data[name] for name in ("topics", "language", "industry", "wish")
        }


class ForbiddenPairForm(GuardedForm):
    mentor = forms.ChoiceField(label=_("Mentor"))
    mentee_email = forms.EmailField(
        label=_("Mentee's email"), help_text=_("A participant of one of the programme's cohorts.")
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, mentors: list[MentorProfile], **kwargs):
        kwargs.setdefault("auto_id", "forbid-%s")
        super().__init__(*args, **kwargs)
        self.mentors = {str(m.pk): m for m in mentors}
        self.fields["mentor"].choices = [("", "—")] + [
            (str(m.pk), mentor_label(m, with_expertise=False)) for m in mentors
        ]


class EndForm(GuardedForm):
    reason = forms.CharField(
        label=_("Why does it end?"),
        max_length=300,
        error_messages={"required": _("Say why the pairing ends.")},
    )


# --- a run's preview, changed by hand -------------------------------------------------------------


class AssignForm(GuardedForm):
    mentee = forms.ChoiceField(label=_("Unmatched mentee"))
    mentor = forms.ChoiceField(label=_("Mentor"))

    def __init__(self, *args, mentees, mentors: list[MentorProfile], proposed: dict, **kwargs):
        kwargs.setdefault("auto_id", "assign-%s")
        super().__init__(*args, **kwargs)
        self.mentees = {str(u.pk): u for u in mentees}
        self.mentors = {str(m.pk): m for m in mentors}
        self.fields["mentee"].choices = [("", "—")] + [
            (str(u.pk), person_label(u)) for u in mentees
        ]
        self.fields["mentor"].choices = [("", "—")] + [
            (
                str(m.pk),
                _("%(mentor)s (%(free)s of %(capacity)s places free)")
                % {
                    "mentor": mentor_label(m, with_expertise=False),
                    "free": max(m.capacity - m.load - proposed.get(m.pk, 0), 0),
                    "capacity": m.capacity,
                },
            )
            for m in mentors
        ]


class SwapForm(GuardedForm):
    first = forms.ChoiceField(label=_("Pair"))
    second = forms.ChoiceField(label=_("Swap mentors with"))

    def __init__(self, *args, pairings, **kwargs):
        kwargs.setdefault("auto_id", "swap-%s")
        super().__init__(*args, **kwargs)
        self.pairings = {str(p.pk): p for p in pairings}
        choices = [("", "—")] + [
            (str(p.pk), f"{p.mentee.display_name or p.mentee.email} → {p.mentor}") for p in pairings
        ]
        self.fields["first"].choices = choices
        self.fields["second"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("first") and cleaned.get("first") == cleaned.get("second"):
            self.add_error("second", _("Choose two different pairs."))
        return cleaned


# --- sessions and feedback ---------------------------------------------------------------------


class SessionForm(GuardedForm):
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=1,
        max_value=600,
        initial=60,
        error_messages={
            "min_value": _("Give the length in minutes, from 1 to 600."),
            "max_value": _("Give the length in minutes, from 1 to 600."),
        },
    )
    mode = forms.ChoiceField(label=_("How"), choices=SessionMode.choices)
    topics = forms.CharField(label=_("Topics"), max_length=300, required=False)
    summary = forms.CharField(
        label=_("Summary, shared with both of you"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    private_notes = forms.CharField(
        label=_("Private notes, for you only"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Never shown to your mentee or to the programme's admins."),
    )
    # One per form shown: sent twice (a double click), it finds the session the first made.
    submission_id = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, is_mentor: bool, **kwargs):
        kwargs.setdefault("auto_id", "log-%s")
        super().__init__(*args, **kwargs)
        if not is_mentor:
            del self.fields["private_notes"]
        if not self.is_bound:
            self.initial.setdefault("submission_id", str(uuid.uuid4()))
            self.initial.setdefault("held_on", timezone.localdate())
        self.fields["held_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(
                _("The date is in the future: log a session once it has taken place.")
            )
        return held_on

    def clean_submission_id(self) -> uuid.UUID | None:
        """A form that lost its id (or was tampered with) still logs its session, once."""
        try:
            return uuid.UUID(self.cleaned_data["submission_id"])
        except ValueError:
            return None


RATING_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class FeedbackForm(GuardedForm):
    attended = forms.TypedChoiceField(
        label=_("Were you there?"),
        choices=[("yes", _("Yes")), ("no", _("No, I was not there"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )
    rating = forms.TypedChoiceField(
        label=_("How useful was it? (1 = not at all, 5 = very)"),
        choices=RATING_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Rate the session from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Comment for your mentor"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, session_id: int, **kwargs):
        kwargs.setdefault("auto_id", f"feedback-{session_id}-%s")
        super().__init__(*args, **kwargs)
        self.session_id = session_id
        self.helper = _helper(InlineRadios("attended"), InlineRadios("rating"), "comment")

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("attended")
            and cleaned.get("rating") is None
            and "rating" not in self.errors
        ):
            self.add_error("rating", _("Rate the session from 1 to 5."))
        return cleaned


class ConflictForm(GuardedForm):
    email = forms.EmailField(label=_("Their email"))
    reason = forms.CharField(label=_("Why (seen by the programme's admins)"), max_length=300)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "conflict-%s")
        super().__init__(*args, **kwargs)
        self.helper = _helper()
