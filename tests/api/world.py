"""Data for the read API's tests: `fill` gives a cohort `n` of everything each list shows, so
that every list can be asked at one item and at three (the query count must not change)."""

from types import SimpleNamespace

from applications.enums import ApplicationStatus
from courses.enums import AttendanceStatus
from tests.factories import (
    AllocationFactory,
    ApplicationFactory,
    AttendanceFactory,
    CertificateFactory,
    ClassSessionFactory,
    CourseFactory,
    EnrollmentFactory,
    MentoringSessionFactory,
    PairingFactory,
    ParticipantFactory,
    ResourcePoolFactory,
    ReviewAssignmentFactory,
    SelectionRunFactory,
    UsageRecordFactory,
)

API = "/api/v1"


def fill(cohort, n: int) -> SimpleNamespace:
    """`n` applications in review, each assigned to its own reviewer; `n` selection runs;
    `n` participants, each with an allocation of one pool (the first with `n` usage records),
    a mentor and a certificate; `n` courses, the first with `n` sessions, the first session
    with `n` people enrolled and marked."""
    programme = cohort.programme
    applications = [
        ApplicationFactory(
            cohort=cohort, status=ApplicationStatus.IN_REVIEW, full_name=f"Applicant {i}"
        )
        for i in range(n)
    ]
    for application in applications:
        ReviewAssignmentFactory(application=application)
    runs = [SelectionRunFactory(cohort=cohort) for _ in range(n)]
    participants = [ParticipantFactory(application__cohort=cohort) for _ in range(n)]
    pool = ResourcePoolFactory(cohort=cohort)
    allocations = [AllocationFactory(pool=pool, participant=p, user=p.user) for p in participants]
    for _ in range(n):
        UsageRecordFactory(allocation=allocations[0])
    pairings = [PairingFactory(cohort=cohort, mentee=p.user) for p in participants]
    for pairing in pairings:
        MentoringSessionFactory(pairing=pairing)
    courses = [CourseFactory(programme=programme, cohorts=[cohort]) for _ in range(n)]
    sessions = [ClassSessionFactory(course=courses[0], cohort=cohort) for _ in range(n)]
    for participant in participants:
        EnrollmentFactory(course=courses[0], cohort=cohort, user=participant.user)
        AttendanceFactory(
            session=sessions[0], user=participant.user, status=AttendanceStatus.PRESENT
        )
    certificates = [CertificateFactory(cohort=cohort, user=p.user) for p in participants]
    return SimpleNamespace(
        programme=programme,
        cohort=cohort,
        applications=applications,
        runs=runs,
        participants=participants,
        pool=pool,
        allocations=allocations,
        pairings=pairings,
        courses=courses,
        sessions=sessions,
        certificates=certificates,
    )


def staff_lists(w: SimpleNamespace) -> dict[str, str]:
    """Every list of the programme's, by name, as a path."""
    p = f"{API}/programmes/{w.programme.slug}"
    c = f"{p}/cohorts/{w.cohort.slug}"
    return {
        "programmes": f"{API}/programmes",
        "cohorts": f"{p}/cohorts",
        "applications": f"{c}/applications",
        "review_progress": f"{c}/review-progress",
        "selection_runs": f"{c}/selection-runs",
        "participants": f"{c}/participants",
        "allocations": f"{p}/allocations",
        "usage": f"{p}/allocations/{w.allocations[0].pk}/usage",
        "pairings": f"{p}/pairings",
        "courses": f"{p}/courses",
        "sessions": f"{p}/courses/{w.courses[0].pk}/sessions",
        "attendance": f"{p}/sessions/{w.sessions[0].pk}/attendance",
        "certificates": f"{c}/certificates",
    }


def staff_details(w: SimpleNamespace) -> dict[str, str]:
    p = f"{API}/programmes/{w.programme.slug}"
    c = f"{p}/cohorts/{w.cohort.slug}"
    return {
        "programme": p,
        "application": f"{c}/applications/{w.applications[0].pk}",
        "selection_run": f"{c}/selection-runs/{w.runs[0].number}",
    }
