"""Forms of cohort set-up."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from cohorts.enums import QuestionType, RuleOperator
from cohorts.models import ApplicationQuestion, Cohort
from core.forms import GuardedForm, GuardedModelForm


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
