"""The dashboard's reads across apps: plain counts, one query (or two) per section, whatever the
number of applications, pools, courses or pairs.

Every figure here counts people or sums amounts; nothing names anyone. The definitions of the
funnel's steps live in `STEPS` (shown on the page and in docs/dashboards.md): a step counts the
applications that reached it *and every step before it*, so each step is a subset of the last.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ApplicantProfile
from applications.enums import ApplicationStatus
from applications.models import Application
from certificates import selectors as certificate_selectors
from certificates.enums import BoardState, CertificateStatus
from certificates.models import Certificate
from cohorts import attributes
from cohorts.attributes import AGE_BANDS, Attribute, Kind, Use
from cohorts.models import Cohort
from compute.models import ResourcePool
from courses.enums import ATTENDED, EnrollmentStatus
from courses.models import Attendance, ClassSession, Course, Enrollment
from mentoring.enums import PairingStatus
from mentoring.models import Pairing
from programmes.models import Programme
from selection.enums import OfferStatus
from selection.models import Quota

# A pair without a counted session for this many days is stalled (the mentoring overview's
# "stalled" filter uses the same number, so the chart's link lists the same pairs).
STALLED_AFTER_DAYS = 14


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    definition: str


STEPS: tuple[Step, ...] = (
    Step(
        "signed_up",
        _("Signed up"),
        _(
            "Accounts with an applicant profile (filled in once, so they could apply) created "
            "before the cohort's applications closed, or now while they are open. Accounts "
            "belong to no programme: this is the pool the cohort could draw from, across the "
            "whole platform."
        ),
    ),
    Step(
        "applied",
        _("Applied"),
        _("Started an application to the cohort (drafts and withdrawn applications included)."),
    ),
    Step("submitted", _("Submitted"), _("Submitted the application at least once.")),
    Step(
        "eligible",
        _("Eligible"),
        _(
            "Submitted, met the cohort's eligibility rules and not marked ineligible by staff "
            "since."
        ),
    ),
    Step("reviewed", _("Reviewed"), _("Eligible, with at least one review submitted.")),
    Step(
        "offered",
        _("Offered"),
        _("Reviewed and sent a seat by a committed selection, whatever became of the offer."),
    ),
    Step("accepted", _("Accepted"), _("Offered, and accepted the offer.")),
    Step(
        "attending",
        _("Attending"),
        _(
            "Accepted, still a participant, and marked present or late at one or more class "
            "sessions of the cohort."
        ),
    ),
    Step(
        "certified",
        _("Certified"),
        _("Attending, and holds a valid (not revoked) certificate of the cohort."),
    ),
)
STEP_KEYS = tuple(step.key for step in STEPS)
UNKNOWN = ""  # the value of an attribute the application or profile does not say


def cohort_list(*, programme: Programme) -> QuerySet[Cohort]:
    """The programme's cohorts, newest first: the dashboard's choice of cohort."""
    return Cohort.objects.filter(programme=programme).order_by("-opens_at", "-pk")


# --- the funnel ------------------------------------------------------------------------------


@dataclass
class Funnel:
    """Counts per step (`totals`), and per value of each quota attribute (`groups`: attribute
    key -> value -> counts per step, in `STEPS` order; values add up to the totals)."""

    totals: list[int]
    attributes: list[Attribute] = field(default_factory=list)
    groups: dict[str, dict[str, list[int]]] = field(default_factory=dict)


def quota_attributes(*, cohort: Cohort) -> list[Attribute]:
    """The catalogue's attributes that the cohort's quotas count, in catalogue order."""
    keys = set(Quota.objects.filter(cohort=cohort).values_list("attribute", flat=True))
    return [a for a in attributes.in_use(Use.QUOTAS) if a.key in keys]


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def _text(attribute: Attribute, raw) -> str:
    """A value as the funnel groups it: a quota's text ("yes"/"no" for yes/no), "" unknown."""
    if attribute.kind == Kind.YES_NO:
        return UNKNOWN if raw is None else ("yes" if raw else "no")
    return UNKNOWN if raw is None else str(raw)


def _profile_age_band(starts_on: datetime.date):
    """The age band of a profile at the cohort's start, from the date of birth, in SQL."""
    return Case(
        *[
            When(
                date_of_birth__lte=_years_before(starts_on, low),
                date_of_birth__gt=_years_before(starts_on, high + 1),
                then=Value(name),
            )
            for name, low, high in AGE_BANDS
        ],
        default=Value(UNKNOWN),
        output_field=CharField(),
    )


ACCEPTED = STEP_KEYS.index("accepted")
ATTENDING = STEP_KEYS.index("attending")
CERTIFIED = STEP_KEYS.index("certified")

