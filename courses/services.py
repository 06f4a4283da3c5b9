"""Every write of courses: settings, courses and their cohorts, class sessions, enrolments
(automatic, chosen, by staff), attendance (the roster and self check-in), assessments and
results (one by one or from a CSV file), messages to participants, calendar feeds and the
reminders a day before each session.

A participant's choice of electives runs under a lock on their participation and on the
course, so two quick clicks or two people racing for the last seat cannot go past the
programme's limit or the course's places.
"""

import csv
import io
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from cohorts.models import Cohort
from core.services import audit_record
from courses import checkin, selectors
from courses.enums import (
    AttendanceSource,
    AttendanceStatus,
    CourseKind,
    EnrollmentSource,
    EnrollmentStatus,
)
from courses.models import (
    Assessment,
    AssessmentResult,
    Attendance,
    CalendarFeed,
    ClassSession,
    Course,
    CourseSettings,
    Enrollment,
    new_feed_token,
)
from notifications import services as notification_services
from programmes.models import Programme
from selection.models import Participant

MINE_URL = "/courses/"
CALENDAR_URL = "/courses/calendar/"
REMINDER_AHEAD = timedelta(hours=24)
MAX_IMPORT_ROWS = 5000


class CoursesError(Exception):
    """A change the domain refuses; the message is shown to the user."""


def _name(user: User) -> str:
    return user.display_name or user.email


# --- settings and courses ----------------------------------------------------------------------


def settings_save(*, programme: Programme, max_electives: int, actor: User) -> CourseSettings:
    found, _created = CourseSettings.objects.update_or_create(
        programme=programme, defaults={"max_electives": max_electives}
    )
    audit_record(
        actor=actor,
        action="courses.settings_save",
        target=programme,
        programme=programme,
        max_electives=max_electives,
    )
    return found


@transaction.atomic
def course_save(*, course: Course, cohorts, instructors, actor: User) -> tuple[Course, int]:
    """Create or update a course (a validated form instance) with the cohorts it is offered to
    and its instructors. A required course enrols the participants of its cohorts at once.
    Returns the course and how many people were enrolled."""
    created = course.pk is None
    cohorts = list(cohorts)
    instructors = list(instructors)
    for cohort in cohorts:
        if cohort.programme_id != course.programme_id:
            raise CoursesError(_("A course is offered only to cohorts of its own programme."))
    for person in instructors:
        if not selectors.is_instructor_candidate(programme=course.programme, user=person):
            raise CoursesError(
                _("%(name)s is not on the programme's staff.") % {"name": _name(person)}
            )
    if not created:
        kept = {c.pk for c in cohorts}
        dropped = [c for c in course.cohorts.all() if c.pk not in kept]
        with_sessions = ClassSession.objects.filter(course=course, cohort__in=dropped).exists()
        if with_sessions:
            raise CoursesError(
                _(
                    "A cohort that has sessions of this course cannot be removed from it; "
                    "delete or cancel its sessions first."
                )
            )
    try:
        with transaction.atomic():
            course.save()
    except IntegrityError:
        raise CoursesError(_("The programme already has a course with this code.")) from None
    course.cohorts.set(cohorts)
    course.instructors.set(instructors)
    if not created:
        Enrollment.objects.filter(course=course, status=EnrollmentStatus.ACTIVE).exclude(
            cohort__in=cohorts
        ).update(status=EnrollmentStatus.WITHDRAWN, updated_at=timezone.now())
    enrolled = 0
    if course.kind == CourseKind.REQUIRED:
        for cohort in cohorts:
            enrolled += _enrol_all(course=course, cohort=cohort)
    audit_record(
        actor=actor,
        action="courses.course_create" if created else "courses.course_update",
        target=course,
        programme=course.programme_id,
        code=course.code,
        kind=course.kind,
        cohorts=[c.pk for c in cohorts],
        enrolled=enrolled,
    )
    return course, enrolled


