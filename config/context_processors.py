from django.db.models import OuterRef
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from compute import selectors as compute_selectors
from courses import selectors as courses_selectors
from mentoring import selectors as mentoring_selectors
from notifications import selectors as notification_selectors

_NOBODY = {"has_compute": False, "has_courses": False, "has_mentoring": False, "unread": 0}


def _header(user) -> dict:
    """Which of the person's own sections exist, and their unread notifications: one query."""
    facts = (
        User.objects.filter(pk=user.pk)
        .annotate(
            has_compute=compute_selectors.nav_condition(),
            has_courses=courses_selectors.nav_condition(),
            has_mentoring=mentoring_selectors.nav_condition(),
            unread=notification_selectors.unread_count_expression(user_ref=OuterRef("pk")),
        )
        .values(*_NOBODY)
        .first()
    )
    return facts or _NOBODY


def navigation(request):
    """Whether the signed-in user has a "My compute", "My courses" and "My mentoring" page, and
    the bell's unread count: one query for the four, made when the template first shows one of
    them (after the view has run, so a page that marks notifications read counts after it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "nav_has_compute": False,
            "nav_has_courses": False,
            "nav_has_mentoring": False,
            "unread_notifications": 0,
        }
    header = SimpleLazyObject(lambda: _header(user))
    context = {
        f"nav_{name}": SimpleLazyObject(lambda name=name: bool(header[name]))
        for name in ("has_compute", "has_courses", "has_mentoring")
    }
    context["unread_notifications"] = SimpleLazyObject(lambda: header["unread"])
    return context
