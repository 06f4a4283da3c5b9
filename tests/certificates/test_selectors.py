"""The checklist from the cohort's evidence (courses, attendance, assessments, mentoring,
compute, sign-off), the board's states and its constant number of queries."""

from decimal import Decimal

import pytest

from certificates import selectors, services
from certificates.enums import BoardState
from tests.factories import (
    AllocationFactory,
    CertificateFactory,
    CertificationRuleFactory,
    CohortFactory,
    ResourcePoolFactory,
    ResourceTypeFactory,
)
from tests.factories.certificates import course_taken, held_course, mentored_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme)


def test_checklist_reads_courses_attendance_assessments_and_mentoring(cohort):
    course = held_course(cohort, code="AI101", title="Intro to ML", min_attendance=75)
    CertificationRuleFactory(
        cohort=cohort,
        required_courses=[course],
        min_attendance=75,
        assessments_must_pass=True,
        min_mentoring_sessions=2,
    )
    done = mentored_participant(cohort, sessions=2, name="Ada")
    course_taken(course, cohort, done)
    behind = mentored_participant(cohort, sessions=1, name="Bo")
    course_taken(course, cohort, behind, attended=False, score=20)

    ok = selectors.checklist_for(cohort=cohort, user=done)
    assert [(i.key, i.met, i.detail) for i in ok.items] == [
        ("courses", True, "AI101 Intro to ML: completed"),
        ("attendance", True, "Attendance 100 % of 75 %"),
        ("course_attendance", True, "AI101 Intro to ML: attendance 100 % of 75 %"),
        ("assessments", True, "Assessments passed 1 of 1"),
        ("mentoring", True, "Mentoring sessions 2 of 2"),
    ]
    assert ok.state == BoardState.ELIGIBLE
    not_yet = selectors.checklist_for(cohort=cohort, user=behind)
    assert [(i.key, i.met, i.detail) for i in not_yet.items] == [
        ("courses", False, "AI101 Intro to ML: not completed"),
        ("attendance", False, "Attendance 0 % of 75 %"),
        ("course_attendance", False, "AI101 Intro to ML: attendance 0 % of 75 %"),
        ("assessments", False, "Assessments passed 0 of 1"),
        ("mentoring", False, "Mentoring sessions 1 of 2"),
    ]
    assert not_yet.state == BoardState.NOT_YET


def test_unconfirmed_and_missed_mentoring_sessions_do_not_count(cohort):
    from tests.factories import MentoringSessionFactory

    CertificationRuleFactory(cohort=cohort, min_mentoring_sessions=2)
    user = mentored_participant(cohort, sessions=1)
    pairing = user.mentee_pairings.get()
    MentoringSessionFactory(pairing=pairing, mentor_confirmed=False)
    MentoringSessionFactory(pairing=pairing, attended=False)
    items = selectors.checklist_for(cohort=cohort, user=user).items
    assert [i.detail for i in items] == ["Mentoring sessions 1 of 2"]


def test_compute_use_counts_the_rules_resource_only(cohort):
    gpu = ResourceTypeFactory(programme=cohort.programme)
    CertificationRuleFactory(
        cohort=cohort, min_mentoring_sessions=0, compute_resource=gpu, min_compute_use=10
    )
    user = mentored_participant(cohort, sessions=0)
    AllocationFactory(
        pool=ResourcePoolFactory(cohort=cohort, resource=gpu), user=user, used=Decimal("11.5")
    )
    other = ResourcePoolFactory(cohort=cohort)  # another resource: not counted
    AllocationFactory(pool=other, user=user, used=Decimal(100))
    [item] = selectors.checklist_for(cohort=cohort, user=user).items
    assert item.met
    assert item.detail.startswith("Compute use 11.5 of 10")


def test_board_states_and_filters(cohort):
    CertificationRuleFactory(cohort=cohort)
    eligible = mentored_participant(cohort, name="Alma")
    not_yet = mentored_participant(cohort, sessions=0, name="Boris")
    issued = mentored_participant(cohort, name="Chen")
    revoked = mentored_participant(cohort, name="Dana")
    CertificateFactory(cohort=cohort, user=issued)
    CertificateFactory(cohort=cohort, user=revoked, status="revoked")
    board = selectors.cohort_board(cohort=cohort)
    assert [(row.user, row.state) for row in board] == [
        (eligible, BoardState.ELIGIBLE),
        (not_yet, BoardState.NOT_YET),
        (issued, BoardState.ISSUED),
        (revoked, BoardState.REVOKED),
    ]
    assert [r.user for r in selectors.cohort_board(cohort=cohort, state="not_yet")] == [not_yet]
    assert [r.user for r in selectors.cohort_board(cohort=cohort, q="chen")] == [issued]


def test_without_a_rule_no_one_is_eligible(cohort):
    user = mentored_participant(cohort)
    row = selectors.checklist_for(cohort=cohort, user=user)
    assert (row.items, row.eligible, row.state) == ([], False, BoardState.NOT_YET)


@pytest.mark.parametrize("people", [1, 3])
def test_cohort_board_queries_do_not_grow_with_people(cohort, people, django_assert_num_queries):
    course = held_course(cohort)
    gpu = ResourceTypeFactory(programme=cohort.programme)
    CertificationRuleFactory(
        cohort=cohort,
        required_courses=[course],
        min_attendance=50,
        assessments_must_pass=True,
        compute_resource=gpu,
        min_compute_use=1,
        requires_sign_off=True,
    )
    for n in range(people):
        user = mentored_participant(cohort)
        course_taken(course, cohort, user)
        CertificateFactory(cohort=cohort, user=user, status="revoked" if n else "valid")
    # participants, certificates, rule (+ courses), 5 for course progress, mentoring,
    # compute, sign-offs, waivers
    with django_assert_num_queries(13):
        board = selectors.cohort_board(cohort=cohort)
    assert len(board) == people


def test_certificate_lookups(cohort, programme, other_programme):
    user = mentored_participant(cohort)
    cert = CertificateFactory(cohort=cohort, user=user)
    assert selectors.certificate_get_by_code(code=cert.code) == cert
    assert selectors.certificate_get_by_code(code="nope") is None
    assert list(selectors.certificate_list_for_holder(user=user)) == [cert]
    assert selectors.certificate_get_for_holder(user=user, code=cert.code) == cert
    assert (
        selectors.certificate_get_for_holder(user=CertificateFactory().user, code=cert.code) is None
    )
    assert selectors.certificate_get_for_staff(programme=programme, code=cert.code) == cert
    assert selectors.certificate_get_for_staff(programme=other_programme, code=cert.code) is None
    assert selectors.participant_get(cohort=cohort, user_id=user.pk) == user
    assert selectors.participant_get(cohort=CohortFactory(), user_id=user.pk) is None


def test_run_latest_and_get(cohort, staff):
    assert selectors.run_latest(cohort=cohort) is None
    CertificationRuleFactory(cohort=cohort)
    run = services.issue_run_start(cohort=cohort, actor=staff)
    assert selectors.run_latest(cohort=cohort) == run
    assert selectors.run_get(cohort=cohort, run_id=run.pk) == run
    assert selectors.run_get(cohort=CohortFactory(), run_id=run.pk) is None
