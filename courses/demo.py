"""Demo courses: two required courses and two electives for the demo cohort, taught by the
programme's staff in weekly evening sessions in the cohort's time zone; every participant in
the required courses and many in an elective; the attendance of the sessions held (most people
at 80–100 %, about one in fifteen behind in one course, a few excused, a few who stopped coming);
a quiz and a project per course, with the results of those already due (a few failed, a few
not handed in); a note from the instructor to those behind in AI102; and the instructor's
calendar feed. Called by `seed_demo`; safe to run again (it updates in place, and writes the
teaching history once).

The demo cohort's own dates lie ahead (its application window is open), but the rest of the
demo tells of a programme under way — six weeks of compute usage, mentors introduced eight
weeks ago — so teaching here began six weeks before the day of seeding. One session of AI101
is set around the moment of seeding, so that its roster and check-in code can be tried at
once; the elective AI202 starts in three days, so participants can still choose it.

It goes through the services for the settings, courses (which enrol everyone in the required
ones), sessions and assessments. The history — electives chosen before the courses started,
attendance and results — is written in bulk, as the services would have left it.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import User
from cohorts.models import Cohort
from courses import selectors, services
from courses.enums import (
    AssessmentKind,
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
    ClassSession,
    Course,
    CourseSettings,
    Enrollment,
)
from selection.models import Participant

MAX_ELECTIVES = 2
STAFF_EMAIL = f"staff@{accounts_demo.DEMO_DOMAIN}"  # the demo's instructor (programmes/demo.py)
SEATS_LEFT = 5  # AI202 is filled to this many places short of its capacity
CHECK_IN_LATE = datetime.timedelta(minutes=15)  # as services._check_in counts "late"


@dataclass(frozen=True)
class AssessmentSpec:
    name: str
    kind: str
    max_score: Decimal
    pass_mark: Decimal
    weight: Decimal
    due: int  # days from today


@dataclass(frozen=True)
class CourseSpec:
    code: str
    title: str
    description: str
    kind: str
    hours: Decimal
    capacity: int | None
    first: int  # the first session, in days from today; one a week from then
    start: datetime.time  # local time in the cohort's time zone
    minutes: int
    place: str
    online_url: str
    instructors: tuple[int, ...]  # 0: the demo's staff member, 1: another member of staff
    topics: tuple[str, ...]  # one per session
    assessments: tuple[AssessmentSpec, ...]
    cancelled: int | None = None  # the session (by number) called off, with a make-up at the end


def _quiz(name: str, due: int) -> AssessmentSpec:
    return AssessmentSpec(name, AssessmentKind.QUIZ, Decimal(20), Decimal(12), Decimal(1), due)


def _project(name: str, due: int) -> AssessmentSpec:
    return AssessmentSpec(name, AssessmentKind.PROJECT, Decimal(100), Decimal(50), Decimal(3), due)


COURSES = [
    CourseSpec(
        code="AI101",
        title="Foundations of machine learning",
        description=(
            "Data, features and models: regression, classification, evaluation and the traps "
            "of leakage and imbalance, with Python notebooks on real operations data."
        ),
        kind=CourseKind.REQUIRED,
        hours=Decimal(24),
        capacity=None,
        first=-42,
        start=datetime.time(19, 0),
        minutes=120,
        place="Lab 2, Meridian Learning Centre, 10 Science Park Road",
        online_url="",
        instructors=(0,),
        topics=(
            "What machine learning is, and is not",
            "Working with data in Python",
            "Linear and logistic regression",
            "Evaluating models: splits, metrics, leakage",
            "Trees and ensembles",
            "Imbalanced data and costs of errors",
            "Lab: training your first classifier",
            "Feature engineering",
            "Unsupervised learning and clustering",
            "Neural networks from the ground up",
            "Explaining predictions",
            "Review and project clinic",
        ),
        assessments=(
            _quiz("Quiz 1: supervised learning", -25),
            _project("Project 1: a classifier for maintenance tickets", -6),
        ),
    ),
    CourseSpec(
        code="AI102",
        title="Building with large language models",
        description=(
            "Prompts, tokens and embeddings; retrieval-augmented generation; tools and agents; "
            "evaluating and serving LLM applications on the programme's Qwen-Max tokens."
        ),
        kind=CourseKind.REQUIRED,
        hours=Decimal(30),
        capacity=None,
        first=-33,
        start=datetime.time(19, 0),
        minutes=180,
        place="",
        online_url="https://meet.example.org/ai-forward-ai102",
        instructors=(1, 0),
        topics=(
            "How LLMs work: tokens, context, sampling",
            "Prompting that holds up",
            "Embeddings and vector search",
            "Retrieval-augmented generation",
            "Evaluating LLM applications",
            "Tools, function calling and agents",
            "Fine-tuning: when and how",
            "Serving, cost and latency",
            "Safety, privacy and red-teaming",
            "Project demos",
        ),
        assessments=(
            _quiz("Quiz: prompts, tokens and embeddings", -12),
            _project("Project: a retrieval assistant for your workplace", 30),
        ),
    ),
    CourseSpec(
        code="AI201",
        title="MLOps in production",
        description=(
            "Shipping and running models: packaging, CI, model registries, monitoring and "
            "drift, GPU scheduling on the Meridian cluster, and incident response."
        ),
        kind=CourseKind.ELECTIVE,
        hours=Decimal(20),
        capacity=300,
        first=-24,
        start=datetime.time(19, 0),
        minutes=150,
        place="Nimbus Cloud Academy, 5 Temasek Boulevard, level 12",
        online_url="https://meet.example.org/ai-forward-ai201",
        instructors=(0,),
        topics=(
            "From notebook to service",
            "Continuous integration for models",
            "Registries, versions and reproducibility",
            "Scheduling GPU jobs with Slurm",
            "Monitoring and drift",
            "Incident response for ML systems",
            "Cost and capacity planning",
            "Capstone reviews",
        ),
        assessments=(
            _quiz("Quiz: deployment and monitoring", -4),
            _project("Project: ship a model with CI and monitoring", 35),
        ),
        cancelled=5,
    ),
    CourseSpec(
        code="AI202",
        title="Responsible AI and governance",
        description=(
            "Fairness, transparency and accountability in practice: risk assessments, the "
            "regulations that apply, and how workers and unions take part in decisions on AI "
            "at work."
        ),
        kind=CourseKind.ELECTIVE,
        hours=Decimal(16),
        capacity=120,
        first=3,
        start=datetime.time(19, 0),
        minutes=120,
        place="Union House, Training Room 3, 1 Marina Boulevard",
        online_url="",
        instructors=(1,),
        topics=(
            "Why governance: harms seen in the field",
            "Fairness: measures and trade-offs",
            "Transparency and explanations",
            "Regulation in practice",
            "AI risk assessments",
            "AI at work: consultation and bargaining",
            "Auditing a deployed system",
            "Presentations",
        ),
        assessments=(
            _quiz("Quiz: AI regulation in practice", 17),
            _project("Project: an AI risk assessment for your employer", 49),
        ),
    ),
]

PROJECT_COMMENTS = [
    "Clear write-up; the error analysis is the strongest part.",
    "Good baseline. Say why you chose the metric you report.",
    "Solid work. The evaluation set is too small to trust the last table.",
    "Well structured code; add a README so others can run it.",
    "",
]
FAILED_COMMENT = "Not passed yet: see the feedback in class and resubmit within two weeks."

MESSAGE_SUBJECT = "Your attendance in AI102"
MESSAGE_BODY = (
    "You have missed some of the AI102 sessions so far. Completing the course needs 80 % "
    "attendance, and My courses shows how many more sessions you can miss and still reach it.\n\n"
    "If evening sessions clash with your shifts or family, tell us: recordings and the "
    "Saturday catch-up lab can help, and we can excuse a session you cannot attend if you let "
    "us know before it starts."
)


@dataclass(frozen=True)
class DemoCourses:
    """Figures of what was built, and people to sign in as."""

    courses: int
    held: int
    upcoming: int
    at_risk: int
    participants: int
    instructor_email: str
    # The session in progress as the demo was built (its roster and check-in code), if any.
    session_now_url: str
    feed_url: str
    # A participant on track, with AI202 still to choose; one at risk in AI102.
    on_track_email: str
    at_risk_email: str


def seed_demo(
    rng: random.Random, cohort: Cohort, actor: User, *, featured: list[str] | tuple[str, ...] = ()
) -> DemoCourses:
    """`featured`: emails of participants the demo already prints (the first is kept on track
    and given an elective, the second falls behind in AI102), when they are in the cohort."""
    programme = cohort.programme
    instructors = _instructors(cohort)
    if not CourseSettings.objects.filter(programme=programme, max_electives=MAX_ELECTIVES).exists():
        services.settings_save(programme=programme, max_electives=MAX_ELECTIVES, actor=actor)
    courses = _courses(cohort, instructors, actor)
    on_track, at_risk = _featured(cohort, featured)
    if not ClassSession.objects.filter(cohort=cohort, course__in=courses.values()).exists():
        sessions = _sessions(cohort, courses, instructors, actor)
        _assessments(cohort, courses, actor)
        plans = _electives(rng, cohort, courses, on_track, at_risk)
        _attendance(rng, cohort, courses, sessions, plans)
        _results(rng, cohort, courses, plans)
        _message(cohort, courses, instructors, actor)
    if instructors:
        services.feed_create(user=instructors[0])
    return _figures(cohort, courses, instructors, on_track, at_risk)


# --- people ------------------------------------------------------------------------------------


def _instructors(cohort: Cohort) -> list[User]:
    """The demo's staff member first, then one other member of the programme's staff."""
    staff = list(selectors.staff_of_programme(programme=cohort.programme))
    staff.sort(key=lambda u: (u.email != STAFF_EMAIL, u.email))
    return staff[:2]


def _featured(cohort: Cohort, emails) -> tuple[int | None, int | None]:
    """The user ids of the on-track and the at-risk participant: those named, as far as they
    are participants of the cohort, else the first others."""
    people = list(
        Participant.objects.filter(cohort=cohort)
        .order_by("user_id")
        .values_list("user_id", "user__email")
    )
    by_email = {email.lower(): user_id for user_id, email in people}
    chosen = list(dict.fromkeys(by_email[e.lower()] for e in emails if e and e.lower() in by_email))
    chosen += [user_id for user_id, _email in people if user_id not in chosen]
    return (chosen[0] if chosen else None), (chosen[1] if len(chosen) > 1 else None)


# --- courses, sessions, assessments ------------------------------------------------------------


def _courses(cohort: Cohort, instructors: list[User], actor: User) -> dict[str, Course]:
    """The four courses, offered to the cohort; saving a required one enrols its participants."""
    existing = {c.code: c for c in Course.objects.filter(programme=cohort.programme)}
    courses = {}
    for spec in COURSES:
        course = existing.get(spec.code) or Course(programme=cohort.programme, code=spec.code)
        teachers = _teachers(spec, instructors)
        values = {
            "title": spec.title,
            "description": spec.description,
            "kind": spec.kind,
            "hours": spec.hours,
            "capacity": spec.capacity,
        }
        changed = course.pk is None
        for name, value in values.items():
            if getattr(course, name) != value:
                setattr(course, name, value)
                changed = True
        if not changed:
            changed = not course.cohorts.filter(pk=cohort.pk).exists() or set(
                course.instructors.values_list("pk", flat=True)
            ) != {t.pk for t in teachers}
        if changed:
            cohorts = [*course.cohorts.exclude(pk=cohort.pk), cohort] if course.pk else [cohort]
            course, _enrolled = services.course_save(
                course=course, cohorts=cohorts, instructors=teachers, actor=actor
            )
        courses[spec.code] = course
    return courses


def _teachers(spec: CourseSpec, instructors: list[User]) -> list[User]:
    if not instructors:
        return []
    return list(dict.fromkeys(instructors[min(i, len(instructors) - 1)] for i in spec.instructors))


def _sessions(
    cohort: Cohort, courses: dict[str, Course], instructors: list[User], actor: User
) -> dict[str, list[ClassSession]]:
    """Weekly sessions of each course, through the service; those already held are marked
    reminded, as the reminder task would have left them."""
    tz = cohort.tz
    now = timezone.now()
    today = timezone.localdate(now, tz)
    built: dict[str, list[ClassSession]] = {}
    for spec in COURSES:
        teachers = _teachers(spec, instructors)
        days = [spec.first + 7 * n for n in range(len(spec.topics))]
        if spec.cancelled is not None:
            days.append(days[-1] + 7)
        sessions = []
        for number, offset in enumerate(days):
            day = today + datetime.timedelta(days=offset)
            starts = datetime.datetime.combine(day, spec.start, tz)
            if offset == 0:
                # Today's session is in progress: it started within the last hour and a quarter.
                starts = timezone.localtime(now - datetime.timedelta(minutes=15), tz).replace(
                    minute=0, second=0, microsecond=0
                )
            if number < len(spec.topics):
                title = spec.topics[number]
            else:
                title = f"Make-up: {spec.topics[spec.cancelled]}"
            session = services.session_save(
                session=ClassSession(
                    course=courses[spec.code],
                    cohort=cohort,
                    title=title,
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(minutes=spec.minutes),
                    place=spec.place,
                    online_url=spec.online_url,
                    instructor=teachers[number % len(teachers)] if teachers else None,
                    is_cancelled=number == spec.cancelled,
                ),
                actor=actor,
            )
            sessions.append(session)
        built[spec.code] = sessions
    reminded = [s for course in built.values() for s in course if s.starts_at <= now]
    for session in reminded:
        session.reminder_sent_at = session.starts_at - services.REMINDER_AHEAD
    ClassSession.objects.bulk_update(reminded, ["reminder_sent_at"], batch_size=500)
    return built


def _assessments(cohort: Cohort, courses: dict[str, Course], actor: User) -> None:
    today = timezone.localdate(timezone=cohort.tz)
    known = set(
        Assessment.objects.filter(course__in=courses.values()).values_list("course_id", "name")
    )
    for spec in COURSES:
        course = courses[spec.code]
        for item in spec.assessments:
            if (course.pk, item.name) in known:
                continue
            services.assessment_save(
                assessment=Assessment(
                    course=course,
                    name=item.name,
                    kind=item.kind,
                    max_score=item.max_score,
                    pass_mark=item.pass_mark,
                    weight=item.weight,
                    due_on=today + datetime.timedelta(days=item.due),
                ),
                actor=actor,
            )


# --- who takes what, and how they fare ---------------------------------------------------------


@dataclass
class Plan:
    """One participant's story: their electives, the course they fall behind in (if any) and
    whether they stopped coming to it."""

    electives: list[str]
    behind: str | None = None
    stopped: bool = False
    steady: bool = False  # a featured participant: misses nothing, passes everything


def _electives(
    rng: random.Random,
    cohort: Cohort,
    courses: dict[str, Course],
    on_track: int | None,
    at_risk: int | None,
) -> dict[int, Plan]:
    """Who chose which elective (within the limit and the places; AI202 keeps a few places),
    written in bulk as chosen before the courses started, and who falls behind where."""
    user_ids = list(
        Participant.objects.filter(cohort=cohort)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    places = {
        spec.code: (spec.capacity - (SEATS_LEFT if spec.code == "AI202" else 0))
        if spec.capacity is not None
        else len(user_ids)
        for spec in COURSES
        if spec.kind == CourseKind.ELECTIVE
    }
    taken = dict.fromkeys(places, 0)
    plans: dict[int, Plan] = {}
    for user_id in user_ids:
        draw = rng.random()
        # The featured people take AI201, which has started, so AI202 is still open to them.
        if user_id in (on_track, at_risk) or draw < 0.45:
            wanted = ["AI201"]
        elif draw < 0.62:
            wanted = ["AI202"]
        elif draw < 0.75:
            wanted = ["AI201", "AI202"]
        else:
            wanted = []
        electives = []
        for code in wanted[:MAX_ELECTIVES]:
            if taken[code] < places[code]:
                taken[code] += 1
                electives.append(code)
        plan = Plan(electives=electives)
        held = ["AI101", "AI102", *(c for c in electives if c == "AI201")]
        fate = rng.random()
        if user_id == on_track:
            plan.steady = True
        elif user_id == at_risk:
            plan.steady, plan.behind = True, "AI102"
        elif fate < 0.012:
            plan.behind, plan.stopped = rng.choice(held), True
        elif fate < 0.07:
            plan.behind = rng.choice(held)
        plans[user_id] = plan
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                course=courses[code],
                cohort=cohort,
                user_id=user_id,
                status=EnrollmentStatus.ACTIVE,
                source=EnrollmentSource.CHOSEN,
            )
            for user_id, plan in plans.items()
            for code in plan.electives
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    return plans


def _enrolled(cohort: Cohort, course: Course) -> list[int]:
    return list(
        Enrollment.objects.filter(course=course, cohort=cohort, status=EnrollmentStatus.ACTIVE)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def _attendance(
    rng: random.Random,
    cohort: Cohort,
    courses: dict[str, Course],
    sessions: dict[str, list[ClassSession]],
    plans: dict[int, Plan],
) -> None:
    """Marks of the sessions held (checked in, or marked on the roster by the instructor; some
    absences left unmarked, which count as missed all the same), check-ins so far to the
    session in progress, and a few people excused in advance from the next session."""
    now = timezone.now()
    rows: list[Attendance] = []
    for spec in COURSES:
        course_sessions = [s for s in sessions[spec.code] if not s.is_cancelled]
        held = [s for s in course_sessions if s.ends_at <= now]
        running = [s for s in course_sessions if s.starts_at <= now < s.ends_at]
        upcoming = [s for s in course_sessions if s.starts_at > now]
        for user_id in _enrolled(cohort, courses[spec.code]):
            plan = plans.get(user_id) or Plan(electives=[])
            missed = _missed(rng, plan, spec.code, len(held))
            for index, session in enumerate(held):
                if index in missed:
                    if rng.random() < 0.7:
                        rows.append(
                            _mark(session, user_id, AttendanceStatus.ABSENT, by_roster=True)
                        )
                    continue
                if not plan.steady and rng.random() < 0.02:
                    rows.append(_mark(session, user_id, AttendanceStatus.EXCUSED, by_roster=True))
                    continue
                late = not plan.steady and rng.random() < 0.07
                rows.append(
                    _mark(
                        session,
                        user_id,
                        AttendanceStatus.LATE if late else AttendanceStatus.PRESENT,
                        by_roster=rng.random() < 0.4,
                    )
                )
            for session in running:
                if plan.stopped and plan.behind == spec.code:
                    continue
                draw = rng.random()
                if draw < 0.01:
                    rows.append(_mark(session, user_id, AttendanceStatus.EXCUSED, by_roster=True))
                elif draw < 0.6:
                    late = now > session.starts_at + CHECK_IN_LATE and rng.random() < 0.15
                    status = AttendanceStatus.LATE if late else AttendanceStatus.PRESENT
                    rows.append(_mark(session, user_id, status, by_roster=False))
            if upcoming and held and not plan.steady and rng.random() < 0.02:
                rows.append(_mark(upcoming[0], user_id, AttendanceStatus.EXCUSED, by_roster=True))
    Attendance.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


def _missed(rng: random.Random, plan: Plan, code: str, held: int) -> set[int]:
    """Which of the held sessions (by index) the person missed: those behind in a course miss
    about three in ten (60–75 %), those who stopped coming the last three; others miss at most
    one, and only where one miss keeps them at 80 %."""
    if held == 0:
        return set()
    if plan.behind == code:
        if plan.stopped:
            return set(range(max(held - 3, 0), held))
        return set(rng.sample(range(held), max(1, (held * 3 + 5) // 10)))
    if not plan.steady and held >= 5 and rng.random() < 0.25:
        return {rng.randrange(held)}
    return set()


def _mark(session: ClassSession, user_id: int, status: str, *, by_roster: bool) -> Attendance:
    return Attendance(
        session=session,
        user_id=user_id,
        status=status,
        source=AttendanceSource.ROSTER if by_roster else AttendanceSource.CHECK_IN,
        marked_by_id=session.instructor_id if by_roster else None,
    )


def _results(
    rng: random.Random, cohort: Cohort, courses: dict[str, Course], plans: dict[int, Plan]
) -> None:
    """Scores of the assessments already due: most pass, a few fail, a few were not handed in
    (most of those who stopped coming to the course)."""
    today = timezone.localdate(timezone=cohort.tz)
    rows = []
    for spec in COURSES:
        course = courses[spec.code]
        due = Assessment.objects.filter(course=course, due_on__lt=today).order_by("due_on", "id")
        recorder_id = course.instructors.order_by("email").values_list("pk", flat=True).first()
        people = _enrolled(cohort, course)
        for assessment in due:
            for user_id in people:
                plan = plans.get(user_id) or Plan(electives=[])
                gone = plan.stopped and plan.behind == spec.code
                if not plan.steady and rng.random() < (0.6 if gone else 0.01):
                    continue
                score = _score(rng, assessment, floor=plan.steady)
                if score < assessment.pass_mark:
                    comment = FAILED_COMMENT
                elif assessment.kind == AssessmentKind.PROJECT:
                    comment = rng.choice(PROJECT_COMMENTS)
                else:
                    comment = ""
                rows.append(
                    AssessmentResult(
                        assessment=assessment,
                        user_id=user_id,
                        score=score,
                        comment=comment,
                        recorded_by_id=recorder_id,
                    )
                )
    AssessmentResult.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


def _score(rng: random.Random, assessment: Assessment, *, floor: bool) -> Decimal:
    """A score around four fifths of the maximum (a few fail), in half points for a quiz and
    whole points for a project; well above the pass mark when `floor`."""
    top = float(assessment.max_score)
    raw = min(max(rng.gauss(0.8 * top, 0.08 * top), 0.0), top)
    step = 2 if assessment.kind == AssessmentKind.QUIZ else 1
    score = Decimal(round(raw * step)) / step
    if floor:
        score = max(score, assessment.pass_mark + (assessment.max_score - assessment.pass_mark) / 2)
    return score.quantize(Decimal("0.01"))


def _message(
    cohort: Cohort, courses: dict[str, Course], instructors: list[User], actor: User
) -> None:
    """The instructor writes to everyone whose attendance in AI102 is below what it needs."""
    behind = [
        entry.user
        for entry in selectors.cohort_progress(cohort=cohort)
        if any(c.course.code == "AI102" and c.forecast.below_now for c in entry.courses)
    ]
    if behind:
        services.message_participants(
            programme=cohort.programme,
            users=behind,
            subject=MESSAGE_SUBJECT,
            body=MESSAGE_BODY,
            actor=instructors[0] if instructors else actor,
        )


# --- figures -----------------------------------------------------------------------------------


def _figures(
    cohort: Cohort,
    courses: dict[str, Course],
    instructors: list[User],
    on_track: int | None,
    at_risk: int | None,
) -> DemoCourses:
    now = timezone.now()
    sessions = ClassSession.objects.filter(
        cohort=cohort, course__in=courses.values(), is_cancelled=False
    )
    running = sessions.filter(starts_at__lte=now, ends_at__gt=now).order_by("starts_at").first()
    board = selectors.cohort_progress(cohort=cohort, now=now)
    emails = dict(User.objects.filter(pk__in=[on_track, at_risk]).values_list("pk", "email"))
    feed = selectors.feed_get(user=instructors[0]) if instructors else None
    site = settings.SITE_URL
    return DemoCourses(
        courses=len(courses),
        held=sessions.filter(ends_at__lte=now).count(),
        upcoming=sessions.filter(starts_at__gt=now).count(),
        at_risk=sum(1 for entry in board if entry.at_risk),
        participants=len(board),
        instructor_email=instructors[0].email if instructors else "",
        session_now_url=(
            site
            + reverse(
                "courses:roster",
                kwargs={"slug": cohort.programme.slug, "session_id": running.pk},
            )
            if running
            else ""
        ),
        feed_url=site + reverse("courses:feed", kwargs={"token": feed.token}) if feed else "",
        on_track_email=emails.get(on_track, ""),
        at_risk_email=emails.get(at_risk, ""),
    )
