from .models import ApplicantProfile, User


def profile_get_for_user(*, user: User) -> ApplicantProfile | None:
    """The user's own applicant profile, or None when they have not completed it."""
    if not user.is_authenticated:
        return None
    return ApplicantProfile.objects.filter(user=user).first()
