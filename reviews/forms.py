"""Forms of review set-up and scoring."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cohorts.models import Cohort
from core.forms import GuardedForm, GuardedModelForm
from reviews.enums import ConflictKind, Recommendation
from reviews.models import ReviewCriterion


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

    def score_scales(self) -> list[dict]:
        """Each criterion as a scale to draw: its field, its points (value, label, checked) and
        the labels of its two ends, shown under the first and the last point."""
        scales = []
        for criterion in self.criteria:
            field = self[f"score_{criterion.pk}"]
            value = field.value()
            points = [
                {
                    "value": point,
                    "label": label,
                    "id": f"{field.auto_id}_{point}",
                    "checked": str(point) == str(value) if value not in (None, "") else False,
                }
                for point, label in criterion.points
            ]
            scales.append(
                {
                    "field": field,
                    "criterion": criterion,
                    "points": points,
                    "low": points[0]["label"] if points else "",
                    "high": points[-1]["label"] if points else "",
                    "middle": [p for p in points[1:-1] if p["label"]],
                }
            )
        return scales


class QueueFilterForm(GuardedForm):
    """The reviewer's queue, narrowed to one of the cohorts they review in."""

    cohort = forms.TypedChoiceField(label=_("Cohort"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        many_programmes = len({c.programme_id for c in cohorts}) > 1
        self.fields["cohort"].choices = [
            ("", _("All cohorts")),
            *(
                (c.pk, f"{c.programme.name} · {c.name}" if many_programmes else c.name)
                for c in cohorts
            ),
        ]


class ReassignForm(GuardedForm):
    reviewer = forms.ModelChoiceField(label=_("New reviewer"), queryset=User.objects.none())

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = User.objects.filter(pk__in=[u.pk for u in reviewers])
