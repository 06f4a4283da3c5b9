from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cohorts.eligibility import Rule, evaluate, rule_holds


def test_in_and_not_in():
    rule = Rule(1, "residency", "in", ("citizen", "permanent_resident"))
    assert rule_holds(rule, "citizen")
    assert not rule_holds(rule, "work_pass")
    assert not rule_holds(rule, None)
    assert rule_holds(Rule(2, "sector", "not_in", ("retail",)), "ict")
    assert not rule_holds(Rule(2, "sector", "not_in", ("retail",)), "retail")
    assert not rule_holds(Rule(2, "sector", "not_in", ("retail",)), None)


def test_multi_choice_answers_match_any_value():
    rule = Rule(1, "answer:support", "in", ("Course fees",))
    assert rule_holds(rule, ["Paid study time", "Course fees"])
    assert not rule_holds(rule, ["Paid study time"])


def test_numeric_bounds():
    between = Rule(1, "age_at_start", "between", ("18", "65"))
    assert rule_holds(between, 18) and rule_holds(between, 65) and rule_holds(between, "40")
    assert not rule_holds(between, 17) and not rule_holds(between, 66)
    assert (
        not rule_holds(between, "abc")
        and not rule_holds(between, None)
        and not rule_holds(between, True)
    )
    assert rule_holds(Rule(2, "answer:hours", "at_least", ("4",)), "4.0")
    assert not rule_holds(Rule(2, "answer:hours", "at_least", ("4",)), "3.5")
    assert rule_holds(Rule(3, "years", "at_most", ("10",)), 10)


def test_booleans():
    assert rule_holds(Rule(1, "is_union_member", "is_true", ()), True)
    assert rule_holds(Rule(1, "answer:laptop", "is_true", ()), "yes")
    assert not rule_holds(Rule(1, "is_union_member", "is_true", ()), None)
    assert rule_holds(Rule(1, "is_union_member", "is_false", ()), False)


def test_evaluate_lists_every_failure_in_order():
    rules = [
        Rule(1, "residency", "in", ("citizen",)),
        Rule(2, "age_at_start", "between", ("18", "65")),
        Rule(3, "is_union_member", "is_true", ()),
    ]
    failures = evaluate(
        rules, {"residency": "work_pass", "age_at_start": 30, "is_union_member": False}
    )
    assert [(f.rule_id, f.actual) for f in failures] == [(1, "work_pass"), (3, False)]
    assert (
        evaluate(rules, {"residency": "citizen", "age_at_start": 30, "is_union_member": True}) == []
    )


@given(age=st.integers(min_value=0, max_value=120), low=st.integers(0, 60), span=st.integers(0, 60))
def test_between_agrees_with_arithmetic(age, low, span):
    rule = Rule(1, "age_at_start", "between", (str(low), str(low + span)))
    assert rule_holds(rule, age) == (low <= age <= low + span)


@given(
    value=st.decimals(
        allow_nan=False, allow_infinity=False, places=2, min_value=-1000, max_value=1000
    ),
    bound=st.integers(-1000, 1000),
)
def test_at_least_and_at_most_partition_the_numbers(value, bound):
    least = rule_holds(Rule(1, "x", "at_least", (str(bound),)), str(value))
    most = rule_holds(Rule(2, "x", "at_most", (str(bound),)), str(value))
    assert least or most
    assert (least and most) == (value == Decimal(bound))
