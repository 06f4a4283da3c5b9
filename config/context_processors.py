from django.utils.functional import SimpleLazyObject

from accounts.models import User
from compute import selectors as compute_selectors
from courses import selectors as courses_selectors
from mentoring import selectors as mentoring_selectors


def _sections(user) -> dict[str, bool]:
    """Which of the person's own sections exist, in one query."""
    flags = (
        User.objects.filter(pk=user.pk)
        .annotate(
            has_compute=compute_selectors.nav_condition(),
            has_courses=courses_selectors.nav_condition(),
            has_mentoring=mentoring_selectors.nav_condition(),
        )
        .values("has_compute", "has_courses", "has_mentoring")
        .first()
    )
    return flags or {"has_compute": False, "has_courses": False, "has_mentoring": False}


def navigation(request):
    """Whether the signed-in user has a "My compute", "My courses" and "My mentoring" page: one
    query for the three, made only when a template shows one of the links."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_has_compute": False, "nav_has_courses": False, "nav_has_mentoring": False}
    sections = SimpleLazyObject(lambda: _sections(user))
    return {
        f"nav_{name}": SimpleLazyObject(lambda name=name: bool(sections[name]))
        for name in ("has_compute", "has_courses", "has_mentoring")
    }
