"""The dashboard's tables: each chart's figures as rows of cells, the chart's data and the links
behind it. One table feeds the chart, its text alternative (a real <table>) and its CSV and XLSX
downloads, so the three never disagree and suppression is applied once.

`full=False` is the partner viewers' view: every count of fewer than five people shows "< 5",
figures that would reveal such a count are hidden too (dashboards/suppression.py), and no table
links to a list of people.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cohorts.attributes import Kind, Use
from cohorts.models import Cohort
from dashboards import selectors, suppression
from dashboards.selectors import STEP_KEYS, STEPS, UNKNOWN

SMALL = "< 5"  # a count of fewer than five people, for partner viewers
WITHHELD = gettext_lazy("hidden")  # a figure hidden because it would tell a small count
NOT_APPLICABLE = "—"  # a figure that cannot be worked out (a share of nobody)

# Sections of the page, in order; each builds one or more tables.
SECTIONS = ("funnel", "compute", "mentoring", "attendance", "certification")


def _plain(amount: Decimal) -> Decimal:
    """An amount without trailing zeros, never in exponent form (100, not 1E+2)."""
    return amount.quantize(Decimal(1)) if amount == amount.to_integral() else amount.normalize()


@dataclass
class Cell:
    value: Any  # the exact figure: an int (people), a Decimal (amount), a float (percent), text
    hidden: bool = False
    kind: str = "count"  # count (of people) | number | amount | percent | text
    link: str = ""

    @property
    def text(self) -> str:
        if self.hidden:
            small = (
                self.kind == "count" and self.value is not None and suppression.is_small(self.value)
            )
            return SMALL if small else str(WITHHELD)
        if self.value is None:
            return NOT_APPLICABLE
        if self.kind == "percent":
            return f"{self.value:.1f} %"
        if self.kind == "amount":
            return f"{_plain(self.value):,f}"
        if self.kind in ("count", "number"):
            return f"{self.value:,}"
        return str(self.value)

    @property
    def export_value(self):
        """What a spreadsheet gets: a number where the figure is shown, else the words shown."""
        if self.hidden or self.value is None or self.kind == "text":
            return self.text
        if self.kind == "percent":
            return round(self.value, 1)
        if self.kind == "amount":
            return _plain(self.value)
        return self.value

    @property
    def chart_value(self):
        """What the chart draws: nothing (null) for a hidden figure."""
        if self.hidden or self.value is None:
            return None
        return float(self.value) if isinstance(self.value, Decimal) else self.value


@dataclass
class Table:
    key: str  # the chart's name in URLs: "funnel", "group-sector", "compute"…
    title: str
    headers: list[str]
    rows: list[list[Cell]]  # the first cell of each row is its label
    chart: dict = field(default_factory=dict)
    description: str = ""
    empty: str = ""  # said instead of the table when it has no row

    @property
    def chart_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def data_id(self) -> str:
        return f"chart-data-{self.key}"

    def export_rows(self) -> list[list]:
        return [[cell.export_value for cell in row] for row in self.rows]


def _label(text) -> Cell:
    return Cell(str(text), kind="text")


def _percent(part: int | Decimal, whole: int | Decimal, *, hidden: bool = False) -> Cell:
    # Hidden before anything else: "—" (a share of nobody) would tell that the base is zero.
    if hidden:
        return Cell(None, hidden=True, kind="percent")
    if not whole:
        return Cell(None, kind="percent")
    return Cell(float(part) * 100 / float(whole), kind="percent")


def _chart(
    *,
    horizontal: bool = False,
    stacked: bool = False,
    unit: str = "",
    labels: list[str],
    datasets: list[tuple[str, list[Cell]]],
) -> dict:
    """What dashboard-charts.js draws: one bar per label in each dataset, nothing where a
    figure is hidden, and the link of each bar (empty: none)."""
    return {
        "horizontal": horizontal,
        "stacked": stacked,
        "unit": unit,
        "labels": labels,
        "datasets": [
            {
                "label": label,
                "values": [cell.chart_value for cell in cells],
                "links": [cell.link for cell in cells],
            }
            for label, cells in datasets
        ],
    }


# --- the funnel --------------------------------------------------------------------------------


def _step_links(cohort: Cohort) -> list[str]:
    """Where each step's bar leads programme admins: the list behind it, where there is one."""
    programme = cohort.programme
    c = {"slug": programme.slug, "cohort_slug": cohort.slug}
    applications = reverse("applications:cohort_applications", kwargs=c)
    return [
        "",  # signed up: accounts belong to no programme
        applications,
        applications,
        f"{applications}?{urlencode({'is_eligible': 'yes'})}",
        reverse("reviews:review_dashboard", kwargs=c),
        reverse("selection:selection_offers", kwargs=c),
        f"{applications}?{urlencode({'status': 'accepted'})}",
        reverse("courses:progress", kwargs={"slug": programme.slug}),
        reverse("certificates:board", kwargs=c),
    ]


