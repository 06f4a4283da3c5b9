import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from accounts.models import ApplicantProfile, User
from applications.models import Application, ApplicationEvent
from cohorts.models import Cohort
from notifications.enums import EmailStatus
from notifications.models import EmailMessage, Notification
from programmes.enums import PartnerKind, RoleKind
from programmes.models import Programme, ProgrammeRole
from reviews.models import ConflictOfInterest, Review, ReviewAssignment

pytestmark = pytest.mark.django_db


def _snapshot():
    return sorted(
        ApplicantProfile.objects.values_list(
            "user__email", "full_name", "sector", "job_level", "employer_size", "date_of_birth"
        )
    ) + sorted(
        Application.objects.values_list(
            "applicant__email", "status", "answers__track", "is_eligible"
        )
    )


def test_seed_demo_builds_programme_team_and_applicants(capsys):
    call_command("seed_demo", applicants=12, seed=7, force=True)
    out = capsys.readouterr().out

    programme = Programme.objects.get(slug="ai-forward-2026")
    assert programme.is_published
    assert sorted(programme.partners.values_list("kind", flat=True)) == sorted(
        [PartnerKind.CLOUD, PartnerKind.DATA_CENTRE, PartnerKind.UNION]
    )
    roles = {role: ProgrammeRole.objects.filter(role=role).count() for role in RoleKind.values}
    assert roles == {"programme_admin": 1, "reviewer": 4, "mentor": 3, "staff": 1}
    assert User.objects.get(email="admin@example.org").is_superuser
    # 12 submitted, plus drafts and withdrawn ones, plus five who have not applied
    assert ApplicantProfile.objects.count() == 5 + 12 + 6
    cohort = Cohort.objects.get(programme=programme)
    assert cohort.capacity == 1000 and cohort.is_open
    assert cohort.questions.count() == 8
    assert cohort.questions.get(key="support_kind").depends_on.key == "employer_supports"
    assert cohort.eligibility_rules.count() == 3
    assert Application.objects.exclude(status__in=["draft", "withdrawn"]).count() == 12
    assert not Application.objects.filter(applicant__email="applicant001@example.org").exists()
    assert (
        ApplicationEvent.objects.filter(to_status="submitted").count()
        == Application.objects.exclude(status="draft").count()
    )
    assert not EmailAddress.objects.filter(verified=False).exists()
    assert "admin@example.org" in out
    assert "password for all: cohortline-demo" in out


def test_seed_demo_reviews_most_applications():
    call_command("seed_demo", applicants=12, seed=7, force=True)
    cohort = Cohort.objects.get()
    assert cohort.criteria.count() == 4
    assignments = ReviewAssignment.objects.filter(application__cohort=cohort)
    assert (
        assignments.count()
        == 2 * Application.objects.exclude(status__in=["draft", "withdrawn"]).count()
    )
    assert Review.objects.filter(is_submitted=True).count() >= assignments.count() // 2
    assert Application.objects.filter(
        raw_score__isnull=False, normalized_score__isnull=False
    ).exists()
    assert ConflictOfInterest.objects.count() == 3
    call_command("seed_demo", applicants=12, seed=7, force=True)
    assert ReviewAssignment.objects.count() == assignments.count()


def test_seed_demo_selects_the_cohort():
    from selection.models import Offer, Participant, SelectionRun

    call_command("seed_demo", applicants=12, seed=7, force=True)
    run = SelectionRun.objects.get()
    assert (run.status, run.result_status) == ("committed", "optimal")
    assert Participant.objects.count() >= 1
    assert Offer.objects.filter(status="declined").exists()
    assert Application.objects.filter(status="waitlisted").exists()
    assert (
        Offer.objects.filter(status__in=["open", "accepted"]).count()
        <= Cohort.objects.get().capacity
    )


def test_seed_demo_refuses_to_run_with_debug_off():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="published password"):
        call_command("seed_demo", applicants=1)
    assert not User.objects.exists()


def test_seed_demo_is_deterministic_and_idempotent():
    call_command("seed_demo", applicants=10, seed=3, force=True)
    first = _snapshot()
    call_command("seed_demo", applicants=10, seed=3, force=True)
    assert _snapshot() == first
    assert User.objects.count() == (5 + 10 + 6) + 11
    assert Application.objects.exclude(status__in=["draft", "withdrawn"]).count() == 10
    assert ProgrammeRole.objects.count() == 9
    # Each team member was told of their role once; one announcement to the reviewers waits.
    assert Notification.objects.filter(kind="programme.role_granted").count() == 9
    staged = EmailMessage.objects.filter(status=EmailStatus.STAGED, kind="programme.announcement")
    assert sorted(staged.values_list("to_email", flat=True)) == [
        "reviewer.four@example.org",
        "reviewer.one@example.org",
        "reviewer.three@example.org",
        "reviewer.two@example.org",
    ]


def test_seed_demo_varies_profiles():
    call_command("seed_demo", applicants=40, force=True)
    assert ApplicantProfile.objects.values("sector").distinct().count() >= 6
    assert ApplicantProfile.objects.values("job_level").distinct().count() == 4
    assert ApplicantProfile.objects.filter(is_union_member=True).exists()
