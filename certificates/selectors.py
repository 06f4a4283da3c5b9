"""Reads of certificates: the checklist of each participant (the evidence of a whole cohort in a
constant number of queries), certificates by code, runs, and the issuer's DID document."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from accounts.models import User
from cohorts.models import Cohort
from compute.models import Allocation
from courses import progress
from courses import selectors as course_selectors
from mentoring.models import MentoringSession
from programmes.models import Programme
from selection.models import Participant

from . import checklist, keys, ob3
from .enums import BoardState, CertificateStatus
from .models import Certificate, CertificationRule, IssueRun, SignOff, Waiver


@dataclass
class Checklist:
    user: User
    items: list[checklist.Item]
    eligible: bool
    certificate: Certificate | None
    state: str

    @property
    def waived(self) -> list[str]:
        return [item.key for item in self.items if item.waived]

    @property
    def missing(self) -> list[checklist.Item]:
        return [item for item in self.items if not item.ok]


def rule_get(*, cohort: Cohort) -> CertificationRule | None:
    return (
        CertificationRule.objects.filter(cohort=cohort)
        .select_related("compute_resource")
        .prefetch_related("required_courses")
        .first()
    )


def course_name(course) -> str:
    return f"{course.code} {course.title}"


def requirements_for(rule: CertificationRule) -> checklist.Requirements:
    return checklist.Requirements(
        required_courses=tuple(
            (course.pk, course_name(course))
            for course in sorted(rule.required_courses.all(), key=lambda c: c.code)
        ),
        min_attendance=rule.min_attendance,
        min_course_attendance=rule.min_course_attendance,
        assessments_must_pass=rule.assessments_must_pass,
        min_mentoring_sessions=rule.min_mentoring_sessions,
        min_compute_use=rule.min_compute_use if rule.compute_resource_id else None,
        compute_unit=rule.compute_resource.get_unit_display() if rule.compute_resource else "",
        requires_sign_off=rule.requires_sign_off,
    )


def holder_name(user: User) -> str:
    """The name as on the person's profile (as applications copy it), else the account's."""
    try:
        profile = user.applicant_profile
    except User.applicant_profile.RelatedObjectDoesNotExist:
        profile = None
    if profile is not None and profile.full_name.strip():
        return profile.full_name.strip()
    return user.display_name or user.email


def _evidence(
    *, cohort: Cohort, rule: CertificationRule, user_ids: list[int]
) -> dict[int, checklist.Evidence]:
    courses: dict[int, list[checklist.CourseEvidence]] = {uid: [] for uid in user_ids}
    overall: dict[int, int | None] = {}
    for entry in course_selectors.cohort_progress(cohort=cohort, user_ids=user_ids):
        for line in entry.courses:
            courses[entry.user.pk].append(
                checklist.CourseEvidence(
                    course_id=line.course.pk,
                    name=course_name(line.course),
                    completed=line.state == progress.COMPLETED,
                    attendance=line.forecast.rate,
                    min_attendance=line.course.min_attendance,
                    assessments_passed=line.assessments_passed,
                    assessments_total=len(line.assessments),
                )
            )
        overall[entry.user.pk] = entry.overall_rate

    sessions: dict[int, int] = {}
    if rule.min_mentoring_sessions:
        # The sessions mentoring counts: confirmed by the mentor and not marked missed.
        sessions = dict(
            MentoringSession.objects.filter(
                pairing__cohort=cohort,
                pairing__mentee_id__in=user_ids,
                mentor_confirmed=True,
            )
            .exclude(attended=False)
            .values_list("pairing__mentee_id")
            .annotate(n=Count("id"))
        )
    use: dict[int, Decimal] = {}
    if rule.compute_resource_id and rule.min_compute_use is not None:
        use = dict(
            Allocation.objects.filter(
                pool__cohort=cohort,
                pool__resource_id=rule.compute_resource_id,
                user_id__in=user_ids,
            )
            .values_list("user_id")
            .annotate(total=Sum("used"))
        )
    signed = set()
    if rule.requires_sign_off:
        signed = set(
            SignOff.objects.filter(cohort=cohort, user_id__in=user_ids).values_list(
                "user_id", flat=True
            )
        )
    return {
        uid: checklist.Evidence(
            courses=tuple(courses[uid]),
            overall_attendance=overall.get(uid),
            mentoring_sessions=sessions.get(uid, 0),
            compute_use=use.get(uid) or Decimal(0),
            signed_off=uid in signed,
        )
        for uid in user_ids
    }


def _state(*, certificate: Certificate | None, eligible: bool) -> str:
    if certificate is not None:
        return BoardState.REVOKED if certificate.is_revoked else BoardState.ISSUED
    return BoardState.ELIGIBLE if eligible else BoardState.NOT_YET


def _checklists(*, cohort: Cohort, users: list[User]) -> list[Checklist]:
    if not users:
        return []
    user_ids = [u.pk for u in users]
    certificates: dict[int, Certificate] = {}
    # The valid certificate if there is one, else the latest revoked one.
    for cert in Certificate.objects.filter(cohort=cohort, user_id__in=user_ids).order_by(
        "created_at", "id"
    ):
        current = certificates.get(cert.user_id)
        if current is None or current.status != CertificateStatus.VALID:
            certificates[cert.user_id] = cert
    rule = rule_get(cohort=cohort)
    if rule is None:
        return [
            Checklist(
                user=u,
                items=[],
                eligible=False,
                certificate=certificates.get(u.pk),
                state=_state(certificate=certificates.get(u.pk), eligible=False),
            )
            for u in users
        ]
    requirements = requirements_for(rule)
    evidence = _evidence(cohort=cohort, rule=rule, user_ids=user_ids)
    waivers: dict[int, set[str]] = {}
    for user_id, requirement in Waiver.objects.filter(
        cohort=cohort, user_id__in=user_ids
    ).values_list("user_id", "requirement"):
        waivers.setdefault(user_id, set()).add(requirement)
    result = []
    for user in users:
        items = checklist.evaluate(
            requirements, evidence[user.pk], frozenset(waivers.get(user.pk, ()))
        )
        is_eligible = checklist.eligible(items)
        certificate = certificates.get(user.pk)
        result.append(
            Checklist(
                user=user,
                items=items,
                eligible=is_eligible,
                certificate=certificate,
                state=_state(certificate=certificate, eligible=is_eligible),
            )
        )
    return result


def participants(*, cohort: Cohort, q: str = "") -> QuerySet[Participant]:
    found = Participant.objects.filter(cohort=cohort).select_related(
        "user", "user__applicant_profile"
    )
    if q:
        found = found.filter(
            Q(user__display_name__icontains=q)
            | Q(user__email__icontains=q)
            | Q(user__applicant_profile__full_name__icontains=q)
        )
    return found.order_by("user__display_name", "user__email", "user_id")


def participant_get(*, cohort: Cohort, user_id: int) -> User | None:
    found = participants(cohort=cohort).filter(user_id=user_id).first()
    return found.user if found else None


def checklist_for(*, cohort: Cohort, user: User) -> Checklist:
    return _checklists(cohort=cohort, users=[user])[0]


def cohort_board(*, cohort: Cohort, state: str | None = None, q: str = "") -> list[Checklist]:
    """Every participant's checklist, in a constant number of queries; `state` (a BoardState)
    and `q` (name or email) narrow it."""
    users = [p.user for p in participants(cohort=cohort, q=q)]
    board = _checklists(cohort=cohort, users=users)
    if state:
        board = [row for row in board if row.state == state]
    return board


# --- certificates ------------------------------------------------------------------------------


def _certificates() -> QuerySet[Certificate]:
    return Certificate.objects.select_related("cohort__programme", "user")


def certificate_get_by_code(*, code: str) -> Certificate | None:
    return _certificates().filter(code=code).first()


def certificate_list_for_holder(*, user: User) -> QuerySet[Certificate]:
    return _certificates().filter(user=user).order_by("-issued_on", "-id")


def certificate_get_for_holder(*, user: User, code: str) -> Certificate | None:
    return _certificates().filter(user=user, code=code).first()


def certificate_get_for_staff(*, programme: Programme, code: str) -> Certificate | None:
    return _certificates().filter(cohort__programme=programme, code=code).first()


def certificates_valid(*, cohort: Cohort) -> QuerySet[Certificate]:
    return _certificates().filter(cohort=cohort, status=CertificateStatus.VALID)


# --- runs --------------------------------------------------------------------------------------


def run_get(*, cohort: Cohort, run_id: int) -> IssueRun | None:
    return IssueRun.objects.filter(cohort=cohort, pk=run_id).first()


def run_latest(*, cohort: Cohort) -> IssueRun | None:
    return IssueRun.objects.filter(cohort=cohort).order_by("-created_at", "-id").first()


# --- issuer ------------------------------------------------------------------------------------


def issuer_did() -> str:
    return ob3.did_web_for(settings.SITE_URL, allow_http=True)


def did_document() -> dict:
    """The issuer's DID document: every signing key, current and retired."""
    return ob3.did_web_document(issuer_did(), keys.public_keys())


