"""Helpers for the shared components in templates/components/."""

from django import template
from django.http import QueryDict

register = template.Library()

# The colour of a status badge, by status value. The statuses of applications, offers, selection
# runs and emails share one vocabulary of tones, so a word looks the same wherever it appears.
# The badge always shows the status in words too: the colour only helps scanning.
STATUS_TONES = {
    # neutral: not started
    "draft": "secondary",
    "queued": "secondary",
    "staged": "warning",
    # in progress / waiting on someone
    "submitted": "info",
    "in_review": "info",
    "open": "info",
    "pending": "info",
    "scheduled": "info",
    "sending": "info",
    "running": "info",
    "committing": "info",
    "done": "primary",
    # retention: personal data past its period, and not yet anonymised
    "due": "warning",
    "waitlisted": "warning",
    # good outcome
    "offered": "success",
    "accepted": "success",
    "committed": "success",
    "sent": "success",
    "ready": "success",
    # closed
    "not_selected": "dark",
    "ineligible": "dark",
    "declined": "dark",
    "expired": "dark",
    "withdrawn": "dark",
    # broken
    "failed": "danger",
    # compute: allocations, top-up requests, tokens
    "active": "success",
    "suspended": "warning",
    "exhausted": "danger",
    "approved": "success",
    "partly_approved": "success",
    "rejected": "dark",
    "revoked": "dark",
    # mentoring: matching runs and pairings
    "preview": "info",
    "published": "success",
    "discarded": "dark",
    "proposed": "info",
    "ended": "dark",
}


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (or removed when given None),
    e.g. `?{% query_with page=3 %}`: pagination keeps the list's filters and sorting.

    Blank parameters (an unused field of a filter form) are left out, so links stay short."""
    request = context.get("request")
    params = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for name in [name for name, values in params.lists() if not any(values)]:
        del params[name]
    for name, value in changes.items():
        if value is None or value == "":
            params.pop(name, None)
        else:
            params[name] = value
    return params.urlencode() if params else ""


@register.filter
def status_tone(status) -> str:
    """The Bootstrap colour of a status badge: `text-bg-{{ status|status_tone }}`."""
    return STATUS_TONES.get(str(status), "secondary")


@register.inclusion_tag("components/_breadcrumbs.html")
def breadcrumbs(
    *,
    programme=None,
    cohort=None,
    section: str = "",
    section_url: str = "",
    current: str = "",
) -> dict:
    """The trail Dashboard › Programme › Cohort › Section › Current page, in one line:

        {% breadcrumbs programme=programme cohort=cohort section=_("Selection") section_url=url
           current=_("Compare runs") %}

    Every part but the dashboard is optional. Without `current`, the last part given is the
    current page (`{% breadcrumbs programme=programme %}` on the programme's own page)."""
    trail: list[tuple[str, str]] = []
    if programme is not None:
        trail.append((programme.name, programme.get_absolute_url()))
    if cohort is not None:
        trail.append((cohort.name, cohort.get_absolute_url()))
    if section:
        trail.append((section, section_url))
    if current:
        trail.append((current, ""))
    if not trail:
        return {"links": [], "current": ""}
    *links, (current_label, _url) = trail
    return {"links": links, "current": current_label}


@register.inclusion_tag("components/_confirm_button.html", takes_context=True)
def confirm_button(
    context,
    *,
    label: str,
    message: str,
    action: str = "",
    button_class: str = "btn btn-sm btn-outline-danger",
    name: str = "",
    value="",
    testid: str = "",
    hidden_label: str = "",
    form_class: str = "",
) -> dict:
    """A POST form (with its CSRF token) whose button asks `message` before it submits, for
    what cannot be undone — deletions, commits, releases, declines, revocations:

        {% url "selection:quota_delete" programme.slug cohort.slug quota.pk as delete_url %}
        {% confirm_button action=delete_url label=_("Remove") hidden_label=quota.name message=msg %}

    static/js/confirm.js asks; without JavaScript the form submits as it would anyway. Without
    `action` the form posts to the page itself; `name`/`value` go on the button; `hidden_label`
    follows the label for screen readers ("Remove: Frontline")."""
    return {
        "action": action,
        "label": label,
        "message": message,
        "button_class": button_class,
        "name": name,
        "value": value,
        "testid": testid,
        "hidden_label": hidden_label,
        "form_class": form_class,
    }
