"""Receivers of the signals the apps below review send; connected from `ReviewsConfig.ready()`."""

from django.dispatch import receiver
from django.utils.translation import gettext as _

from cohorts.signals import cohort_copied
from programmes.enums import RoleKind
from programmes.signals import programme_role_revoked


@receiver(programme_role_revoked, dispatch_uid="reviews.reviewer_role_revoked")
def reviews_on_role_revoked(sender, *, programme, user, role, **kwargs):
    """A reviewer who leaves the programme's reviewers keeps no open assignment."""
    if role != RoleKind.REVIEWER:
        return
    from reviews import services

    services.assignments_deactivate_for_reviewer(
        reviewer=user, programme=programme, reason=_("No longer a reviewer of the programme")
    )


@receiver(cohort_copied, dispatch_uid="reviews.cohort_copied")
def reviews_on_cohort_copied(sender, *, source, target, **kwargs):
    """A cohort that takes an earlier one's set-up takes its review rubric too."""
    from reviews import services

    return {"criteria": services.criteria_copy(source=source, target=target)}