def _enrol_all(*, course: Course, cohort: Cohort) -> int:
    """Enrol every participant of the cohort in a required course; those who were withdrawn by
    staff stay withdrawn."""
    known = set(
        Enrollment.objects.filter(course=course, cohort=cohort).values_list("user_id", flat=True)
    )
    new = [
        Enrollment(
            course=course,
            cohort=cohort,
            user_id=user_id,
            status=EnrollmentStatus.ACTIVE,
            source=EnrollmentSource.AUTOMATIC,
        )
        for user_id in Participant.objects.filter(cohort=cohort).values_list("user_id", flat=True)
        if user_id not in known
    ]
    Enrollment.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def enrol_required(*, participant: Participant) -> int:
    """A new participant is enrolled in each required course offered to their cohort. Someone
    who left the cohort and joins it again is enrolled again; someone the staff took off a
    course (a withdrawn enrolment whose source is STAFF) stays off it: only staff undo that."""
    courses = Course.objects.filter(cohorts=participant.cohort_id, kind=CourseKind.REQUIRED)
    made = 0
    for course in courses:
        enrollment, created = Enrollment.objects.get_or_create(
            course=course,
            cohort_id=participant.cohort_id,
            user_id=participant.user_id,
            defaults={"source": EnrollmentSource.AUTOMATIC},
        )
        if not created and enrollment.status != EnrollmentStatus.ACTIVE:
            if enrollment.source == EnrollmentSource.STAFF:
                continue
            enrollment.status = EnrollmentStatus.ACTIVE
            enrollment.source = EnrollmentSource.AUTOMATIC
            enrollment.save(update_fields=["status", "source", "updated_at"])
        made += 1
    return made


def withdraw_leaver(*, cohort_id: int, user_id: int) -> int:
    """A participant who leaves the cohort leaves its courses; their attendance stays. Their
    required courses are marked automatic, so that joining again enrols them again (even in
    one the staff had enrolled them in)."""
    now = timezone.now()
    active = Enrollment.objects.filter(
        cohort_id=cohort_id, user_id=user_id, status=EnrollmentStatus.ACTIVE
    )
    required = active.filter(course__kind=CourseKind.REQUIRED).update(
        status=EnrollmentStatus.WITHDRAWN, source=EnrollmentSource.AUTOMATIC, updated_at=now
    )
    return required + active.update(status=EnrollmentStatus.WITHDRAWN, updated_at=now)


# --- sessions ----------------------------------------------------------------------------------


def _check_session(session: ClassSession) -> None:
    course = session.course
    if not course.cohorts.filter(pk=session.cohort_id).exists():
        raise CoursesError(_("The course is not offered to this cohort."))
    if session.ends_at <= session.starts_at:
        raise CoursesError(_("A session must end after it starts."))
    if session.instructor_id and not selectors.is_instructor_candidate(
        programme=course.programme, user=session.instructor
    ):
        raise CoursesError(_("The instructor must be on the programme's staff."))


@transaction.atomic
def session_save(*, session: ClassSession, actor: User) -> ClassSession:
    """Create or update a class session (a validated form instance). Moving a session tells the
    people enrolled and arms its reminder again."""
    _check_session(session)
    created = session.pk is None
    moved = False
    if not created:
        before = ClassSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
        moved = (before.starts_at, before.ends_at) != (session.starts_at, session.ends_at) or (
            before.place,
            before.online_url,
        ) != (session.place, session.online_url)
        if (before.starts_at, before.ends_at) != (session.starts_at, session.ends_at):
            session.reminder_sent_at = None
    session.save()
    if moved and session.ends_at > timezone.now() and not session.is_cancelled:
        _tell_enrolled(session, change="moved")
    audit_record(
        actor=actor,
        action="courses.session_create" if created else "courses.session_update",
        target=session,
        programme=session.course.programme_id,
        starts_at=session.starts_at.isoformat(),
        ends_at=session.ends_at.isoformat(),
    )
    return session


def session_cancel(*, session: ClassSession, actor: User) -> ClassSession:
    """Cancel a session that has not ended; the people enrolled are told."""
    with transaction.atomic():
        session = ClassSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
        if session.is_cancelled:
            raise CoursesError(_("This session is already cancelled."))
        if session.ends_at <= timezone.now():
            raise CoursesError(_("A session that has already taken place cannot be cancelled."))
        session.is_cancelled = True
        session.save(update_fields=["is_cancelled", "updated_at"])
        _tell_enrolled(session, change="cancelled")
        audit_record(
            actor=actor,
            action="courses.session_cancel",
            target=session,
            programme=session.course.programme_id,
        )
    return session


