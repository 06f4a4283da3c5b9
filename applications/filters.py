"""List filters (django-filter). Each FilterSet narrows a queryset a selector already scoped."""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from applications.enums import ApplicationStatus
from applications.models import Application
from cohorts import attributes
from cohorts.attributes import Kind, Use
from cohorts.models import Cohort
from core.forms import GuardedForm

YES_NO_UNKNOWN = [("yes", _("Yes")), ("no", _("No")), ("unknown", _("Not known"))]

SORT_CHOICES = [
    ("-submitted_at", _("Newest first")),
    ("submitted_at", _("Oldest first")),
    ("full_name", _("Name, A to Z")),
    ("-full_name", _("Name, Z to A")),
    ("status", _("Status, in workflow order")),
    ("-status", _("Status, reverse workflow order")),
]

# Status sorts follow the workflow (submitted, ineligible, in review, …), not the codes' spelling.
_STATUS_RANK = Case(
    *[When(status=value, then=Value(rank)) for rank, value in enumerate(ApplicationStatus.values)],
    output_field=IntegerField(),
)


# Days a filter accepts. Anything outside is a typing mistake (0026 for 2026), and at the ends of
# the calendar (0001-01-01, 9999-12-31) the day's bounds in the cohort's time zone cannot be
# converted to UTC at all: Python raises OverflowError.
EARLIEST_DAY = datetime.date(2000, 1, 1)
LATEST_DAY = datetime.date(2099, 12, 31)


def validate_filter_day(value: datetime.date) -> None:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValidationError(
            _("Enter a day between %(earliest)s and %(latest)s."),
            code="out_of_range",
            params={"earliest": EARLIEST_DAY.isoformat(), "latest": LATEST_DAY.isoformat()},
        )


def _yes_no_unknown(queryset: QuerySet, field: str, value: str) -> QuerySet:
    if value == "unknown":
        return queryset.filter(**{f"{field}__isnull": True})
    return queryset.filter(**{field: value == "yes"})


def _attribute_filter(attribute: attributes.Attribute) -> django_filters.Filter:
    """The staff list's filter of one catalogue attribute (named by its key)."""
    if attribute.column is None or attribute.derive is not None:
        # The database can only filter what an application keeps as it is.
        raise ValueError(f"the attribute {attribute.key!r} has no column to filter")
    if attribute.kind == Kind.CHOICE:
        return django_filters.ChoiceFilter(
            field_name=attribute.column,
            label=attribute.label_for(Use.FILTERS),
            choices=attribute.choices,
            empty_label=attribute.any_label,
        )
    if attribute.kind == Kind.YES_NO:
        return django_filters.ChoiceFilter(
            field_name=attribute.column,
            label=attribute.label_for(Use.FILTERS),
            choices=YES_NO_UNKNOWN,
            method=_yes_no_unknown,
            empty_label=attribute.any_label,
        )
    raise ValueError(f"no filter for the {attribute.kind} attribute {attribute.key!r}")


class ApplicationOrderingFilter(django_filters.OrderingFilter):
    """One sort key at a time, newest submitted first by default, ties broken by id so
    pagination is stable."""

    def filter(self, qs, value):
        params = [param for param in value or [] if param]
        ordering = self.get_ordering_value(params[0]) if params else "-submitted_at"
        descending = ordering.startswith("-")
        field = ordering.removeprefix("-")
        if field == "status":
            rank = _STATUS_RANK.desc() if descending else _STATUS_RANK.asc()
            return qs.order_by(rank, F("submitted_at").desc(nulls_last=True), "-id")
        if field == "submitted_at":
            key = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
            return qs.order_by(key, "-id" if descending else "id")
        return qs.order_by(ordering, "-id" if descending else "id")


class ApplicationFilter(django_filters.FilterSet):
    """Filters of the staff list of a cohort's applications (and of its exports).

    Dates are days in the cohort's time zone; both bounds are inclusive.
    """

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(attrs={"placeholder": _("Name or email"), "type": "search"}),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[c for c in ApplicationStatus.choices if c[0] != ApplicationStatus.DRAFT],
        empty_label=_("Any status"),
    )
    is_eligible = django_filters.ChoiceFilter(
        label=_("Eligible"), choices=YES_NO_UNKNOWN, method="filter_yes_no", empty_label=_("Any")
    )
    # Here come the filters of the catalogue's attributes (see get_filters).
    submitted_after = django_filters.DateFilter(
        label=_("Submitted on or after"),
        method="filter_submitted_after",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_filter_day],
    )
    submitted_before = django_filters.DateFilter(
        label=_("Submitted on or before"),
        method="filter_submitted_before",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_filter_day],
    )
    sort = ApplicationOrderingFilter(
        label=_("Sort by"),
        fields=["submitted_at", "full_name", "status"],
        choices=SORT_CHOICES,
        empty_label=None,
    )

    class Meta:
        model = Application
        fields: list[str] = []
        form = GuardedForm

    @classmethod
    def get_filters(cls):
        """The declared filters, and after "eligible" one per attribute the catalogue lets the
        staff list filter by, named by the attribute's key."""
        filters = {}
        for name, declared in super().get_filters().items():
            filters[name] = declared
            if name == "is_eligible":
                filters.update(
                    (a.key, _attribute_filter(a)) for a in attributes.in_use(Use.FILTERS)
                )
        return filters

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(full_name__icontains=value) | Q(email__icontains=value))

    def filter_yes_no(self, queryset, name, value):
        return _yes_no_unknown(queryset, name, value)

    def _start_of(self, day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=self.cohort.tz)

    def filter_submitted_after(self, queryset, name, value):
        return queryset.filter(submitted_at__gte=self._start_of(value))

    def filter_submitted_before(self, queryset, name, value):
        return queryset.filter(submitted_at__lt=self._start_of(value + datetime.timedelta(days=1)))

    def filter_queryset(self, queryset):
        # An invalid `sort` never reaches its filter; keep the default order then too.
        queryset = self.filters["sort"].filter(queryset, None)
        return super().filter_queryset(queryset)

    @property
    def attribute_fields(self) -> list:
        """The form's fields for the catalogue's attributes, in catalogue order: a template that
        loops over them shows a new attribute's filter without being edited."""
        return [self.form[a.key] for a in attributes.in_use(Use.FILTERS) if a.key in self.filters]

    @property
    def active_query(self) -> dict[str, str]:
        """The filters as given (non-empty, valid ones only: the list ignores the others too),
        to carry into links and redirects."""
        errors = self.errors
        return {
            name: self.data.get(name)
            for name in self.base_filters
            if name in self.data and self.data.get(name) not in (None, "") and name not in errors
        }