# What the pass over the applications groups by: the columns that decide how far each one went
# (`_depth_of`) and the attributes' own columns. Plain columns and yes/no tests, never computed
# text: PostgreSQL then knows how few groups there are and counts them in a hash table, where
# grouping by a CASE would make it sort the whole cohort.
DEPTH_TESTS = {
    "never_submitted": ExpressionWrapper(Q(submitted_at__isnull=True), BooleanField()),
    "was_reviewed": ExpressionWrapper(Q(review_count__gte=1), BooleanField()),
}
DEPTH_FIELDS = ("status", "is_eligible", "offer__status", *DEPTH_TESTS)


def _depth_of(row: dict) -> int:
    """How far down the funnel an application went, up to "accepted" (the index in STEPS of
    the last step it reached), from its DEPTH_FIELDS."""
    if row["never_submitted"]:
        return STEP_KEYS.index("applied")
    if row["status"] == ApplicationStatus.INELIGIBLE or row["is_eligible"] is False:
        return STEP_KEYS.index("submitted")
    if not row["was_reviewed"]:
        return STEP_KEYS.index("eligible")
    if row["offer__status"] is None:
        return STEP_KEYS.index("reviewed")
    if row["offer__status"] != OfferStatus.ACCEPTED:
        return STEP_KEYS.index("offered")
    return ACCEPTED


def _reached_accepted() -> Q:
    """The applications `_depth_of` puts at "accepted", as a filter."""
    return (
        Q(submitted_at__isnull=False, review_count__gte=1, offer__status=OfferStatus.ACCEPTED)
        & ~Q(status=ApplicationStatus.INELIGIBLE)
        & ~Q(is_eligible=False)
    )


def _signup_cutoff(cohort: Cohort) -> datetime.datetime:
    return min(cohort.closes_at, timezone.now())


def funnel(*, cohort: Cohort) -> Funnel:
    """The cohort's funnel, overall and per value of each attribute its quotas count: four
    queries (the quotas; the applications grouped by what decides their depth and by the
    attributes' columns; the participants among them that attend, and are certified; the
    profiles grouped by the attributes), whatever the number of applications.

    The last two steps are read from the participants alone, in a query of their own: as
    subqueries of the pass over every application they would make PostgreSQL's estimate of
    that pass so large that it compiles it (JIT) first, which costs more than the pass."""
    chosen = quota_attributes(cohort=cohort)
    columns = {a.key: a.column for a in chosen}  # age band: the age at start, banded here
    steps = len(STEPS)
    totals = [0] * steps
    groups: dict[str, dict[str, list[int]]] = {a.key: {} for a in chosen}

    def add(n: int, values: dict[str, str], indexes) -> None:
        for index in indexes:
            totals[index] += n
            for key, value in values.items():
                groups[key].setdefault(value, [0] * steps)[index] += n

    def application_values(row) -> dict[str, str]:
        return {a.key: _text(a, a.from_column(row[columns[a.key]])) for a in chosen}

    group_columns = list(dict.fromkeys(columns.values()))
    rows = (
        Application.objects.filter(cohort=cohort)
        .annotate(**DEPTH_TESTS)
        .order_by()
        .values(*DEPTH_FIELDS, *group_columns)
        .annotate(n=Count("pk"))
    )
    for row in rows:
        # An application counts at every step up to its depth (index 0 is "signed up").
        add(row["n"], application_values(row), range(1, _depth_of(row) + 1))

    attended = Exists(
        Attendance.objects.filter(
            session__cohort_id=cohort.pk, user_id=OuterRef("applicant_id"), status__in=ATTENDED
        )
    )
    certified = Exists(
        Certificate.objects.filter(
            cohort_id=cohort.pk, user_id=OuterRef("applicant_id"), status=CertificateStatus.VALID
        )
    )
    attending = (
        Application.objects.filter(_reached_accepted(), cohort=cohort, participant__isnull=False)
        .filter(attended)
        .annotate(certified=certified)
        .order_by()
        .values("certified", *group_columns)
        .annotate(n=Count("pk"))
    )
    for row in attending:
        reached = [ATTENDING, CERTIFIED] if row["certified"] else [ATTENDING]
        add(row["n"], application_values(row), reached)

    # Profiles keep the same attributes in fields of the same names (the age band comes from
    # the date of birth, at the cohort's start).
    fields = {
        a.key: f"profile_{a.key}" if a.key == "age_band" else (a.column or a.key) for a in chosen
    }
    bands = {
        fields[a.key]: _profile_age_band(cohort.starts_on) for a in chosen if a.key == "age_band"
    }
    signups = (
        ApplicantProfile.objects.filter(created_at__lt=_signup_cutoff(cohort))
        .annotate(**bands)
        .order_by()
        .values(*dict.fromkeys(fields.values()))
        .annotate(n=Count("pk"))
    )
    for row in signups:
        add(row["n"], {a.key: _text(a, row[fields[a.key]]) for a in chosen}, [0])
    return Funnel(totals=totals, attributes=chosen, groups=groups)


