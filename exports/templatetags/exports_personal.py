"""Filters for the readable summary of a person's data (templates/exports/_personal_value.html)."""

from django import template

register = template.Library()


@register.filter
def kind_of(value) -> str:
    """ "dict", "list" or "text": how the summary shows a value of data.json."""
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, list | tuple):
        return "list"
    return "text"


@register.filter
def key_label(key) -> str:
    """A data.json key as a heading: "submitted_at" → "Submitted at"."""
    return str(key).replace("_", " ").capitalize()
