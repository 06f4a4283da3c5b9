"""The applicant attributes, each listed once.

Quotas count them, the staff list filters by them, exports show them, eligibility rules test
them, selection explains with them, and staff and reviewers read them: every one of those reads
this catalogue, so adding an attribute is one entry here (plus, when applications should keep a
copy of it, a column on `Application`, which `application_save` then fills from the profile).

Plain data and small functions: no queries, except that an attribute applications do not keep
is read from the applicant's profile as it is now.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.enums import Education, EmployerSize, Gender, JobLevel, Residency, Sector


class Use(StrEnum):
    """Where an attribute appears."""

    QUOTAS = "quotas"  # a quota can count it: selection reads it and explanations name it
    FILTERS = "filters"  # the staff list of applications (and so its exports) can be narrowed by it
    EXPORTS = "exports"  # a column of the CSV and XLSX exports
    ELIGIBILITY = "eligibility"  # an eligibility rule can test it (a fact from the profile)
    STAFF = "staff"  # shown on an application's page for programme staff
    REVIEWERS = "reviewers"  # shown to reviewers, in blind review too: never identifying


class Kind(StrEnum):
    CHOICE = "choice"  # one of `choices`
    YES_NO = "yes_no"  # True, False or unknown (None)
    NUMBER = "number"
    TEXT = "text"


# What yes and no are called where the value follows the attribute's name ("Union member: Yes").
YES_NO = (("yes", _("Yes")), ("no", _("No")))
ANY = _("Any")

# Age bands a quota can count: (name, youngest, oldest), ages at the cohort's start.
AGE_BANDS = [
    ("18-24", 18, 24),
    ("25-34", 25, 34),
    ("35-44", 35, 44),
    ("45-54", 45, 54),
    ("55+", 55, 200),
]


def age_band(age: int | None) -> str:
    """The name of the band this age falls in; "" when the age is unknown or in no band."""
    if age is None:
        return ""
    return next((name for name, low, high in AGE_BANDS if low <= age <= high), "")


def _age(profile: Any, starts_on: date) -> int:
    return profile.age_on(starts_on)


@dataclass(frozen=True, eq=False)
class Attribute:
    """One applicant attribute.

    `column` is the `Application` field that keeps it (copied from the profile of the same
    field name when the application is saved), or None when applications do not keep it.
    `derive` computes the attribute from that column's value (an age band from the age);
    `profile` reads it from an applicant profile when the field names differ. `labels` words
    the attribute differently for one use; for a yes/no attribute, `choices` are its own words
    for yes and no (a quota's "Member"), where the value is named on its own.
    """

    key: str
    label: Any
    kind: Kind
    uses: frozenset[Use]
    column: str | None = None
    derive: Callable[[Any], Any] | None = None
    profile: Callable[[Any, date], Any] | None = None
    choices: tuple[tuple[str, Any], ...] = ()
    labels: Mapping[Use, Any] = field(default_factory=dict)
    any_label: Any = ANY  # the empty choice of its filter
    # The applicant cannot change it before a cohort's deadline (an age at the cohort's start
    # follows from the date of birth): a rule it fails can never be met, and the applicant is
    # told so before filling in the form.
    is_fixed: bool = False

    def label_for(self, use: Use) -> Any:
        return self.labels.get(use, self.label)

    @property
    def is_kept(self) -> bool:
        """Whether applications keep their own copy of it (a column filled from the profile)."""
        return self.column is not None and self.derive is None

    def from_column(self, value: Any) -> Any:
        return self.derive(value) if self.derive is not None else value

    def from_profile(self, profile: Any, starts_on: date) -> Any:
        """The attribute as an applicant profile says it, for a cohort starting on `starts_on`."""
        if self.profile is not None:
            return self.profile(profile, starts_on)
        return self.from_column(getattr(profile, self.column or self.key))

    def read(self, application: Any) -> Any:
        """The attribute of an application: what it kept, or, for an attribute applications do
        not keep, the applicant's profile as it is now (None without one)."""
        if self.column is not None:
            return self.from_column(getattr(application, self.column))
        profile = getattr(application.applicant, "applicant_profile", None)
        return None if profile is None else self.from_profile(profile, application.cohort.starts_on)

    def quota_value(self, application: Any) -> str:
        """The value a quota compares with its values: always text, "yes"/"no" for yes/no."""
        value = self.read(application)
        if self.kind == Kind.YES_NO:
            return "yes" if value else "no"
        return "" if value is None else str(value)

    def text(self, value: Any) -> str:
        """A value in words, for a page ("" when unknown); a choice no longer offered as is."""
        if value is None or value == "":
            return ""
        if self.kind == Kind.CHOICE:
            return str(dict(self.choices).get(value, value))
        if self.kind == Kind.YES_NO:
            return str(_("yes") if value else _("no"))
        return str(value)


# In the order of the export's columns; every list of attributes follows it.
ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(
        key="residency",
        label=_("Residency"),
        kind=Kind.CHOICE,
        column="residency",
        choices=tuple(Residency.choices),
        uses=frozenset({Use.QUOTAS, Use.FILTERS, Use.EXPORTS, Use.ELIGIBILITY, Use.STAFF}),
        labels={Use.ELIGIBILITY: _("Residency status")},
        any_label=_("Any residency"),
    ),
    Attribute(
        key="gender",
        label=_("Gender"),
        kind=Kind.CHOICE,
        column="gender",
        choices=tuple(Gender.choices),
        uses=frozenset({Use.QUOTAS, Use.EXPORTS, Use.ELIGIBILITY, Use.STAFF}),
    ),
    Attribute(
        key="employer",
        label=_("Employer"),
        kind=Kind.TEXT,
        column="employer",
        uses=frozenset({Use.EXPORTS, Use.STAFF}),
    ),
    Attribute(
        key="employer_size",
        label=_("Employer size"),
        kind=Kind.CHOICE,
        column="employer_size",
        choices=tuple(EmployerSize.choices),
        uses=frozenset(
            {Use.QUOTAS, Use.FILTERS, Use.EXPORTS, Use.ELIGIBILITY, Use.STAFF, Use.REVIEWERS}
        ),
        any_label=_("Any size"),
    ),
    Attribute(
        key="sector",
        label=_("Sector"),
        kind=Kind.CHOICE,
        column="sector",
        choices=tuple(Sector.choices),
        uses=frozenset(
            {Use.QUOTAS, Use.FILTERS, Use.EXPORTS, Use.ELIGIBILITY, Use.STAFF, Use.REVIEWERS}
        ),
        any_label=_("Any sector"),
    ),
    Attribute(
        key="job_level",
        label=_("Job level"),
        kind=Kind.CHOICE,
        column="job_level",
        choices=tuple(JobLevel.choices),
        uses=frozenset(
            {Use.QUOTAS, Use.FILTERS, Use.EXPORTS, Use.ELIGIBILITY, Use.STAFF, Use.REVIEWERS}
        ),
        any_label=_("Any job level"),
    ),
    Attribute(
        key="is_union_member",
        label=_("Union member"),
        kind=Kind.YES_NO,
        column="is_union_member",
        choices=(("yes", _("Member")), ("no", _("Not a member"))),
        uses=frozenset({Use.QUOTAS, Use.FILTERS, Use.EXPORTS, Use.ELIGIBILITY}),
        labels={Use.QUOTAS: _("Union membership")},
    ),
    Attribute(
        key="age_at_start",
        label=_("Age at start"),
        kind=Kind.NUMBER,
        column="age_at_start",
        profile=_age,
        uses=frozenset({Use.EXPORTS, Use.ELIGIBILITY, Use.STAFF}),
        labels={Use.ELIGIBILITY: _("Age when the cohort starts")},
        is_fixed=True,
    ),
    Attribute(
        key="age_band",
        label=_("Age band"),
        kind=Kind.CHOICE,
        column="age_at_start",
        derive=age_band,
        profile=lambda profile, starts_on: age_band(_age(profile, starts_on)),
        choices=tuple((name, name) for name, _low, _high in AGE_BANDS),
        uses=frozenset({Use.QUOTAS}),
    ),
    Attribute(
        key="highest_education",
        label=_("Highest education"),
        kind=Kind.CHOICE,
        choices=tuple(Education.choices),
        uses=frozenset({Use.ELIGIBILITY}),
    ),
    Attribute(
        key="years_of_experience",
        label=_("Years of work experience"),
        kind=Kind.NUMBER,
        uses=frozenset({Use.ELIGIBILITY}),
    ),
)


