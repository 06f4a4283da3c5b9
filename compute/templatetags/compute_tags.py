"""Amounts of compute as people write them."""

from decimal import Decimal, InvalidOperation

from django import template

from compute.models import format_amount

register = template.Library()


@register.filter
def amount(value) -> str:
    """1234.5000 → "1,234.5"; 100.0000 → "100"; anything that is not a number is shown as is."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return "" if value is None else str(value)
    return format_amount(number)


@register.filter
def plain_amount(value) -> str:
    """An amount for an input field: no grouping (1234.5)."""
    return amount(value).replace(",", "")


# Thousands, millions, billions, trillions: what fits a phone's column.
_SCALES = ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"))


@register.filter
def short_amount(value) -> str:
    """An amount for a narrow column: 22,000,000,000 → "22B", 12,500,000 → "12.5M", 1,234.5 →
    "1,234.5" (below a million it is `amount`)."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return amount(value)
    for scale, suffix in _SCALES:
        if abs(number) >= scale:
            return amount((number / scale).quantize(Decimal("0.1"))) + suffix
    return amount(number)