# --- compute, mentoring, courses, certificates ------------------------------------------------


def pool_list(*, cohort: Cohort) -> list[ResourcePool]:
    """The cohort's pools with `used` (the sum of their allocations' use) and `people` (their
    allocations): one query."""
    return list(
        ResourcePool.objects.filter(cohort=cohort)
        .select_related("resource")
        .annotate(
            used=Coalesce(
                Sum("allocations__used"),
                Value(Decimal(0)),
                output_field=DecimalField(max_digits=20, decimal_places=4),
            ),
            people=Count("allocations"),
        )
        .order_by("resource__name", "pk")
    )


@dataclass
class MentoringHealth:
    active: int
    stalled: int
    ended: int
    sessions: int


def mentoring_health(*, cohort: Cohort, today: datetime.date | None = None) -> MentoringHealth:
    """Active pairs, those of them stalled (no counted session, nor an introduction, for
    STALLED_AFTER_DAYS days), ended pairs, and the sessions that count: one query."""
    cutoff = (today or timezone.localdate()) - datetime.timedelta(days=STALLED_AFTER_DAYS)
    active = Q(status=PairingStatus.ACTIVE)
    quiet = Q(last_session_on__lte=cutoff) | Q(
        last_session_on__isnull=True, started_at__date__lte=cutoff
    )
    figures = Pairing.objects.filter(cohort=cohort).aggregate(
        active=Count("pk", filter=active, distinct=True),
        stalled=Count("pk", filter=active & quiet, distinct=True),
        ended=Count("pk", filter=Q(status=PairingStatus.ENDED), distinct=True),
        sessions=Count(
            "sessions",
            filter=Q(status__in=[PairingStatus.ACTIVE, PairingStatus.ENDED])
            & Q(sessions__mentor_confirmed=True)
            & ~Q(sessions__attended=False),
            distinct=True,
        ),
    )
    return MentoringHealth(**figures)


def course_list(*, cohort: Cohort, now: datetime.datetime | None = None) -> list[Course]:
    """The courses offered to the cohort with `enrolled` (active enrolments of the cohort),
    `held` (its sessions for the cohort that have started and were not cancelled) and
    `attended` (present or late marks at those sessions of the people enrolled): one query."""
    now = now or timezone.now()

    def count(queryset) -> Subquery:
        return Coalesce(
            Subquery(
                queryset.order_by().values("course_id").annotate(n=Count("pk")).values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        )

    held = ClassSession.objects.filter(
        course_id=OuterRef("pk"), cohort=cohort, is_cancelled=False, starts_at__lte=now
    )
    # The people counted as enrolled; only their marks count as attended, so the rate never
    # passes 100 % (a withdrawn enrolment keeps its marks).
    enrolled = Enrollment.objects.filter(cohort=cohort, status=EnrollmentStatus.ACTIVE)
    return list(
        Course.objects.filter(cohorts=cohort)
        .annotate(
            enrolled=count(enrolled.filter(course_id=OuterRef("pk"))),
            held=count(held),
            attended=Coalesce(
                Subquery(
                    Attendance.objects.filter(
                        Exists(
                            enrolled.filter(
                                course_id=OuterRef("session__course_id"),
                                user_id=OuterRef("user_id"),
                            )
                        ),
                        session__course_id=OuterRef("pk"),
                        session__cohort=cohort,
                        session__is_cancelled=False,
                        session__starts_at__lte=now,
                        status__in=ATTENDED,
                    )
                    .order_by()
                    .values("session__course_id")
                    .annotate(n=Count("pk"))
                    .values("n")[:1],
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
        )
        .order_by("code", "pk")
    )


@dataclass
class Certification:
    participants: int
    not_yet: int
    eligible: int  # meets the rule, no certificate yet
    issued: int
    revoked: int


def certification(*, cohort: Cohort) -> Certification:
    """Where the cohort's participants stand against its certification rule (the staff board's
    states), in the board's constant number of queries."""
    states = [row.state for row in certificate_selectors.cohort_board(cohort=cohort)]
    return Certification(
        participants=len(states),
        not_yet=states.count(BoardState.NOT_YET),
        eligible=states.count(BoardState.ELIGIBLE),
        issued=states.count(BoardState.ISSUED),
        revoked=states.count(BoardState.REVOKED),
    )
