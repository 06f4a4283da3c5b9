"""Demo data of certificates: the demo cohort's certification rule, certificates issued to a few
eligible participants (one of them revoked), others eligible and not issued yet, the rest not
yet eligible. Running it again adds nothing."""

from dataclasses import dataclass

from django.conf import settings

from accounts.models import User
from cohorts.models import Cohort
from courses.enums import CourseKind
from courses.models import Course

from . import keys, selectors, services
from .enums import BoardState
from .models import Certificate, CertificationRule

ISSUED = 4  # certificates issued, the last one then revoked
ELIGIBLE_LEFT = 2  # eligible participants left for staff to issue
WAIVER_REASON = "Recognised prior learning: completed the equivalent course at work."
REVOKE_REASON = "Issued before the final project was checked; it was not the participant's work."


@dataclass
class DemoCertificates:
    issued: int
    revoked: int
    eligible: int
    not_yet: int
    valid_url: str
    revoked_url: str
    holder_email: str = ""


def seed_demo(cohort: Cohort, actor: User) -> DemoCertificates:
    if not keys.key_ids():
        # What `manage.py certificates_keygen` does on a real server, before the first issue.
        keys.signing_key_create()
    if not CertificationRule.objects.filter(cohort=cohort).exists():
        required = Course.objects.filter(
            programme=cohort.programme, cohorts=cohort, kind=CourseKind.REQUIRED
        ).order_by("code")
        services.rule_save(
            cohort=cohort,
            actor=actor,
            required_courses=list(required),
            min_attendance=75,
            assessments_must_pass=True,
            min_mentoring_sessions=2,
            achievement_name=f"{cohort.programme.name} graduate",
            achievement_description=(
                f"Completed the {cohort.programme.name} programme ({cohort.name}): its required "
                "courses, their assessments and mentoring."
            ),
        )
    if not Certificate.objects.filter(cohort=cohort).exists():
        _issue(cohort, actor)
    return _figures(cohort)


def _issue(cohort: Cohort, actor: User) -> None:
    board = selectors.cohort_board(cohort=cohort)
    eligible = [row for row in board if row.eligible]
    waiting = sorted(
        (row for row in board if not row.eligible and row.items),
        key=lambda row: (len(row.missing), row.user.email),
    )
    # Courses still running leave few people eligible this early: staff recognise prior
    # learning for those closest, as they would, so the demo shows every state (one person at
    # least is left not yet eligible, and one eligible but not issued, when the cohort is big
    # enough; a valid and a revoked certificate come first).
    wanted = min(ISSUED + ELIGIBLE_LEFT, max(3, len(board) - 1))
    for row in waiting[: max(0, wanted - len(eligible))]:
        for item in row.missing:
            services.waiver_add(
                cohort=cohort,
                user=row.user,
                requirement=item.key,
                reason=WAIVER_REASON,
                actor=actor,
            )
        eligible.append(row)
    certificates = [
        services.certificate_issue(cohort=cohort, user=row.user, actor=actor)
        for row in eligible[: min(ISSUED, max(2, len(eligible) - 1))]
    ]
    if len(certificates) > 1:
        services.certificate_revoke(certificate=certificates[-1], actor=actor, reason=REVOKE_REASON)


def _figures(cohort: Cohort) -> DemoCertificates:
    counts = dict.fromkeys(BoardState.values, 0)
    for row in selectors.cohort_board(cohort=cohort):
        counts[row.state] += 1
    valid = selectors.certificates_valid(cohort=cohort).order_by("id").first()
    revoked = (
        Certificate.objects.filter(cohort=cohort).exclude(status="valid").order_by("id").first()
    )
    return DemoCertificates(
        issued=counts[BoardState.ISSUED],
        revoked=counts[BoardState.REVOKED],
        eligible=counts[BoardState.ELIGIBLE],
        not_yet=counts[BoardState.NOT_YET],
        valid_url=f"{settings.SITE_URL}/verify/{valid.code}/" if valid else "",
        revoked_url=f"{settings.SITE_URL}/verify/{revoked.code}/" if revoked else "",
        holder_email=valid.user.email if valid else "",
    )
