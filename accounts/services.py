from typing import Any

from django.db import transaction

from .models import ApplicantProfile, User


@transaction.atomic
def profile_save(*, user: User, data: dict[str, Any]) -> ApplicantProfile:
    """Create or update the user's applicant profile from validated form data.

    Also copies the full name to the user's display name. Writes two rows.
    """
    profile, _created = ApplicantProfile.objects.update_or_create(user=user, defaults=data)
    if user.display_name != profile.full_name:
        user.display_name = profile.full_name
        user.save(update_fields=["display_name"])
    return profile