def credential_verifies(*, certificate: Certificate, document: dict | None = None) -> bool:
    """The stored credential's proof checks out against the published keys (`document`: the
    DID document, when the caller has it already)."""
    resolver = ob3.key_resolver_from_did_document(document or did_document())
    return ob3.verify(certificate.credential, resolve_key=resolver)


def credential_holder_name(credential: dict) -> str | None:
    """The holder's name as the signed credential states it (its "name" identifier)."""
    subject = credential.get("credentialSubject") or {}
    for identifier in subject.get("identifier") or []:
        if isinstance(identifier, dict) and identifier.get("identityType") == "name":
            return identifier.get("identityHash")
    return subject.get("name")


def revoked_ids_between(first: int, last: int) -> list[int]:
    """Ids of revoked certificates in [first, last): the set bits of a status list."""
    return list(
        Certificate.objects.filter(
            pk__gte=first, pk__lt=last, status=CertificateStatus.REVOKED
        ).values_list("pk", flat=True)
    )


def status_list_exists(number: int, size: int) -> bool:
    """Whether list `number` holds any certificate (else it is unknown: 404)."""
    return Certificate.objects.filter(pk__gte=number * size, pk__lt=(number + 1) * size).exists()


# --- navigation (used by config/context_processors.py) -----------------------------------------


def nav_condition():
    """Whether the person (OuterRef "pk") has a "My certificate" page: a participant of a cohort
    with a certification rule, or the holder of a certificate. For the navigation's one query."""
    return Exists(
        Participant.objects.filter(user=OuterRef("pk"), cohort__certification_rule__isnull=False)
    ) | Exists(Certificate.objects.filter(user=OuterRef("pk")))


def certificate_list_for_cohort(*, cohort: Cohort) -> QuerySet[Certificate]:
    """Every certificate issued in the cohort (revoked ones too), the newest first."""
    return _certificates().filter(cohort=cohort).order_by("-issued_on", "-id")
