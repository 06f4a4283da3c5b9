"""Certificate values as people read them."""

from django import template

from certificates.enums import Requirement

register = template.Library()


@register.filter
def requirement_labels(keys) -> str:
    """["sign_off", "mentoring"] → "Staff sign-off, Mentoring sessions"; a key no longer among
    the requirements is shown as stored."""
    labels = dict(Requirement.choices)
    return ", ".join(str(labels.get(key, key)) for key in keys or ())
