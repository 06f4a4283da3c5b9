"""Forms of selection and offers."""

from crispy_forms.helper import FormHelper
from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from cohorts import attributes
from core.forms import GuardedForm, GuardedModelForm
from selection.enums import ScoreKind
from selection.models import Quota


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
