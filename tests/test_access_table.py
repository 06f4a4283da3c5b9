"""Who may reach which page: one row per URL name of the project, tried as every persona.

The table below names every URL pattern of our own apps (a new one without a row fails
`test_access_table_covers_every_url`), how to fill its path parameters from one shared world,
the methods that matter and the personas that may reach it. Every other persona — the outsider,
the other programme's admin, each role without the right, and the anonymous visitor — is
refused (403 or 404; the anonymous visitor is sent to sign in) and changes nothing in the
database. One persona that may reach the page is let in, so no row is vacuous.

The world is built once per module inside an outer transaction (like setUpTestData); each test
runs in its own savepoint, so what an allowed POST does is rolled back.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import ConsentRecord, PersonalToken
from applications import services as application_services
from applications.enums import ApplicationStatus
from applications.models import Application, ApplicationDispute, ApplicationEvent
from applications.storage import private_storage
from certificates import services as certificate_services
from certificates.models import Certificate, CertificationRule, IssueRun, SignOff, Waiver
from cohorts.enums import QuestionType
from cohorts.models import ApplicationQuestion, Cohort, EligibilityRule
from compute import services as compute_services
from compute.models import (
    Allocation,
    AllocationChange,
    AllocationRequest,
    IntegrationToken,
    ResourcePool,
    ResourceType,
    UsageRecord,
)
from courses.enums import CourseKind
from courses.models import (
    Assessment,
    AssessmentResult,
    Attendance,
    CalendarFeed,
    ClassSession,
    Course,
    CourseSettings,
    Enrollment,
)
from exports import services as export_services
from exports.models import Export
from mentoring.enums import LoggedBy, PairingStatus
from mentoring.models import (
    ForbiddenPair,
    MatchingRun,
    MenteePreference,
    MentoringSession,
    MentorProfile,
    Pairing,
)
from notifications import services as notification_services
from notifications.models import EmailMessage, Notification, NotificationPreference
from notifications.rendering import unsubscribe_token
from privacy.models import ErasureRequest
from programmes.enums import RoleKind
from programmes.models import Programme, ProgrammeRole
from reviews.enums import ConflictKind
from reviews.models import (
    AssignmentRun,
    ConflictOfInterest,
    Review,
    ReviewAssignment,
    ReviewCriterion,
)
from selection import services as selection_services
from selection.enums import OfferStatus
from selection.models import Offer, Participant, Quota, SelectionRun
from tests.factories import (
    AllocationFactory,
    AllocationRequestFactory,
    ApplicantProfileFactory,
    ApplicationFactory,
    AssessmentFactory,
    AssessmentResultFactory,
    CalendarFeedFactory,
    ClassSessionFactory,
    CohortFactory,
    CourseFactory,
    EligibilityRuleFactory,
    EnrollmentFactory,
    ForbiddenPairFactory,
    MatchingRunFactory,
    MentoringSessionFactory,
    MentorProfileFactory,
    OfferFactory,
    PairingFactory,
    ParticipantFactory,
    PartnerFactory,
    PersonalTokenFactory,
    ProgrammeFactory,
    ProgrammeRoleFactory,
    QuestionFactory,
    ResourcePoolFactory,
    ResourceTypeFactory,
    TotpAuthenticatorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OUR_APPS = {
    "accounts",
    "programmes",
    "cohorts",
    "applications",
    "reviews",
    "selection",
    "compute",
    "mentoring",
    "courses",
    "certificates",
    "notifications",
    "exports",
    "dashboards",
    "privacy",
    "core",
    "config",
}

PERSONAS = [
    "platform_admin",
    "programme_admin",
    "reviewer",
    "mentor",
    "staff",
    "applicant",
    "participant",
    "outsider",
    "other_programme_admin",
    "partner_viewer",
    "anonymous",
]
SIGNED_IN = frozenset(PERSONAS) - {"anonymous"}
PUBLIC = frozenset(PERSONAS)
WORKSPACE = frozenset({"platform_admin", "programme_admin", "reviewer", "mentor", "staff"})
ADMINS = frozenset({"platform_admin", "programme_admin"})
# A partner viewer sees the programme's public page and the dashboard's aggregates, nothing else.
DASHBOARD = ADMINS | {"partner_viewer"}
STAFF = frozenset({"platform_admin", "programme_admin", "staff"})
# Rows of the applicant persona's own objects: the participant applied too, but these are not
# theirs, so it is refused them like everyone else.
APPLICANT = frozenset({"applicant"})
REVIEWER = frozenset({"reviewer"})
# Rows of the participant persona's own objects (their compute allocation).
PARTICIPANT = frozenset({"participant"})
# The mentor persona's own pages (their mentor profile), and a pairing's two sides.
MENTOR = frozenset({"mentor"})
PAIRED = frozenset({"mentor", "participant"})

# The persona tried first to prove a row is not vacuous.
PROOF_ORDER = ["applicant", "reviewer", "programme_admin", "staff", "platform_admin", "outsider"]

GENERIC_POST = {
    "name": "Changed",
    "label": "Changed",
    "key": "changed",
    "type": QuestionType.SHORT_TEXT,
    "status": ApplicationStatus.NOT_SELECTED,
    "reason": "changed",
    "kind": ConflictKind.EMPLOYER,
    "value": "Changed Ltd",
    "direction": "up",
    "role": RoleKind.PROGRAMME_ADMIN,
    "email": "outsider@example.com",
}


# --- the world -------------------------------------------------------------------------------


def _member(programme, email: str, name: str, role: str):
    user = UserFactory(email=email, display_name=name)
    ProgrammeRoleFactory(user=user, programme=programme, role=role)
    TotpAuthenticatorFactory(user=user)
    return user


def _partner_viewer(programme):
    partner = PartnerFactory(name="Nimbus Cloud")
    programme.partners.add(partner)
    user = UserFactory(email="viewer@nimbus.example.org", display_name="Vera Viewer")
    ProgrammeRoleFactory(
        user=user, programme=programme, role=RoleKind.PARTNER_VIEWER, partner=partner
    )
    return user


def _pdf(text: str) -> bytes:
    return b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n"


def _build_world() -> SimpleNamespace:
    """The personas of tests/conftest.py and everything a path parameter can point at."""
    programme = ProgrammeFactory(name="AI Forward 2026", slug="ai-forward-2026")
    other_programme = ProgrammeFactory(name="Green Skills 2026", slug="green-skills-2026")
    platform_admin = UserFactory(
        email="platform.admin@example.com", is_superuser=True, is_staff=True
    )
    TotpAuthenticatorFactory(user=platform_admin)
    personas = {
        "platform_admin": platform_admin,
        "programme_admin": _member(
            programme, "programme.admin@example.com", "Farah Osman", RoleKind.PROGRAMME_ADMIN
        ),
        "reviewer": _member(programme, "reviewer@example.com", "Thomas Goh", RoleKind.REVIEWER),
        "mentor": _member(programme, "mentor@example.com", "Helena Park", RoleKind.MENTOR),
        "staff": _member(programme, "staff@example.com", "Ahmad Zulkifli", RoleKind.STAFF),
        "applicant": ApplicantProfileFactory(
            user__email="applicant@example.com", full_name="Siti Abdullah"
        ).user,
        # Accepted a seat in the cohort below (built after the run): an applicant too, but of
        # their own application, not of the applicant's.
        "participant": ApplicantProfileFactory(
            user__email="participant@example.com", full_name="Priya Nair"
        ).user,
        "outsider": UserFactory(email="outsider@example.com", display_name="Olivia Outsider"),
        "other_programme_admin": _member(
            other_programme, "other.admin@example.com", "Oscar Other", RoleKind.PROGRAMME_ADMIN
        ),
        "partner_viewer": _partner_viewer(programme),
        "anonymous": None,
    }
    applicant = personas["applicant"]
    admin = personas["programme_admin"]

    cohort = CohortFactory(
        programme=programme, name="Main intake", slug="main", capacity=3, is_blind_review=False
    )
    question = QuestionFactory(cohort=cohort, key="motivation", type=QuestionType.LONG_TEXT)
    QuestionFactory(cohort=cohort, key="certificate", type=QuestionType.FILE, is_required=False)
    rule = EligibilityRuleFactory(cohort=cohort, attribute="residency", values=["citizen"])
    criterion = ReviewCriterion.objects.create(cohort=cohort, name="Motivation", position=1)
    quota = Quota.objects.create(
        cohort=cohort, name="Frontline", attribute="job_level", values=["frontline"], min_percent=1
    )

    # The applicant's submitted application, with a CV and a file answer, then offered a seat.
    path = private_storage().save("answers/certificate.pdf", ContentFile(_pdf("certificate")))
    application = ApplicationFactory(
        cohort=cohort,
        applicant=applicant,
        full_name="Siti Abdullah",
        status=ApplicationStatus.IN_REVIEW,
        raw_score=Decimal(5),
        normalized_score=Decimal(5),
        review_count=1,
        cv_name="Siti CV.pdf",
        answers={
            "motivation": "I want to learn.",
            "certificate": {"path": path, "name": "certificate.pdf"},
        },
    )
    application.cv.save("cv.pdf", ContentFile(_pdf("cv")), save=True)
    pool = [
        ApplicationFactory(
            cohort=cohort,
            full_name=f"Applicant {n}",
            status=ApplicationStatus.IN_REVIEW,
            raw_score=Decimal(n + 1),
            normalized_score=Decimal(n + 1),
            review_count=1,
            cv_name=f"Applicant {n} CV.pdf",
        )
        for n in range(2)
    ]
    pool[0].cv.save("cv.pdf", ContentFile(_pdf("pool cv")), save=True)
    # Still in review (the applicant's own is offered below), so the reviewer may score it.
    assignment = ReviewAssignment.objects.create(application=pool[0], reviewer=personas["reviewer"])
    conflict = ConflictOfInterest.objects.create(
        reviewer=personas["reviewer"], programme=programme, kind=ConflictKind.EMPLOYER, value="Acme"
    )
    run = selection_services.selection_run_start(
        cohort=cohort, author=admin, score_kind="raw", seats=2, min_reviews=1
    )
    selection_services.selection_run_execute(run_id=run.pk)
    run.refresh_from_db()
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.OFFERED)
    Offer.objects.create(
        application=application,
        run=run,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    # The participant's application, offered a seat by the same run and accepted.
    accepted = ApplicationFactory(
        cohort=cohort,
        applicant=personas["participant"],
        full_name="Priya Nair",
        status=ApplicationStatus.ACCEPTED,
        raw_score=Decimal(9),
        normalized_score=Decimal(9),
        review_count=1,
    )
    OfferFactory(
        application=accepted,
        run=run,
        status=OfferStatus.ACCEPTED,
        decided_at=timezone.now(),
    )
    seat = ParticipantFactory(application=accepted)
    Cohort.objects.filter(pk=cohort.pk).update(decisions_released_at=timezone.now())

    # Compute: a resource, the cohort's pool of it, the participant's allocation with a
    # request for more, and an integration token.
    resource = ResourceTypeFactory(programme=programme, slug="gpu-h100")
    compute_pool = ResourcePoolFactory(cohort=cohort, resource=resource)
    allocation = AllocationFactory(pool=compute_pool, participant=seat, user=seat.user)
    topup = AllocationRequestFactory(allocation=allocation)
    compute_token, _secret = compute_services.token_create(
        programme=programme, name="Provider", resources=[resource], actor=admin
    )

    # Mentoring: the mentor persona's profile and their active pairing with the participant,
    # with a session each of them logged; a second mentor proposed for another participant in
    # a run's preview; and a pair the admins forbade.
    mentor_profile = MentorProfileFactory(programme=programme, user=personas["mentor"])
    pairing = PairingFactory(cohort=cohort, mentee=seat.user, mentor=mentor_profile)
    mentor_session = MentoringSessionFactory(pairing=pairing)
    MentoringSessionFactory(
        pairing=pairing, logged_by=LoggedBy.MENTEE, mentor_confirmed=False, private_notes=""
    )
    other_mentee = ParticipantFactory(application__cohort=cohort).user
    matching_run = MatchingRunFactory(cohort=cohort)
    proposed = PairingFactory(
        cohort=cohort,
        run=matching_run,
        mentee=other_mentee,
        mentor=MentorProfileFactory(programme=programme),
        status=PairingStatus.PROPOSED,
        started_at=None,
    )
    forbidden = ForbiddenPairFactory(
        programme=programme, mentor=mentor_profile, mentee=other_mentee
    )

    # Courses: a required course of the cohort taught by the staff persona, with the
    # participant enrolled, a session that started ten minutes ago, an assessment with the
    # participant's result; an elective offered to the cohort; the participant's calendar feed.
    course = CourseFactory(
        programme=programme, code="AI101", cohorts=[cohort], instructors=[personas["staff"]]
    )
    class_session = ClassSessionFactory(
        course=course,
        cohort=cohort,
        instructor=personas["staff"],
        starts_at=timezone.now() - datetime.timedelta(minutes=10),
    )
    enrollment = EnrollmentFactory(course=course, cohort=cohort, user=seat.user)
    elective = CourseFactory(
        programme=programme, code="AI201", kind=CourseKind.ELECTIVE, cohorts=[cohort]
    )
    assessment = AssessmentFactory(course=course)
    AssessmentResultFactory(assessment=assessment, user=seat.user)
    feed = CalendarFeedFactory(user=seat.user)

    # The applicant's own API token.
    personal_token = PersonalTokenFactory(user=applicant)

    # The applicant's request to correct their submitted application, still open.
    dispute = ApplicationDispute.objects.create(
        application=application, about="profile:employer", note="My employer is Acme Pte Ltd."
    )
    # A draft in a second cohort, for the pages that edit one.
    second = CohortFactory(programme=programme, name="Second intake", slug="second")
    draft = application_services.application_start(cohort=second, applicant=applicant)

    notification_services.notify(
        recipient=applicant,
        kind="application.submitted",
        context={"cohort_name": cohort.name, "programme_name": programme.name, "closes_at": None},
        url="/applications/",
        scope=programme.notification_scope,
    )
    # The staff persona's export of the cohort's applications, built and ready to download.
    export = export_services.export_start(
        programme=programme,
        requested_by=personas["staff"],
        kind="applications",
        params={"cohort": cohort.slug, "filters": {}},
        fmt="csv",
        download_name="main-applications.csv",
    )
    export_services.export_build(export_id=export.pk)
    # The applicant persona's own copy of their data, built and ready to download.
    personal_export = export_services.personal_export_start(person=personas["applicant"])
    export_services.export_build(export_id=personal_export.pk)
    # The outbox pages' message, chosen before the certificate's own notification is sent.
    message = EmailMessage.objects.latest("pk")
    # Certificates: the cohort's rule (a sign-off only), the participant signed off and issued
    # a certificate, and a finished bulk run.
    certificate_services.rule_save(
        cohort=cohort,
        actor=admin,
        achievement_name="Applied AI",
        assessments_must_pass=False,
        requires_sign_off=True,
    )
    certificate_services.sign_off(cohort=cohort, user=seat.user, actor=personas["staff"])
    certificate = certificate_services.certificate_issue(
        cohort=cohort, user=seat.user, actor=personas["staff"]
    )
    issue_run = IssueRun.objects.create(cohort=cohort, requested_by=admin, status="done")
    return SimpleNamespace(
        personas=personas,
        programme=programme,
        cohort=cohort,
        question=question,
        rule=rule,
        criterion=criterion,
        quota=quota,
        application=application,
        draft=draft,
        dispute=dispute,
        assignment=assignment,
        conflict=conflict,
        run=run,
        resource=resource,
        pool=compute_pool,
        allocation=allocation,
        topup=topup,
        compute_token=compute_token,
        pairing=pairing,
        mentor_session=mentor_session,
        matching_run=matching_run,
        proposed=proposed,
        forbidden=forbidden,
        course=course,
        class_session=class_session,
        enrollment=enrollment,
        elective=elective,
        assessment=assessment,
        feed=feed,
        export=export,
        personal_export=personal_export,
        certificate=certificate,
        issue_run=issue_run,
        personal_token=personal_token,
        role=programme.roles.get(user=personas["reviewer"]),
        notification=Notification.objects.filter(recipient=applicant).latest("pk"),
        message=message,
        token=unsubscribe_token(user_id=applicant.pk, kind="application.submitted"),
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once, inside a transaction that is rolled back when the module is done."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


# --- the table -------------------------------------------------------------------------------


def _p(w):
    return {"slug": w.programme.slug}


def _c(w):
    return {"slug": w.programme.slug, "cohort_slug": w.cohort.slug}


@dataclass(frozen=True)
class Row:
    name: str
    kwargs: object  # world -> path parameters
    may: frozenset  # personas that may reach it; every other one must not
    methods: tuple = ("GET",)  # ("POST",) for a view that only accepts POST
    data: dict = field(default_factory=dict)  # what a POST sends
    query: dict = field(default_factory=dict)
    ok: tuple = (200,)  # what the allowed persona is answered


def _none(w):
    return {}


def _pool(w):
    return {**_p(w), "pool_id": w.pool.pk}


def _allocation(w):
    return {**_p(w), "allocation_id": w.allocation.pk}


def _run(w):
    return {**_p(w), "run_id": w.matching_run.pk}


def _pairing(w):
    return {"pairing_id": w.pairing.pk}


def _course(w):
    return {**_p(w), "course_id": w.course.pk}


def _assessment(w):
    return {**_course(w), "assessment_id": w.assessment.pk}


def _class_session(w):
    return {**_p(w), "session_id": w.class_session.pk}


def _elective(w):
    return {"cohort_id": w.cohort.pk, "course_id": w.elective.pk}


def _session(w):
    return {**_pairing(w), "session_id": w.mentor_session.pk}


def _export(w):
    return {**_p(w), "export_id": w.export.pk}


def _holder(w):
    return {**_c(w), "user_id": w.personas["participant"].pk}


def _code(w):
    return {"code": w.certificate.code}


def _status_list(w):
    return {"number": w.certificate.pk // 131_072}


TABLE = [
    # config / core
    Row("landing", _none, PUBLIC),
    Row("dashboard", _none, SIGNED_IN),
    Row("healthz", _none, PUBLIC),
    # accounts
    Row("accounts:profile", _none, SIGNED_IN),
    # Everyone's own tokens; a POST without a scope chosen is refused (400).
    Row("accounts:tokens", _none, SIGNED_IN, ("GET", "POST"), ok=(200, 400)),
    Row(
        "accounts:token_revoke",
        lambda w: {"token_id": w.personal_token.pk},
        APPLICANT,
        ("POST",),
        ok=(302,),
    ),
    # Everyone's own consents: the URLs name no person, so nobody reaches another's.
    Row("accounts:privacy", _none, SIGNED_IN),
    Row("accounts:consent_give", lambda w: {"purpose": "news"}, SIGNED_IN, ("POST",), ok=(302,)),
    Row(
        "accounts:consent_withdraw",
        lambda w: {"purpose": "news"},
        SIGNED_IN,
        ("POST",),
        ok=(302,),
    ),
    # Everyone's own account: the URLs name no person, so nobody reaches another's. A POST
    # without the confirmation box is refused (400); cancelling when none is scheduled says so.
    Row("privacy:erasure", _none, SIGNED_IN, ("GET", "POST"), ok=(200, 400)),
    Row("privacy:erasure_cancel", _none, SIGNED_IN, ("POST",), ok=(302,)),
    # The same answer for anyone: whether a link went out is not said.
    Row("accounts:verification_resend", _none, PUBLIC, ("POST",), ok=(302,)),
    # notifications
    Row("notifications:list", _none, SIGNED_IN),
    Row("notifications:mark_all_read", _none, SIGNED_IN, ("POST",), ok=(302,)),
    Row(
        "notifications:mark_read",
        lambda w: {"notification_id": w.notification.pk},
        APPLICANT,
        ("POST",),
        ok=(302,),
    ),
    Row(
        "notifications:open",
        lambda w: {"notification_id": w.notification.pk},
        APPLICANT,
        ("GET", "POST"),
        ok=(302,),
    ),
    Row("notifications:preferences", _none, SIGNED_IN),
    # The signed token is the authority: whoever holds it may use it.
    Row("notifications:unsubscribe", lambda w: {"token": w.token}, PUBLIC),
    # applications (the applicant's pages)
    Row("applications:apply", _c, SIGNED_IN, ok=(200, 302)),
    Row("applications:mine", _none, SIGNED_IN),
    # The warning page; without consent to processing it sends back to the privacy page.
    Row("applications:consent_withdraw", _none, SIGNED_IN, ("GET", "POST"), ok=(200, 302)),
    Row("applications:detail", lambda w: {"application_id": w.application.pk}, APPLICANT),
    Row(
        "applications:disputes",
        lambda w: {"application_id": w.application.pk},
        APPLICANT,
        ("GET", "POST"),
        data={"about": "profile:employer", "note": "My employer is Acme Pte Ltd."},
        ok=(200, 302),
    ),
    Row(
        "applications:save",
        lambda w: {"application_id": w.draft.pk},
        APPLICANT,
        ("POST",),
        data={"motivation": "Changed"},
        ok=(200, 302),
    ),
    Row(
        "applications:upload",
        lambda w: {"application_id": w.draft.pk},
        APPLICANT,
        ("POST",),
        ok=(200, 302),
    ),
    Row(
        "applications:submit",
        lambda w: {"application_id": w.draft.pk},
        APPLICANT,
        ("POST",),
        ok=(200, 302, 400),
    ),
    Row(
        "applications:withdraw",
        lambda w: {"application_id": w.draft.pk},
        APPLICANT,
        ("POST",),
        ok=(302,),
    ),
    Row(
        "applications:file",
        lambda w: {"application_id": w.application.pk, "which": "cv"},
        APPLICANT,
    ),
    Row(
        "selection:offer_accept",
        lambda w: {"application_id": w.application.pk},
        APPLICANT,
        ("POST",),
        ok=(302,),
    ),
    Row(
        "selection:offer_decline",
        lambda w: {"application_id": w.application.pk},
        APPLICANT,
        ("POST",),
        data={"reason": "Changed"},
        ok=(302,),
    ),
    # reviews (the reviewer's own pages)
    Row("reviews:queue", _none, SIGNED_IN),
    Row("reviews:score", lambda w: {"assignment_id": w.assignment.pk}, REVIEWER, ("GET", "POST")),
    Row(
        "reviews:flag_conflict",
        lambda w: {"assignment_id": w.assignment.pk},
        REVIEWER,
        ("POST",),
        ok=(200, 302),
    ),
    Row("reviews:file", lambda w: {"assignment_id": w.assignment.pk, "key": "cv"}, REVIEWER),
    # cohorts: the programme, its team and outbox
    Row("cohorts:programme_detail", _p, WORKSPACE | {"partner_viewer"}),
    Row("programmes:programme_team", _p, ADMINS, ("GET", "POST")),
    Row(
        "programmes:programme_role_revoke",
        lambda w: {**_p(w), "role_id": w.role.pk},
        ADMINS,
        ("POST",),
        ok=(302,),
    ),
    Row("programmes:programme_outbox", _p, STAFF),
    Row("programmes:programme_outbox_release", _p, ADMINS, ("POST",), ok=(302,)),
    Row("programmes:programme_announcement", _p, ADMINS, ("GET", "POST")),
    Row(
        "programmes:programme_outbox_message",
        lambda w: {**_p(w), "message_id": w.message.pk},
        STAFF,
    ),
    Row(
        "programmes:programme_outbox_message_html",
        lambda w: {**_p(w), "message_id": w.message.pk},
        STAFF,
    ),
    Row(
        "programmes:programme_outbox_retry",
        lambda w: {**_p(w), "message_id": w.message.pk},
        STAFF,
        ("POST",),
        ok=(302,),
    ),
    # cohorts: set-up
    Row("programmes:programme_edit", _p, ADMINS, ("GET", "POST")),
    Row("privacy:retention", _p, ADMINS, ("GET", "POST")),
    Row("programmes:programme_audit", _p, ADMINS),
    Row("programmes:programme_audit_export", _p, ADMINS),
    Row("cohorts:cohort_create", _p, ADMINS, ("GET", "POST")),
    Row("cohorts:cohort_detail", _c, STAFF),
    Row("cohorts:cohort_public", _c, PUBLIC),
    Row("cohorts:cohort_edit", _c, ADMINS, ("GET", "POST")),
    Row("cohorts:question_create", _c, ADMINS, ("GET", "POST")),
    Row(
        "cohorts:question_edit",
        lambda w: {**_c(w), "question_id": w.question.pk},
        ADMINS,
        ("GET", "POST"),
    ),
    Row(
        "cohorts:question_delete",
        lambda w: {**_c(w), "question_id": w.question.pk},
        ADMINS,
        ("POST",),
        ok=(302,),
    ),
    Row(
        "cohorts:question_move",
        lambda w: {**_c(w), "question_id": w.question.pk},
        ADMINS,
        ("POST",),
        ok=(302,),
    ),
    Row(
        "cohorts:rule_create",
        _c,
        ADMINS,
        ("POST",),
        data={"attribute": "residency", "operator": "in", "values": "citizen"},
        ok=(200, 302, 400),  # 400: the form's errors, past the access check
    ),
    Row("cohorts:rule_form", _c, ADMINS, query={"attribute": "residency"}),
    Row(
        "cohorts:rule_delete",
        lambda w: {**_c(w), "rule_id": w.rule.pk},
        ADMINS,
        ("POST",),
        ok=(302,),
    ),
    # cohorts: review
    Row("reviews:conflicts", _p, REVIEWER, ("GET", "POST")),
    Row(
        "reviews:conflict_delete",
        lambda w: {**_p(w), "conflict_id": w.conflict.pk},
        REVIEWER,
        ("POST",),
        ok=(302,),
    ),
    Row("reviews:review_setup", _c, ADMINS, ("GET", "POST")),
    Row(
        "reviews:criterion_delete",
        lambda w: {**_c(w), "criterion_id": w.criterion.pk},
        ADMINS,
        ("POST",),
        ok=(302,),
    ),
    Row(
        "reviews:criterion_edit",
        lambda w: {**_c(w), "criterion_id": w.criterion.pk},
        ADMINS,
        ("GET", "POST"),
    ),
    Row("reviews:review_assign", _c, ADMINS, ("GET", "POST")),
    Row("reviews:review_dashboard", _c, ADMINS, ("GET", "POST")),
    Row("reviews:review_ranking", _c, ADMINS),
    Row(
        "reviews:review_application",
        lambda w: {**_c(w), "application_id": w.application.pk},
        ADMINS,
    ),
    Row(
        "reviews:assignment_reassign",
        lambda w: {**_c(w), "assignment_id": w.assignment.pk},
        ADMINS,
        ("POST",),
        data={"reviewer": ""},
        ok=(200, 302),
    ),
    # cohorts: selection
    Row("selection:selection_home", _c, ADMINS, ("GET", "POST")),
    Row(
        "selection:quota_delete",
        lambda w: {**_c(w), "quota_id": w.quota.pk},
        ADMINS,
        ("POST",),
        ok=(302,),
    ),
    Row("selection:selection_run", lambda w: {**_c(w), "number": w.run.number}, ADMINS),
    Row(
        "selection:selection_commit",
        lambda w: {**_c(w), "number": w.run.number},
        ADMINS,
        ("POST",),
        ok=(200, 302),
    ),
    Row(
        "selection:selection_retry",
        lambda w: {**_c(w), "number": w.run.number},
        ADMINS,
        ("POST",),
        ok=(200, 302),
    ),
    Row(
        "selection:selection_compare",
        _c,
        ADMINS,
        query={"a": 1, "b": 1},
    ),
    Row("selection:selection_offers", _c, STAFF, ("GET", "POST")),
    # cohorts: staff pages of a cohort's applications
    Row("applications:cohort_applications", _c, STAFF),
    Row("applications:cohort_form_preview", _c, STAFF),
    Row(
        "applications:cohort_applications_bulk",
        _c,
        STAFF,
        ("POST",),
        data={"status": ApplicationStatus.NOT_SELECTED},
        ok=(200, 302),
    ),
    Row("applications:cohort_applications_export", _c, STAFF),
    Row(
        "applications:cohort_application_detail",
        lambda w: {**_c(w), "application_id": w.application.pk},
        STAFF,
        ("GET", "POST"),
    ),
    Row(
        "applications:cohort_application_dispute_resolve",
        lambda w: {**_c(w), "application_id": w.application.pk, "dispute_id": w.dispute.pk},
        STAFF,
        ("POST",),
        data={"response": "Corrected."},
        ok=(302,),
    ),
    Row(
        "applications:cohort_application_cv",
        lambda w: {**_c(w), "application_id": w.application.pk},
        STAFF,
    ),
    Row(
        "applications:cohort_application_file",
        lambda w: {**_c(w), "application_id": w.application.pk, "key": "certificate"},
        STAFF,
    ),
    # exports: a person's exports in a programme (the staff persona asked for this one)
    Row("exports:export_list", _p, WORKSPACE),
    Row("exports:export_detail", _export, STAFF),
    Row("exports:export_download", _export, STAFF),
    # exports: a person's own data, in the account settings. The list names no person; a copy
    # is its owner's only (staff and administrators included are refused another's).
    Row("exports:personal_data", _none, SIGNED_IN, ("GET", "POST"), ok=(200, 302)),
    Row(
        "exports:personal_data_download",
        lambda w: {"export_uuid": w.personal_export.uuid},
        APPLICANT,
    ),
    # compute: the programme's catalogue, pools, allocations, top-ups and tokens
    Row("compute:overview", _p, STAFF),
    Row("compute:export", _p, STAFF),
    Row("compute:resource_create", _p, ADMINS, ("GET", "POST")),
    Row(
        "compute:resource_edit",
        lambda w: {**_p(w), "resource_id": w.resource.pk},
        ADMINS,
        ("GET", "POST"),
    ),
    Row("compute:pool_create", _p, ADMINS, ("GET", "POST")),
    Row("compute:pool_detail", _pool, STAFF),
    Row("compute:pool_edit", _pool, ADMINS, ("GET", "POST")),
    Row(
        "compute:pool_bulk",
        _pool,
        ADMINS,
        ("POST",),
        data={"mode": "add", "amount": "1"},
        ok=(302, 400),  # 400: no allocation ticked, past the access check
    ),
    Row("compute:pool_upload", _pool, ADMINS, ("POST",), ok=(400,)),
    Row("compute:allocation_detail", _allocation, STAFF),
    Row(
        "compute:allocation_adjust",
        _allocation,
        ADMINS,
        ("POST",),
        data={"mode": "add", "amount": "1"},
        ok=(302,),
    ),
    Row("compute:allocation_suspend", _allocation, ADMINS, ("POST",), ok=(302,)),
    Row("compute:allocation_resume", _allocation, ADMINS, ("POST",), ok=(302,)),
    Row("compute:request_list", _p, STAFF),
    Row(
        "compute:request_decide",
        lambda w: {**_p(w), "request_id": w.topup.pk},
        ADMINS,
        ("POST",),
        data={"granted": "1"},
        ok=(302,),
    ),
    Row("compute:token_list", _p, STAFF),
    Row("compute:token_create", _p, ADMINS, ("POST",), ok=(400,)),  # 400: no resource chosen
    Row(
        "compute:token_revoke",
        lambda w: {**_p(w), "token_id": w.compute_token.pk},
        ADMINS,
        ("POST",),
        ok=(302,),
    ),
    # compute: the participant's own page, and asking for more of their own allocation
    Row("compute:mine", _none, SIGNED_IN),
    Row(
        "compute:topup_request",
        lambda w: {"allocation_id": w.allocation.pk},
        PARTICIPANT,
        ("POST",),
        data={"amount": "5", "justification": "More"},
        ok=(302, 400),  # 400: their request already waits, past the access check
    ),
    # mentoring: the programme's pairs, mentors, runs and forbidden pairs
    Row("mentoring:overview", _p, STAFF),
    Row("mentoring:export", _p, STAFF),
    Row("mentoring:run_create", _p, ADMINS, ("POST",), ok=(400,)),  # 400: no cohort chosen
    Row("mentoring:run_detail", _run, STAFF),
    Row("mentoring:run_assign", _run, ADMINS, ("POST",), ok=(400,)),  # 400: nobody chosen
    Row(
        "mentoring:run_unassign",
        lambda w: {**_run(w), "pairing_id": w.proposed.pk},
        ADMINS,
        ("POST",),
        ok=(302,),
    ),
    Row("mentoring:run_swap", _run, ADMINS, ("POST",), ok=(400,)),  # 400: no pairs chosen
    Row("mentoring:run_publish", _run, ADMINS, ("POST",), ok=(302,)),
    Row("mentoring:run_discard", _run, ADMINS, ("POST",), ok=(302,)),
    Row("mentoring:forbidden_add", _p, ADMINS, ("POST",), ok=(400,)),  # 400: no mentor chosen
    Row(
        "mentoring:forbidden_remove",
        lambda w: {**_p(w), "forbidden_id": w.forbidden.pk},
        ADMINS,
        ("POST",),
        ok=(302,),
    ),
    Row(
        "mentoring:admin_pairing_end",
        lambda w: {**_p(w), "pairing_id": w.pairing.pk},
        ADMINS,
        ("POST",),
        ok=(302,),
    ),
    # mentoring: a mentor's profile, a participant's preferences, each person's own page
    Row("mentoring:profile", _p, MENTOR, ("GET", "POST")),
    Row("mentoring:conflict_declare", _p, MENTOR, ("POST",), ok=(302, 400)),
    Row("mentoring:preferences", _p, PARTICIPANT, ("GET", "POST")),
    Row("mentoring:mine", _none, SIGNED_IN),
    # mentoring: a pairing, for its mentor and its mentee only
    Row("mentoring:pairing", _pairing, PAIRED),
    Row(
        "mentoring:session_log",
        _pairing,
        PAIRED,
        ("POST",),
        ok=(400,),  # 400: no date, past the access check
    ),
    Row("mentoring:session_confirm", _session, MENTOR, ("POST",), ok=(302,)),
    Row(
        "mentoring:session_feedback",
        _session,
        PARTICIPANT,
        ("POST",),
        data={"attended": "yes", "rating": "4"},
        ok=(302,),
    ),
    Row("mentoring:pairing_end", _pairing, PAIRED, ("POST",), ok=(302,)),
    # courses: the programme's teaching, for its staff
    Row("courses:overview", _p, STAFF),
    Row("courses:settings", _p, STAFF, ("POST",), ok=(302, 400)),
    Row("courses:course_create", _p, STAFF, ("GET", "POST")),
    Row("courses:course_detail", _course, STAFF),
    Row("courses:course_edit", _course, STAFF, ("GET", "POST")),
    Row("courses:session_create", _course, STAFF, ("GET", "POST")),
    Row("courses:enrolment_add", _course, STAFF, ("POST",), ok=(302, 400)),
    Row(
        "courses:enrolment_remove",
        lambda w: {**_course(w), "enrollment_id": w.enrollment.pk},
        STAFF,
        ("POST",),
        ok=(302,),
    ),
    Row("courses:assessment_create", _course, STAFF, ("GET", "POST")),
    Row("courses:assessment_detail", _assessment, STAFF),
    Row("courses:assessment_edit", _assessment, STAFF, ("GET", "POST")),
    Row("courses:result_record", _assessment, STAFF, ("POST",), ok=(302, 400)),
    Row("courses:results_import", _assessment, STAFF, ("POST",), ok=(400,)),  # 400: no file
    Row("courses:session_edit", _class_session, STAFF, ("GET", "POST")),
    Row("courses:session_cancel", _class_session, STAFF, ("POST",), ok=(302,)),
    Row("courses:roster", _class_session, STAFF),
    Row("courses:roster_all_present", _class_session, STAFF, ("POST",), ok=(200, 302)),
    Row(
        "courses:roster_mark",
        lambda w: {**_class_session(w), "user_id": w.personas["participant"].pk},
        STAFF,
        ("POST",),
        data={"status": "late"},
        ok=(200, 302),
    ),
    Row("courses:checkin_display", _class_session, STAFF),
    Row("courses:progress", _p, STAFF),
    Row("courses:progress_export", _p, STAFF),
    Row("courses:progress_message", _p, STAFF, ("POST",), ok=(302, 400)),
    Row(
        "courses:participant_progress",
        lambda w: {**_p(w), "user_id": w.personas["participant"].pk},
        STAFF,
    ),
    # courses: each person's own courses, calendar and check-in
    Row("courses:mine", _none, SIGNED_IN),
    Row("courses:elective_choose", _elective, PARTICIPANT, ("POST",), ok=(302,)),
    Row("courses:elective_drop", _elective, PARTICIPANT, ("POST",), ok=(302,)),
    Row("courses:calendar", _none, SIGNED_IN),
    Row("courses:feed_manage", _none, SIGNED_IN, ("POST",), ok=(302, 400)),
    Row("courses:feed", lambda w: {"token": w.feed.token}, PUBLIC),
    Row("courses:check_in", _none, SIGNED_IN),
    Row(
        "courses:check_in_scan",
        lambda w: {"session_id": w.class_session.pk},
        PARTICIPANT,
    ),
    # certificates: a cohort's board, rule, runs and people, for the programme's staff
    Row("certificates:board", _c, STAFF),
    Row("certificates:rule", _c, STAFF, ("GET", "POST")),
    Row("certificates:issue_all", _c, STAFF, ("POST",), ok=(302,)),
    Row("certificates:run", lambda w: {**_c(w), "run_id": w.issue_run.pk}, STAFF),
    Row("certificates:person", _holder, STAFF),
    Row("certificates:waive", _holder, STAFF, ("POST",), ok=(302, 400)),
    Row("certificates:sign_off", _holder, STAFF, ("POST",), ok=(302,)),
    Row("certificates:issue_one", _holder, STAFF, ("POST",), ok=(302,)),
    Row(
        "certificates:revoke",
        lambda w: {**_p(w), **_code(w)},
        STAFF,
        ("POST",),
        ok=(302, 400),
    ),
    # certificates: the holder's own, and public verification
    Row("certificates:mine", _none, SIGNED_IN),
    Row("certificates:pdf", _code, STAFF | PARTICIPANT),
    Row("certificates:verify", _code, PUBLIC),
    Row("certificates:credential", _code, PUBLIC),
    Row("certificates:did", _none, PUBLIC),
    Row("certificates:status_list", _status_list, PUBLIC),
    # dashboards: the programme's dashboard, in full for admins, as aggregates for partners
    Row("dashboards:dashboard", _p, DASHBOARD),
    Row("dashboards:cohort_dashboard", _c, DASHBOARD),
    Row(
        "dashboards:chart_download",
        lambda w: {**_c(w), "chart": "funnel", "fmt": "csv"},
        DASHBOARD,
    ),
]
ROWS = {row.name: row for row in TABLE}


# --- walking the resolver --------------------------------------------------------------------


def _url_names(patterns=None, namespace="") -> list[str]:
    """Every named URL pattern whose view belongs to one of our own apps."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            found += _url_names(entry.url_patterns, inner.strip(":"))
        elif entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            module = getattr(entry.callback, "__module__", "") or ""
            if name.startswith("admin:") or module.split(".")[0] not in OUR_APPS:
                continue
            found.append(name)
    return found


