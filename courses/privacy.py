"""Courses' part of a person's data: enrolments, attendance at each class session, assessment
results (with the comment written to them) and whether they have a calendar feed (never its
secret address). Who marked or recorded each is left out (staff members' own data)."""

from django.utils.translation import gettext_lazy as _

from core.privacy_registry import (
    Erased,
    ErasureScope,
    PersonalData,
    PrivacyPart,
    Target,
    number,
    target_of,
    when,
)
from courses.models import AssessmentResult, Attendance, CalendarFeed, Enrollment


def collect(person, targets: frozenset[Target]) -> PersonalData:
    data = PersonalData()
    enrollments = (
        Enrollment.objects.filter(user=person)
        .select_related("course", "cohort")
        .order_by("created_at", "id")
    )
    for enrollment in enrollments:
        data.records.append(
            {
                "enrolment": {
                    "course": enrollment.course.title,
                    "cohort": enrollment.cohort.name,
                    "status": enrollment.status,
                    "how": enrollment.source,
                    "at": when(enrollment.created_at),
                }
            }
        )
        data.targets.add(target_of(enrollment))
    attendance = (
        Attendance.objects.filter(user=person)
        .select_related("session__course")
        .order_by("session__starts_at", "id")
    )
    for mark in attendance:
        data.records.append(
            {
                "attendance": {
                    "course": mark.session.course.title,
                    "session": mark.session.title,
                    "starts_at": when(mark.session.starts_at),
                    "status": mark.status,
                    "how": mark.source,
                }
            }
        )
        data.targets.add(target_of(mark))
    results = (
        AssessmentResult.objects.filter(user=person)
        .select_related("assessment__course")
        .order_by("created_at", "id")
    )
    for result in results:
        data.records.append(
            {
                "assessment_result": {
                    "course": result.assessment.course.title,
                    "assessment": result.assessment.name,
                    "score": number(result.score),
                    "max_score": number(result.assessment.max_score),
                    "comment": result.comment,
                    "at": when(result.created_at),
                }
            }
        )
        data.targets.add(target_of(result))
    feed = CalendarFeed.objects.filter(user=person).first()
    if feed is not None:
        data.records.append(
            {
                "calendar_feed": {
                    "created_at": when(feed.created_at),
                    "last_read_at": when(feed.last_read_at),
                }
            }
        )
    return data


def erase(scope: ErasureScope) -> Erased:
    """Enrolments, attendance and scores stay (the courses' figures and certificates rest on
    them); the comments written on the person's results go, and on an erasure their calendar
    feed (a secret address) too."""
    results = AssessmentResult.objects.filter(user=scope.person).exclude(comment="")
    if not scope.is_whole:
        results = results.filter(
            assessment__course__enrollments__user=scope.person,
            assessment__course__enrollments__cohort_id__in=sorted(scope.cohort_ids),
        )
    rows = AssessmentResult.objects.filter(
        pk__in=list(results.values_list("pk", flat=True))
    ).update(comment="")
    if scope.is_whole:
        rows += CalendarFeed.objects.filter(user=scope.person).delete()[0]
    return Erased(rows=rows)


PARTS = (
    PrivacyPart(
        slug="courses",
        label=_("Courses and attendance"),
        collect=collect,
        order=70,
        erase=erase,
    ),
)
