"""Where a participant stands in a course: attendance rate, the forecast ("you can miss at most
2 more sessions and still reach 80 %"), assessment outcomes and the course's state.

Pure: plain numbers in, frozen dataclasses out; no Django. The selectors count sessions and
marks and call these functions; the rules are stated here once.

- A session counts once it is scheduled and not cancelled. It is *held* once it has ended.
- Present and late count as attended. An excused session does not count either way: it leaves
  the numerator and the denominator. A held session without a mark counts as missed.
- The requirement is met when attended × 100 ≥ required % × counted sessions, in whole numbers,
  so the displayed rate (rounded down) never shows "80 %" for 79.6 %.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

COMPLETED = "completed"
ON_TRACK = "on_track"
AT_RISK = "at_risk"
UNREACHABLE = "unreachable"
NOT_SCHEDULED = "not_scheduled"

PASSED = "passed"
FAILED = "failed"
MISSING = "missing"
PENDING = "pending"


def percent(part: int, whole: int) -> int | None:
    """part / whole as a whole percentage, rounded down; None when there is nothing to count."""
    if whole <= 0:
        return None
    return part * 100 // whole


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


@dataclass(frozen=True)
class Forecast:
    """A participant's attendance in one course, now and at best by its end."""

    required: int  # per cent
    scheduled: int  # sessions not cancelled
    held: int  # of those, ended
    attended: int  # held sessions marked present or late
    excused_held: int
    excused_upcoming: int

    def __post_init__(self):
        if not 0 <= self.required <= 100:
            raise ValueError("required must be between 0 and 100")
        if not 0 <= self.held <= self.scheduled:
            raise ValueError("held must be between 0 and scheduled")
        if self.attended < 0 or self.excused_held < 0 or self.excused_upcoming < 0:
            raise ValueError("counts cannot be negative")
        if self.attended + self.excused_held > self.held:
            raise ValueError("attended and excused sessions cannot exceed the sessions held")
        if self.excused_upcoming > self.scheduled - self.held:
            raise ValueError("excused upcoming sessions cannot exceed the upcoming sessions")

    @property
    def counted(self) -> int:
        """Sessions the requirement is measured over: every scheduled one not excused."""
        return self.scheduled - self.excused_held - self.excused_upcoming

    @property
    def held_counted(self) -> int:
        return self.held - self.excused_held

    @property
    def missed(self) -> int:
        return self.held_counted - self.attended

    @property
    def remaining(self) -> int:
        """Upcoming sessions the participant can still attend."""
        return self.scheduled - self.held - self.excused_upcoming

    @property
    def rate(self) -> int | None:
        """Attendance so far, of the sessions held: a whole percentage rounded down."""
        return percent(self.attended, self.held_counted)

    @property
    def needed(self) -> int:
        """Sessions to attend in all to meet the requirement."""
        return _ceil_div(self.required * self.counted, 100)

    @property
    def can_miss(self) -> int:
        """How many of the remaining sessions may be missed; negative once out of reach."""
        return self.attended + self.remaining - self.needed

    @property
    def reachable(self) -> bool:
        return self.can_miss >= 0

    @property
    def met(self) -> bool:
        """The requirement is secured whatever happens next."""
        return self.attended >= self.needed

    @property
    def below_now(self) -> bool:
        """The rate so far is under the requirement (after at least one counted session)."""
        return self.held_counted > 0 and self.attended * 100 < self.required * self.held_counted

    @property
    def best_rate(self) -> int | None:
        """The rate at the end if every remaining session is attended."""
        return percent(self.attended + self.remaining, self.counted)


@dataclass(frozen=True)
class AssessmentOutcome:
    max_score: Decimal
    pass_mark: Decimal
    weight: Decimal
    score: Decimal | None
    due_on: date | None

    def state(self, today: date) -> str:
        if self.score is not None:
            return PASSED if self.score >= self.pass_mark else FAILED
        if self.due_on is not None and self.due_on < today:
            return MISSING
        return PENDING


def weighted_score(outcomes: list[AssessmentOutcome]) -> Decimal | None:
    """The weighted mean of the recorded scores, as a percentage with one decimal; None when no
    weighted result is recorded yet."""
    total_weight = Decimal(0)
    total = Decimal(0)
    for outcome in outcomes:
        if outcome.score is None or outcome.weight <= 0:
            continue
        total_weight += outcome.weight
        total += outcome.weight * outcome.score / outcome.max_score
    if total_weight == 0:
        return None
    return (total * 100 / total_weight).quantize(Decimal("0.1"))


def course_state(forecast: Forecast, outcomes: list[AssessmentOutcome], today: date) -> str:
    """completed, on_track, at_risk, unreachable or not_scheduled."""
    if forecast.scheduled == 0:
        return NOT_SCHEDULED
    states = [outcome.state(today) for outcome in outcomes]
    if not forecast.reachable:
        return UNREACHABLE
    if forecast.remaining == 0 and forecast.met and all(s == PASSED for s in states):
        return COMPLETED
    if forecast.below_now or any(s in (FAILED, MISSING) for s in states):
        return AT_RISK
    return ON_TRACK


def overall_rate(forecasts: list[Forecast]) -> int | None:
    """Attendance over every course so far: sessions attended of sessions held and counted."""
    return percent(sum(f.attended for f in forecasts), sum(f.held_counted for f in forecasts))
