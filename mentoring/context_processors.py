from django.utils.functional import SimpleLazyObject

from mentoring import selectors


def navigation(request):
    """Whether the signed-in user has a mentoring page (a mentor, or a participant), for the
    "Mentoring" link: at most one query, made only when a template shows the link."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_has_mentoring": False}
    return {"nav_has_mentoring": SimpleLazyObject(lambda: selectors.has_mentoring(user=user))}