def _session_context(session: ClassSession) -> dict:
    tz = session.cohort.tz
    starts = timezone.localtime(session.starts_at, tz)
    ends = timezone.localtime(session.ends_at, tz)
    return {
        "course_code": session.course.code,
        "course_title": session.course.title,
        "topic": session.title,
        "when": f"{starts:%A %-d %B %Y, %H:%M}–{ends:%H:%M} ({session.cohort.timezone})",
        "place": session.place,
        "online_url": session.online_url,
    }


def _enrolled_users(session: ClassSession) -> list[User]:
    return [
        e.user
        for e in Enrollment.objects.filter(
            course_id=session.course_id,
            cohort_id=session.cohort_id,
            status=EnrollmentStatus.ACTIVE,
        ).select_related("user")
    ]


def _tell_enrolled(session: ClassSession, *, change: str) -> int:
    people = _enrolled_users(session)
    return notification_services.notify_bulk(
        recipients=people,
        kind="courses.session_changed",
        context={**_session_context(session), "change": change},
        url=CALENDAR_URL,
        scope=session.course.programme.notification_scope,
    )


# --- enrolments --------------------------------------------------------------------------------


def _lock_participation(cohort_id: int, user: User) -> Participant:
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .filter(cohort_id=cohort_id, user=user)
        .first()
    )
    if participant is None:
        raise CoursesError(_("Only participants of the cohort can take its courses."))
    return participant


def elective_choose(*, course: Course, cohort: Cohort, user: User) -> Enrollment:
    """A participant chooses an elective offered to their cohort, within the programme's limit
    of electives, the course's places, and before its first session starts."""
    if course.kind != CourseKind.ELECTIVE:
        raise CoursesError(_("Required courses are not chosen: everyone takes them."))
    with transaction.atomic():
        _lock_participation(cohort.pk, user)
        # FOR NO KEY UPDATE: it still queues the choices of a course one behind the other, and
        # lets an enrolment by staff (whose insert key-share locks the course) finish instead
        # of deadlocking with this one on the same person's row.
        course = Course.objects.select_for_update(of=("self",), no_key=True).get(pk=course.pk)
        if not course.cohorts.filter(pk=cohort.pk).exists():
            raise CoursesError(_("This course is not offered to your cohort."))
        existing = Enrollment.objects.filter(course=course, cohort=cohort, user=user).first()
        if existing is not None and existing.status == EnrollmentStatus.ACTIVE:
            return existing
        first = selectors.first_session_start(course=course, cohort_id=cohort.pk)
        if first is not None and first <= timezone.now():
            raise CoursesError(
                _("This course has started; ask the programme team if you want to join it.")
            )
        limit = selectors.max_electives(programme=course.programme)
        taken = selectors.electives_taken(cohort_id=cohort.pk, user=user)
        if taken >= limit:
            raise CoursesError(
                _(
                    "You can take at most %(limit)s electives and have chosen %(taken)s; "
                    "drop one first."
                )
                % {"limit": limit, "taken": taken}
            )
        if course.capacity is not None and selectors.elective_seats_taken(course=course) >= (
            course.capacity
        ):
            raise CoursesError(_("This course is full."))
        if existing is not None:
            existing.status = EnrollmentStatus.ACTIVE
            existing.source = EnrollmentSource.CHOSEN
            existing.save(update_fields=["status", "source", "updated_at"])
            enrollment = existing
        else:
            try:
                with transaction.atomic():
                    enrollment = Enrollment.objects.create(
                        course=course, cohort=cohort, user=user, source=EnrollmentSource.CHOSEN
                    )
            except IntegrityError:
                # Staff enrolled them at this very moment: they are enrolled, as they asked.
                return Enrollment.objects.get(course=course, cohort=cohort, user=user)
        audit_record(
            actor=user,
            action="courses.elective_choose",
            target=enrollment,
            programme=course.programme_id,
        )
    return enrollment


