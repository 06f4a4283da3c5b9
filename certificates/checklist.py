"""A participant's certification checklist: each requirement of the rule, met or not, with the
numbers behind it ("Attendance 72 % of 80 %").

Pure: plain data in, frozen dataclasses out; no Django. The selectors gather the evidence for a
whole cohort at once and call `evaluate` per person; the rules are stated here once.

- Only what the rule asks for becomes an item; a rule asking for nothing makes no one eligible.
- No requirement is met vacuously: with no course in scope, "each course attended" and "every
  assessment passed" are not met, so a person with no evidence at all is never eligible.
- A waived item counts as met (the detail still shows the numbers).
- More evidence never un-meets a requirement: every test is "at least".
"""

from dataclasses import dataclass
from decimal import Decimal

COURSES = "courses"
ATTENDANCE = "attendance"
COURSE_ATTENDANCE = "course_attendance"
ASSESSMENTS = "assessments"
MENTORING = "mentoring"
COMPUTE = "compute"
SIGN_OFF = "sign_off"

LABELS = {
    COURSES: "Required courses completed",
    ATTENDANCE: "Overall attendance",
    COURSE_ATTENDANCE: "Attendance in each course",
    ASSESSMENTS: "Assessments passed",
    MENTORING: "Mentoring sessions",
    COMPUTE: "Compute use",
    SIGN_OFF: "Staff sign-off",
}


@dataclass(frozen=True)
class CourseEvidence:
    """One course the participant is enrolled in."""

    course_id: int
    name: str
    completed: bool
    attendance: int | None  # whole per cent; None before any session counted
    min_attendance: int  # the course's own minimum, per cent
    assessments_passed: int = 0
    assessments_total: int = 0


@dataclass(frozen=True)
class Requirements:
    required_courses: tuple[tuple[int, str], ...] = ()  # (course id, name)
    min_attendance: int | None = None
    min_course_attendance: int | None = None  # None: each course's own minimum
    assessments_must_pass: bool = False
    min_mentoring_sessions: int = 0
    min_compute_use: Decimal | None = None
    compute_unit: str = ""
    requires_sign_off: bool = False


@dataclass(frozen=True)
class Evidence:
    courses: tuple[CourseEvidence, ...] = ()
    overall_attendance: int | None = None
    mentoring_sessions: int = 0
    compute_use: Decimal = Decimal(0)
    signed_off: bool = False


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    met: bool
    detail: str
    waived: bool = False

    @property
    def ok(self) -> bool:
        return self.met or self.waived


def _percent(value: int | None) -> str:
    return "no sessions yet" if value is None else f"{value} %"


def _number(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def _courses_in_scope(requirements: Requirements, evidence: Evidence) -> list[CourseEvidence]:
    """The required courses when the rule names some, else every course taken."""
    if not requirements.required_courses:
        return list(evidence.courses)
    taken = {c.course_id: c for c in evidence.courses}
    return [taken[cid] for cid, _name in requirements.required_courses if cid in taken]


def evaluate(requirements: Requirements, evidence: Evidence, waived: frozenset[str]) -> list[Item]:
    """One item per requirement the rule asks for, in a fixed order."""
    items: list[tuple[str, bool, str]] = []
    taken = {c.course_id: c for c in evidence.courses}
    scope = _courses_in_scope(requirements, evidence)
    # A required course not taken fails every course requirement, not only "completed".
    missing = {course_id for course_id, _name in requirements.required_courses} - set(taken)

    if requirements.required_courses:
        parts, met = [], True
        for course_id, name in requirements.required_courses:
            course = taken.get(course_id)
            if course is None:
                parts.append(f"{name}: not enrolled")
                met = False
            elif course.completed:
                parts.append(f"{name}: completed")
            else:
                parts.append(f"{name}: not completed")
                met = False
        items.append((COURSES, met, "; ".join(parts)))

    if requirements.min_attendance is not None:
        rate = evidence.overall_attendance
        met = rate is not None and rate >= requirements.min_attendance
        items.append(
            (ATTENDANCE, met, f"Attendance {_percent(rate)} of {requirements.min_attendance} %")
        )

    if requirements.min_course_attendance is not None or requirements.required_courses:
        parts, met = [], not missing
        for course in scope:
            need = (
                requirements.min_course_attendance
                if requirements.min_course_attendance is not None
                else course.min_attendance
            )
            ok = course.attendance is not None and course.attendance >= need
            met = met and ok
            parts.append(f"{course.name}: attendance {_percent(course.attendance)} of {need} %")
        # No course taken yet is not "every course attended".
        met = met and bool(scope)
        items.append((COURSE_ATTENDANCE, met, "; ".join(parts) or "No course taken yet"))

    if requirements.assessments_must_pass:
        passed = sum(c.assessments_passed for c in scope)
        total = sum(c.assessments_total for c in scope)
        # Nothing to pass yet is not "every assessment passed".
        met = 0 < total <= passed and not missing
        detail = f"Assessments passed {passed} of {total}" if total else "No assessment to pass yet"
        items.append((ASSESSMENTS, met, detail))

    if requirements.min_mentoring_sessions:
        held, need = evidence.mentoring_sessions, requirements.min_mentoring_sessions
        items.append((MENTORING, held >= need, f"Mentoring sessions {held} of {need}"))

    if requirements.min_compute_use is not None:
        use, need = evidence.compute_use, requirements.min_compute_use
        unit = f" {requirements.compute_unit}" if requirements.compute_unit else ""
        # A minimum of 0 still asks for some use, as a 0 % attendance minimum asks for a session.
        met = use > 0 and use >= need
        items.append((COMPUTE, met, f"Compute use {_number(use)} of {_number(need)}{unit}"))

    if requirements.requires_sign_off:
        items.append(
            (
                SIGN_OFF,
                evidence.signed_off,
                "Signed off" if evidence.signed_off else "Not signed off yet",
            )
        )

    return [
        Item(key=key, label=LABELS[key], met=met, detail=detail, waived=key in waived)
        for key, met, detail in items
    ]


def eligible(items: list[Item]) -> bool:
    """Every item met or waived; a rule asking for nothing makes no one eligible."""
    return bool(items) and all(item.ok for item in items)


def narrative(requirements: Requirements) -> str:
    """The criteria in words, for the credential when the rule has none of its own."""
    lines = []
    if requirements.required_courses:
        names = ", ".join(name for _id, name in requirements.required_courses)
        lines.append(f"Completed the required courses: {names}.")
    if requirements.min_attendance is not None:
        lines.append(f"Attended at least {requirements.min_attendance} % of class sessions.")
    if requirements.min_course_attendance is not None:
        lines.append(
            f"Attended at least {requirements.min_course_attendance} % of each course's sessions."
        )
    if requirements.assessments_must_pass:
        lines.append("Passed every assessment of those courses.")
    if requirements.min_mentoring_sessions:
        lines.append(f"Held at least {requirements.min_mentoring_sessions} mentoring sessions.")
    if requirements.min_compute_use is not None:
        unit = f" {requirements.compute_unit}" if requirements.compute_unit else ""
        lines.append(f"Used at least {_number(requirements.min_compute_use)}{unit} of compute.")
    if requirements.requires_sign_off:
        lines.append("Signed off by the programme's staff.")
    return " ".join(lines) or "Completed the programme."
