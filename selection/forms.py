"""Forms of selection and offers."""

from decimal import Decimal, InvalidOperation

from crispy_forms.helper import FormHelper
from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cohorts import attributes
from core.forms import GuardedForm, GuardedModelForm
from selection.enums import ScoreKind
from selection.models import Quota
from selection.selection import quota_bounds


class QuotaForm(GuardedModelForm):
    """A quota on one attribute. The values offered are those of the chosen attribute only:
    the page swaps them in when the attribute changes (or, without JavaScript, on request).
    Values are sent as "attribute:value" so that a value ticked for another attribute than
    the one chosen is caught, not quietly counted."""

    attribute = forms.ChoiceField(label=_("Attribute"))
    values = forms.MultipleChoiceField(
        label=_("Values that count"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("Tick only values of the chosen attribute.")},
    )

    class Meta:
        model = Quota
        fields = ["name", "attribute", "values", "min_percent", "max_percent"]

    def __init__(self, *args, seats: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        quotas = attributes.Use.QUOTAS
        self.seats = seats
        self.fields["attribute"].choices = [("", _("Choose…")), *attributes.choices(quotas)]
        self.chosen = attributes.get(self._raw("attribute"), quotas)
        self.fields["values"].choices = (
            [(f"{self.chosen.key}:{value}", label) for value, label in self.chosen.choices]
            if self.chosen is not None
            else []
        )
        if self.instance.pk:
            self.initial["values"] = [
                f"{self.instance.attribute}:{v}" for v in self.instance.values
            ]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def _raw(self, name: str) -> str:
        if self.is_bound:
            return self.data.get(self.add_prefix(name), "")
        value = self.initial.get(name)
        if value is None and self.instance.pk:
            value = getattr(self.instance, name)
        return value or ""

    def seat_counts(self) -> list[str]:
        """The shares typed so far as seats, counted as a selection run counts them:
        ["30 % of 3 seats = at least 1"]. Empty when no seats are known or no share is valid."""
        if not self.seats:
            return []
        shares = {}
        for name in ("min_percent", "max_percent"):
            try:
                share = Decimal(str(self._raw(name)).strip())
            except (InvalidOperation, ValueError):
                continue
            if share.is_finite() and 0 <= share <= 100:
                shares[name] = share
        if not shares:
            return []
        (bounds,) = quota_bounds(
            [{"name": "", "attribute": "", "values": [], **dict.fromkeys(PERCENTS), **shares}],
            self.seats,
        )
        lines = []
        for name, count, wording in (
            ("min_percent", bounds.min_count, _("at least")),
            ("max_percent", bounds.max_count, _("at most")),
        ):
            if name in shares:
                lines.append(
                    ngettext(
                        "%(share)s %% of %(seats)s seat = %(bound)s %(count)s",
                        "%(share)s %% of %(seats)s seats = %(bound)s %(count)s",
                        self.seats,
                    )
                    % {
                        "share": format(shares[name].normalize(), "f"),
                        "seats": self.seats,
                        "bound": wording,
                        "count": count,
                    }
                )
        return lines

    def clean(self):
        cleaned = super().clean()
        attribute = cleaned.get("attribute")
        chosen = cleaned.get("values") or []
        values = [v.split(":", 1)[1] for v in chosen if v.split(":", 1)[0] == attribute]
        if attribute and not values and "values" not in self.errors:
            self.add_error("values", _("Tick at least one value of the chosen attribute."))
        cleaned["values"] = values
        low, high = cleaned.get("min_percent"), cleaned.get("max_percent")
        if low is None and high is None:
            self.add_error("min_percent", _("Give a minimum, a maximum or both."))
        if low is not None and high is not None and low > high:
            self.add_error("max_percent", _("The maximum must not be below the minimum."))
        return cleaned


PERCENTS = ("min_percent", "max_percent")


def quota_values_text(quota: Quota) -> str:
    """What a quota counts, in words: "Job level: Frontline, Manager"."""
    attribute = attributes.get(quota.attribute, attributes.Use.QUOTAS)
    if attribute is None:
        return f"{quota.attribute}: {', '.join(quota.values)}"
    labels = dict(attribute.choices)
    words = ", ".join(str(labels.get(value, value)) for value in quota.values)
    return f"{attribute.label_for(attributes.Use.QUOTAS)}: {words}"


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