def elective_drop(*, enrollment: Enrollment, user: User) -> Enrollment:
    """A participant drops an elective they chose, before its first session starts."""
    with transaction.atomic():
        _lock_participation(enrollment.cohort_id, user)
        enrollment = Enrollment.objects.select_for_update(of=("self",)).get(pk=enrollment.pk)
        if enrollment.user_id != user.pk or enrollment.course.kind != CourseKind.ELECTIVE:
            raise CoursesError(_("Only electives you chose can be dropped."))
        if enrollment.status != EnrollmentStatus.ACTIVE:
            return enrollment
        first = selectors.first_session_start(
            course=enrollment.course, cohort_id=enrollment.cohort_id
        )
        if first is not None and first <= timezone.now():
            raise CoursesError(
                _("This course has started; ask the programme team if you need to leave it.")
            )
        enrollment.status = EnrollmentStatus.WITHDRAWN
        enrollment.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=user,
            action="courses.elective_drop",
            target=enrollment,
            programme=enrollment.course.programme_id,
        )
    return enrollment


def enrol_by_staff(*, course: Course, cohort: Cohort, email: str, actor: User) -> Enrollment:
    """Staff enrol a participant of one of the course's cohorts (limits do not apply)."""
    if not course.cohorts.filter(pk=cohort.pk).exists():
        raise CoursesError(_("The course is not offered to this cohort."))
    user = selectors.participant_get_by_email(cohort=cohort, email=email)
    if user is None:
        raise CoursesError(
            _("No participant of %(cohort)s has the email address %(email)s.")
            % {"cohort": cohort.name, "email": email}
        )
    with transaction.atomic():
        enrollment, created = Enrollment.objects.select_for_update(of=("self",)).get_or_create(
            course=course, cohort=cohort, user=user, defaults={"source": EnrollmentSource.STAFF}
        )
        if not created:
            if enrollment.status == EnrollmentStatus.ACTIVE:
                raise CoursesError(_("%(name)s is already enrolled.") % {"name": _name(user)})
            enrollment.status = EnrollmentStatus.ACTIVE
            enrollment.source = EnrollmentSource.STAFF
            enrollment.save(update_fields=["status", "source", "updated_at"])
        audit_record(
            actor=actor,
            action="courses.enrol",
            target=enrollment,
            programme=course.programme_id,
            user_id=user.pk,
        )
    return enrollment


def unenrol_by_staff(*, enrollment: Enrollment, actor: User) -> Enrollment:
    """Staff take a participant off a course; their attendance and results are kept."""
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise CoursesError(_("This person is not enrolled any more."))
    # The source records that staff made this change: joining the cohort again (or a repeated
    # signal) does not bring them back to a required course.
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.source = EnrollmentSource.STAFF
    enrollment.save(update_fields=["status", "source", "updated_at"])
    audit_record(
        actor=actor,
        action="courses.unenrol",
        target=enrollment,
        programme=enrollment.course.programme_id,
        user_id=enrollment.user_id,
    )
    return enrollment


# --- attendance --------------------------------------------------------------------------------


def attendance_mark(
    *, session: ClassSession, user: User, status: str, actor: User, now: datetime | None = None
) -> Attendance:
    """Mark one person on the roster. Present, late and absent only once the session has
    started; excused at any time."""
    now = now or timezone.now()
    if status not in AttendanceStatus.values:
        raise CoursesError(_("Choose present, late, excused or absent."))
    if session.is_cancelled:
        raise CoursesError(_("This session was cancelled."))
    if status != AttendanceStatus.EXCUSED and session.starts_at > now:
        raise CoursesError(
            _("The session has not started yet: only “excused” can be marked in advance.")
        )
    if not selectors.is_enrolled(
        course_id=session.course_id, cohort_id=session.cohort_id, user=user
    ):
        raise CoursesError(_("%(name)s is not enrolled in this course.") % {"name": _name(user)})
    with transaction.atomic():
        # Re-read under a lock: a cancellation that committed since the page was read wins.
        if _lock_session(session).is_cancelled:
            raise CoursesError(_("This session was cancelled."))
        mark, _created = Attendance.objects.update_or_create(
            session=session,
            user=user,
            defaults={"status": status, "source": AttendanceSource.ROSTER, "marked_by": actor},
        )
        audit_record(
            actor=actor,
            action="courses.attendance_mark",
            target=session,
            programme=session.course.programme_id,
            user_id=user.pk,
            status=status,
        )
    return mark


