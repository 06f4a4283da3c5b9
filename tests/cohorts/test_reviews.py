import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cohorts import selectors, services
from cohorts.enums import ApplicationStatus, RoleKind
from cohorts.models import (
    Application,
    ConflictOfInterest,
    Review,
    ReviewAssignment,
    ReviewCriterion,
)
from notifications.models import Notification
from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    CohortFactory,
    ProgrammeRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(programme):
    cohort = CohortFactory(
        programme=programme,
        slug="main",
        name="Main intake",
        reviewers_per_application=2,
        is_blind_review=True,
    )
    ReviewCriterion.objects.create(cohort=cohort, name="Motivation", weight=2, position=1)
    ReviewCriterion.objects.create(cohort=cohort, name="Experience", weight=1, position=2)
    return cohort


@pytest.fixture
def reviewers(programme, reviewer):
    others = []
    for n in range(2):
        user = UserFactory(email=f"rev{n}@example.com", display_name=f"Rev {n}")
        ProgrammeRoleFactory(user=user, programme=programme, role=RoleKind.REVIEWER)
        others.append(user)
    return [reviewer, *others]


def _apps(cohort, n, **kwargs):
    return [
        ApplicationFactory(cohort=cohort, full_name=f"Applicant {i}", **kwargs) for i in range(n)
    ]


def _criteria(cohort):
    return {c.name: c.pk for c in selectors.criterion_list_for_cohort(cohort=cohort)}


# --- assignment ---------------------------------------------------------------------------------


def test_assign_gives_k_distinct_reviewers_balanced_and_one_digest_each(
    cohort, reviewers, programme_admin, django_capture_on_commit_callbacks
):
    apps = _apps(cohort, 6)
    preview = services.assignment_preview(cohort=cohort)
    assert preview.problem == "" and preview.new_count == 12
    with django_capture_on_commit_callbacks(execute=True):
        created = services.assignment_commit(cohort=cohort, actor=programme_admin)
    assert created == 12
    for application in apps:
        assigned = list(
            ReviewAssignment.objects.filter(application=application).values_list(
                "reviewer_id", flat=True
            )
        )
        assert len(assigned) == len(set(assigned)) == 2
        application.refresh_from_db()
        assert application.status == ApplicationStatus.IN_REVIEW
    loads = [ReviewAssignment.objects.filter(reviewer=r).count() for r in reviewers]
    assert max(loads) - min(loads) <= 1
    assert Notification.objects.filter(kind="review.assigned").count() == 3
    assert len([m for m in mail.outbox if "to review" in m.subject]) == 3
    # Running again keeps what exists and adds nothing.
    assert services.assignment_commit(cohort=cohort, actor=programme_admin) == 0


def test_assign_respects_conflicts_employer_and_self(cohort, reviewers, programme_admin):
    reviewer = reviewers[0]
    ApplicantProfileFactory(user=reviewers[1], employer="Harbour Logistics")
    services.conflict_declare(
        reviewer=reviewer, programme=cohort.programme, kind="person", value="friend@example.com"
    )
    friend = ApplicationFactory(cohort=cohort, email="friend@example.com", employer="Other Co")
    colleague = ApplicationFactory(cohort=cohort, employer="harbour logistics")
    own = ApplicationFactory(cohort=cohort, applicant=reviewers[2], employer="Third Co")
    services.assignment_commit(cohort=cohort, actor=programme_admin)
    assert not ReviewAssignment.objects.filter(application=friend, reviewer=reviewer).exists()
    assert not ReviewAssignment.objects.filter(
        application=colleague, reviewer=reviewers[1]
    ).exists()
    assert not ReviewAssignment.objects.filter(application=own, reviewer=reviewers[2]).exists()


def test_k_larger_than_reviewers_is_refused_clearly(cohort, reviewers, programme_admin):
    cohort.reviewers_per_application = 5
    cohort.save()
    _apps(cohort, 2)
    with pytest.raises(
        services.ReviewError, match="needs 5 reviewers but the programme has only 3"
    ):
        services.assignment_commit(cohort=cohort, actor=programme_admin)
    assert not ReviewAssignment.objects.exists()


