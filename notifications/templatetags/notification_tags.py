import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def ago(value: datetime.datetime | None) -> str:
    """How long ago, in words: "just now" under a minute (never "0 minutes ago"), else the
    largest unit ("3 hours ago", not "3 hours, 5 minutes ago")."""
    if not value:
        return ""
    if timezone.now() - value < datetime.timedelta(minutes=1):
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(value, depth=1)}
