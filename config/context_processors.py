import functools

from django.db import connection
from django.db.models import OuterRef
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from certificates import selectors as certificates_selectors
from compute import selectors as compute_selectors
from courses import selectors as courses_selectors
from mentoring import selectors as mentoring_selectors
from notifications import selectors as notification_selectors

_NOBODY = {
    "has_compute": False,
    "has_courses": False,
    "has_mentoring": False,
    "has_certificates": False,
    "unread": 0,
}


# A user id no account has: compiled into the navigation's query in place of the real one.
_PLACEHOLDER_ID = -7_315_042


def _header_queryset(user_id: int):
    return (
        User.objects.filter(pk=user_id)
        .annotate(
            has_compute=compute_selectors.nav_condition(),
            has_courses=courses_selectors.nav_condition(),
            has_mentoring=mentoring_selectors.nav_condition(),
            has_certificates=certificates_selectors.nav_condition(),
            unread=notification_selectors.unread_count_expression(user_ref=OuterRef("pk")),
        )
        .values(*_NOBODY)
    )


@functools.cache
def _header_sql(vendor: str) -> tuple[str, tuple, tuple[int, ...]]:
    """The navigation's query as SQL, compiled once per process: building it (four EXISTS and
    a subquery) costs several times what PostgreSQL takes to answer it. Its only variable is
    the user's id; every other parameter is a constant of the code."""
    sql, params = _header_queryset(_PLACEHOLDER_ID)[:1].query.sql_with_params()
    slots = tuple(i for i, value in enumerate(params) if value == _PLACEHOLDER_ID)
    return sql, params, slots


def _header(user) -> dict:
    """Which of the person's own sections exist, and their unread notifications: one query."""
    sql, params, slots = _header_sql(connection.vendor)
    values = list(params)
    for slot in slots:
        values[slot] = user.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
        if row is None:
            return _NOBODY
        names = [column[0] for column in cursor.description]
    facts = dict(zip(names, row, strict=True))
    return {name: facts[name] for name in _NOBODY}


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
            "nav_has_certificates": False,
            "unread_notifications": 0,
        }
    header = SimpleLazyObject(lambda: _header(user))
    context = {
        f"nav_{name}": SimpleLazyObject(lambda name=name: bool(header[name]))
        for name in ("has_compute", "has_courses", "has_mentoring", "has_certificates")
    }
    context["unread_notifications"] = SimpleLazyObject(lambda: header["unread"])
    return context