def _value_text(attribute, value: str) -> str:
    if value == UNKNOWN:
        return _("Not stated")
    if attribute.kind == Kind.YES_NO:
        return str(dict(attribute.choices).get(value, value))
    return attribute.text(value) or value


# Steps partner viewers do not see broken down by value. Sign-ups are counted across the
# platform up to a moment that moves (the cohort's close, or now while it is open): the counts
# of two cohorts, or of two days, would tell by subtraction how few people of a value signed up
# in between, which no suppression of one table can prevent. The overall count is shown.
UNBROKEN_FOR_PARTNERS = (STEP_KEYS.index("signed_up"),)


def funnel_tables(*, cohort: Cohort, full: bool) -> list[Table]:
    data = selectors.funnel(cohort=cohort)
    totals = data.totals
    groups = {
        key: sorted(values.items(), key=lambda item: (item[0] == UNKNOWN, item[0]))
        for key, values in data.groups.items()
    }
    if full:
        total_mask = [False] * len(totals)
        group_masks = {
            key: [[False] * len(totals) for _v in values] for key, values in groups.items()
        }
    else:
        group_masks = {}
        total_mask = suppression.protect_funnel(totals)
        for key, values in groups.items():
            total_mask, group_masks[key] = suppression.protect_table(
                totals, [counts for _value, counts in values], unbroken=UNBROKEN_FOR_PARTNERS
            )
    links = _step_links(cohort) if full else [""] * len(STEPS)

    step_rows = []
    for index, step in enumerate(STEPS):
        count = Cell(totals[index], hidden=total_mask[index], link=links[index])
        if index == 0:
            conversion = Cell(None, kind="percent")
        else:
            conversion = _percent(
                totals[index],
                totals[index - 1],
                hidden=total_mask[index] or total_mask[index - 1],
            )
        step_rows.append([_label(step.label), count, conversion])
    tables = [
        Table(
            key="funnel",
            title=_("From sign-up to certificate"),
            headers=[_("Step"), _("People"), _("Of the step before")],
            rows=step_rows,
            chart=_chart(
                horizontal=True,
                labels=[str(step.label) for step in STEPS],
                datasets=[(_("People"), [row[1] for row in step_rows])],
            ),
        )
    ]

    applications = reverse(
        "applications:cohort_applications",
        kwargs={"slug": cohort.programme.slug, "cohort_slug": cohort.slug},
    )
    for attribute in data.attributes:
        values = groups.get(attribute.key, [])
        masks = group_masks.get(attribute.key, [])
        rows = []
        for (value, counts), mask in zip(values, masks, strict=True):
            link = ""
            if full and value != UNKNOWN and Use.FILTERS in attribute.uses:
                link = f"{applications}?{urlencode({attribute.key: value})}"
            rows.append(
                [_label(_value_text(attribute, value))]
                + [
                    # A step not broken down keeps no figure at all, not even "< 5".
                    Cell(None, hidden=True)
                    if not full and index in UNBROKEN_FOR_PARTNERS
                    else Cell(count, hidden=hidden, link=link if index else "")
                    for index, (count, hidden) in enumerate(zip(counts, mask, strict=True))
                ]
            )
        # The chart: at each step, each value's share of the people at that step. A share is
        # hidden with its count, and with the step's total: a shown count and its share would
        # tell the hidden total (count × 100 ÷ share).
        shares = []
        for row in rows:
            cells = [
                _percent(count.value or 0, total, hidden=count.hidden or total_hidden)
                for count, total, total_hidden in zip(row[1:], totals, total_mask, strict=True)
            ]
            for cell, count in zip(cells, row[1:], strict=True):
                cell.link = count.link
            shares.append((row[0].value, cells))
        label = attribute.label_for(Use.QUOTAS)
        description = _(
            "People at each step, by value. The chart shows each value's share of the "
            "people at each step: a share that shrinks from one step to the next means "
            "that group is lost faster than the others."
        )
        if not full:
            description += " " + _(
                "Partners see sign-ups in the overall funnel only: counted across the "
                "platform up to a date that moves, by value they would tell how few people "
                "signed up between two cohorts or two days."
            )
        tables.append(
            Table(
                key=f"group-{attribute.key}",
                title=_("The funnel by %(attribute)s") % {"attribute": str(label).lower()},
                headers=[str(label), *[str(step.label) for step in STEPS]],
                rows=rows,
                description=description,
                chart=_chart(
                    horizontal=True,
                    stacked=True,
                    unit="%",
                    labels=[str(step.label) for step in STEPS],
                    datasets=shares,
                ),
                empty=_("Nobody yet."),
            )
        )
    return tables


