from django.utils.functional import SimpleLazyObject

from compute import selectors


def navigation(request):
    """Whether the signed-in user holds any compute allocation, for the "My compute" link: one
    query, made only when a template shows the link."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_has_compute": False}
    return {
        "nav_has_compute": SimpleLazyObject(
            lambda: selectors.allocation_list_for_user(user=user).exists()
        )
    }
