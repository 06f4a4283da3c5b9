"""The read API of courses (mounted under /api/v1/ by config/api.py): a programme's courses,
their class sessions and each session's attendance, for the people who teach it (as on the
teaching pages)."""

from datetime import datetime
from typing import Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from core.api import ERRORS, PageIn, page_schema, paginate
from courses import selectors
from courses.enums import AttendanceStatus, CourseKind
from courses.models import ClassSession, Course
from programmes.selectors import programme_for

router = Router(tags=["courses"])

TEACH = "courses.teach"


class CourseOut(Schema):
    id: int
    code: str
    title: str
    kind: CourseKind
    hours: float | None
    cohorts: list[str] = Field(description="The slugs of the cohorts it is offered to.")
    instructors: list[str] = Field(description="The instructors' emails.")
    enrolled: int
    sessions_scheduled: int
    sessions_held: int


CoursePageOut = page_schema(CourseOut, "CoursePage")


def course_out(course: Course) -> dict:
    return {
        "id": course.pk,
        "code": course.code,
        "title": course.title,
        "kind": course.kind,
        "hours": course.hours,
        "cohorts": [cohort.slug for cohort in course.cohorts.all()],
        "instructors": [user.email for user in course.instructors.all()],
        "enrolled": course.enrolled,
        "sessions_scheduled": course.sessions_scheduled,
        "sessions_held": course.sessions_held,
    }


@router.get(
    "/programmes/{slug}/courses",
    response={200: CoursePageOut, **ERRORS},
    summary="List a programme's courses",
    description="For the programme's staff, by course code.",
)
def course_list(request: HttpRequest, slug: str, page: Query[PageIn]):
    programme = programme_for(request, slug, TEACH)
    return paginate(selectors.course_list_for_programme(programme=programme), page, course_out)


class SessionOut(Schema):
    id: int
    cohort: str = Field(description="The cohort's slug.")
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    online_url: str
    instructor_email: str | None
    is_cancelled: bool
    marked: int = Field(description="Attendance marks recorded.")
    attended: int = Field(description="Of those, present or late.")


class SessionFilters(Schema):
    cohort: str | None = Field(None, max_length=80, description="A cohort's slug.")


SessionPageOut = page_schema(SessionOut, "ClassSessionPage")


def session_out(session: ClassSession) -> dict:
    return {
        "id": session.pk,
        "cohort": session.cohort.slug,
        "title": session.title,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "place": session.place,
        "online_url": session.online_url,
        "instructor_email": session.instructor.email if session.instructor else None,
        "is_cancelled": session.is_cancelled,
        "marked": session.marked,
        "attended": session.attended,
    }


@router.get(
    "/programmes/{slug}/courses/{int:course_id}/sessions",
    response={200: SessionPageOut, **ERRORS},
    summary="List a course's class sessions",
    description="For the programme's staff, the earliest first, with attendance counts.",
)
def session_list(
    request: HttpRequest,
    slug: str,
    course_id: int,
    page: Query[PageIn],
    filters: Query[SessionFilters],
):
    programme = programme_for(request, slug, TEACH)
    course = selectors.course_get(programme=programme, course_id=course_id)
    if course is None:
        raise Http404
    sessions = selectors.session_list(course=course)
    if filters.cohort:
        sessions = sessions.filter(cohort__slug=filters.cohort)
    return paginate(sessions, page, session_out)


class AttendanceOut(Schema):
    user_id: int
    name: str
    email: str
    status: AttendanceStatus | Literal[""] = Field(description="Empty when not marked.")
    source: str = Field(description="`roster` or `check_in`; empty when not marked.")


AttendancePageOut = page_schema(AttendanceOut, "AttendancePage")


def attendance_out(row: selectors.RosterRow) -> dict:
    return {
        "user_id": row.user.pk,
        "name": row.user.get_full_name(),
        "email": row.user.email,
        "status": row.status,
        "source": row.source,
    }


@router.get(
    "/programmes/{slug}/sessions/{int:session_id}/attendance",
    response={200: AttendancePageOut, **ERRORS},
    summary="A class session's attendance",
    description="For the programme's staff: everyone enrolled, by name, with their mark.",
)
def session_attendance(request: HttpRequest, slug: str, session_id: int, page: Query[PageIn]):
    programme = programme_for(request, slug, TEACH)
    session = selectors.session_get(programme=programme, session_id=session_id)
    if session is None:
        raise Http404
    return paginate(selectors.roster(session=session), page, attendance_out)