# --- compute, mentoring, courses, certificates --------------------------------------------------


def compute_tables(*, cohort: Cohort, full: bool) -> list[Table]:
    slug = cohort.programme.slug
    rows = []
    for pool in selectors.pool_list(cohort=cohort):
        # A pool shared by fewer than five people tells what each used: its use is withheld.
        few = not full and suppression.is_small(pool.people)
        link = (
            reverse("compute:pool_detail", kwargs={"slug": slug, "pool_id": pool.pk})
            if full
            else ""
        )
        rows.append(
            [
                _label(f"{pool.resource.name} ({pool.resource.get_unit_display()})"),
                Cell(pool.people, hidden=few, link=link),
                Cell(pool.allocated, hidden=few, kind="amount", link=link),
                Cell(pool.used, hidden=few, kind="amount", link=link),
                Cell(pool.total, kind="amount"),
                _percent(pool.allocated, pool.total, hidden=few),
                _percent(pool.used, pool.total, hidden=few),
            ]
        )
    for row in rows:
        row[5].link = row[6].link = row[1].link
    return [
        Table(
            key="compute",
            title=_("Compute use per pool"),
            headers=[
                _("Pool"),
                _("People"),
                _("Allocated"),
                _("Used"),
                _("Total"),
                _("Allocated %"),
                _("Used %"),
            ],
            rows=rows,
            description=_("Allocated and used, as a share of each pool's total."),
            chart=_chart(
                unit="%",
                labels=[row[0].value for row in rows],
                datasets=[
                    (_("Allocated %"), [row[5] for row in rows]),
                    (_("Used %"), [row[6] for row in rows]),
                ],
            ),
            empty=_("The cohort has no compute pool."),
        )
    ]


def mentoring_tables(*, cohort: Cohort, full: bool) -> list[Table]:
    health = selectors.mentoring_health(cohort=cohort)
    counts = [health.active, health.stalled, health.ended, health.sessions]
    if full:
        mask = [False] * 4
    else:
        # Stalled pairs are some of the active ones: protect the pairs that are not stalled.
        active, stalled = suppression.protect_funnel([health.active, health.stalled])
        mask = [
            active,
            stalled,
            suppression.is_small(health.ended),
            suppression.is_small(health.sessions),
        ]
    overview = reverse("mentoring:overview", kwargs={"slug": cohort.programme.slug})
    links = (
        [
            f"{overview}?{urlencode({'cohort': cohort.slug})}",
            f"{overview}?{urlencode({'cohort': cohort.slug, 'stalled': 1})}",
            "",
            "",
        ]
        if full
        else ["", "", "", ""]
    )
    labels = [
        _("Active pairs"),
        _("Stalled pairs (no session for %(days)s days)") % {"days": selectors.STALLED_AFTER_DAYS},
        _("Ended pairs"),
        _("Sessions held"),
    ]
    rows = [
        [_label(label), Cell(count, hidden=hidden, link=link)]
        for label, count, hidden, link in zip(labels, counts, mask, links, strict=True)
    ]
    return [
        Table(
            key="mentoring",
            title=_("Mentoring health"),
            headers=[_("Figure"), _("Number")],
            rows=rows,
            description=_(
                "Sessions held count those the mentor confirmed and the mentee did not say they "
                "missed."
            ),
            chart=_chart(
                labels=[str(label) for label in labels],
                datasets=[(_("Number"), [r[1] for r in rows])],
            ),
        )
    ]