def attendance_mark_all_present(
    *, session: ClassSession, actor: User, now: datetime | None = None
) -> int:
    """Mark everyone on the roster who has no mark yet as present. Returns how many."""
    now = now or timezone.now()
    if session.is_cancelled:
        raise CoursesError(_("This session was cancelled."))
    if session.starts_at > now:
        raise CoursesError(_("The session has not started yet."))
    with transaction.atomic():
        # FOR NO KEY UPDATE, not FOR UPDATE: a check-in's insert takes a key-share lock on the
        # session (its foreign key) after writing its row, which FOR UPDATE would block while
        # this insert waits for that row: a deadlock.
        ClassSession.objects.select_for_update(of=("self",), no_key=True).get(pk=session.pk)
        marked = set(Attendance.objects.filter(session=session).values_list("user_id", flat=True))
        people = Enrollment.objects.filter(
            course_id=session.course_id, cohort_id=session.cohort_id, status=EnrollmentStatus.ACTIVE
        ).values_list("user_id", flat=True)
        new = [
            Attendance(
                session=session,
                user_id=user_id,
                status=AttendanceStatus.PRESENT,
                source=AttendanceSource.ROSTER,
                marked_by=actor,
            )
            for user_id in people
            if user_id not in marked
        ]
        Attendance.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
        audit_record(
            actor=actor,
            action="courses.attendance_all_present",
            target=session,
            programme=session.course.programme_id,
            count=len(new),
        )
    return len(new)


@dataclass(frozen=True)
class CheckIn:
    session: ClassSession
    already: bool  # they had checked in (or been marked present) before


def _lock_session(session: ClassSession) -> ClassSession:
    """The session's row as it is now, locked until the transaction ends. FOR NO KEY UPDATE:
    it waits for a cancellation (FOR UPDATE) and makes one wait, without blocking the key-share
    locks that inserting attendance takes on it."""
    return ClassSession.objects.select_for_update(of=("self",), no_key=True).get(pk=session.pk)


def _check_in_refusal(session: ClassSession, user: User, now: datetime) -> str:
    """Why the person cannot check in to the session now ("" when they can)."""
    if not selectors.is_check_in_open(session, now):
        return _(
            "Check-in for this session is closed: it opens 15 minutes before the start and "
            "closes when the session ends."
        )
    if not selectors.is_enrolled(
        course_id=session.course_id, cohort_id=session.cohort_id, user=user
    ):
        return _("You are not enrolled in %(course)s, so you cannot check in to its session.") % {
            "course": session.course.code
        }
    return ""


def _check_in(session: ClassSession, user: User, now: datetime) -> CheckIn:
    if refusal := _check_in_refusal(session, user, now):
        raise CoursesError(refusal)
    with transaction.atomic():
        # Checked again on the locked row: a session cancelled (or moved) since it was read, or
        # an enrolment withdrawn meanwhile, refuses the check-in.
        current = _lock_session(session)
        if refusal := _check_in_refusal(current, user, now):
            raise CoursesError(refusal)
        mark = (
            Attendance.objects.select_for_update(of=("self",))
            .filter(session=session, user=user)
            .first()
        )
        if mark is not None and mark.status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE):
            return CheckIn(session=session, already=True)
        status = (
            AttendanceStatus.PRESENT
            if now <= session.starts_at + timedelta(minutes=15)
            else (AttendanceStatus.LATE)
        )
        if mark is None:
            try:
                with transaction.atomic():
                    Attendance.objects.create(
                        session=session, user=user, status=status, source=AttendanceSource.CHECK_IN
                    )
            except IntegrityError:
                # A second device of the same person got there first.
                return CheckIn(session=session, already=True)
        else:
            mark.status = status
            mark.source = AttendanceSource.CHECK_IN
            mark.marked_by = None
            mark.save(update_fields=["status", "source", "marked_by", "updated_at"])
        audit_record(
            actor=user,
            action="courses.check_in",
            target=session,
            programme=session.course.programme_id,
            status=status,
        )
    return CheckIn(session=session, already=False)


