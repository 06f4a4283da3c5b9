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
        Application.objects.filter(cohort__slug="main-intake").values_list(
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
    # Three mentors in the team, 37 more for mentoring (mentoring/demo.py).
    assert roles == {
        "programme_admin": 1,
        "reviewer": 4,
        "mentor": 40,
        "staff": 1,
        "partner_viewer": 1,
    }
    viewer = ProgrammeRole.objects.get(role=RoleKind.PARTNER_VIEWER)
    assert (viewer.user.email, viewer.partner.kind) == (
        "partner.viewer@example.org",
        PartnerKind.CLOUD,
    )
    assert "partner.viewer@example.org" in out
    assert User.objects.get(email="admin@example.org").is_superuser
    # 12 submitted, plus drafts and withdrawn ones, plus five who have not applied
    assert ApplicantProfile.objects.count() == 5 + 12 + 6
    cohort = Cohort.objects.get(programme=programme, slug="main-intake")
    assert cohort.capacity == 1000 and cohort.is_open
    assert cohort.questions.count() == 8
    assert cohort.questions.get(key="support_kind").depends_on.key == "employer_supports"
    assert cohort.eligibility_rules.count() == 3
    assert (
        Application.objects.filter(cohort__slug="main-intake")
        .exclude(status__in=["draft", "withdrawn"])
        .count()
        == 12
    )
    assert (
        not Application.objects.filter(cohort__slug="main-intake")
        .filter(applicant__email="applicant001@example.org")
        .exists()
    )
    assert (
        ApplicationEvent.objects.filter(
            application__cohort__slug="main-intake", to_status="submitted"
        ).count()
        == Application.objects.filter(cohort__slug="main-intake").exclude(status="draft").count()
    )
    assert not EmailAddress.objects.filter(verified=False).exists()
    assert "admin@example.org" in out
    assert "password for all: cohortline-demo" in out


def test_seed_demo_reviews_most_applications():
    call_command("seed_demo", applicants=12, seed=7, force=True)
    cohort = Cohort.objects.get(slug="main-intake")
    assert cohort.criteria.count() == 4
    assignments = ReviewAssignment.objects.filter(application__cohort=cohort)
    assert (
        assignments.count()
        == 2
        * Application.objects.filter(cohort__slug="main-intake")
        .exclude(status__in=["draft", "withdrawn"])
        .count()
    )
    assert Review.objects.filter(is_submitted=True).count() >= assignments.count() // 2
    assert (
        Application.objects.filter(cohort__slug="main-intake")
        .filter(raw_score__isnull=False, normalized_score__isnull=False)
        .exists()
    )
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
    assert (
        Application.objects.filter(cohort__slug="main-intake").filter(status="waitlisted").exists()
    )
    assert (
        Offer.objects.filter(status__in=["open", "accepted"]).count()
        <= Cohort.objects.get(slug="main-intake").capacity
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
    # Applicants, the team with the platform admin and the outsider, 37 more mentors, the
    # partner viewer, the applicant who asked for their account to be deleted and 16 alumni of
    # two earlier intakes.
    assert User.objects.count() == (5 + 10 + 6) + 11 + 37 + 1 + 1 + 16
    assert (
        Application.objects.filter(cohort__slug="main-intake")
        .exclude(status__in=["draft", "withdrawn"])
        .count()
        == 10
    )
    assert ProgrammeRole.objects.count() == 9 + 37 + 1
    # Each team member, mentor and the partner viewer was told of their role once; one
    # announcement to the reviewers waits.
    assert Notification.objects.filter(kind="programme.role_granted").count() == 9 + 37 + 1
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


def _printed_token(out: str, title: str = "Usage API") -> str:
    lines = out.splitlines()
    return lines[lines.index(next(line for line in lines if line.startswith(title))) + 1]


def _compute_snapshot():
    from compute.models import Allocation, AllocationChange, AllocationRequest, UsageRecord

    return (
        sorted(Allocation.objects.values_list("pool__resource__slug", "user__email", "limit")),
        UsageRecord.objects.count(),
        AllocationChange.objects.count(),
        sorted(AllocationRequest.objects.values_list("status", "amount", "granted")),
        Notification.objects.filter(kind__startswith="compute.").count(),
    )


def test_seed_demo_gives_compute_quotas_usage_and_a_working_token(capsys, client, settings):
    import shlex
    from decimal import Decimal

    from django.db.models import F, Sum

    from compute import selectors as compute_selectors
    from compute import services as compute_services
    from compute.models import Allocation, AllocationRequest, IntegrationToken, ResourcePool
    from selection.models import Participant

    call_command("seed_demo", applicants=12, seed=7, force=True)
    out = capsys.readouterr().out
    programme = Programme.objects.get(slug="ai-forward-2026")
    cohort = Cohort.objects.get(programme=programme, slug="main-intake")

    pools = {
        pool.resource.slug: pool
        for pool in ResourcePool.objects.filter(cohort=cohort).select_related("resource__provider")
    }
    assert {
        slug: (p.resource.unit, p.resource.metering, p.resource.provider.name, p.default_grant)
        for slug, p in pools.items()
    } == {
        "gpu-h100": ("gpu_hours", "accumulates", "Meridian Data Centres", Decimal(120)),
        "qwen-max-tokens": ("tokens", "accumulates", "Nimbus Cloud", Decimal(20_000_000)),
        "storage-gb": ("gb", "level", "Meridian Data Centres", Decimal(200)),
    }
    # Every participant holds the three grants; each pool's counter is the sum of its limits.
    participants = set(Participant.objects.filter(cohort=cohort).values_list("user_id", flat=True))
    assert participants
    for pool in pools.values():
        held = Allocation.objects.filter(pool=pool)
        assert set(held.values_list("user_id", flat=True)) == participants
        assert pool.allocated == held.aggregate(s=Sum("limit"))["s"] <= pool.total
    # Weeks of usage: someone is over their GPU hours, someone else near 80 %; each of them was
    # told once per threshold (one message at 100 %, not two).
    gpu = Allocation.objects.filter(pool=pools["gpu-h100"])
    assert gpu.filter(used__gte=F("limit")).exists()
    assert gpu.filter(used__gte=F("limit") * Decimal("0.8"), used__lt=F("limit")).exists()
    assert Allocation.objects.filter(used__gt=0).count() >= len(participants)
    alerted = Allocation.objects.filter(notified_80_at__isnull=False)
    # (a top-up may since have taken someone back under 80 %)
    assert set(Allocation.objects.filter(used__gte=F("limit") * Decimal("0.8"))) <= set(alerted)
    assert Notification.objects.filter(kind="compute.threshold").count() == alerted.count()
    assert list(compute_selectors.alerts_for_programme(programme=programme))
    # Top-ups: one decided (the participant was told), the others waiting, each with a reason.
    requests = AllocationRequest.objects.filter(allocation__pool__cohort=cohort)
    assert requests.filter(status="pending").exists()
    assert requests.filter(status="partly_approved").count() == 1
    assert all(r.justification for r in requests)
    assert Notification.objects.filter(kind="compute.topup_decided").count() == 1
    # The login printed for a participant is the one whose request was answered.
    answered = requests.get(status="partly_approved").allocation.user.email
    assert f"{answered:<32} participant (compute: usage, a top-up answered)" in out

    # The printed token works, and the curl line posts a usage record with it.
    secret = _printed_token(out).strip()
    token = compute_services.token_authenticate(secret)
    assert token is not None and token.programme == programme
    assert set(token.resources.values_list("slug", flat=True)) == set(pools)
    curl = [line.strip() for line in out.splitlines() if line.strip().startswith("curl ")]
    assert len(curl) == 2
    # The read API's token, printed with its own curl line, lists the programme (as the demo
    # runs: a programme admin without a second factor).
    settings.COHORTLINE_ADMIN_MFA_REQUIRED = False
    read_secret = _printed_token(out, "Read API token").strip()
    read_curl = shlex.split(curl.pop(0))
    assert read_curl[:3] == ["curl", "-sS", f"{settings.SITE_URL}/api/v1/programmes"]
    assert read_curl[3:] == ["-H", f"Authorization: Bearer {read_secret}"]
    listed = client.get(
        "/api/v1/programmes", headers={"Authorization": read_curl[4].split(": ")[1]}
    )
    assert listed.status_code == 200, listed.content
    assert [item["slug"] for item in listed.json()["items"]] == [programme.slug]
    # SITE_URL: http://127.0.0.1:8000 in the demo
    assert curl[0].startswith(f"curl -sS -X POST {settings.SITE_URL}/api/v1/usage ")
    assert f"Authorization: Bearer {secret}" in curl[0]
    assert '"resource": "gpu-h100"' in curl[0]
    assert secret not in str(IntegrationToken.objects.values_list().get(pk=token.pk))
    # What the curl line sends is accepted by the API.
    args = shlex.split(curl[0])
    headers = dict(args[n + 1].split(": ", 1) for n, arg in enumerate(args) if arg == "-H")
    assert headers == {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    response = client.post(
        "/api/v1/usage",
        data=args[args.index("-d") + 1],
        content_type=headers["Content-Type"],
        headers={"Authorization": headers["Authorization"]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["totals"] == {
        "received": 1,
        "accepted": 1,
        "duplicate": 0,
        "rejected": 0,
    }


def test_seed_demo_twice_keeps_compute_data_and_prints_a_new_working_token(capsys):
    from compute import services as compute_services
    from compute.models import IntegrationToken, ResourcePool, ResourceType

    call_command("seed_demo", applicants=12, seed=7, force=True)
    first_secret = _printed_token(capsys.readouterr().out).strip()
    first = _compute_snapshot()

    call_command("seed_demo", applicants=12, seed=7, force=True)
    second_secret = _printed_token(capsys.readouterr().out).strip()

    assert _compute_snapshot() == first
    assert ResourceType.objects.count() == 3 and ResourcePool.objects.count() == 3
    # A secret is shown only once, so each run makes a token; the previous one is revoked.
    assert second_secret != first_secret
    assert compute_services.token_authenticate(first_secret) is None
    assert compute_services.token_authenticate(second_secret) is not None
    assert IntegrationToken.objects.filter(revoked_at__isnull=True).count() == 1


def _mentoring_snapshot():
    from mentoring.models import (
        ForbiddenPair,
        MatchingRun,
        MenteePreference,
        MentoringSession,
        MentorProfile,
        Pairing,
    )

    return (
        sorted(
            MentorProfile.objects.values_list("user__email", "capacity", "employer", "expertise")
        ),
        sorted(
            MenteePreference.objects.values_list(
                "user__email", "topics", "languages", "wish_1__user__email"
            )
        ),
        ForbiddenPair.objects.count(),
        sorted(MatchingRun.objects.values_list("number", "status")),
        sorted(Pairing.objects.values_list("mentee__email", "mentor__user__email", "status")),
        sorted(MentoringSession.objects.values_list("pairing__mentee__email", "held_on", "rating")),
        Notification.objects.filter(kind__startswith="mentoring.").count(),
    )


def test_seed_demo_matches_mentors_and_logs_weeks_of_sessions(capsys):
    import datetime

    from django.db.models import Count, F, Q
    from django.utils import timezone

    from mentoring import selectors as mentoring_selectors
    from mentoring.matching import same_employer
    from mentoring.models import (
        ForbiddenPair,
        MatchingRun,
        MenteePreference,
        MentoringSession,
        MentorProfile,
        Pairing,
    )
    from selection.models import Participant

    call_command("seed_demo", applicants=60, seed=7, force=True)
    out = capsys.readouterr().out
    programme = Programme.objects.get(slug="ai-forward-2026")
    cohort = Cohort.objects.get(programme=programme, slug="main-intake")
    today = timezone.localdate()

    # Forty mentors, each with the role and a profile; a few take nobody just now.
    profiles = MentorProfile.objects.filter(programme=programme).select_related("user")
    assert profiles.count() == 40
    mentors = set(
        ProgrammeRole.objects.filter(programme=programme, role=RoleKind.MENTOR).values_list(
            "user_id", flat=True
        )
    )
    assert {p.user_id for p in profiles} == mentors
    assert {p.capacity for p in profiles} <= set(range(7))
    assert profiles.filter(capacity=0).count() == 3
    for profile in profiles:
        assert profile.expertise and profile.bio and profile.availability and profile.employer
        assert set(profile.languages) <= {"en", "ms", "zh", "ta"}
        assert profile.expertise == [t.strip().lower() for t in profile.expertise]
    # Most participants said what they want; many wished for mentors.
    participants = Participant.objects.filter(cohort=cohort).count()
    preferences = MenteePreference.objects.filter(cohort=cohort)
    assert participants >= 10 and preferences.count() >= participants * 2 // 3
    assert preferences.exclude(wish_1=None).exists()
    assert ForbiddenPair.objects.filter(programme=programme).count() == 2

    # One optimal run, published eight weeks ago: every pair within the rules.
    run = MatchingRun.objects.get(cohort=cohort)
    assert (run.mode, run.status) == ("optimal", "published")
    assert run.published_at.date() <= today - datetime.timedelta(weeks=8) + datetime.timedelta(1)
    active = Pairing.objects.filter(cohort=cohort, status="active").select_related("mentor")
    assert active.count() >= 5
    assert Pairing.objects.filter(cohort=cohort, status="ended").count() == 1
    forbidden = set(ForbiddenPair.objects.values_list("mentee_id", "mentor_id"))
    for pairing in active:
        assert pairing.started_at == run.published_at
        assert (pairing.mentee_id, pairing.mentor_id) not in forbidden
        assert not same_employer(pairing.mentee.applicant_profile.employer, pairing.mentor.employer)
        assert pairing.explanation
    over = profiles.annotate(n=Count("pairings", filter=Q(pairings__status="active"))).filter(
        n__gt=F("capacity")
    )
    assert not over.exists()

    # Weeks of sessions, logged through the service, most rated; private notes only by mentors.
    sessions = MentoringSession.objects.filter(pairing__cohort=cohort)
    assert sessions.count() >= 3 * active.count()
    assert all(
        run.published_at.date() <= s.held_on <= today for s in sessions.select_related("pairing")
    )
    assert sessions.filter(rating__isnull=False).count() >= sessions.count() // 2
    assert set(sessions.exclude(rating=None).values_list("rating", flat=True)) <= {1, 2, 3, 4, 5}
    assert not sessions.filter(logged_by="mentee").exclude(private_notes="").exists()
    assert sessions.filter(logged_by="mentee", mentor_confirmed=False).count() == 1
    assert sessions.filter(mentor_confirmed=True, feedback_at__isnull=True).exists()
    # A few pairs have stalled: both sides were reminded, the programme admin told of one.
    stalled = mentoring_selectors.pairing_list_for_programme(programme=programme, stalled_only=True)
    assert 1 <= stalled.count() <= active.count() // 3
    assert Notification.objects.filter(kind="mentoring.nudge").count() >= 2
    assert (
        Notification.objects.filter(kind="mentoring.stalled")
        .values_list("recipient__email", flat=True)
        .first()
        == "programme.admin@example.org"
    )

    # The demo mentor has mentees; the participant printed has a mentor and a session to rate.
    assert active.filter(mentor__user__email="mentor.one@example.org").exists()
    line = next(line for line in out.splitlines() if "session to rate" in line)
    email = line.split()[0]
    assert f"{email:<32} participant (mentoring: a mentor, a session to rate)" in out
    assert active.filter(mentee__email=email).exists()
    assert sessions.filter(
        pairing__mentee__email=email, mentor_confirmed=True, feedback_at__isnull=True
    ).exists()
    assert out.count("mentor.one@example.org") == 1


def test_seed_demo_twice_keeps_the_mentoring_data():
    call_command("seed_demo", applicants=30, seed=7, force=True)
    first = _mentoring_snapshot()
    call_command("seed_demo", applicants=30, seed=7, force=True)
    assert _mentoring_snapshot() == first


def test_seed_demo_shows_retention_and_a_scheduled_erasure(capsys):
    from privacy.models import ErasureRequest

    call_command("seed_demo", applicants=12, seed=7, force=True)
    out = capsys.readouterr().out
    pilot = Application.objects.filter(cohort__slug="pilot-2024")
    autumn = Application.objects.filter(cohort__slug="autumn-2024")
    # The pilot is past its retention period and was purged: rows kept, details gone.
    assert pilot.count() == 8 and not pilot.filter(anonymised_at__isnull=True).exists()
    assert not pilot.exclude(cv="").exists()
    assert set(pilot.values_list("email", flat=True)) == {""}
    # The autumn cohort is due: still held, shown on the retention page as due now.
    assert autumn.count() == 8 and not autumn.filter(anonymised_at__isnull=False).exists()
    erasure = ErasureRequest.objects.get()
    assert erasure.is_scheduled and erasure.user.email == "leaving@example.org"
    assert "/programmes/ai-forward-2026/retention/" in out
    assert "8 due now" in out and "leaving@example.org" in out
    # Safe to run again: nothing is purged or requested twice.
    call_command("seed_demo", applicants=12, seed=7, force=True)
    assert ErasureRequest.objects.count() == 1 and pilot.count() == 8


def test_seed_demo_shows_a_correction_request_open_and_one_answered():
    from applications.models import ApplicationDispute

    call_command("seed_demo", applicants=12, seed=7, force=True)
    disputes = ApplicationDispute.objects.filter(application__cohort__slug="main-intake")
    assert sorted(disputes.values_list("about", "status")) == [
        ("profile:employer", "open"),
        ("profile:job_level", "resolved"),
    ]
    call_command("seed_demo", applicants=12, seed=7, force=True)
    assert disputes.count() == 2
