"""Forms of cohort set-up."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cohorts import selectors
from cohorts.enums import QuestionType, RuleOperator
from cohorts.models import ApplicationQuestion, Cohort
from core.forms import GuardedForm, GuardedModelForm

# Fields of the question form that only some types use, and the types that use them.
TYPE_FIELDS = {
    "choices_text": (QuestionType.CHOICE, QuestionType.MULTI_CHOICE),
    "word_limit": (QuestionType.LONG_TEXT,),
    "min_value": (QuestionType.NUMBER,),
    "max_value": (QuestionType.NUMBER,),
}


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
    copy_from = forms.ModelChoiceField(
        label=_("Copy the set-up of"),
        queryset=Cohort.objects.none(),
        required=False,
        empty_label=_("Nothing: start empty"),
        help_text=_(
            "Its questions (with their conditions), eligibility rules, review rubric and "
            "quotas. Applications, reviewers and dates are not copied."
        ),
    )

    class Meta:
        model = Cohort
        fields = [
            "name",
            "slug",
            "description",
            "commitment",
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
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _(
            "Part of the cohort's web address. Left empty, it is made from the name."
        )
        self.fields["slug"].widget.attrs.update(
            {"data-slug-from": "id_name", "data-slug-max": "80", "autocapitalize": "off"}
        )
        if self.instance.pk:
            del self.fields["copy_from"]
        else:
            self.fields["copy_from"].queryset = selectors.copy_source_list(programme=programme)
            self.fields["copy_from"].label_from_instance = lambda cohort: (
                _("%(name)s (started %(date)s)")
                % {"name": cohort.name, "date": date_format(cohort.starts_on, "M Y")}
            )
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
            *(["copy_from"] if "copy_from" in self.fields else []),
            Div(
                Div("name", css_class="col-md-8"),
                Div("slug", css_class="col-md-4"),
                css_class="row",
            ),
            "description",
            "commitment",
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
        if not slug and cleaned.get("name") and "slug" not in self.errors:
            slug = cleaned["slug"] = selectors.cohort_slug_suggest(
                programme=self.programme, name=cleaned["name"], exclude=self.instance
            )
            self.instance.slug = slug
        elif not slug and "slug" not in self.errors:
            self.add_error("slug", _("Give a name or a slug."))
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
        help_text=_("One choice per line."),
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
        self.fields["key"].required = False
        self.fields["key"].help_text = _(
            "A short identifier used in exports and rules. Left empty, it is made from the "
            "question."
        )
        self.fields["key"].widget.attrs.update(
            {
                "data-slug-from": "id_label",
                "data-slug-max": "60",
                "data-slug-separator": "_",
                "autocapitalize": "off",
            }
        )
        self.fields["type"].widget.attrs["data-question-type"] = ""
        if self.instance.pk:
            self.initial["choices_text"] = "\n".join(self.instance.choices)
            self.initial["show_when_text"] = "\n".join(self.instance.show_when)
        chosen = self.chosen_type()

        def only_for(name: str, css_class: str = "") -> Div:
            # Shown for the types that use it; the page's script follows the type as it changes.
            types = TYPE_FIELDS[name]
            return Div(
                name,
                css_class=" ".join(filter(None, [css_class, "" if chosen in types else "d-none"])),
                data_types=" ".join(types),
            )

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
            only_for("choices_text"),
            Div(
                only_for("word_limit", "col-md-4"),
                only_for("min_value", "col-md-4"),
                only_for("max_value", "col-md-4"),
                css_class="row",
            ),
            Div(
                Div("depends_on", css_class="col-md-6"),
                Div("show_when_text", css_class="col-md-6"),
                css_class="row",
            ),
        )

    def chosen_type(self) -> str:
        """The type the form is showing: as sent, else the question's own ("" for none yet)."""
        if self.is_bound:
            return self.data.get(self.add_prefix("type"), "")
        return self.initial.get("type") or self.instance.type or ""

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("type")
        # What the chosen type does not use is dropped, whatever the browser sent.
        for name, types in TYPE_FIELDS.items():
            if kind not in types:
                self.errors.pop(name, None)
                cleaned[name] = "" if name == "choices_text" else None
        choices = self._lines(cleaned.get("choices_text", ""))
        if kind in (QuestionType.CHOICE, QuestionType.MULTI_CHOICE):
            if len(choices) < 2:
                self.add_error("choices_text", _("Give at least two choices, one per line."))
            if len(set(choices)) != len(choices):
                self.add_error("choices_text", _("Each choice must be different."))
        cleaned["choices"] = choices
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
        key = cleaned.get("key")
        if not key and "key" not in self.errors and cleaned.get("label"):
            key = cleaned["key"] = selectors.question_key_suggest(
                cohort=self.cohort, label=cleaned["label"], exclude=self.instance
            )
        elif not key and "key" not in self.errors:
            self.add_error("key", _("Give a question or a key."))
        if key == "cv":
            self.add_error("key", _("“cv” is reserved for the CV; choose another key."))
        if (
            key
            and ApplicationQuestion.objects.filter(cohort=self.cohort, key=key)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("key", _("Another question of this cohort uses this key."))
        return cleaned


class EligibilityRuleForm(GuardedForm):
    """A rule on one attribute: for a choice, the values ticked from the attribute's own list
    (stored as their codes); for a number, its bounds; for yes/no, nothing more.

    What the form offers below the attribute depends on the attribute chosen: the page swaps
    that part when the attribute changes (or, without JavaScript, reloads it on request)."""

    attribute = forms.ChoiceField(label=_("Attribute"))
    operator = forms.ChoiceField(label=_("Condition"), choices=RuleOperator.choices)
    values = forms.MultipleChoiceField(
        label=_("Values"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not a value of this attribute: tick values from its list."
            )
        },
    )
    low = forms.DecimalField(label=_("Lowest"), required=False, max_digits=12, decimal_places=2)
    high = forms.DecimalField(label=_("Highest"), required=False, max_digits=12, decimal_places=2)
    message = forms.CharField(
        label=_("Message when not met (optional)"), required=False, max_length=300
    )

    def __init__(self, *args, attributes: list[selectors.RuleAttribute], **kwargs):
        super().__init__(*args, **kwargs)
        self.attributes = {a.key: a for a in attributes}
        self.fields["attribute"].choices = [
            ("", _("Choose…")),
            *((a.key, a.label) for a in attributes),
        ]
        self.chosen = self.attributes.get(self._raw("attribute"))
        if self.chosen is not None:
            labels = dict(RuleOperator.choices)
            self.fields["operator"].choices = [(op, labels[op]) for op in self.chosen.operators]
            self.fields["values"].choices = list(self.chosen.choices)
        between = _("For “is between”, give both.")
        self.fields["low"].help_text = _("For “is at least”.") + " " + between
        self.fields["high"].help_text = _("For “is at most”.") + " " + between

    def _raw(self, name: str) -> str:
        if self.is_bound:
            return self.data.get(self.add_prefix(name), "")
        return self.initial.get(name, "")

    @property
    def kind(self) -> str:
        """The kind of the chosen attribute: "choice", "yes_no", "number", or "" for none."""
        return self.chosen.kind if self.chosen is not None else ""

    @staticmethod
    def _number(value) -> str:
        return format(value.normalize(), "f")

    def clean(self):
        cleaned = super().clean()
        chosen, op = self.chosen, cleaned.get("operator")
        values: list[str] = []
        if chosen is not None and op and op not in chosen.operators:
            self.add_error(
                "operator",
                _("This condition does not apply to %(label)s.") % {"label": chosen.label},
            )
        elif chosen is not None and chosen.kind == "choice":
            values = cleaned.get("values") or []
            if not values and "values" not in self.errors:
                self.add_error("values", _("Tick at least one value."))
        elif chosen is not None and chosen.kind == "number":
            low, high = cleaned.get("low"), cleaned.get("high")
            if op in (RuleOperator.AT_LEAST, RuleOperator.BETWEEN) and low is None:
                self.add_error("low", _("Give the lowest value."))
            if op in (RuleOperator.AT_MOST, RuleOperator.BETWEEN) and high is None:
                self.add_error("high", _("Give the highest value."))
            if op == RuleOperator.BETWEEN and None not in (low, high) and low > high:
                self.add_error("high", _("The highest value must not be below the lowest."))
            if op == RuleOperator.AT_LEAST and low is not None:
                values = [self._number(low)]
            elif op == RuleOperator.AT_MOST and high is not None:
                values = [self._number(high)]
            elif op == RuleOperator.BETWEEN and None not in (low, high):
                values = [self._number(low), self._number(high)]
        cleaned["values"] = values
        return cleaned