# Typed codes are short: a person (or a script) gets this many wrong ones per window, counted
# across both ways of checking in, so switching between them gains no tries.
CHECK_IN_FAILURES_ALLOWED = 10
CHECK_IN_FAILURE_WINDOW = 600  # seconds
TOO_MANY_FAILURES = gettext_lazy(
    "Too many wrong codes: wait a few minutes, then type the code on the screen again."
)


class CheckInBlocked(CoursesError):
    """Too many wrong codes lately; nothing is tried until the window has passed."""


def _failures_key(user: User) -> str:
    return f"courses:check-in-failures:{user.pk}"


def check_in_blocked(*, user: User) -> bool:
    """Whether the person has used up their wrong codes for now."""
    return cache.get(_failures_key(user), 0) >= CHECK_IN_FAILURES_ALLOWED


def _count_failure(user: User) -> None:
    key = _failures_key(user)
    # The window starts at the first failure; add() is atomic, so is incr().
    if not cache.add(key, 1, timeout=CHECK_IN_FAILURE_WINDOW):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=CHECK_IN_FAILURE_WINDOW)


@contextmanager
def _failures_counted(user: User):
    """Refuse while blocked; count each refused check-in against the limit."""
    if check_in_blocked(user=user):
        raise CheckInBlocked(str(TOO_MANY_FAILURES))
    try:
        yield
    except CoursesError:
        _count_failure(user)
        raise


def check_in_with_token(
    *, session: ClassSession, user: User, token: str, now: datetime | None = None
) -> CheckIn:
    """Check in by the QR code's signed token (for this session, at most a minute old)."""
    now = now or timezone.now()
    with _failures_counted(user):
        try:
            checkin.read_token(token, session_id=session.pk, moment=now)
        except checkin.CodeError as error:
            raise CoursesError(str(error)) from None
        return _check_in(session, user, now)


def check_in_with_code(*, user: User, code: str, now: datetime | None = None) -> CheckIn:
    """Check in by the short code: it must be the current code of a session the person is
    enrolled in and that is open for check-in now."""
    now = now or timezone.now()
    with _failures_counted(user):
        if not checkin.normalise_short(code):
            raise CoursesError(_("Type the code shown on the screen."))
        open_sessions = selectors.sessions_open_for_check_in(user=user, now=now)
        for session in open_sessions:
            if checkin.matches_short(code, session_id=session.pk, moment=now):
                return _check_in(session, user, now)
        if not open_sessions:
            raise CoursesError(
                _(
                    "None of your sessions is open for check-in now: check-in opens 15 minutes before "
                    "a session starts and closes when it ends."
                )
            )
        raise CoursesError(
            _(
                "This code is not valid for your session now: codes change every 30 seconds. Type the "
                "code on the screen again."
            )
        )


# --- assessments and results -------------------------------------------------------------------


def assessment_save(*, assessment: Assessment, actor: User) -> Assessment:
    if assessment.pass_mark > assessment.max_score:
        raise CoursesError(_("The pass mark cannot be above the maximum score."))
    created = assessment.pk is None
    assessment.save()
    audit_record(
        actor=actor,
        action="courses.assessment_create" if created else "courses.assessment_update",
        target=assessment,
        programme=assessment.course.programme_id,
        max_score=str(assessment.max_score),
        pass_mark=str(assessment.pass_mark),
    )
    return assessment


def _score(assessment: Assessment, raw) -> Decimal:
    try:
        score = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise CoursesError(_("“%(raw)s” is not a number.") % {"raw": str(raw).strip()}) from None
    if not score.is_finite():
        raise CoursesError(_("“%(raw)s” is not a number.") % {"raw": str(raw).strip()})
    if score < 0 or score > assessment.max_score:
        raise CoursesError(
            _("The score must be between 0 and %(max)s.") % {"max": assessment.max_score}
        )
    if score != score.quantize(Decimal("0.01")):
        raise CoursesError(_("Scores have at most two decimals."))
    return score


