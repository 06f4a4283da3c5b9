"""The pure progress rules: the attendance forecast checked against brute force, excused
sessions leaving both sides of the rate, the weighted score, the course's state and the
overall rate."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from courses import progress
from courses.progress import (
    AT_RISK,
    COMPLETED,
    FAILED,
    MISSING,
    NOT_SCHEDULED,
    ON_TRACK,
    PASSED,
    PENDING,
    UNREACHABLE,
    AssessmentOutcome,
    Forecast,
    course_state,
    overall_rate,
    percent,
    weighted_score,
)

TODAY = datetime.date(2026, 12, 8)
D = Decimal


@st.composite
def forecasts(draw, max_sessions: int = 30):
    required = draw(st.integers(0, 100))
    scheduled = draw(st.integers(0, max_sessions))
    held = draw(st.integers(0, scheduled))
    excused_held = draw(st.integers(0, held))
    attended = draw(st.integers(0, held - excused_held))
    excused_upcoming = draw(st.integers(0, scheduled - held))
    return Forecast(
        required=required,
        scheduled=scheduled,
        held=held,
        attended=attended,
        excused_held=excused_held,
        excused_upcoming=excused_upcoming,
    )


def _meets(forecast: Forecast, final_attended: int) -> bool:
    """The rule of the module, stated directly: attended × 100 ≥ required % × counted."""
    return final_attended * 100 >= forecast.required * forecast.counted


# --- the forecast --------------------------------------------------------------------------------


def test_forecast_of_a_course_half_way_through():
    # 10 sessions, 80 %: 5 held, 3 attended, 1 excused and 1 missed so far, 1 excused ahead.
    forecast = Forecast(
        required=80, scheduled=10, held=5, attended=3, excused_held=1, excused_upcoming=1
    )
    assert (forecast.counted, forecast.held_counted, forecast.missed) == (8, 4, 1)
    assert (forecast.remaining, forecast.needed, forecast.can_miss) == (4, 7, 0)
    assert (forecast.rate, forecast.best_rate) == (75, 87)
    assert forecast.reachable and not forecast.met and forecast.below_now


def test_forecast_before_any_session_has_no_rate():
    forecast = Forecast(
        required=80, scheduled=5, held=0, attended=0, excused_held=0, excused_upcoming=0
    )
    assert forecast.rate is None
    assert not forecast.below_now
    assert (forecast.needed, forecast.can_miss, forecast.best_rate) == (4, 1, 100)


def test_forecast_rounds_the_rate_down_and_needs_whole_sessions():
    # 79.6 % is not 80 %: 39 of 49 is shown as 79 and is below the requirement.
    forecast = Forecast(
        required=80, scheduled=49, held=49, attended=39, excused_held=0, excused_upcoming=0
    )
    assert forecast.rate == 79
    assert forecast.below_now and not forecast.met and not forecast.reachable
    assert forecast.needed == 40 and forecast.can_miss == -1


@given(forecasts())
@example(
    Forecast(required=80, scheduled=10, held=0, attended=0, excused_held=0, excused_upcoming=0)
)
@example(
    Forecast(required=100, scheduled=3, held=3, attended=3, excused_held=0, excused_upcoming=0)
)
@example(Forecast(required=0, scheduled=2, held=2, attended=0, excused_held=0, excused_upcoming=0))
@example(Forecast(required=80, scheduled=4, held=4, attended=0, excused_held=4, excused_upcoming=0))
def test_can_miss_is_the_most_remaining_sessions_that_may_be_missed(forecast):
    """Brute force over k: missing k of the remaining sessions meets the requirement exactly
    when k ≤ can_miss."""
    for k in range(forecast.remaining + 1):
        assert _meets(forecast, forecast.attended + forecast.remaining - k) == (
            k <= forecast.can_miss
        )
    feasible = [
        k
        for k in range(forecast.remaining + 1)
        if _meets(forecast, forecast.attended + forecast.remaining - k)
    ]
    if feasible:
        assert max(feasible) == min(forecast.can_miss, forecast.remaining)
        assert forecast.reachable
    else:
        assert forecast.can_miss < 0
        assert not forecast.reachable
    # Met: secured even if every remaining session is missed.
    assert forecast.met == _meets(forecast, forecast.attended)
    assert forecast.met == (forecast.can_miss >= forecast.remaining)


@given(forecasts())
def test_met_implies_reachable(forecast):
    if forecast.met:
        assert forecast.reachable


@given(forecasts())
@example(
    Forecast(required=80, scheduled=49, held=49, attended=39, excused_held=0, excused_upcoming=0)
)
@example(Forecast(required=80, scheduled=5, held=5, attended=4, excused_held=0, excused_upcoming=0))
def test_the_rate_floor_never_shows_the_requirement_as_met_when_it_is_not(forecast):
    if forecast.held_counted > 0:
        assert (forecast.rate >= forecast.required) == (not forecast.below_now)
        assert forecast.rate == forecast.attended * 100 // forecast.held_counted
    else:
        assert forecast.rate is None
        assert not forecast.below_now


@given(forecasts())
def test_counts_add_up(forecast):
    assert forecast.counted == forecast.held_counted + forecast.remaining
    assert forecast.missed == forecast.held_counted - forecast.attended >= 0
    assert forecast.best_rate == percent(forecast.attended + forecast.remaining, forecast.counted)
    assert 0 <= forecast.needed <= forecast.counted


@given(forecasts(), st.data())
def test_an_excused_session_leaves_the_numerator_and_the_denominator(forecast, data):
    """Excusing sessions gives the same figures as if they had never been scheduled."""
    held_dropped = Forecast(
        required=forecast.required,
        scheduled=forecast.scheduled - forecast.excused_held,
        held=forecast.held - forecast.excused_held,
        attended=forecast.attended,
        excused_held=0,
        excused_upcoming=forecast.excused_upcoming,
    )
    both_dropped = Forecast(
        required=forecast.required,
        scheduled=held_dropped.scheduled - forecast.excused_upcoming,
        held=held_dropped.held,
        attended=forecast.attended,
        excused_held=0,
        excused_upcoming=0,
    )

    def figures(f):
        return (
            f.counted,
            f.held_counted,
            f.missed,
            f.remaining,
            f.rate,
            f.needed,
            f.can_miss,
            f.met,
            f.below_now,
            f.best_rate,
        )

    assert figures(forecast) == figures(held_dropped) == figures(both_dropped)


def test_excusing_a_missed_session_raises_the_rate():
    missed = Forecast(
        required=80, scheduled=5, held=5, attended=4, excused_held=0, excused_upcoming=0
    )
    # The fifth session missed: 80 %. Had it been excused: 4 of 4.
    excused = Forecast(
        required=80, scheduled=5, held=5, attended=4, excused_held=1, excused_upcoming=0
    )
    assert (missed.rate, excused.rate) == (80, 100)
    assert (missed.counted, excused.counted) == (5, 4)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"required": -1}, "required must be between 0 and 100"),
        ({"required": 101}, "required must be between 0 and 100"),
        ({"held": 11}, "held must be between 0 and scheduled"),
        ({"held": -1}, "held must be between 0 and scheduled"),
        ({"attended": -1}, "counts cannot be negative"),
        ({"excused_held": -1}, "counts cannot be negative"),
        ({"excused_upcoming": -1}, "counts cannot be negative"),
        ({"attended": 5, "excused_held": 1}, "cannot exceed the sessions held"),
        ({"excused_upcoming": 6}, "cannot exceed the upcoming sessions"),
    ],
)
def test_forecast_refuses_impossible_counts(fields, message):
    base = {
        "required": 80,
        "scheduled": 10,
        "held": 5,
        "attended": 0,
        "excused_held": 0,
        "excused_upcoming": 0,
    }
    with pytest.raises(ValueError, match=message):
        Forecast(**{**base, **fields})


@given(
    st.integers(-3, 103),
    st.integers(-2, 12),
    st.integers(-2, 12),
    st.integers(-2, 12),
    st.integers(-2, 12),
    st.integers(-2, 12),
)
def test_forecast_accepts_exactly_the_possible_counts(
    required, scheduled, held, attended, excused_held, excused_upcoming
):
    possible = (
        0 <= required <= 100
        and 0 <= held <= scheduled
        and min(attended, excused_held, excused_upcoming) >= 0
        and attended + excused_held <= held
        and excused_upcoming <= scheduled - held
    )
    fields = {
        "required": required,
        "scheduled": scheduled,
        "held": held,
        "attended": attended,
        "excused_held": excused_held,
        "excused_upcoming": excused_upcoming,
    }
    if possible:
        assert Forecast(**fields).remaining >= 0
    else:
        with pytest.raises(ValueError):
            Forecast(**fields)


def test_percent_rounds_down_and_has_nothing_to_say_about_nothing():
    assert percent(2, 3) == 66
    assert percent(0, 4) == 0
    assert percent(3, 3) == 100
    assert percent(0, 0) is None
    assert percent(1, -1) is None


# --- assessments and the weighted score ----------------------------------------------------------


def _outcome(score=None, *, max_score=100, pass_mark=50, weight=1, due_on=None):
    return AssessmentOutcome(
        max_score=D(max_score),
        pass_mark=D(pass_mark),
        weight=D(weight),
        score=None if score is None else D(score),
        due_on=due_on,
    )


def test_assessment_state_passed_failed_missing_pending():
    yesterday = TODAY - datetime.timedelta(days=1)
    assert _outcome(50).state(TODAY) == PASSED  # the pass mark passes
    assert _outcome("49.99").state(TODAY) == FAILED
    assert _outcome(due_on=yesterday).state(TODAY) == MISSING
    assert _outcome(due_on=TODAY).state(TODAY) == PENDING
    assert _outcome().state(TODAY) == PENDING  # no due date
    assert _outcome(10, due_on=yesterday).state(TODAY) == FAILED  # a late result still counts


def test_weighted_score_weighs_each_result_by_its_share():
    # Quiz 8/10 (weight 1), project 60/100 (weight 3): (0.8 + 1.8) / 4 = 65 %.
    outcomes = [_outcome(8, max_score=10, pass_mark=5), _outcome(60, weight=3)]
    assert weighted_score(outcomes) == D("65.0")


def test_weighted_score_leaves_out_pending_and_weightless_assessments():
    outcomes = [_outcome(90), _outcome(None, weight=5), _outcome(0, weight=0)]
    assert weighted_score(outcomes) == D("90.0")


@pytest.mark.parametrize(
    "outcomes",
    [[], [_outcome(None), _outcome(None, weight=2)], [_outcome(80, weight=0)]],
    ids=["no assessments", "no results", "no weight"],
)
def test_weighted_score_is_none_without_a_weighted_result(outcomes):
    assert weighted_score(outcomes) is None


SCORED = st.builds(
    lambda max_score, share, pass_share, weight: AssessmentOutcome(
        max_score=D(max_score),
        pass_mark=(D(max_score) * D(pass_share) / 100).quantize(D("0.01")),
        weight=D(weight) / 4,
        score=(D(max_score) * D(share) / 10000).quantize(D("0.01")) if share is not None else None,
        due_on=None,
    ),
    st.integers(1, 1000),
    st.none() | st.integers(0, 10000),
    st.integers(0, 100),
    st.integers(0, 40),
)


@given(st.lists(SCORED, max_size=8))
def test_weighted_score_is_a_percentage_with_one_decimal(outcomes):
    score = weighted_score(outcomes)
    weighted = [o for o in outcomes if o.score is not None and o.weight > 0]
    if not weighted:
        assert score is None
        return
    assert D(0) <= score <= D(100)
    assert score == score.quantize(D("0.1"))
    exact = sum(Fraction(o.weight) * Fraction(o.score) / Fraction(o.max_score) for o in weighted)
    exact = exact * 100 / sum(Fraction(o.weight) for o in weighted)
    assert abs(Fraction(score) - exact) <= Fraction(1, 20)


@given(
    st.lists(st.integers(0, 100), min_size=1, max_size=10),
    st.integers(1, 10000).map(lambda n: D(n) / 100),
)
def test_weighted_score_with_equal_weights_is_the_plain_mean(scores, weight):
    outcomes = [_outcome(s, weight=weight) for s in scores]
    assert weighted_score(outcomes) == (D(sum(scores)) / len(scores)).quantize(D("0.1"))


# --- the course's state --------------------------------------------------------------------------


def _forecast(*, scheduled=10, held=10, attended=10, excused_held=0, excused_upcoming=0):
    return Forecast(
        required=80,
        scheduled=scheduled,
        held=held,
        attended=attended,
        excused_held=excused_held,
        excused_upcoming=excused_upcoming,
    )


def test_a_course_without_sessions_is_not_scheduled_whatever_its_results():
    empty = _forecast(scheduled=0, held=0, attended=0)
    assert course_state(empty, [], TODAY) == NOT_SCHEDULED
    assert course_state(empty, [_outcome(10)], TODAY) == NOT_SCHEDULED


def test_a_course_is_completed_when_nothing_remains_and_every_assessment_passed():
    assert course_state(_forecast(), [_outcome(50), _outcome(99)], TODAY) == COMPLETED
    assert course_state(_forecast(), [], TODAY) == COMPLETED
    # One result still to come: on track, not completed.
    assert course_state(_forecast(), [_outcome(50), _outcome(None)], TODAY) == ON_TRACK
    # One session to go, requirement already secured: not completed yet.
    assert course_state(_forecast(held=9, attended=9), [_outcome(80)], TODAY) == ON_TRACK


def test_a_course_out_of_reach_is_unreachable_before_anything_else():
    # 10 sessions at 80 %: 3 missed of 5 held, 5 to go — at most 7 of 10.
    forecast = _forecast(held=5, attended=2)
    assert not forecast.reachable
    assert course_state(forecast, [_outcome(90)], TODAY) == UNREACHABLE
    assert course_state(forecast, [_outcome(10)], TODAY) == UNREACHABLE


def test_a_failed_or_missing_assessment_puts_the_course_at_risk():
    on_track = _forecast(held=5, attended=5)
    yesterday = TODAY - datetime.timedelta(days=1)
    assert course_state(on_track, [_outcome(49)], TODAY) == AT_RISK
    assert course_state(on_track, [_outcome(due_on=yesterday)], TODAY) == AT_RISK
    assert course_state(_forecast(), [_outcome(49)], TODAY) == AT_RISK
    assert course_state(on_track, [_outcome(due_on=TODAY)], TODAY) == ON_TRACK


def test_attendance_below_the_requirement_so_far_puts_the_course_at_risk():
    # 3 of 5 held (60 %) but still reachable: 8 of 10 if all five to come are attended.
    forecast = _forecast(held=5, attended=3)
    assert forecast.reachable and forecast.below_now
    assert course_state(forecast, [], TODAY) == AT_RISK


OUTCOMES = st.lists(
    st.builds(
        lambda score, due: _outcome(score, due_on=due),
        st.none() | st.integers(0, 100),
        st.none() | st.sampled_from([TODAY - datetime.timedelta(days=1), TODAY]),
    ),
    max_size=4,
)


@given(forecasts(max_sessions=12), OUTCOMES)
def test_course_state_follows_its_rules_in_order(forecast, outcomes):
    states = [o.state(TODAY) for o in outcomes]
    state = course_state(forecast, outcomes, TODAY)
    if forecast.scheduled == 0:
        expected = NOT_SCHEDULED
    elif not forecast.reachable:
        expected = UNREACHABLE
    elif forecast.remaining == 0 and forecast.met and all(s == PASSED for s in states):
        expected = COMPLETED
    elif forecast.below_now or FAILED in states or MISSING in states:
        expected = AT_RISK
    else:
        expected = ON_TRACK
    assert state == expected
    if state == COMPLETED:
        assert forecast.remaining == 0 and forecast.met
        assert all(s == PASSED for s in states)


# --- the overall rate ----------------------------------------------------------------------------


def test_overall_rate_counts_sessions_not_courses():
    # 9 of 10 in one course and 1 of 2 in another: 10 of 12 sessions, 83 %, not the mean 70 %.
    big = _forecast(attended=9)
    small = Forecast(
        required=80, scheduled=2, held=2, attended=1, excused_held=0, excused_upcoming=0
    )
    assert overall_rate([big, small]) == 83


def test_overall_rate_leaves_out_excused_sessions_and_is_none_before_any_session():
    excused = _forecast(attended=4, excused_held=6)
    assert overall_rate([excused]) == 100
    assert overall_rate([]) is None
    assert overall_rate([_forecast(held=0, attended=0)]) is None


@given(st.lists(forecasts(max_sessions=10), max_size=5))
def test_overall_rate_of_one_course_is_its_rate(forecasts_list):
    total_attended = sum(f.attended for f in forecasts_list)
    total_held = sum(f.held_counted for f in forecasts_list)
    assert overall_rate(forecasts_list) == percent(total_attended, total_held)
    if len(forecasts_list) == 1:
        assert overall_rate(forecasts_list) == forecasts_list[0].rate


def test_the_module_imports_nothing_of_django():
    import ast
    import inspect

    modules = set()
    for node in ast.walk(ast.parse(inspect.getsource(progress))):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            modules.add((node.module or "").split(".")[0])
    assert modules == {"dataclasses", "datetime", "decimal"}
