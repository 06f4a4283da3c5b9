"""The pure certification checklist: monotonic in the evidence, waivers count as met, eligible
exactly when every item is met or waived, and details carry the numbers."""

from dataclasses import replace
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from certificates import checklist
from certificates.checklist import CourseEvidence, Evidence, Requirements

COURSE_IDS = [1, 2, 3]


@st.composite
def course_evidence(draw, course_id):
    total = draw(st.integers(0, 4))
    return CourseEvidence(
        course_id=course_id,
        name=f"AI10{course_id}",
        completed=draw(st.booleans()),
        attendance=draw(st.none() | st.integers(0, 100)),
        min_attendance=draw(st.integers(0, 100)),
        assessments_passed=draw(st.integers(0, total)),
        assessments_total=total,
    )


@st.composite
def requirements(draw):
    ids = draw(st.lists(st.sampled_from(COURSE_IDS), unique=True, max_size=3))
    return Requirements(
        required_courses=tuple((i, f"AI10{i}") for i in sorted(ids)),
        min_attendance=draw(st.none() | st.integers(0, 100)),
        min_course_attendance=draw(st.none() | st.integers(0, 100)),
        assessments_must_pass=draw(st.booleans()),
        min_mentoring_sessions=draw(st.integers(0, 5)),
        min_compute_use=draw(st.none() | st.decimals(0, 100, places=1)),
        compute_unit="GPU hours",
        requires_sign_off=draw(st.booleans()),
    )


@st.composite
def evidence(draw):
    ids = draw(st.lists(st.sampled_from(COURSE_IDS), unique=True, max_size=3))
    return Evidence(
        courses=tuple(draw(course_evidence(i)) for i in ids),
        overall_attendance=draw(st.none() | st.integers(0, 100)),
        mentoring_sessions=draw(st.integers(0, 6)),
        compute_use=draw(st.decimals(0, 120, places=1)),
        signed_off=draw(st.booleans()),
    )


def more(ev: Evidence, data) -> Evidence:
    """The same person with at least as much of everything."""

    def up(value, top):
        return value if value is None else data.draw(st.integers(value, top))

    courses = tuple(
        replace(
            c,
            completed=c.completed or data.draw(st.booleans()),
            attendance=data.draw(st.integers(0, 100))
            if c.attendance is None
            else up(c.attendance, 100),
            assessments_passed=up(c.assessments_passed, c.assessments_total),
        )
        for c in ev.courses
    )
    return Evidence(
        courses=courses,
        overall_attendance=(
            data.draw(st.none() | st.integers(0, 100))
            if ev.overall_attendance is None
            else up(ev.overall_attendance, 100)
        ),
        mentoring_sessions=up(ev.mentoring_sessions, 10),
        compute_use=ev.compute_use + data.draw(st.decimals(0, 50, places=1)),
        signed_off=ev.signed_off or data.draw(st.booleans()),
    )


waivers = st.frozensets(st.sampled_from(list(checklist.LABELS)))


@given(requirements(), evidence(), waivers, st.data())
def test_more_evidence_never_unmeets_a_requirement(req, ev, waived, data):
    before = {item.key: item.met for item in checklist.evaluate(req, ev, waived)}
    after = {item.key: item.met for item in checklist.evaluate(req, more(ev, data), waived)}
    assert set(before) == set(after)
    assert all(after[key] for key, met in before.items() if met)


@given(requirements(), evidence(), waivers)
def test_waiving_makes_an_item_count_as_met(req, ev, waived):
    items = checklist.evaluate(req, ev, waived)
    for item in items:
        assert item.waived == (item.key in waived)
        assert item.ok == (item.met or item.key in waived)
    all_waived = checklist.evaluate(req, ev, frozenset(checklist.LABELS))
    assert checklist.eligible(all_waived) == bool(all_waived)


@given(requirements(), evidence(), waivers)
def test_eligible_iff_every_item_met_or_waived(req, ev, waived):
    items = checklist.evaluate(req, ev, waived)
    assert checklist.eligible(items) == (bool(items) and all(i.met or i.waived for i in items))


def test_rule_asking_nothing_makes_no_one_eligible():
    assert checklist.evaluate(Requirements(), Evidence(), frozenset()) == []
    assert not checklist.eligible([])


