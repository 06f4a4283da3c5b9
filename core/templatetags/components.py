"""Helpers for the shared components in templates/components/."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (or removed when given None),
    e.g. `?{% query_with page=3 %}`: pagination keeps the list's filters and sorting."""
    request = context.get("request")
    params = request.GET.copy() if request is not None else {}
    for name, value in changes.items():
        if value is None or value == "":
            params.pop(name, None)
        else:
            params[name] = value
    return params.urlencode() if params else ""