def test_access_table_covers_every_url():
    names = _url_names()
    assert names, "the resolver walk found none of our URLs"
    missing = sorted(set(names) - set(ROWS))
    assert not missing, f"URL names without a row in the access table: {missing}"
    stale = sorted(set(ROWS) - set(names))
    assert not stale, f"rows for URL names that no longer exist: {stale}"
    assert len(ROWS) == len(TABLE), "a URL name has two rows"


# --- what must not change --------------------------------------------------------------------

WATCHED = [
    PersonalToken,
    ConsentRecord,
    Programme,
    ProgrammeRole,
    Cohort,
    ApplicationQuestion,
    EligibilityRule,
    Application,
    ApplicationEvent,
    ApplicationDispute,
    ReviewCriterion,
    ReviewAssignment,
    Review,
    ConflictOfInterest,
    AssignmentRun,
    Quota,
    SelectionRun,
    Offer,
    Participant,
    Notification,
    EmailMessage,
    NotificationPreference,
    ResourceType,
    ResourcePool,
    Allocation,
    AllocationChange,
    AllocationRequest,
    IntegrationToken,
    UsageRecord,
    MentorProfile,
    MenteePreference,
    ForbiddenPair,
    MatchingRun,
    Pairing,
    MentoringSession,
    CourseSettings,
    Course,
    ClassSession,
    Enrollment,
    Attendance,
    Assessment,
    AssessmentResult,
    CalendarFeed,
    Export,
    CertificationRule,
    Waiver,
    SignOff,
    Certificate,
    IssueRun,
    ErasureRequest,
]


