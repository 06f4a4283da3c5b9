"""List filters (django-filter) of the programmes app: the programme's audit log."""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import GuardedForm
from core.models import AuditEntry
from programmes import audit

# Days a filter accepts. Anything outside is a typing mistake (0026 for 2026), and at the ends
# of the calendar a day's bounds cannot be converted to UTC at all.
EARLIEST_DAY = datetime.date(2000, 1, 1)
LATEST_DAY = datetime.date(2099, 12, 31)


def validate_filter_day(value: datetime.date) -> None:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValidationError(
            _("Enter a day between %(earliest)s and %(latest)s."),
            code="out_of_range",
            params={"earliest": EARLIEST_DAY.isoformat(), "latest": LATEST_DAY.isoformat()},
        )


class AuditLogFilterForm(GuardedForm):
    def clean(self):
        cleaned = super().clean()
        after, before = cleaned.get("after"), cleaned.get("before")
        if after and before and after > before:
            raise ValidationError(_("The first day comes after the last day."), code="range")
        return cleaned


def _day_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditEntryFilter(django_filters.FilterSet):
    """Filters of a programme's audit log (and of its exports). Days are in the site's time
    zone; both bounds are inclusive."""

    actor = django_filters.CharFilter(
        label=_("Person"),
        method="filter_actor",
        widget=forms.TextInput(attrs={"placeholder": _("Email"), "type": "search"}),
    )
    action = django_filters.ChoiceFilter(
        label=_("Action"), choices=audit.action_choices, empty_label=_("Any action")
    )
    target_type = django_filters.ChoiceFilter(
        label=_("Object type"), choices=audit.target_choices, empty_label=_("Any object")
    )
    target_id = django_filters.CharFilter(
        label=_("Object id"), max_length=64, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    after = django_filters.DateFilter(
        label=_("From (day)"),
        method="filter_after",
        widget=_day_widget(),
        validators=[validate_filter_day],
    )
    before = django_filters.DateFilter(
        label=_("To (day)"),
        method="filter_before",
        widget=_day_widget(),
        validators=[validate_filter_day],
    )

    class Meta:
        model = AuditEntry
        fields: list[str] = []
        form = AuditLogFilterForm

    def filter_actor(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(actor__email__icontains=value)

    @staticmethod
    def _start_of(day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(
            day, datetime.time.min, tzinfo=timezone.get_current_timezone()
        )

    def filter_after(self, queryset, name, value):
        return queryset.filter(created_at__gte=self._start_of(value))

    def filter_before(self, queryset, name, value):
        return queryset.filter(created_at__lt=self._start_of(value + datetime.timedelta(days=1)))

    @property
    def active_query(self) -> dict[str, str]:
        """The valid, non-empty filters as given, to carry into links (pages, exports)."""
        errors = self.errors
        return {
            name: self.data.get(name)
            for name in self.base_filters
            if name in self.data and self.data.get(name) not in (None, "") and name not in errors
        }