def result_record(
    *, assessment: Assessment, user: User, score, comment: str, actor: User
) -> AssessmentResult:
    """Record or correct one participant's result."""
    value = _score(assessment, score)
    if not Enrollment.objects.filter(
        course_id=assessment.course_id, user=user, status=EnrollmentStatus.ACTIVE
    ).exists():
        raise CoursesError(_("%(name)s is not enrolled in this course.") % {"name": _name(user)})
    with transaction.atomic():
        result, _created = AssessmentResult.objects.update_or_create(
            assessment=assessment,
            user=user,
            defaults={"score": value, "comment": comment.strip(), "recorded_by": actor},
        )
        audit_record(
            actor=actor,
            action="courses.result_record",
            target=assessment,
            programme=assessment.course.programme_id,
            user_id=user.pk,
            score=str(value),
        )
    return result


class ImportRejected(CoursesError):
    """The file has bad rows; nothing was imported. `errors` lists (line, message)."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__(
            _("Nothing was imported: %(count)s rows have problems.") % {"count": len(errors)}
        )


def _csv_delimiter(text: str) -> str:
    """The first comma, semicolon or tab of the file. Every row starts with an email address
    (or the header's "email"), which holds none of them, so that character ends the first cell.
    csv.Sniffer guesses wrong on one-row files with decimal commas ("a@b.org;7,5") and gives up
    when one row has a column too many, reporting every row instead of the bad one."""
    for char in text:
        if char in ",;\t":
            return char
    return ","


def _csv_records(text: str) -> list[tuple[int, list[str]]]:
    """The file's non-blank records, each with the line it starts on (a quoted comment may span
    several lines). More than MAX_IMPORT_ROWS records, or text the csv module cannot read, is
    refused before any row is checked."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_csv_delimiter(text))
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                records.append((start, row))
                if len(records) > MAX_IMPORT_ROWS + 1:  # one more for a header row
                    break
            start = reader.line_num + 1
    except csv.Error:
        raise ImportRejected(
            [(start, _("This line cannot be read as CSV: check its quotes."))]
        ) from None
    header = 1 if records and records[0][1][0].strip().lower() in _HEADER_NAMES else 0
    if len(records) - header > MAX_IMPORT_ROWS:
        raise ImportRejected([(0, _("At most 5,000 rows can be imported at once."))])
    return records


_HEADER_NAMES = ("email", "e-mail", "email address")