def _snapshot() -> dict:
    """Every row of every watched table, every column (audit entries are not watched)."""
    return {model.__name__: list(model.objects.order_by("pk").values_list()) for model in WATCHED}


def _diff(before: dict, after: dict) -> list[str]:
    return [
        f"{name}: {len(before[name])} rows -> {len(after[name])} rows, or a row changed"
        for name in before
        if before[name] != after[name]
    ]


# --- the tests -------------------------------------------------------------------------------


def _client(world, persona: str) -> Client:
    client = Client()
    user = world.personas[persona]
    if user is not None:
        # force_login stamps the session as freshly signed in: no re-authentication asked.
        client.force_login(user)
    return client


def _address(row: Row, world) -> str:
    return reverse(row.name, kwargs=row.kwargs(world))


def _refused(response, persona: str) -> bool:
    if persona == "anonymous" and response.status_code == 302:
        return urlsplit(response["Location"]).path == reverse("account_login")
    return response.status_code in (403, 404)


DENIED_CASES = [
    pytest.param(row, persona, id=f"{row.name}-{persona}")
    for row in TABLE
    for persona in PERSONAS
    if persona not in row.may
]


def _proofs(row: Row) -> list[str]:
    """The first persona of PROOF_ORDER that may reach the row; and the participant as well
    wherever it may: holding a seat must not lose anything a signed-in user has."""
    first = next(p for p in PROOF_ORDER + PERSONAS if p in row.may)
    return [first, "participant"] if "participant" in row.may - {first} else [first]


