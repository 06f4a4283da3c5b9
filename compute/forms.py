"""Forms of compute quotas: the catalogue, pools, changes of allocations, top-ups and tokens."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from compute.models import AMOUNT, ResourcePool, ResourceType
from core.forms import NUL_MESSAGE, GuardedForm, GuardedModelForm

# What an allocation CSV may weigh: a row is a few dozen bytes, so this is ample.
MAX_CSV_BYTES = 2 * 1024 * 1024
MODES = [("set", _("Set the limit to")), ("add", _("Add to the limit (negative takes away)"))]


def plain(value: Decimal) -> str:
    """An amount as typed into a field: 40, 12.5 — no exponent, no trailing zeros."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


def _amount(label, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(label=label, **AMOUNT, **kwargs)


class ResourceForm(GuardedModelForm):
    class Meta:
        model = ResourceType
        fields = ["name", "slug", "unit", "metering", "provider", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.programme = programme
        self.fields["provider"].queryset = programme.partners.order_by("name")
        self.fields["provider"].help_text = _("One of the programme's partners.")
        self.helper = _helper()


class PoolForm(GuardedModelForm):
    class Meta:
        model = ResourcePool
        fields = [
            "cohort",
            "resource",
            "total",
            "default_grant",
            "valid_from",
            "valid_until",
            "hard_limit",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = programme.cohorts.order_by("name")
        self.fields["cohort"].label_from_instance = lambda cohort: (
            cohort.name
        )  # the programme's own
        self.fields["resource"].queryset = ResourceType.objects.filter(programme=programme)
        # The pool's dates default to the cohort's: from its first day to its last.
        self.fields["valid_from"].required = False
        self.fields["valid_until"].required = False
        self.fields["valid_from"].help_text = _("Empty: the cohort's first day.")
        self.fields["valid_until"].help_text = _("Empty: the cohort's last day.")
        if not self.instance.pk and not self.is_bound:
            # With one cohort or one resource there is nothing to choose.
            for name in ("cohort", "resource"):
                only = list(self.fields[name].queryset[:2])
                if len(only) == 1:
                    self.initial[name] = only[0].pk
        for name in ("total", "default_grant"):
            self.fields[name].validators.append(MinValueValidator(Decimal(0)))
            self.fields[name].widget.attrs["min"] = "0"
        if self.instance.pk:
            for name in ("total", "default_grant"):
                self.initial[name] = plain(getattr(self.instance, name))
            # A pool's allocations are of its cohort and resource: those stay as they are.
            self.fields["cohort"].disabled = True
            self.fields["resource"].disabled = True
            self.fields["total"].help_text = _(
                "At least the %(n)s already allocated to participants."
            ) % {"n": plain(self.instance.allocated)}
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        cohort = cleaned.get("cohort")  # an edited pool's (disabled) field holds its cohort
        if cohort is not None:
            for name, default in (
                ("valid_from", cohort.starts_on),
                ("valid_until", cohort.ends_on),
            ):
                if not cleaned.get(name) and name not in self.errors:
                    cleaned[name] = default
        for name in ("valid_from", "valid_until"):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, _("Give a date, or choose the cohort to use its dates."))
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The pool must end on or after the day it starts."))
        grant, total = cleaned.get("default_grant"), cleaned.get("total")
        if grant is not None and total is not None and grant > total:
            self.add_error("default_grant", _("The default grant cannot exceed the total."))
        return cleaned


class AdjustForm(GuardedForm):
    mode = forms.ChoiceField(label=_("Change"), choices=MODES, initial="add")
    amount = _amount(_("Amount"))
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == "set" and (cleaned.get("amount") or 0) < 0:
            self.add_error("amount", _("A limit cannot be negative."))
        return cleaned


class BulkAdjustForm(AdjustForm):
    """The same change to every ticked allocation of a pool."""

    allocations = forms.ModelMultipleChoiceField(
        label=_("Allocations"),
        queryset=None,
        error_messages={"required": _("Tick the allocations to change first.")},
    )

    def __init__(self, *args, pool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allocations"].queryset = pool.allocations.select_related("user", "pool")


class AllocationCsvForm(GuardedForm):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One row per change: email,resource,amount — the participant's email, the "
            "resource's short name and the amount. A header line is optional."
        ),
    )
    mode = forms.ChoiceField(label=_("Change"), choices=MODES, initial="add")
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_file(self) -> bytes:
        """The file's bytes: at most 2 MB, and no NUL (which no CSV of emails holds)."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        content = upload.read()
        if b"\x00" in content:
            raise forms.ValidationError(NUL_MESSAGE)
        return content


class DecideForm(GuardedForm):
    granted = _amount(
        _("Grant"),
        min_value=Decimal(0),
        help_text=_("0 rejects the request."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=False,
        help_text=_("Needed to reject; the participant reads it."),
    )

    def __init__(self, *args, request_obj, **kwargs):
        super().__init__(*args, **kwargs)
        self.request_obj = request_obj
        self.fields["granted"].initial = plain(request_obj.amount)
        self.fields["granted"].widget.attrs["max"] = plain(request_obj.amount)

    def clean_granted(self):
        granted = self.cleaned_data["granted"]
        if granted > self.request_obj.amount:
            raise forms.ValidationError(
                _("Grant at most the %(n)s asked for.") % {"n": plain(self.request_obj.amount)}
            )
        return granted

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("granted") == 0 and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Say why the request is rejected."))
        return cleaned


class TopUpForm(GuardedForm):
    amount = _amount(_("How much more"), min_value=Decimal("0.0001"))
    justification = forms.CharField(
        label=_("What do you need it for?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].error_messages["min_value"] = _("Ask for more than zero.")
        self.helper = _helper()


class TokenForm(GuardedForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("Whose system uses it, e.g. “Acme Cloud billing”."),
    )
    resources = forms.ModelMultipleChoiceField(
        label=_("Resources it may report"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one resource.")},
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resources"].queryset = ResourceType.objects.filter(programme=programme)
        self.helper = _helper()
