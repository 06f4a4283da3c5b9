"""Object permissions of applications ("may user U do X to application A")."""

import rules


@rules.predicate
def is_own_application(user, application) -> bool:
    return user.is_authenticated and application.applicant_id == user.pk


@rules.predicate
def is_disputable(user, application) -> bool:
    return application.is_disputable


# Asking for a correction of what was submitted: the applicant's own, once it can no longer be
# edited. Staff resolve requests with "programmes.manage_applications".
rules.add_perm("applications.dispute_application", is_own_application & is_disputable)