def test_conflict_declared_twice_is_refused(cohort, reviewer):
    services.conflict_declare(
        reviewer=reviewer, programme=cohort.programme, kind="employer", value="Straits Bank"
    )
    with pytest.raises(services.ReviewError, match="already declared"):
        services.conflict_declare(
            reviewer=reviewer, programme=cohort.programme, kind="employer", value="straits bank"
        )
    assert ConflictOfInterest.objects.count() == 1


def test_flagging_a_conflict_removes_assignment_and_blocks_it(cohort, reviewers, programme_admin):
    application = ApplicationFactory(cohort=cohort, email="someone@example.com")
    services.assignment_commit(cohort=cohort, actor=programme_admin)
    assignment = ReviewAssignment.objects.filter(application=application).first()
    services.assignment_flag_conflict(
        assignment=assignment, reviewer=assignment.reviewer, reason="My cousin"
    )
    assignment.refresh_from_db()
    assert not assignment.is_active and "My cousin" in assignment.removed_reason
    conflict = ConflictOfInterest.objects.get(reviewer=assignment.reviewer)
    # Recorded by application number, so a blind reviewer learns nothing about the applicant.
    assert (conflict.kind, conflict.value) == ("application", str(application.pk))
    # The next run gives the application another reviewer, never the same one.
    services.assignment_commit(cohort=cohort, actor=programme_admin)
    active = ReviewAssignment.objects.filter(application=application, is_active=True)
    assert active.count() == 2
    assert assignment.reviewer_id not in set(active.values_list("reviewer_id", flat=True))


# --- reviewing ----------------------------------------------------------------------------------


@pytest.fixture
def assignment(cohort, reviewer):
    application = ApplicationFactory(
        cohort=cohort,
        full_name="Secret Name",
        email="secret@example.com",
        employer="Secret Employer",
    )
    return ReviewAssignment.objects.create(application=application, reviewer=reviewer)


def test_blind_scoring_page_hides_identity(client, assignment, reviewer):
    client.force_login(reviewer)
    body = client.get(reverse("reviews:score", args=[assignment.pk])).content.decode()
    assert (
        "Secret Name" not in body
        and "secret@example.com" not in body
        and "Secret Employer" not in body
    )
    assert f"Application #{assignment.application_id}" in body


