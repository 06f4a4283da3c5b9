"""Every read of courses: the programme's courses and sessions, rosters, each participant's
enrolments and progress, upcoming sessions and calendar feeds.

Progress is computed for many people at once in a constant number of queries: the counts come
from the database grouped by person and course, and `courses/progress.py` does the arithmetic.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort
from courses import progress
from courses.checkin import OPENS_BEFORE
from courses.enums import ATTENDED, AttendanceStatus, CourseKind, EnrollmentStatus
from courses.models import (
    DEFAULT_MAX_ELECTIVES,
    Assessment,
    AssessmentResult,
    Attendance,
    CalendarFeed,
    ClassSession,
    Course,
    CourseSettings,
    Enrollment,
)
from programmes.enums import RoleKind
from programmes.models import Programme, ProgrammeRole
from selection.models import Participant

# --- programme settings and courses ------------------------------------------------------------


def max_electives(*, programme: Programme) -> int:
    value = (
        CourseSettings.objects.filter(programme=programme)
        .values_list("max_electives", flat=True)
        .first()
    )
    return DEFAULT_MAX_ELECTIVES if value is None else value


def settings_get(*, programme: Programme) -> CourseSettings:
    """The programme's settings, unsaved defaults when none were saved yet."""
    found = CourseSettings.objects.filter(programme=programme).first()
    return found or CourseSettings(programme=programme)


def course_list_for_programme(*, programme: Programme) -> QuerySet[Course]:
    """The programme's courses with their cohorts, and counts of enrolments and sessions."""
    now = timezone.now()
    return (
        Course.objects.filter(programme=programme)
        .annotate(
            enrolled=Count(
                "enrollments",
                filter=Q(enrollments__status=EnrollmentStatus.ACTIVE),
                distinct=True,
            ),
            sessions_scheduled=Count(
                "sessions", filter=Q(sessions__is_cancelled=False), distinct=True
            ),
            sessions_held=Count(
                "sessions",
                filter=Q(sessions__is_cancelled=False, sessions__ends_at__lte=now),
                distinct=True,
            ),
        )
        .prefetch_related(
            Prefetch("cohorts", queryset=Cohort.objects.order_by("starts_on", "id")),
            Prefetch("instructors", queryset=User.objects.order_by("display_name", "email")),
        )
        .order_by("code", "id")
    )


def course_get(*, programme: Programme, course_id: int) -> Course | None:
    return Course.objects.filter(programme=programme, pk=course_id).first()


def course_cohorts(*, course: Course) -> QuerySet[Cohort]:
    return course.cohorts.order_by("starts_on", "id")


def cohort_list(*, programme: Programme) -> QuerySet[Cohort]:
    return Cohort.objects.filter(programme=programme).order_by("-starts_on", "id")


def cohort_get(*, programme: Programme, cohort_id) -> Cohort | None:
    try:
        return Cohort.objects.filter(programme=programme, pk=int(cohort_id)).first()
    except (TypeError, ValueError):
        return None


def staff_of_programme(*, programme: Programme) -> QuerySet[User]:
    """Who may teach: the programme's staff and admins."""
    return (
        User.objects.filter(
            programme_roles__programme=programme,
            programme_roles__role__in=[RoleKind.STAFF, RoleKind.PROGRAMME_ADMIN],
            is_active=True,
        )
        .distinct()
        .order_by("display_name", "email")
    )


def is_instructor_candidate(*, programme: Programme, user: User) -> bool:
    return ProgrammeRole.objects.filter(
        programme=programme, user=user, role__in=[RoleKind.STAFF, RoleKind.PROGRAMME_ADMIN]
    ).exists()


# --- sessions ----------------------------------------------------------------------------------


def session_list(*, course: Course, cohort: Cohort | None = None) -> QuerySet[ClassSession]:
    sessions = ClassSession.objects.filter(course=course).select_related("cohort", "instructor")
    if cohort is not None:
        sessions = sessions.filter(cohort=cohort)
    return sessions.annotate(
        marked=Count("attendance", distinct=True),
        attended=Count("attendance", filter=Q(attendance__status__in=ATTENDED), distinct=True),
    ).order_by("starts_at", "id")


