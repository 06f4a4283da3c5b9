from django.utils.functional import SimpleLazyObject

from programmes import selectors


def navigation(request):
    """The signed-in user's programme memberships, for the navigation bar (one query, lazily)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_memberships": []}
    return {
        "nav_memberships": SimpleLazyObject(lambda: selectors.membership_list_for_user(user=user))
    }