def test_details_carry_the_numbers():
    req = Requirements(
        required_courses=((1, "Intro to ML"), (2, "MLOps")),
        min_attendance=80,
        assessments_must_pass=True,
        min_mentoring_sessions=4,
        min_compute_use=Decimal("10"),
        compute_unit="GPU hours",
        requires_sign_off=True,
    )
    ev = Evidence(
        courses=(
            CourseEvidence(1, "Intro to ML", True, 90, 75, 2, 2),
            CourseEvidence(2, "MLOps", False, 60, 75, 1, 2),
        ),
        overall_attendance=72,
        mentoring_sessions=2,
        compute_use=Decimal("12.5"),
    )
    items = {i.key: i for i in checklist.evaluate(req, ev, frozenset({"mentoring"}))}
    assert items["courses"].detail == "Intro to ML: completed; MLOps: not completed"
    assert items["attendance"].detail == "Attendance 72 % of 80 %"
    assert items["course_attendance"].detail == (
        "Intro to ML: attendance 90 % of 75 %; MLOps: attendance 60 % of 75 %"
    )
    assert items["assessments"].detail == "Assessments passed 3 of 4"
    assert items["mentoring"].detail == "Mentoring sessions 2 of 4"
    assert items["mentoring"].ok and not items["mentoring"].met
    assert items["compute"].detail == "Compute use 12.5 of 10 GPU hours"
    assert items["compute"].met
    assert items["sign_off"].detail == "Not signed off yet"
    assert [k for k, i in items.items() if not i.ok] == [
        "courses",
        "attendance",
        "course_attendance",
        "assessments",
        "sign_off",
    ]


def test_required_course_not_taken_fails():
    req = Requirements(required_courses=((1, "Intro to ML"),), assessments_must_pass=True)
    items = checklist.evaluate(req, Evidence(), frozenset())
    assert [(i.key, i.met, i.detail) for i in items] == [
        ("courses", False, "Intro to ML: not enrolled"),
        ("course_attendance", False, "No course taken yet"),
        ("assessments", False, "No assessment to pass yet"),
    ]


@given(requirements(), waivers)
def test_no_evidence_is_never_eligible_under_a_rule_asking_something(req, waived):
    items = checklist.evaluate(req, Evidence(), frozenset())
    assert not checklist.eligible(items)
    assert not any(item.met for item in items)
    # Only a waiver can make such a person eligible, and only by waiving every item.
    waived_items = checklist.evaluate(req, Evidence(), waived)
    assert checklist.eligible(waived_items) == (bool(items) and {i.key for i in items} <= waived)


def test_default_rule_with_no_course_in_scope_is_not_met():
    """The form's defaults (assessments must pass, each course's own minimum) ask for something."""
    req = Requirements(assessments_must_pass=True, min_course_attendance=None)
    items = checklist.evaluate(req, Evidence(signed_off=True, mentoring_sessions=3), frozenset())
    assert [(i.key, i.met, i.detail) for i in items] == [
        ("assessments", False, "No assessment to pass yet"),
    ]
    assert not checklist.eligible(items)
    req = Requirements(min_course_attendance=75, assessments_must_pass=True)
    items = checklist.evaluate(req, Evidence(overall_attendance=100), frozenset())
    assert [(i.key, i.met, i.detail) for i in items] == [
        ("course_attendance", False, "No course taken yet"),
        ("assessments", False, "No assessment to pass yet"),
    ]


def test_courses_without_assessments_do_not_pass_the_assessments_requirement():
    req = Requirements(assessments_must_pass=True)
    ev = Evidence(courses=(CourseEvidence(1, "Intro to ML", True, 90, 75, 0, 0),))
    [item] = checklist.evaluate(req, ev, frozenset())
    assert (item.met, item.detail) == (False, "No assessment to pass yet")
    ev = Evidence(courses=(CourseEvidence(1, "Intro to ML", True, 90, 75, 2, 2),))
    [item] = checklist.evaluate(req, ev, frozenset())
    assert (item.met, item.detail) == (True, "Assessments passed 2 of 2")


def test_compute_minimum_of_zero_asks_for_some_use():
    req = Requirements(min_compute_use=Decimal(0), compute_unit="GPU hours")
    [item] = checklist.evaluate(req, Evidence(), frozenset())
    assert (item.met, item.detail) == (False, "Compute use 0 of 0 GPU hours")
    [item] = checklist.evaluate(req, Evidence(compute_use=Decimal("0.5")), frozenset())
    assert item.met


def test_narrative_states_the_rule():
    req = Requirements(
        required_courses=((1, "AI101 Intro"),),
        min_attendance=75,
        min_mentoring_sessions=2,
        assessments_must_pass=True,
    )
    assert checklist.narrative(req) == (
        "Completed the required courses: AI101 Intro. Attended at least 75 % of class sessions. "
        "Passed every assessment of those courses. Held at least 2 mentoring sessions."
    )