ALLOWED_CASES = [
    pytest.param(row, persona, id=f"{row.name}-{persona}")
    for row in TABLE
    for persona in _proofs(row)
]


@pytest.mark.parametrize(("row", "persona"), DENIED_CASES)
def test_access_table_refuses(world, row, persona):
    client = _client(world, persona)
    url = _address(row, world)
    before = _snapshot()
    for method in row.methods:
        if method == "GET":
            response = client.get(url, row.query)
        else:
            response = client.post(url, {**GENERIC_POST, **row.data})
        assert _refused(response, persona), (
            f"{persona} {method} {url} answered {response.status_code} "
            f"{response.get('Location', '')}"
        )
    assert _diff(before, _snapshot()) == [], f"{persona} changed something through {url}"


@pytest.mark.parametrize(("row", "persona"), ALLOWED_CASES)
def test_access_table_lets_in(world, row, persona):
    client = _client(world, persona)
    url = _address(row, world)
    if "GET" in row.methods:
        response = client.get(url, row.query)
    else:
        response = client.post(url, {**GENERIC_POST, **row.data})
    assert response.status_code in row.ok, (
        f"{persona} {url} answered {response.status_code} {response.get('Location', '')}"
    )
    if response.status_code == 302:
        assert urlsplit(response["Location"]).path != reverse("account_login")


def test_access_table_world_is_shared_and_intact(world):
    """The module's world survives each test's rollback: an allowed POST did not eat it."""
    assert Offer.objects.filter(application=world.application).exists()
    assert SelectionRun.objects.get(pk=world.run.pk).number == 1
    assert Participant.objects.filter(
        user=world.personas["participant"], cohort=world.cohort
    ).exists()
    assert settings.AUTH_USER_MODEL
