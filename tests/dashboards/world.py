"""A cohort whose applications stop at every step of the funnel, for the dashboard's tests."""

import datetime
import html
import io
import re
import zipfile
from decimal import Decimal

from django.utils import timezone

from applications.enums import ApplicationStatus
from courses.enums import AttendanceStatus
from mentoring.enums import PairingStatus
from selection.enums import OfferStatus
from tests.factories import (
    AllocationFactory,
    ApplicantProfileFactory,
    ApplicationFactory,
    AttendanceFactory,
    CertificateFactory,
    ClassSessionFactory,
    CohortFactory,
    CourseFactory,
    EnrollmentFactory,
    MentoringSessionFactory,
    MentorProfileFactory,
    OfferFactory,
    PairingFactory,
    ParticipantFactory,
    QuotaFactory,
    ResourcePoolFactory,
    ResourceTypeFactory,
)

DEPTHS = (
    "applied",
    "submitted",
    "eligible",
    "reviewed",
    "offered",
    "accepted",
    "attending",
    "certified",
)


PROFILE_FIELDS = {"gender", "sector", "job_level", "residency", "employer_size", "is_union_member"}


def cohort_of(programme, **kwargs):
    now = timezone.now()
    defaults = {
        "name": "Main intake",
        "slug": "main",
        "opens_at": now - datetime.timedelta(days=60),
        "closes_at": now - datetime.timedelta(days=30),
        "starts_on": (now - datetime.timedelta(days=20)).date(),
    }
    return CohortFactory(programme=programme, **{**defaults, **kwargs})


def session_of(cohort, course=None):
    course = course or CourseFactory(programme=cohort.programme, cohorts=[cohort])
    return ClassSessionFactory(
        course=course, cohort=cohort, starts_at=timezone.now() - datetime.timedelta(days=1)
    )


def person(cohort, depth: str, *, full_name: str = "", email: str = "", session=None, **attrs):
    """An applicant with a profile whose application to `cohort` stopped at `depth`."""
    profile_kwargs = {"full_name": full_name} if full_name else {}
    # The profile says what the application kept of it.
    profile_kwargs.update({k: v for k, v in attrs.items() if k in PROFILE_FIELDS and v is not None})
    if email:
        profile_kwargs["user__email"] = email
    profile = ApplicantProfileFactory(**profile_kwargs)
    user = profile.user
    level = DEPTHS.index(depth)
    status = {
        0: ApplicationStatus.DRAFT,
        1: ApplicationStatus.INELIGIBLE,
        2: ApplicationStatus.SUBMITTED,
        3: ApplicationStatus.IN_REVIEW,
        4: ApplicationStatus.OFFERED,
    }.get(level, ApplicationStatus.ACCEPTED)
    application = ApplicationFactory(
        cohort=cohort,
        applicant=user,
        full_name=profile.full_name,
        email=user.email,
        status=status,
        submitted_at=None if level == 0 else timezone.now() - datetime.timedelta(days=40),
        is_eligible=None if level == 0 else level >= 2,
        review_count=1 if level >= 3 else 0,
        **attrs,
    )
    if level >= 4:
        OfferFactory(
            application=application,
            status=OfferStatus.ACCEPTED if level >= 5 else OfferStatus.OPEN,
            decided_at=timezone.now() if level >= 5 else None,
        )
    if level >= 5:
        ParticipantFactory(application=application)
    if level >= 6:
        AttendanceFactory(
            session=session or session_of(cohort), user=user, status=AttendanceStatus.PRESENT
        )
    if level >= 7:
        CertificateFactory(cohort=cohort, user=user)
    return application


def populated(programme, *, per_depth: int = 1, quota_attribute: str = "gender"):
    """A cohort with `per_depth` applications stopping at each step, half women and half men
    where it can, a quota on `quota_attribute`, a compute pool, a course and a mentoring pair."""
    cohort = cohort_of(programme)
    QuotaFactory(cohort=cohort, attribute=quota_attribute, values=["woman"])
    session = session_of(cohort)
    for depth in DEPTHS:
        for n in range(per_depth):
            person(cohort, depth, session=session, gender="woman" if n % 2 == 0 else "man")
    return cohort


def extras(cohort, *, count: int = 1):
    """`count` compute pools, courses (with an enrolment and a session) and mentoring pairs."""
    participants = list(cohort.participants.select_related("user"))
    for n in range(count):
        resource = ResourceTypeFactory(programme=cohort.programme, slug=f"resource-{n}")
        pool = ResourcePoolFactory(cohort=cohort, resource=resource, total=Decimal(1000))
        if participants:
            AllocationFactory(
                pool=pool, participant=participants[0], user=participants[0].user, used=Decimal(10)
            )
        course = CourseFactory(programme=cohort.programme, code=f"C{n}", cohorts=[cohort])
        session_of(cohort, course)
        if participants:
            EnrollmentFactory(course=course, cohort=cohort, user=participants[0].user)
        pairing = PairingFactory(
            cohort=cohort,
            mentee=participants[n % len(participants)].user if participants else None,
            mentor=MentorProfileFactory(programme=cohort.programme),
            status=PairingStatus.ACTIVE,
        )
        MentoringSessionFactory(pairing=pairing)


def xlsx_cells(content: bytes) -> list[str]:
    """Every string and number of the first sheet of an XLSX file, in order."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        shared = []
        if "xl/sharedStrings.xml" in archive.namelist():
            shared = re.findall(
                r"<t[^>]*>([^<]*)</t>", archive.read("xl/sharedStrings.xml").decode()
            )
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    cells = []
    # A value (a number, or a shared string's index), or a string written inline (as the
    # constant-memory mode does).
    pattern = r"<c ([^>]*)>(?:<v>([^<]*)</v>|<is><t[^>]*>([^<]*)</t></is>)</c>"
    for attrs, value, inline in re.findall(pattern, sheet):
        if 't="inlineStr"' in attrs:
            cells.append(html.unescape(inline))
        else:
            cells.append(html.unescape(shared[int(value)]) if 't="s"' in attrs else value)
    return cells
