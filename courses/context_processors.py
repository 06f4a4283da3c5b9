from django.utils.functional import SimpleLazyObject

from courses import selectors


def navigation(request):
    """Whether the signed-in user has a courses page (a participant of a cohort with courses,
    or an instructor), for the "Courses" link: at most one query, made only when a template
    shows the link."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_has_courses": False}
    return {"nav_has_courses": SimpleLazyObject(lambda: selectors.has_courses(user=user))}