def session_get(*, programme: Programme, session_id: int) -> ClassSession | None:
    return (
        ClassSession.objects.filter(course__programme=programme, pk=session_id)
        .select_related("course", "cohort", "instructor", "course__programme")
        .first()
    )


def session_get_by_id(*, session_id: int) -> ClassSession | None:
    return (
        ClassSession.objects.filter(pk=session_id)
        .select_related("course", "cohort", "instructor", "course__programme")
        .first()
    )


def is_check_in_open(session: ClassSession, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return not session.is_cancelled and session.starts_at - OPENS_BEFORE <= now < session.ends_at


@dataclass
class RosterRow:
    user: User
    enrollment_id: int
    status: str  # "" when not marked
    source: str


def roster(*, session: ClassSession) -> list[RosterRow]:
    """Everyone enrolled in the session's course and cohort with their mark: two queries."""
    marks = {
        a["user_id"]: a
        for a in Attendance.objects.filter(session=session).values("user_id", "status", "source")
    }
    enrollments = (
        Enrollment.objects.filter(
            course_id=session.course_id, cohort_id=session.cohort_id, status=EnrollmentStatus.ACTIVE
        )
        .select_related("user")
        .order_by("user__display_name", "user__email", "id")
    )
    rows = []
    for enrollment in enrollments:
        mark = marks.get(enrollment.user_id, {})
        rows.append(
            RosterRow(
                user=enrollment.user,
                enrollment_id=enrollment.pk,
                status=mark.get("status", ""),
                source=mark.get("source", ""),
            )
        )
    return rows


def roster_counts(rows: list[RosterRow]) -> dict[str, int]:
    counts = dict.fromkeys(AttendanceStatus.values, 0)
    counts[""] = 0
    for row in rows:
        counts[row.status] += 1
    return counts


def roster_row(*, session: ClassSession, user_id: int) -> RosterRow | None:
    enrollment = (
        Enrollment.objects.filter(
            course_id=session.course_id,
            cohort_id=session.cohort_id,
            status=EnrollmentStatus.ACTIVE,
            user_id=user_id,
        )
        .select_related("user")
        .first()
    )
    if enrollment is None:
        return None
    mark = Attendance.objects.filter(session=session, user_id=user_id).first()
    return RosterRow(
        user=enrollment.user,
        enrollment_id=enrollment.pk,
        status=mark.status if mark else "",
        source=mark.source if mark else "",
    )


# --- enrolments --------------------------------------------------------------------------------


def enrollment_list(*, course: Course, cohort: Cohort | None = None) -> QuerySet[Enrollment]:
    enrollments = Enrollment.objects.filter(
        course=course, status=EnrollmentStatus.ACTIVE
    ).select_related("user", "cohort")
    if cohort is not None:
        enrollments = enrollments.filter(cohort=cohort)
    return enrollments.order_by("user__display_name", "user__email", "id")


def enrollment_get(*, course: Course, enrollment_id: int) -> Enrollment | None:
    return (
        Enrollment.objects.filter(course=course, pk=enrollment_id)
        .select_related("user", "cohort")
        .first()
    )


def is_enrolled(*, course_id: int, cohort_id: int, user: User) -> bool:
    return Enrollment.objects.filter(
        course_id=course_id, cohort_id=cohort_id, user=user, status=EnrollmentStatus.ACTIVE
    ).exists()


def participant_get_by_email(*, cohort: Cohort, email: str) -> User | None:
    participant = (
        Participant.objects.filter(cohort=cohort, user__email__iexact=email.strip())
        .select_related("user")
        .first()
    )
    return participant.user if participant else None


def participants(*, cohort: Cohort) -> QuerySet[Participant]:
    return Participant.objects.filter(cohort=cohort).select_related("user")


def participations(*, user: User) -> QuerySet[Participant]:
    return (
        Participant.objects.filter(user=user)
        .select_related("cohort", "cohort__programme")
        .order_by("-cohort__starts_on", "id")
    )


def participation_get(*, user: User, cohort_id: int) -> Participant | None:
    return (
        Participant.objects.filter(user=user, cohort_id=cohort_id)
        .select_related("cohort", "cohort__programme")
        .first()
    )


def electives_taken(*, cohort_id: int, user: User) -> int:
    return Enrollment.objects.filter(
        cohort_id=cohort_id,
        user=user,
        status=EnrollmentStatus.ACTIVE,
        course__kind=CourseKind.ELECTIVE,
    ).count()


def elective_seats_taken(*, course: Course) -> int:
    return Enrollment.objects.filter(course=course, status=EnrollmentStatus.ACTIVE).count()


def first_session_start(*, course: Course, cohort_id: int) -> datetime | None:
    session = (
        ClassSession.objects.filter(course=course, cohort_id=cohort_id, is_cancelled=False)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    return session


@dataclass
class ElectiveOffer:
    course: Course
    enrolled: bool
    seats_left: int | None
    starts_at: datetime | None

    @property
    def started(self) -> bool:
        return self.starts_at is not None and self.starts_at <= timezone.now()


def electives_for(*, cohort: Cohort, user: User) -> list[ElectiveOffer]:
    """The cohort's electives with whether the person takes each, seats left and first session:
    three queries."""
    courses = list(
        Course.objects.filter(cohorts=cohort, kind=CourseKind.ELECTIVE)
        .annotate(
            taken=Count(
                "enrollments", filter=Q(enrollments__status=EnrollmentStatus.ACTIVE), distinct=True
            )
        )
        .order_by("code", "id")
    )
    mine = set(
        Enrollment.objects.filter(
            cohort=cohort, user=user, status=EnrollmentStatus.ACTIVE, course__in=courses
        ).values_list("course_id", flat=True)
    )
    firsts = dict(
        ClassSession.objects.filter(course__in=courses, cohort=cohort, is_cancelled=False)
        .values("course_id")
        .annotate(first=Min("starts_at"))
        .values_list("course_id", "first")
    )
    return [
        ElectiveOffer(
            course=course,
            enrolled=course.pk in mine,
            seats_left=None if course.capacity is None else max(course.capacity - course.taken, 0),
            starts_at=firsts.get(course.pk),
        )
        for course in courses
    ]


# --- progress ----------------------------------------------------------------------------------


@dataclass
class AssessmentLine:
    assessment: Assessment
    result: AssessmentResult | None
    state: str


@dataclass
class CourseProgress:
    course: Course
    forecast: progress.Forecast
    assessments: list[AssessmentLine]
    state: str
    score: object  # Decimal | None

    @property
    def assessments_passed(self) -> int:
        return sum(1 for line in self.assessments if line.state == progress.PASSED)

    @property
    def assessments_left(self) -> list[AssessmentLine]:
        return [line for line in self.assessments if line.state != progress.PASSED]

    @property
    def at_risk(self) -> bool:
        return self.state in (progress.AT_RISK, progress.UNREACHABLE)


@dataclass
class ParticipantProgress:
    user: User
    cohort: Cohort
    courses: list[CourseProgress] = field(default_factory=list)

    @property
    def overall_rate(self) -> int | None:
        return progress.overall_rate([c.forecast for c in self.courses])

    @property
    def at_risk(self) -> bool:
        return any(c.at_risk for c in self.courses)

    @property
    def reasons(self) -> list[str]:
        reasons = []
        for c in self.courses:
            if c.state == progress.UNREACHABLE:
                reasons.append(f"{c.course.code}: {c.course.min_attendance} % out of reach")
            elif c.forecast.below_now:
                reasons.append(
                    f"{c.course.code}: attendance {c.forecast.rate} % of {c.course.min_attendance} %"
                )
            for line in c.assessments:
                if line.state == progress.MISSING:
                    reasons.append(f"{c.course.code}: {line.assessment.name} not handed in")
                elif line.state == progress.FAILED:
                    reasons.append(f"{c.course.code}: {line.assessment.name} not passed")
        return reasons

    @property
    def completed(self) -> int:
        return sum(1 for c in self.courses if c.state == progress.COMPLETED)


def cohort_progress(
    *,
    cohort: Cohort,
    user_ids: list[int] | None = None,
    now: datetime | None = None,
    today: date | None = None,
) -> list[ParticipantProgress]:
    """Each enrolled participant's progress in each of their courses in the cohort, in five
    queries whatever the number of people or courses. `user_ids` narrows it to some people."""
    now = now or timezone.now()
    today = today or timezone.localdate(now, cohort.tz)
    enrollments = Enrollment.objects.filter(
        cohort=cohort, status=EnrollmentStatus.ACTIVE
    ).select_related("user", "course")
    if user_ids is not None:
        enrollments = enrollments.filter(user_id__in=user_ids)
    enrollments = list(enrollments.order_by("user__display_name", "user__email", "user_id"))
    if not enrollments:
        return []
    course_ids = {e.course_id for e in enrollments}
    people = {e.user_id for e in enrollments}

    counts = {
        row["course_id"]: row
        for row in ClassSession.objects.filter(
            cohort=cohort, course_id__in=course_ids, is_cancelled=False
        )
        .values("course_id")
        .annotate(scheduled=Count("id"), held=Count("id", filter=Q(ends_at__lte=now)))
    }
    marks = (
        Attendance.objects.filter(
            session__cohort=cohort,
            session__course_id__in=course_ids,
            session__is_cancelled=False,
            user_id__in=people,
        )
        .values("user_id", "session__course_id")
        .annotate(
            attended=Count("id", filter=Q(status__in=ATTENDED, session__ends_at__lte=now)),
            excused_held=Count(
                "id", filter=Q(status=AttendanceStatus.EXCUSED, session__ends_at__lte=now)
            ),
            excused_upcoming=Count(
                "id", filter=Q(status=AttendanceStatus.EXCUSED, session__ends_at__gt=now)
            ),
        )
    )
    by_person_course = {(m["user_id"], m["session__course_id"]): m for m in marks}
    assessments = defaultdict(list)
    for assessment in Assessment.objects.filter(course_id__in=course_ids).order_by("due_on", "id"):
        assessments[assessment.course_id].append(assessment)
    results = {
        (r.user_id, r.assessment_id): r
        for r in AssessmentResult.objects.filter(
            assessment__course_id__in=course_ids, user_id__in=people
        )
    }

    board: dict[int, ParticipantProgress] = {}
    for enrollment in enrollments:
        course = enrollment.course
        count = counts.get(course.pk, {"scheduled": 0, "held": 0})
        mark = by_person_course.get((enrollment.user_id, course.pk), {})
        forecast = progress.Forecast(
            required=course.min_attendance,
            scheduled=count["scheduled"],
            held=count["held"],
            attended=mark.get("attended", 0),
            excused_held=mark.get("excused_held", 0),
            excused_upcoming=mark.get("excused_upcoming", 0),
        )
        lines, outcomes = [], []
        for assessment in assessments.get(course.pk, []):
            result = results.get((enrollment.user_id, assessment.pk))
            if result is not None:
                result.assessment = assessment
            outcome = progress.AssessmentOutcome(
                max_score=assessment.max_score,
                pass_mark=assessment.pass_mark,
                weight=assessment.weight,
                score=result.score if result else None,
                due_on=assessment.due_on,
            )
            outcomes.append(outcome)
            lines.append(AssessmentLine(assessment, result, outcome.state(today)))
        entry = board.setdefault(
            enrollment.user_id, ParticipantProgress(user=enrollment.user, cohort=cohort)
        )
        entry.courses.append(
            CourseProgress(
                course=course,
                forecast=forecast,
                assessments=lines,
                state=progress.course_state(forecast, outcomes, today),
                score=progress.weighted_score(outcomes),
            )
        )
    for entry in board.values():
        entry.courses.sort(key=lambda c: (c.course.kind != CourseKind.REQUIRED, c.course.code))
    return list(board.values())


def participant_progress(
    *, cohort: Cohort, user: User, now: datetime | None = None
) -> ParticipantProgress:
    found = cohort_progress(cohort=cohort, user_ids=[user.pk], now=now)
    return found[0] if found else ParticipantProgress(user=user, cohort=cohort)


# --- assessments -------------------------------------------------------------------------------


def assessment_list(*, course: Course) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(course=course)
        .annotate(
            recorded=Count("results", distinct=True),
        )
        .order_by("due_on", "id")
    )


def assessment_get(*, course: Course, assessment_id: int) -> Assessment | None:
    return Assessment.objects.filter(course=course, pk=assessment_id).first()


def result_list(*, assessment: Assessment) -> QuerySet[AssessmentResult]:
    return (
        AssessmentResult.objects.filter(assessment=assessment)
        .select_related("user")
        .order_by("user__display_name", "user__email", "id")
    )


def enrolled_users_by_email(*, course: Course) -> dict[str, User]:
    """Active enrollees of the course, by lower-case email: for the results import."""
    return {
        e.user.email.lower(): e.user
        for e in Enrollment.objects.filter(
            course=course, status=EnrollmentStatus.ACTIVE
        ).select_related("user")
    }


# --- calendars ---------------------------------------------------------------------------------


def sessions_for_user(
    *, user: User, start: datetime | None = None, end: datetime | None = None
) -> QuerySet[ClassSession]:
    """Sessions of the person's active enrolments and the sessions they teach."""
    enrolled = Enrollment.objects.filter(
        user=user,
        status=EnrollmentStatus.ACTIVE,
        course_id=OuterRef("course_id"),
        cohort_id=OuterRef("cohort_id"),
    )
    sessions = ClassSession.objects.filter(Q(Exists(enrolled)) | Q(instructor=user))
    if start is not None:
        sessions = sessions.filter(ends_at__gte=start)
    if end is not None:
        sessions = sessions.filter(starts_at__lt=end)
    return sessions.select_related("course", "cohort", "cohort__programme", "instructor").order_by(
        "starts_at", "id"
    )


def sessions_open_for_check_in(*, user: User, now: datetime | None = None) -> list[ClassSession]:
    """The person's sessions (as a participant, not as their instructor) open for check-in now."""
    now = now or timezone.now()
    return [
        s
        for s in sessions_for_user(user=user, start=now, end=now + OPENS_BEFORE)
        if s.instructor_id != user.pk and is_check_in_open(s, now)
    ]


def upcoming_sessions(*, user: User, now: datetime | None = None, limit: int = 50):
    now = now or timezone.now()
    return sessions_for_user(user=user, start=now)[:limit]


def feed_get(*, user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def feed_by_token(*, token: str) -> CalendarFeed | None:
    if not token or len(token) > 64:
        return None
    return CalendarFeed.objects.filter(token=token).select_related("user").first()


def nav_condition():
    """Whether the person (OuterRef "pk") has a courses page: enrolled somewhere, a
    participant of a cohort with courses, or teaching. For the navigation's one query."""
    return (
        Exists(Enrollment.objects.filter(user=OuterRef("pk")))
        | Exists(Participant.objects.filter(user=OuterRef("pk"), cohort__courses__isnull=False))
        | Exists(ClassSession.objects.filter(instructor=OuterRef("pk")))
        | Exists(Course.objects.filter(instructors=OuterRef("pk")))
    )


def has_courses(*, user: User) -> bool:
    """Whether the person has a courses page."""
    return User.objects.filter(pk=user.pk).filter(nav_condition()).exists()


# --- a participant's own pages -----------------------------------------------------------------


def elective_offered(*, cohort: Cohort, course_id: int) -> Course | None:
    """An elective offered to the cohort, or None."""
    return Course.objects.filter(cohorts=cohort, kind=CourseKind.ELECTIVE, pk=course_id).first()


def enrollment_for_user(*, course: Course, cohort: Cohort, user: User) -> Enrollment | None:
    return (
        Enrollment.objects.filter(course=course, cohort=cohort, user=user)
        .select_related("course")
        .first()
    )


def attendance_statuses(*, user: User, session_ids) -> dict[int, str]:
    """The person's marks at these sessions: session id → status."""
    return dict(
        Attendance.objects.filter(user=user, session_id__in=list(session_ids)).values_list(
            "session_id", "status"
        )
    )