def in_use(use: Use) -> list[Attribute]:
    """The attributes with this use, in catalogue order."""
    return [attribute for attribute in ATTRIBUTES if use in attribute.uses]


def choices(use: Use) -> list[tuple[str, Any]]:
    """(key, label) of every attribute with this use: a form's choice of attribute."""
    return [(a.key, a.label_for(use)) for a in in_use(use)]


def get(key: str, use: Use | None = None) -> Attribute | None:
    """The attribute of this key (having `use`, when given), or None."""
    return next(
        (a for a in ATTRIBUTES if a.key == key and (use is None or use in a.uses)),
        None,
    )


def label(key: str, use: Use) -> str:
    """What `use` calls the attribute; the key itself for one it does not know."""
    attribute = get(key, use)
    return str(attribute.label_for(use)) if attribute is not None else key


def kept_columns() -> list[str]:
    """The Application columns copied from the profile, one per kept attribute."""
    return [a.column for a in ATTRIBUTES if a.is_kept]


def quota_columns() -> list[str]:
    """The Application columns that `candidate_attributes` reads."""
    return list(dict.fromkeys(a.column for a in in_use(Use.QUOTAS) if a.column))


def candidate_attributes(application: Any) -> dict[str, str]:
    """An application's value of every attribute a quota can count, as quotas compare them."""
    return {a.key: a.quota_value(application) for a in in_use(Use.QUOTAS)}