def attendance_tables(*, cohort: Cohort, full: bool) -> list[Table]:
    slug = cohort.programme.slug
    rows = []
    for course in selectors.course_list(cohort=cohort):
        few = not full and suppression.is_small(course.enrolled)
        # Few marks tell how few people came, however many are enrolled.
        few_marks = few or (not full and suppression.is_small(course.attended))
        link = (
            reverse("courses:course_detail", kwargs={"slug": slug, "course_id": course.pk})
            if full
            else ""
        )
        rows.append(
            [
                _label(f"{course.code} {course.title}".strip()),
                Cell(course.enrolled, hidden=few, link=link),
                Cell(course.held, kind="number"),
                Cell(course.attended, hidden=few_marks, link=link),
                _percent(course.attended, course.enrolled * course.held, hidden=few_marks),
            ]
        )
    return [
        Table(
            key="attendance",
            title=_("Attendance per course"),
            headers=[_("Course"), _("Enrolled"), _("Sessions held"), _("Attended"), _("Rate")],
            rows=rows,
            description=_(
                "Attended counts present and late marks at the sessions held so far; the rate "
                "divides them by enrolled people × sessions held."
            ),
            chart=_chart(
                unit="%",
                labels=[row[0].value for row in rows],
                datasets=[(_("Rate"), [row[4] for row in rows])],
            ),
            empty=_("No course is offered to the cohort yet."),
        )
    ]


def certification_tables(*, cohort: Cohort, full: bool) -> list[Table]:
    figures = selectors.certification(cohort=cohort)
    parts = [figures.not_yet, figures.eligible, figures.issued, figures.revoked]
    if full:
        total_hidden, mask = False, [False] * 4
    else:
        total_hidden = suppression.is_small(figures.participants)
        mask = suppression.protect_parts(parts, suppression.hide_small(parts), total_hidden)
    board = reverse(
        "certificates:board", kwargs={"slug": cohort.programme.slug, "cohort_slug": cohort.slug}
    )
    states = ["not_yet", "eligible", "issued", "revoked"]
    labels = [_("Not yet eligible"), _("Eligible, no certificate yet"), _("Issued"), _("Revoked")]
    rows = [
        [
            _label(_("Participants")),
            Cell(figures.participants, hidden=total_hidden, link=board if full else ""),
        ]
    ]
    for label, count, hidden, state in zip(labels, parts, mask, states, strict=True):
        link = f"{board}?{urlencode({'state': state})}" if full else ""
        rows.append([_label(label), Cell(count, hidden=hidden, link=link)])
    return [
        Table(
            key="certification",
            title=_("Certification progress"),
            headers=[_("Participants"), _("People")],
            rows=rows,
            description=_("Where the participants stand against the cohort's certification rule."),
            chart=_chart(
                labels=[row[0].value for row in rows[1:]],
                datasets=[(_("People"), [row[1] for row in rows[1:]])],
            ),
        )
    ]


BUILDERS: dict[str, Callable[..., list[Table]]] = {
    "funnel": funnel_tables,
    "compute": compute_tables,
    "mentoring": mentoring_tables,
    "attendance": attendance_tables,
    "certification": certification_tables,
}
SECTION_TITLES = {
    "funnel": gettext_lazy("Funnel"),
    "compute": gettext_lazy("Compute"),
    "mentoring": gettext_lazy("Mentoring"),
    "attendance": gettext_lazy("Attendance"),
    "certification": gettext_lazy("Certification"),
}


def section_of(key: str) -> str | None:
    """The section a chart's key belongs to ("group-sector" is the funnel's), or None."""
    section = "funnel" if key.startswith("group-") else key
    return section if section in BUILDERS else None


def build(*, cohort: Cohort, full: bool, sections=SECTIONS) -> dict[str, list[Table]]:
    return {section: BUILDERS[section](cohort=cohort, full=full) for section in sections}