def test_review_draft_then_submit_updates_scores(
    client, assignment, reviewer, cohort, django_capture_on_commit_callbacks
):
    ids = _criteria(cohort)
    client.force_login(reviewer)
    url = reverse("reviews:score", args=[assignment.pk])
    client.post(url, {f"score_{ids['Motivation']}": "4", "draft": ""})
    review = Review.objects.get(assignment=assignment)
    assert (review.is_submitted, review.scores) == (False, {str(ids["Motivation"]): 4})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                f"score_{ids['Motivation']}": "5",
                f"score_{ids['Experience']}": "2",
                "recommendation": "yes",
                "submit": "",
            },
        )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.is_submitted and review.total == pytest.approx((5 * 2 + 2) / 3)
    application = assignment.application
    application.refresh_from_db()
    assert application.review_count == 1 and application.raw_score == pytest.approx(4.0)
    assert application.normalized_score == pytest.approx(4.0)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"Motivation": "9", "Experience": "2", "recommendation": "yes"}, "Select a valid choice"),
        (
            {"Motivation": "4", "recommendation": "yes"},
            "Score every criterion before submitting: Experience.",
        ),
        ({"Motivation": "4", "Experience": "2"}, "Choose a recommendation before submitting."),
    ],
)
def test_review_bad_input(client, assignment, reviewer, cohort, data, message):
    ids = _criteria(cohort)
    payload = {
        ("recommendation" if k == "recommendation" else f"score_{ids[k]}"): v
        for k, v in data.items()
    }
    client.force_login(reviewer)
    response = client.post(
        reverse("reviews:score", args=[assignment.pk]), {**payload, "submit": ""}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Review.objects.filter(is_submitted=True).exists()


def test_score_outside_scale_refused_by_service(assignment, reviewer, cohort):
    ids = _criteria(cohort)
    with pytest.raises(services.ReviewError, match="from 1 to 5"):
        services.review_save(
            assignment=assignment,
            reviewer=reviewer,
            scores={ids["Motivation"]: 0},
            recommendation="",
            comment="",
            submit=False,
        )


def test_review_after_deadline_is_refused(client, assignment, reviewer, cohort):
    cohort.review_deadline = timezone.now() - datetime.timedelta(minutes=1)
    cohort.save()
    ids = _criteria(cohort)
    client.force_login(reviewer)
    response = client.post(
        reverse("reviews:score", args=[assignment.pk]),
        {
            f"score_{ids['Motivation']}": "3",
            f"score_{ids['Experience']}": "3",
            "recommendation": "no",
            "submit": "",
        },
    )
    assert response.status_code == 400
    assert "The review deadline has passed" in response.content.decode()


def test_reviewer_cannot_score_unassigned_application(client, cohort, reviewers, assignment):
    other_reviewer = reviewers[1]
    client.force_login(other_reviewer)
    assert client.get(reverse("reviews:score", args=[assignment.pk])).status_code == 404
    with pytest.raises(services.ReviewError, match="not assigned to you"):
        services.review_save(
            assignment=assignment,
            reviewer=other_reviewer,
            scores={},
            recommendation="",
            comment="",
            submit=False,
        )


@pytest.mark.parametrize("persona", ["outsider", "applicant", "other_programme_admin", "mentor"])
def test_review_pages_are_404_for_others(client, request, assignment, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("reviews:score", args=[assignment.pk])).status_code == 404


def test_reviewer_who_lost_the_role_sees_nothing(client, assignment, reviewer, programme):
    reviewer.programme_roles.filter(programme=programme).delete()
    client.force_login(reviewer)
    assert client.get(reverse("reviews:score", args=[assignment.pk])).status_code == 404
    assert "Secret" not in client.get(reverse("reviews:queue")).content.decode()


def test_queue_progress_and_next_unreviewed(client, cohort, reviewer):
    first = ReviewAssignment.objects.create(
        application=ApplicationFactory(cohort=cohort), reviewer=reviewer
    )
    ReviewAssignment.objects.create(
        application=ApplicationFactory(cohort=cohort), reviewer=reviewer
    )
    Review.objects.create(assignment=first, is_submitted=True, submitted_at=timezone.now(), total=3)
    client.force_login(reviewer)
    body = client.get(reverse("reviews:queue")).content.decode()
    assert "1 of 2 reviewed" in body
    assert reverse("reviews:score", args=[first.pk + 1]) in body


@pytest.mark.parametrize("count", [1, 3])
def test_queue_query_count(client, cohort, reviewer, django_assert_num_queries, count):
    for _ in range(count):
        ReviewAssignment.objects.create(
            application=ApplicationFactory(cohort=cohort), reviewer=reviewer
        )
    client.force_login(reviewer)
    # session, user, mfa role check, progress counts, page count, page rows, reviews (prefetch),
    # next unreviewed (+ its review), nav, bell
    with django_assert_num_queries(11):
        client.get(reverse("reviews:queue"))


def test_others_scores_shown_only_after_own_submission(client, cohort, reviewers, assignment):
    other = ReviewAssignment.objects.create(
        application=assignment.application, reviewer=reviewers[1]
    )
    Review.objects.create(
        assignment=other,
        is_submitted=True,
        submitted_at=timezone.now(),
        total=4.5,
        comment="Strong case",
    )
    client.force_login(assignment.reviewer)
    url = reverse("reviews:score", args=[assignment.pk])
    assert "Strong case" not in client.get(url).content.decode()
    Review.objects.create(
        assignment=assignment, is_submitted=True, submitted_at=timezone.now(), total=3
    )
    assert "Strong case" in client.get(url).content.decode()


# --- admin pages --------------------------------------------------------------------------------


def test_admin_review_pages(client, programme, programme_admin, cohort, reviewers):
    _apps(cohort, 3)
    client.force_login(programme_admin)
    for name in ("review_setup", "review_assign", "review_dashboard", "review_ranking"):
        response = client.get(reverse(f"cohorts:{name}", args=[programme.slug, cohort.slug]))
        assert response.status_code == 200, name
    response = client.post(reverse("cohorts:review_assign", args=[programme.slug, cohort.slug]))
    assert response.status_code == 302
    assert ReviewAssignment.objects.count() == 6


@pytest.mark.parametrize("persona", ["staff", "reviewer", "mentor"])
def test_admin_review_pages_403_for_members(client, request, programme, cohort, persona):
    client.force_login(request.getfixturevalue(persona))
    assert (
        client.get(
            reverse("cohorts:review_dashboard", args=[programme.slug, cohort.slug])
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("cohorts:review_assign", args=[programme.slug, cohort.slug])
        ).status_code
        == 403
    )


@pytest.mark.parametrize("persona", ["outsider", "applicant", "other_programme_admin"])
def test_admin_review_pages_404_outside(client, request, programme, cohort, persona):
    client.force_login(request.getfixturevalue(persona))
    assert (
        client.get(
            reverse("cohorts:review_ranking", args=[programme.slug, cohort.slug])
        ).status_code
        == 404
    )


def test_recompute_and_ranking_order(cohort, reviewers, programme_admin):
    apps = _apps(cohort, 3)
    for application, totals in zip(apps, ([4.0, 5.0], [2.0, 3.0], [3.0, 3.0]), strict=True):
        for reviewer, total in zip(reviewers, totals, strict=False):
            assignment = ReviewAssignment.objects.create(application=application, reviewer=reviewer)
            Review.objects.create(
                assignment=assignment, is_submitted=True, submitted_at=timezone.now(), total=total
            )
    assert services.scores_recompute(cohort=cohort) == 3
    ranked = list(selectors.ranking(cohort=cohort, order="raw"))
    assert [a.full_name for a in ranked] == ["Applicant 0", "Applicant 2", "Applicant 1"]
    assert ranked[0].raw_score == 4.5 and ranked[0].score_spread == 1.0


def test_recompute_command(cohort, capsys):
    from django.core.management import call_command

    call_command("recompute_scores", cohort.pk)
    assert "Recomputed" in capsys.readouterr().out


def test_manual_reminder_and_48h_reminder_once(cohort, reviewer, programme_admin):
    ReviewAssignment.objects.create(
        application=ApplicationFactory(cohort=cohort), reviewer=reviewer
    )
    assert services.review_reminders(cohort=cohort, actor=programme_admin) == 1
    cohort.review_deadline = timezone.now() + datetime.timedelta(hours=30)
    cohort.save()
    assert services.review_deadline_reminders() == 1
    assert services.review_deadline_reminders() == 0


def test_conflicts_page_declare_twice_keeps_input(client, programme, reviewer):
    client.force_login(reviewer)
    url = reverse("cohorts:conflicts", args=[programme.slug])
    assert client.post(url, {"kind": "employer", "value": "Straits Bank"}).status_code == 302
    response = client.post(url, {"kind": "employer", "value": "STRAITS BANK", "note": "again"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "already declared a conflict with STRAITS BANK" in body
    assert 'value="again"' in body
    bad = client.post(url, {"kind": "person", "value": "not an email"})
    assert "For a person, give their email address." in bad.content.decode()


def test_conflicts_page_is_403_for_non_reviewers(client, programme, mentor):
    client.force_login(mentor)
    assert client.get(reverse("cohorts:conflicts", args=[programme.slug])).status_code == 403


def test_criterion_bad_input(client, programme, programme_admin, cohort):
    client.force_login(programme_admin)
    url = reverse("cohorts:review_setup", args=[programme.slug, cohort.slug])
    response = client.post(
        url,
        {
            "criterion": "",
            "name": "Clarity",
            "weight": "1",
            "scale_min": "5",
            "scale_max": "1",
            "labels_text": "x",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "The highest score must be above the lowest." in body
    assert 'value="Clarity"' in body
    assert ReviewCriterion.objects.filter(cohort=cohort).count() == 2


@pytest.mark.parametrize("count", [1, 3])
def test_ranking_and_dashboard_query_counts(
    client, programme, programme_admin, cohort, reviewers, django_assert_num_queries, count
):
    for i in range(count):
        application = ApplicationFactory(
            cohort=cohort, raw_score=3.0 + i, normalized_score=3.0, review_count=1
        )
        assignment = ReviewAssignment.objects.create(
            application=application, reviewer=reviewers[i % 3]
        )
        Review.objects.create(
            assignment=assignment, is_submitted=True, submitted_at=timezone.now(), total=3.0
        )
    client.force_login(programme_admin)
    # session, user, mfa (role, authenticator), programme, perm, cohort, count, rows, nav, bell
    with django_assert_num_queries(12):
        client.get(reverse("cohorts:review_ranking", args=[programme.slug, cohort.slug]))
    # ... plus criteria, progress (aggregate + users), histogram, disagreements
    with django_assert_num_queries(15):
        client.get(reverse("cohorts:review_dashboard", args=[programme.slug, cohort.slug]))


# --- defects found in review ---------------------------------------------------------------------


@pytest.mark.parametrize("labels", ["² = squared", "--3 = x", "9 = off the scale"])
def test_criterion_labels_bad_input_is_a_message_not_a_500(
    client, programme, programme_admin, cohort, labels
):
    client.force_login(programme_admin)
    url = reverse("cohorts:review_setup", args=[programme.slug, cohort.slug])
    response = client.post(
        url,
        {
            "criterion": "",
            "name": "Clarity",
            "weight": "1",
            "scale_min": "1",
            "scale_max": "5",
            "labels_text": labels,
        },
    )
    assert response.status_code == 400


def test_dashboard_reminder_ignores_odd_ids(client, programme, programme_admin, cohort):
    client.force_login(programme_admin)
    response = client.post(
        reverse("cohorts:review_dashboard", args=[programme.slug, cohort.slug]),
        {"reviewer": ["²", "abc"]},
    )
    assert response.status_code == 302


def test_long_conflict_reason_fits(cohort, reviewer):
    assignment = ReviewAssignment.objects.create(
        application=ApplicationFactory(cohort=cohort), reviewer=reviewer
    )
    services.assignment_flag_conflict(assignment=assignment, reviewer=reviewer, reason="x" * 400)
    assignment.refresh_from_db()
    assert len(assignment.removed_reason) <= 300


def test_conflicts_page_keeps_blind_review_blind(client, programme, cohort, reviewer):
    application = ApplicationFactory(cohort=cohort, email="hidden@example.com")
    assignment = ReviewAssignment.objects.create(application=application, reviewer=reviewer)
    client.force_login(reviewer)
    client.post(reverse("reviews:flag_conflict", args=[assignment.pk]), {"reason": "I know them"})
    body = client.get(reverse("cohorts:conflicts", args=[programme.slug])).content.decode()
    assert f"Application #{application.pk}" in body and "hidden@example.com" not in body


def test_revoked_reviewer_loses_assignments_and_they_are_reassigned(
    cohort, reviewers, programme_admin, programme
):
    _apps(cohort, 3)
    services.assignment_commit(cohort=cohort, actor=programme_admin)
    gone = reviewers[0]
    grant = gone.programme_roles.get(programme=programme, role=RoleKind.REVIEWER)
    services.programme_role_revoke(grant=grant, revoked_by=programme_admin)
    assert not ReviewAssignment.objects.filter(reviewer=gone, is_active=True).exists()
    preview = services.assignment_preview(cohort=cohort)
    assert preview.problem.startswith("Each application needs 2 reviewers") is False
    assert preview.new_count == ReviewAssignment.objects.filter(reviewer=gone).count()


def test_reassign_follows_the_rules_and_updates_scores(cohort, reviewers, programme_admin):
    application = ApplicationFactory(cohort=cohort, employer="Straits Bank")
    first = ReviewAssignment.objects.create(application=application, reviewer=reviewers[0])
    Review.objects.create(
        assignment=first, is_submitted=True, submitted_at=timezone.now(), total=5.0
    )
    services.scores_recompute(cohort=cohort)
    ApplicantProfileFactory(user=reviewers[1], employer="straits bank")
    with pytest.raises(services.ReviewError, match="works for the applicant's employer"):
        services.assignment_reassign(assignment=first, reviewer=reviewers[1], actor=programme_admin)
    with pytest.raises(services.ReviewError, match="own application"):
        services.assignment_reassign(
            assignment=first, reviewer=application.applicant, actor=programme_admin
        )
    services.assignment_reassign(assignment=first, reviewer=reviewers[2], actor=programme_admin)
    application.refresh_from_db()
    assert (application.review_count, application.raw_score) == (0, None)


def test_reassign_view(client, programme, programme_admin, cohort, reviewers):
    application = ApplicationFactory(cohort=cohort)
    assignment = ReviewAssignment.objects.create(application=application, reviewer=reviewers[0])
    client.force_login(programme_admin)
    url = reverse("cohorts:assignment_reassign", args=[programme.slug, cohort.slug, assignment.pk])
    response = client.post(url, {"reviewer": reviewers[1].pk}, follow=True)
    assert "Reassigned." in response.content.decode()
    assert (
        ReviewAssignment.objects.get(application=application, is_active=True).reviewer
        == reviewers[1]
    )


def test_withdrawn_application_leaves_the_queue(client, cohort, reviewer):
    application = ApplicationFactory(cohort=cohort, status=ApplicationStatus.WITHDRAWN)
    assignment = ReviewAssignment.objects.create(application=application, reviewer=reviewer)
    client.force_login(reviewer)
    assert client.get(reverse("reviews:score", args=[assignment.pk])).status_code == 404


def test_reviewer_downloads_cv_blind_name_hidden_and_audited(client, cohort, reviewer):
    from django.core.files.base import ContentFile

    from cohorts.management.commands.seed_demo import _demo_pdf
    from core.models import AuditEntry

    application = ApplicationFactory(cohort=cohort, cv_name="Secret Person CV.pdf")
    application.cv.save("cv.pdf", ContentFile(_demo_pdf("x")), save=True)
    assignment = ReviewAssignment.objects.create(application=application, reviewer=reviewer)
    client.force_login(reviewer)
    response = client.get(reverse("reviews:file", args=[assignment.pk, "cv"]))
    assert response.status_code == 200
    assert "Secret" not in response["Content-Disposition"]
    assert AuditEntry.objects.filter(action="applications.file_download").exists()


def test_normalised_scores_through_the_database(cohort, reviewers):
    harsh, lenient = reviewers[0], reviewers[1]
    apps = _apps(cohort, 6)
    for i, application in enumerate(apps):
        reviewer, total = (harsh, 3.0 - i) if i < 3 else (lenient, 5.0 - (i - 3))
        assignment = ReviewAssignment.objects.create(application=application, reviewer=reviewer)
        Review.objects.create(
            assignment=assignment, is_submitted=True, submitted_at=timezone.now(), total=total
        )
    services.scores_recompute(cohort=cohort)
    scores = {
        a.full_name: (a.raw_score, a.normalized_score)
        for a in Application.objects.filter(cohort=cohort)
    }
    assert scores["Applicant 3"][0] > scores["Applicant 0"][0]
    assert scores["Applicant 3"][1] == pytest.approx(scores["Applicant 0"][1])


def test_reminder_after_deadline_moves(cohort, reviewer):
    ReviewAssignment.objects.create(
        application=ApplicationFactory(cohort=cohort), reviewer=reviewer
    )
    cohort.review_deadline = timezone.now() + datetime.timedelta(hours=30)
    cohort.save()
    assert services.review_deadline_reminders() == 1
    cohort.review_deadline = timezone.now() + datetime.timedelta(hours=40)
    cohort.save()
    assert services.review_deadline_reminders() == 1


def test_next_unreviewed_link_points_at_the_open_one(client, cohort, reviewer):
    done = ReviewAssignment.objects.create(
        application=ApplicationFactory(cohort=cohort), reviewer=reviewer
    )
    Review.objects.create(assignment=done, is_submitted=True, submitted_at=timezone.now(), total=3)
    todo = ReviewAssignment.objects.create(
        application=ApplicationFactory(cohort=cohort), reviewer=reviewer
    )
    client.force_login(reviewer)
    body = client.get(reverse("reviews:queue")).content.decode()
    assert (
        f'href="{reverse("reviews:score", args=[todo.pk])}" data-testid="next-unreviewed"' in body
    )


def test_others_hidden_when_setting_off(client, cohort, reviewers, assignment):
    cohort.reviewers_see_others = False
    cohort.save()
    other = ReviewAssignment.objects.create(
        application=assignment.application, reviewer=reviewers[1]
    )
    Review.objects.create(
        assignment=other,
        is_submitted=True,
        submitted_at=timezone.now(),
        total=4.5,
        comment="Strong case",
    )
    Review.objects.create(
        assignment=assignment, is_submitted=True, submitted_at=timezone.now(), total=3
    )
    client.force_login(assignment.reviewer)
    assert (
        "Strong case"
        not in client.get(reverse("reviews:score", args=[assignment.pk])).content.decode()
    )
