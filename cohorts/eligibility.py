"""Evaluate a cohort's eligibility rules against an applicant's facts. Pure: no Django.

A rule is (attribute, operator, values). Facts map attribute names to values: strings for
choices, numbers for ages and counts, booleans for yes/no, lists for multiple choices. Answers to
the form are facts named "answer:<question key>".
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any


@dataclass(frozen=True)
class Rule:
    id: int
    attribute: str
    operator: str  # in, not_in, between, at_least, at_most, is_true, is_false
    values: tuple[str, ...]


@dataclass(frozen=True)
class Failure:
    rule_id: int
    attribute: str
    operator: str
    values: tuple[str, ...]
    actual: Any  # None when the fact is missing


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _as_set(value: Any) -> set[str]:
    if value is None or value == "":
        return set()
    if isinstance(value, list | tuple | set):
        return {str(item) for item in value}
    if isinstance(value, bool):
        return {"yes" if value else "no"}
    return {str(value)}


def _truthy(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value in ("yes", "true", "1", 1):
        return True
    if value in ("no", "false", "0", 0):
        return False
    return None


def rule_holds(rule: Rule, actual: Any) -> bool:
    op = rule.operator
    if op == "in":
        return bool(_as_set(actual) & set(rule.values))
    if op == "not_in":
        return bool(_as_set(actual)) and not (_as_set(actual) & set(rule.values))
    if op in ("between", "at_least", "at_most"):
        number = _number(actual)
        bounds = [_number(v) for v in rule.values]
        if number is None or not bounds or any(b is None for b in bounds):
            return False
        if op == "at_least":
            return number >= bounds[0]
        if op == "at_most":
            return number <= bounds[0]
        return len(bounds) == 2 and bounds[0] <= number <= bounds[1]
    if op == "is_true":
        return _truthy(actual) is True
    if op == "is_false":
        return _truthy(actual) is False
    raise ValueError(f"unknown operator {op!r}")


def evaluate(rules: Iterable[Rule], facts: Mapping[str, Any]) -> list[Failure]:
    """The rules the facts do not meet, in rule order; an empty list means eligible."""
    return [
        Failure(rule.id, rule.attribute, rule.operator, rule.values, facts.get(rule.attribute))
        for rule in rules
        if not rule_holds(rule, facts.get(rule.attribute))
    ]