def results_import(*, assessment: Assessment, data: bytes | str, actor: User) -> int:
    """Import results from CSV (email, score, comment; a header row is optional). Every row is
    checked first; with any bad row nothing is imported and each problem is reported with its
    line number. Returns how many results were written."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRejected(
                [(0, _("The file is not UTF-8 text; save it as CSV UTF-8."))]
            ) from None
    else:
        text = data
    rows = _csv_records(text)
    enrolled = selectors.enrolled_users_by_email(course=assessment.course)
    errors: list[tuple[int, str]] = []
    parsed: dict[int, tuple[User, Decimal, str, int]] = {}
    for index, (line, row) in enumerate(rows):
        cells = [c.strip() for c in row]
        if index == 0 and cells[0].lower() in _HEADER_NAMES:
            continue
        if len(cells) < 2:
            errors.append((line, _("Expected email, score and an optional comment.")))
            continue
        if len(cells) > 3:
            errors.append((line, _("Too many columns: expected email, score, comment.")))
            continue
        email, raw = cells[0], cells[1]
        comment = cells[2] if len(cells) > 2 else ""
        user = enrolled.get(email.lower())
        if user is None:
            errors.append((line, _("%(email)s is not enrolled in this course.") % {"email": email}))
            continue
        if user.pk in parsed:
            errors.append(
                (
                    line,
                    _("%(email)s is also on line %(other)s.")
                    % {"email": email, "other": parsed[user.pk][3]},
                )
            )
            continue
        if len(comment) > 2000:
            errors.append((line, _("The comment is longer than 2,000 characters.")))
            continue
        try:
            score = _score(assessment, raw)
        except CoursesError as error:
            errors.append((line, str(error)))
            continue
        parsed[user.pk] = (user, score, comment, line)
    if errors:
        raise ImportRejected(errors)
    if not parsed:
        raise ImportRejected([(0, _("The file has no rows."))])
    with transaction.atomic():
        existing = {
            r.user_id: r
            for r in AssessmentResult.objects.select_for_update(of=("self",)).filter(
                assessment=assessment, user_id__in=parsed
            )
        }
        new, changed = [], []
        for user_id, (user, score, comment, _line) in parsed.items():
            if user_id in existing:
                result = existing[user_id]
                result.score, result.comment, result.recorded_by = score, comment, actor
                result.updated_at = timezone.now()
                changed.append(result)
            else:
                new.append(
                    AssessmentResult(
                        assessment=assessment,
                        user=user,
                        score=score,
                        comment=comment,
                        recorded_by=actor,
                    )
                )
        AssessmentResult.objects.bulk_create(new, batch_size=500)
        AssessmentResult.objects.bulk_update(
            changed, ["score", "comment", "recorded_by", "updated_at"], batch_size=500
        )
        audit_record(
            actor=actor,
            action="courses.results_import",
            target=assessment,
            programme=assessment.course.programme_id,
            created=len(new),
            updated=len(changed),
        )
    return len(parsed)


# --- messages ----------------------------------------------------------------------------------


def message_participants(
    *, programme: Programme, users, subject: str, body: str, actor: User
) -> int:
    """Write to some participants (those at risk, say) from the programme team."""
    people = list(users)
    if not people:
        raise CoursesError(_("Choose at least one person to write to."))
    with transaction.atomic():
        sent = notification_services.notify_bulk(
            recipients=people,
            kind="courses.message",
            context={
                "programme_name": programme.name,
                "subject": subject.strip(),
                "body": body.strip(),
                "sender_name": _name(actor),
            },
            url=MINE_URL,
            scope=programme.notification_scope,
        )
        audit_record(
            actor=actor,
            action="courses.message",
            target=programme,
            programme=programme,
            recipients=len(people),
            subject=subject.strip()[:200],
        )
    return sent


def progress_exported(*, programme: Programme, cohort: Cohort, actor: User, rows: int) -> None:
    """Record who downloaded a cohort's progress (its people's emails and attendance)."""
    audit_record(
        actor=actor,
        action="courses.progress_export",
        target=programme,
        programme=programme,
        cohort=cohort.pk,
        rows=rows,
    )


# --- calendar feeds ----------------------------------------------------------------------------


def feed_create(*, user: User) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def feed_reset(*, user: User) -> CalendarFeed:
    """A new secret URL; the old one stops working at once."""
    feed, created = CalendarFeed.objects.get_or_create(user=user)
    if not created:
        feed.token = new_feed_token()
        feed.save(update_fields=["token", "updated_at"])
    audit_record(actor=user, action="courses.feed_reset", target=feed)
    return feed


def feed_revoke(*, user: User) -> bool:
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=user, action="courses.feed_revoke", target=user)
    return bool(deleted)


def feed_touch(*, feed: CalendarFeed) -> None:
    """Note when the feed was last read (at most every ten minutes, to spare writes)."""
    now = timezone.now()
    if feed.last_read_at is None or now - feed.last_read_at > timedelta(minutes=10):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=now)


# --- reminders ---------------------------------------------------------------------------------


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind the people enrolled in (and the instructor of) every session that starts in the
    next 24 hours, once per session. Each session is claimed with a conditional update, so two
    beats or a retry never remind twice. Returns how many sessions were announced."""
    now = now or timezone.now()
    due = list(
        ClassSession.objects.filter(
            is_cancelled=False,
            reminder_sent_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + REMINDER_AHEAD,
        ).values_list("pk", flat=True)
    )
    announced = 0
    for session_id in due:
        with transaction.atomic():
            claimed = ClassSession.objects.filter(
                pk=session_id, reminder_sent_at__isnull=True, is_cancelled=False
            ).update(reminder_sent_at=now)
            if not claimed:
                continue
            session = ClassSession.objects.select_related(
                "course", "course__programme", "cohort", "instructor"
            ).get(pk=session_id)
            people = _enrolled_users(session)
            if session.instructor is not None and session.instructor not in people:
                people.append(session.instructor)
            notification_services.notify_bulk(
                recipients=people,
                kind="courses.session_reminder",
                context=_session_context(session),
                url=CALENDAR_URL,
                dedupe_key=f"courses.session_reminder:{session.pk}:{int(session.starts_at.timestamp())}",
                scope=session.course.programme.notification_scope,
            )
            announced += 1
    return announced
