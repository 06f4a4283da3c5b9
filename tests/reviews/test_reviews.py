import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications.enums import ApplicationStatus
from applications.models import Application, ApplicationEvent
from notifications.models import Notification
from programmes import services as programme_services
from programmes.enums import RoleKind
from reviews import selectors
from reviews import services as review_services
from reviews.enums import JobStatus
from reviews.models import (
    AssignmentRun,
    ConflictOfInterest,
    Review,
    ReviewAssignment,
    ReviewCriterion,
)
from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    CohortFactory,
    ProgrammeRoleFactory,
    TotpAuthenticatorFactory,
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
        TotpAuthenticatorFactory(user=user)
        others.append(user)
    return [reviewer, *others]


def _apps(cohort, n, **kwargs):
    return [
        ApplicationFactory(cohort=cohort, full_name=f"Applicant {i}", **kwargs) for i in range(n)
    ]


def _criteria(cohort):
    return {c.name: c.pk for c in selectors.criterion_list_for_cohort(cohort=cohort)}


def _assign(cohort, actor) -> int:
    """Start a run and let the worker do it (what the task does after commit)."""
    run = review_services.assignment_run_start(cohort=cohort, actor=actor)
    run = review_services.assignment_run_execute(run_id=run.pk)
    assert run.status == JobStatus.DONE, run.error
    return run.assignments


# --- assignment ---------------------------------------------------------------------------------


def test_assign_gives_k_distinct_reviewers_balanced_and_one_digest_each(
    cohort, reviewers, programme_admin, django_capture_on_commit_callbacks
):
    apps = _apps(cohort, 6)
    preview = review_services.assignment_preview(cohort=cohort)
    assert preview.problem == "" and preview.new_count == 12
    with django_capture_on_commit_callbacks(execute=True):
        run = review_services.assignment_run_start(cohort=cohort, actor=programme_admin)
    run.refresh_from_db()
    assert (run.status, run.assignments, run.progress) == (JobStatus.DONE, 12, 100)
    assert run.finished_at is not None and run.attempts == 1
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
    assert _assign(cohort, programme_admin) == 0


def test_assign_respects_conflicts_employer_and_self(cohort, reviewers, programme_admin):
    reviewer = reviewers[0]
    ApplicantProfileFactory(user=reviewers[1], employer="Harbour Logistics")
    review_services.conflict_declare(
        reviewer=reviewer, programme=cohort.programme, kind="person", value="friend@example.com"
    )
    friend = ApplicationFactory(cohort=cohort, email="friend@example.com", employer="Other Co")
    colleague = ApplicationFactory(cohort=cohort, employer="harbour logistics")
    own = ApplicationFactory(cohort=cohort, applicant=reviewers[2], employer="Third Co")
    _assign(cohort, programme_admin)
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
        review_services.ReviewError, match="needs 5 reviewers but the programme has only 3"
    ):
        review_services.assignment_run_start(cohort=cohort, actor=programme_admin)
    assert not ReviewAssignment.objects.exists()
    assert not AssignmentRun.objects.exists()


def test_conflict_declared_twice_is_refused(cohort, reviewer):
    review_services.conflict_declare(
        reviewer=reviewer, programme=cohort.programme, kind="employer", value="Straits Bank"
    )
    with pytest.raises(review_services.ReviewError, match="already declared"):
        review_services.conflict_declare(
            reviewer=reviewer, programme=cohort.programme, kind="employer", value="straits bank"
        )
    assert ConflictOfInterest.objects.count() == 1


def test_flagging_a_conflict_removes_assignment_and_blocks_it(cohort, reviewers, programme_admin):
    application = ApplicationFactory(cohort=cohort, email="someone@example.com")
    _assign(cohort, programme_admin)
    assignment = ReviewAssignment.objects.filter(application=application).first()
    review_services.assignment_flag_conflict(
        assignment=assignment, reviewer=assignment.reviewer, reason="My cousin"
    )
    assignment.refresh_from_db()
    assert not assignment.is_active and "My cousin" in assignment.removed_reason
    conflict = ConflictOfInterest.objects.get(reviewer=assignment.reviewer)
    # Recorded by application number, so a blind reviewer learns nothing about the applicant.
    assert (conflict.kind, conflict.value) == ("application", str(application.pk))
    # The next run gives the application another reviewer, never the same one.
    _assign(cohort, programme_admin)
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
    with pytest.raises(review_services.ReviewError, match="from 1 to 5"):
        review_services.review_save(
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
    with pytest.raises(review_services.ReviewError, match="not assigned to you"):
        review_services.review_save(
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


def test_queue_pages_link_to_each_other(client, cohort, reviewer, monkeypatch):
    monkeypatch.setattr("reviews.views.QUEUE_PAGE_SIZE", 2)
    assignments = [
        ReviewAssignment.objects.create(
            application=ApplicationFactory(cohort=cohort), reviewer=reviewer
        )
        for _ in range(3)
    ]
    client.force_login(reviewer)
    first = client.get(reverse("reviews:queue")).content.decode()
    second = client.get(reverse("reviews:queue"), {"page": 2}).content.decode()
    assert 'href="?page=2" rel="next"' in first and "Page 1 of 2" in first
    assert 'href="?page=1" rel="prev"' in second and "Page 2 of 2" in second
    rows = [f'<td><a href="{reverse("reviews:score", args=[a.pk])}">' for a in assignments]
    assert [row in first for row in rows].count(True) == 2
    assert [row in second for row in rows].count(True) == 1


@pytest.mark.parametrize("count", [1, 3])
def test_queue_query_count(client, cohort, reviewer, django_assert_num_queries, count):
    for _ in range(count):
        ReviewAssignment.objects.create(
            application=ApplicationFactory(cohort=cohort), reviewer=reviewer
        )
    client.force_login(reviewer)
    # session, user, roles (with the authenticator), the filter's cohorts, progress counts, page
    # count, page rows, reviews (prefetch), next unreviewed (+ its review), navigation and bell
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


def test_admin_review_pages(
    client, programme, programme_admin, cohort, reviewers, django_capture_on_commit_callbacks
):
    _apps(cohort, 3)
    client.force_login(programme_admin)
    for name in ("review_setup", "review_assign", "review_dashboard", "review_ranking"):
        response = client.get(reverse(f"reviews:{name}", args=[programme.slug, cohort.slug]))
        assert response.status_code == 200, name
    url = reverse("reviews:review_assign", args=[programme.slug, cohort.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302 and response["Location"] == url
    assert ReviewAssignment.objects.count() == 6
    body = client.get(url).content.decode()
    assert "Assigning reviewers in the background." in body
    assert "Last assignment: 6 new assignments by Farah Osman" in body


@pytest.mark.parametrize("persona", ["staff", "reviewer", "mentor"])
def test_admin_review_pages_403_for_members(client, request, programme, cohort, persona):
    ApplicationFactory(cohort=cohort)
    client.force_login(request.getfixturevalue(persona))
    assert (
        client.get(
            reverse("reviews:review_dashboard", args=[programme.slug, cohort.slug])
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("reviews:review_assign", args=[programme.slug, cohort.slug])
        ).status_code
        == 403
    )
    assert not AssignmentRun.objects.exists() and not ReviewAssignment.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "applicant", "other_programme_admin"])
def test_admin_review_pages_404_outside(client, request, programme, cohort, persona):
    client.force_login(request.getfixturevalue(persona))
    assert (
        client.get(
            reverse("reviews:review_ranking", args=[programme.slug, cohort.slug])
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
    assert review_services.scores_recompute(cohort=cohort) == 3
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
    assert review_services.review_reminders(cohort=cohort, actor=programme_admin) == 1
    cohort.review_deadline = timezone.now() + datetime.timedelta(hours=30)
    cohort.save()
    assert review_services.review_deadline_reminders() == 1
    assert review_services.review_deadline_reminders() == 0


def test_conflicts_page_declare_twice_keeps_input(client, programme, reviewer):
    client.force_login(reviewer)
    url = reverse("reviews:conflicts", args=[programme.slug])
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
    assert client.get(reverse("reviews:conflicts", args=[programme.slug])).status_code == 403


def test_criterion_bad_input(client, programme, programme_admin, cohort):
    client.force_login(programme_admin)
    url = reverse("reviews:review_setup", args=[programme.slug, cohort.slug])
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


def test_ranking_page_links_keep_the_order(client, programme, programme_admin, cohort, monkeypatch):
    monkeypatch.setattr("reviews.views.RANKING_PAGE_SIZE", 2)
    # Raw and normalised scores disagree, so the order shows which one the page follows.
    for name, raw, normalized in [("Ann", 4.0, 1.0), ("Ben", 3.0, 2.0), ("Cy", 2.0, 3.0)]:
        ApplicationFactory(
            cohort=cohort,
            full_name=name,
            raw_score=raw,
            normalized_score=normalized,
            review_count=1,
        )
    client.force_login(programme_admin)
    url = reverse("reviews:review_ranking", args=[programme.slug, cohort.slug])

    first = client.get(url, {"order": "normalized"}).content.decode()
    assert 'href="?order=normalized&amp;page=2" rel="next"' in first
    second = client.get(url, {"order": "normalized", "page": 2}).content.decode()
    assert 'href="?order=normalized&amp;page=1" rel="prev"' in second
    assert ">Cy</a>" in first and ">Ann</a>" in second and ">Ann</a>" not in first
    assert "<td>3</td>" in second  # the rank goes on from the first page


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
    # session, user, roles (with the authenticator), cohort, count, rows, navigation and
    # bell
    with django_assert_num_queries(7):
        client.get(reverse("reviews:review_ranking", args=[programme.slug, cohort.slug]))
    # ... plus criteria, progress (aggregate + users), histogram, disagreements
    with django_assert_num_queries(10):
        client.get(reverse("reviews:review_dashboard", args=[programme.slug, cohort.slug]))


# --- defects found in review ---------------------------------------------------------------------


@pytest.mark.parametrize("labels", ["² = squared", "--3 = x", "9 = off the scale"])
def test_criterion_labels_bad_input_is_a_message_not_a_500(
    client, programme, programme_admin, cohort, labels
):
    client.force_login(programme_admin)
    url = reverse("reviews:review_setup", args=[programme.slug, cohort.slug])
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
        reverse("reviews:review_dashboard", args=[programme.slug, cohort.slug]),
        {"reviewer": ["²", "abc"]},
    )
    assert response.status_code == 302


def test_long_conflict_reason_fits(cohort, reviewer):
    assignment = ReviewAssignment.objects.create(
        application=ApplicationFactory(cohort=cohort), reviewer=reviewer
    )
    review_services.assignment_flag_conflict(
        assignment=assignment, reviewer=reviewer, reason="x" * 400
    )
    assignment.refresh_from_db()
    assert len(assignment.removed_reason) <= 300


def test_conflicts_page_keeps_blind_review_blind(client, programme, cohort, reviewer):
    application = ApplicationFactory(cohort=cohort, email="hidden@example.com")
    assignment = ReviewAssignment.objects.create(application=application, reviewer=reviewer)
    client.force_login(reviewer)
    client.post(reverse("reviews:flag_conflict", args=[assignment.pk]), {"reason": "I know them"})
    body = client.get(reverse("reviews:conflicts", args=[programme.slug])).content.decode()
    assert f"Application #{application.pk}" in body and "hidden@example.com" not in body


def test_revoked_reviewer_loses_assignments_and_they_are_reassigned(
    cohort, reviewers, programme_admin, programme
):
    _apps(cohort, 3)
    _assign(cohort, programme_admin)
    gone = reviewers[0]
    grant = gone.programme_roles.get(programme=programme, role=RoleKind.REVIEWER)
    programme_services.programme_role_revoke(grant=grant, revoked_by=programme_admin)
    assert not ReviewAssignment.objects.filter(reviewer=gone, is_active=True).exists()
    preview = review_services.assignment_preview(cohort=cohort)
    assert preview.problem.startswith("Each application needs 2 reviewers") is False
    assert preview.new_count == ReviewAssignment.objects.filter(reviewer=gone).count()


def test_reassign_follows_the_rules_and_updates_scores(cohort, reviewers, programme_admin):
    application = ApplicationFactory(cohort=cohort, employer="Straits Bank")
    first = ReviewAssignment.objects.create(application=application, reviewer=reviewers[0])
    Review.objects.create(
        assignment=first, is_submitted=True, submitted_at=timezone.now(), total=5.0
    )
    review_services.scores_recompute(cohort=cohort)
    ApplicantProfileFactory(user=reviewers[1], employer="straits bank")
    with pytest.raises(review_services.ReviewError, match="works for the applicant's employer"):
        review_services.assignment_reassign(
            assignment=first, reviewer=reviewers[1], actor=programme_admin
        )
    with pytest.raises(review_services.ReviewError, match="own application"):
        review_services.assignment_reassign(
            assignment=first, reviewer=application.applicant, actor=programme_admin
        )
    review_services.assignment_reassign(
        assignment=first, reviewer=reviewers[2], actor=programme_admin
    )
    application.refresh_from_db()
    assert (application.review_count, application.raw_score) == (0, None)


def test_reassign_view(client, programme, programme_admin, cohort, reviewers):
    application = ApplicationFactory(cohort=cohort)
    assignment = ReviewAssignment.objects.create(application=application, reviewer=reviewers[0])
    client.force_login(programme_admin)
    url = reverse("reviews:assignment_reassign", args=[programme.slug, cohort.slug, assignment.pk])
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

    from applications.demo import demo_pdf
    from core.models import AuditEntry

    cohort.is_blind_review_files_visible = True
    cohort.save()
    application = ApplicationFactory(cohort=cohort, cv_name="Secret Person CV.pdf")
    application.cv.save("cv.pdf", ContentFile(demo_pdf("x")), save=True)
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
    review_services.scores_recompute(cohort=cohort)
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
    assert review_services.review_deadline_reminders() == 1
    cohort.review_deadline = timezone.now() + datetime.timedelta(hours=40)
    cohort.save()
    assert review_services.review_deadline_reminders() == 1


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


# --- blind review: uploaded files ----------------------------------------------------------------


@pytest.fixture
def with_files(cohort, reviewer):
    """An assigned application with a CV and a file answer, both named after the applicant."""
    from django.core.files.base import ContentFile

    from applications.demo import demo_pdf
    from applications.storage import private_storage
    from cohorts.enums import QuestionType
    from tests.factories import QuestionFactory

    QuestionFactory(cohort=cohort, key="portfolio", label="Portfolio", type=QuestionType.FILE)
    path = private_storage().save("answers/portfolio.pdf", ContentFile(demo_pdf("Ann Lee")))
    application = ApplicationFactory(
        cohort=cohort,
        full_name="Ann Lee",
        cv_name="Ann Lee CV.pdf",
        answers={"portfolio": {"path": path, "name": "Ann Lee portfolio.pdf"}},
    )
    application.cv.save("cv.pdf", ContentFile(demo_pdf("Ann Lee")), save=True)
    return ReviewAssignment.objects.create(application=application, reviewer=reviewer)


def test_blind_review_gives_reviewers_no_uploaded_file(client, with_files, reviewer):
    from core.models import AuditEntry

    client.force_login(reviewer)
    body = client.get(reverse("reviews:score", args=[with_files.pk])).content.decode()
    for key in ("cv", "portfolio"):
        url = reverse("reviews:file", args=[with_files.pk, key])
        assert url not in body
        assert client.get(url).status_code == 403
    assert "Hidden in blind review: a CV names its author." in body
    assert "(a file, hidden in blind review)" in body
    assert "uploaded files are hidden" in body
    assert "Ann Lee" not in body
    assert not AuditEntry.objects.filter(action="applications.file_download").exists()


def test_blind_review_shows_files_when_the_admin_chose_to(client, cohort, with_files, reviewer):
    cohort.is_blind_review_files_visible = True
    cohort.save()
    client.force_login(reviewer)
    body = client.get(reverse("reviews:score", args=[with_files.pk])).content.decode()
    for key in ("cv", "portfolio"):
        url = reverse("reviews:file", args=[with_files.pk, key])
        assert f'href="{url}"' in body
        response = client.get(url)
        assert response.status_code == 200
        # Still no name in the file's name.
        assert (
            f'filename="application-{with_files.application_id}-{key}.pdf"'
            in response["Content-Disposition"]
        )
    assert "Ann Lee" not in body


def test_open_review_shows_files_by_name(client, cohort, with_files, reviewer):
    cohort.is_blind_review = False
    cohort.save()
    client.force_login(reviewer)
    body = client.get(reverse("reviews:score", args=[with_files.pk])).content.decode()
    assert "Ann Lee CV.pdf" in body and "Ann Lee portfolio.pdf" in body
    assert client.get(reverse("reviews:file", args=[with_files.pk, "cv"])).status_code == 200


@pytest.mark.parametrize("persona", ["programme_admin", "staff"])
def test_staff_keep_the_files_in_blind_review(
    client, request, programme, cohort, with_files, persona
):
    client.force_login(request.getfixturevalue(persona))
    application = with_files.application
    cv = client.get(
        reverse(
            "applications:cohort_application_cv", args=[programme.slug, cohort.slug, application.pk]
        )
    )
    answer = client.get(
        reverse(
            "applications:cohort_application_file",
            args=[programme.slug, cohort.slug, application.pk, "portfolio"],
        )
    )
    assert (cv.status_code, answer.status_code) == (200, 200)
    assert b"".join(cv.streaming_content).startswith(b"%PDF")


def test_review_settings_offer_files_in_blind_review_with_a_warning(
    client, programme, programme_admin, cohort
):
    client.force_login(programme_admin)
    url = reverse("reviews:review_setup", args=[programme.slug, cohort.slug])
    body = client.get(url).content.decode()
    assert "reviewers see uploaded files in blind review" in body.lower()
    assert "showing them ends the anonymity of blind review" in body
    response = client.post(
        url,
        {
            "settings": "",
            "reviewers_per_application": "2",
            "is_blind_review": "on",
            "is_blind_review_files_visible": "on",
            "reviewers_see_others": "on",
        },
    )
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.is_blind_review and cohort.is_blind_review_files_visible


# --- blind review: declaring a conflict reveals nothing ------------------------------------------


def _declare(client, programme, value, kind="person"):
    response = client.post(
        reverse("reviews:conflicts", args=[programme.slug]),
        {"kind": kind, "value": value},
        follow=True,
    )
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def _queue(client):
    response = client.get(reverse("reviews:queue"))
    return [a.pk for a in response.context["page"].object_list], response.content.decode()


def test_blind_conflict_declaration_changes_nothing_the_reviewer_sees(
    client, programme, cohort, reviewer
):
    known = ApplicationFactory(cohort=cohort, email="friend@example.com", employer="Acme")
    other = ApplicationFactory(cohort=cohort, email="stranger@example.com", employer="Zeta")
    mine = [
        ReviewAssignment.objects.create(application=a, reviewer=reviewer) for a in (known, other)
    ]
    client.force_login(reviewer)
    before, _body = _queue(client)
    # One declaration matches an application in the queue, one matches nothing: the reviewer
    # is told the same and the queue stays the same.
    matching = _declare(client, programme, "Friend@Example.com ")
    after_matching, body = _queue(client)
    nothing = _declare(client, programme, "nobody@example.com")
    after_nothing, _body = _queue(client)
    told = (
        "Conflict recorded. You will not be asked to review these applications. If any of "
        "your assignments are affected, the programme admin will reassign them."
    )
    assert matching == nothing == [told]
    assert before == after_matching == after_nothing == [a.pk for a in mine]
    assert "0 of 2 reviewed" in body
    assert ReviewAssignment.objects.filter(reviewer=reviewer, is_active=True).count() == 2
    # The assignment can still be opened (refusing it would name it too).
    assert client.get(reverse("reviews:score", args=[mine[0].pk])).status_code == 200
    # The conflicts page lists the declarations, never the applications they matched.
    page = client.get(reverse("reviews:conflicts", args=[programme.slug])).content.decode()
    assert "Friend@Example.com" in page
    assert f"#{known.pk}" not in page and "Application #" not in page
    assert "the programme admin will reassign them" in page


def test_open_review_conflict_still_removes_the_assignment_at_once(
    client, programme, cohort, reviewer
):
    cohort.is_blind_review = False
    cohort.save()
    known = ApplicationFactory(cohort=cohort, employer="Acme Ltd")
    assignment = ReviewAssignment.objects.create(application=known, reviewer=reviewer)
    client.force_login(reviewer)
    assert _declare(client, programme, "acme ltd", kind="employer") == [
        "Conflict recorded. You will not be asked to review these applications."
    ]
    assignment.refresh_from_db()
    assert not assignment.is_active
    assert assignment.removed_reason == "Conflict of interest declared by the reviewer"
    assert _queue(client)[0] == []


def test_conflicted_assignments_selector_matches_person_employer_and_number(
    cohort, reviewers, programme
):
    reviewer, colleague, third = reviewers
    by_email = ApplicationFactory(cohort=cohort, email="Friend@example.com", employer="One")
    by_employer = ApplicationFactory(cohort=cohort, employer=" Acme Ltd ")
    untouched = ApplicationFactory(cohort=cohort, employer="Other")
    rows = {
        (a, r): ReviewAssignment.objects.create(application=a, reviewer=r)
        for a in (by_email, by_employer, untouched)
        for r in (reviewer, colleague)
    }
    review_services.conflict_declare(
        reviewer=reviewer, programme=programme, kind="person", value="friend@EXAMPLE.com"
    )
    review_services.conflict_declare(
        reviewer=colleague, programme=programme, kind="employer", value="ACME LTD"
    )
    # Another reviewer's declaration never flags someone else's assignment.
    review_services.conflict_declare(
        reviewer=third, programme=programme, kind="employer", value="Other"
    )
    flagged = list(selectors.assignment_list_conflicted(cohort=cohort))
    assert flagged == [rows[(by_email, reviewer)], rows[(by_employer, colleague)]]


def test_admin_reassigns_every_conflicted_assignment_in_one_run(
    client, programme, programme_admin, cohort, reviewers
):
    apps = _apps(cohort, 3)
    _assign(cohort, programme_admin)
    reviewer = reviewers[0]
    known = ReviewAssignment.objects.filter(reviewer=reviewer).first().application
    review_services.conflict_declare(
        reviewer=reviewer, programme=programme, kind="person", value=known.email
    )
    assert ReviewAssignment.objects.get(application=known, reviewer=reviewer).is_active
    client.force_login(programme_admin)
    url = reverse("reviews:review_assign", args=[programme.slug, cohort.slug])
    body = client.get(url).content.decode()
    assert "1 assignment needs reassigning because of declared conflicts" in body
    assert "Reassign all flagged, assign and notify reviewers" in body
    detail = client.get(
        reverse("reviews:review_application", args=[programme.slug, cohort.slug, known.pk])
    ).content.decode()
    assert "Conflict declared: needs reassigning" in detail

    assert _assign(cohort, programme_admin) == 1
    removed = ReviewAssignment.objects.get(application=known, reviewer=reviewer)
    assert not removed.is_active
    assert removed.removed_reason == "Conflict of interest declared by the reviewer"
    active = set(
        ReviewAssignment.objects.filter(application=known, is_active=True).values_list(
            "reviewer_id", flat=True
        )
    )
    assert active == {reviewers[1].pk, reviewers[2].pk}
    assert all(
        ReviewAssignment.objects.filter(application=a, is_active=True).count() == 2 for a in apps
    )
    assert "need reassigning" not in client.get(url).content.decode()
    assert not selectors.assignment_list_conflicted(cohort=cohort).exists()


def test_reassigning_a_conflicted_review_removes_its_score(
    cohort, reviewers, programme, programme_admin
):
    application = ApplicationFactory(cohort=cohort, email="friend@example.com")
    scored = ReviewAssignment.objects.create(application=application, reviewer=reviewers[0])
    ReviewAssignment.objects.create(application=application, reviewer=reviewers[1])
    Review.objects.create(
        assignment=scored, is_submitted=True, submitted_at=timezone.now(), total=5.0
    )
    review_services.scores_recompute(cohort=cohort)
    review_services.conflict_declare(
        reviewer=reviewers[0], programme=programme, kind="person", value="friend@example.com"
    )
    application.refresh_from_db()
    assert application.review_count == 1  # counts until the admin reassigns it
    _assign(cohort, programme_admin)
    application.refresh_from_db()
    assert (application.review_count, application.raw_score) == (0, None)


# --- assignment runs in the background -----------------------------------------------------------


def test_assignment_run_writes_the_events_the_one_by_one_path_writes(
    cohort, reviewers, programme_admin
):
    from applications.services import application_transition

    by_run, by_hand = _apps(cohort, 2)
    before = Application.objects.get(pk=by_run.pk).updated_at
    # The one-by-one path, for comparison.
    application_transition(
        application=by_hand,
        to_status=ApplicationStatus.IN_REVIEW,
        actor=programme_admin,
        note="Reviewers assigned",
    )
    _assign(cohort, programme_admin)
    fields = ("actor_id", "from_status", "to_status", "note")
    run_events = list(ApplicationEvent.objects.filter(application=by_run).values(*fields))
    hand_events = list(ApplicationEvent.objects.filter(application=by_hand).values(*fields))
    assert (
        run_events
        == hand_events
        == [
            {
                "actor_id": programme_admin.pk,
                "from_status": ApplicationStatus.SUBMITTED,
                "to_status": ApplicationStatus.IN_REVIEW,
                "note": "Reviewers assigned",
            }
        ]
    )
    by_run.refresh_from_db()
    assert by_run.status == ApplicationStatus.IN_REVIEW and by_run.updated_at > before
    # Already in review: no second event.
    assert ApplicationEvent.objects.filter(application=by_hand).count() == 1


def test_assignment_run_executed_twice_does_it_once(cohort, reviewers, programme_admin):
    _apps(cohort, 3)
    run = review_services.assignment_run_start(cohort=cohort, actor=programme_admin)
    assert review_services.assignment_run_execute(run_id=run.pk).status == JobStatus.DONE
    counts = (
        ReviewAssignment.objects.count(),
        ApplicationEvent.objects.count(),
        Notification.objects.count(),
    )
    assert review_services.assignment_run_execute(run_id=run.pk) is None
    assert (
        counts
        == (
            ReviewAssignment.objects.count(),
            ApplicationEvent.objects.count(),
            Notification.objects.count(),
        )
        == (6, 3, 3)
    )
    run.refresh_from_db()
    assert run.attempts == 1


def test_assignment_run_refuses_a_second_active_run(
    client, programme, programme_admin, cohort, reviewers
):
    _apps(cohort, 2)
    review_services.assignment_run_start(cohort=cohort, actor=programme_admin)
    with pytest.raises(review_services.ReviewError, match="already being assigned"):
        review_services.assignment_run_start(cohort=cohort, actor=programme_admin)
    client.force_login(programme_admin)
    url = reverse("reviews:review_assign", args=[programme.slug, cohort.slug])
    response = client.post(url, follow=True)
    body = response.content.decode()
    assert "Reviewers are already being assigned in this cohort." in body
    assert 'data-testid="commit-assignments" disabled' in body
    assert f'hx-get="{url}?part=run" hx-trigger="every 1s"' in body
    assert AssignmentRun.objects.count() == 1


def test_assignment_run_failure_is_recorded_and_changes_nothing(cohort, reviewers, programme_admin):
    apps = _apps(cohort, 2)
    run = review_services.assignment_run_start(cohort=cohort, actor=programme_admin)
    cohort.reviewers_per_application = 4  # changed after the run was queued
    cohort.save()
    run = review_services.assignment_run_execute(run_id=run.pk)
    assert run.status == JobStatus.FAILED
    assert run.error == (
        "Each application needs 4 reviewers but the programme has only 3. "
        "Add reviewers or lower the number per application."
    )
    assert run.finished_at is not None
    assert not ReviewAssignment.objects.exists()
    assert {a.status for a in Application.objects.filter(pk__in=[a.pk for a in apps])} == {
        ApplicationStatus.SUBMITTED
    }


def test_assignment_run_dying_midway_leaves_nothing_half_done(
    cohort, reviewers, programme_admin, monkeypatch
):
    """A failure after the assignments and statuses were written (here: the digests cannot be
    written) rolls all of it back."""
    from reviews import services as review_services

    apps = _apps(cohort, 3)

    def broken(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(review_services.notification_services, "notify", broken)
    run = review_services.assignment_run_start(cohort=cohort, actor=programme_admin)
    run = review_services.assignment_run_execute(run_id=run.pk)
    assert run.status == JobStatus.FAILED
    assert "RuntimeError: outbox unavailable" in run.error
    assert "Nothing was changed" in run.error
    assert not ReviewAssignment.objects.exists()
    assert not ApplicationEvent.objects.exists()
    assert set(
        Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("status", flat=True)
    ) == {ApplicationStatus.SUBMITTED}


def test_assignment_runs_sweep_takes_up_stranded_runs(
    cohort, reviewers, programme_admin, programme, django_capture_on_commit_callbacks, settings
):
    _apps(cohort, 3)
    now = timezone.now()
    dead_worker = AssignmentRun.objects.create(
        cohort=cohort,
        requested_by=programme_admin,
        status=JobStatus.RUNNING,
        claimed_at=now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 61),
        attempts=1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert review_services.assignment_runs_sweep(now=now) == 1
    dead_worker.refresh_from_db()
    assert (dead_worker.status, dead_worker.attempts, dead_worker.assignments) == (
        JobStatus.DONE,
        2,
        6,
    )

    # Lost by the broker: queued for over two minutes.
    other = CohortFactory(programme=programme, slug="second", reviewers_per_application=1)
    ApplicationFactory(cohort=other)
    lost = AssignmentRun.objects.create(cohort=other, requested_by=programme_admin)
    AssignmentRun.objects.filter(pk=lost.pk).update(updated_at=now - datetime.timedelta(minutes=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert review_services.assignment_runs_sweep(now=now) == 1
    lost.refresh_from_db()
    assert (lost.status, lost.assignments) == (JobStatus.DONE, 1)


def test_assignment_runs_sweep_leaves_live_runs_and_gives_up_after_three_attempts(
    cohort, programme_admin, settings
):
    now = timezone.now()
    fresh = AssignmentRun.objects.create(cohort=cohort, requested_by=programme_admin)
    assert review_services.assignment_runs_sweep(now=now) == 0
    fresh.delete()
    running = AssignmentRun.objects.create(
        cohort=cohort,
        requested_by=programme_admin,
        status=JobStatus.RUNNING,
        claimed_at=now - datetime.timedelta(seconds=60),
        attempts=1,
    )
    assert review_services.assignment_runs_sweep(now=now) == 0
    running.refresh_from_db()
    assert running.status == JobStatus.RUNNING
    AssignmentRun.objects.filter(pk=running.pk).update(
        attempts=3, claimed_at=now - datetime.timedelta(hours=1)
    )
    assert review_services.assignment_runs_sweep(now=now) == 0
    running.refresh_from_db()
    assert running.status == JobStatus.FAILED
    assert running.error.startswith("The run was interrupted 3 times")


def test_assignment_runs_sweep_is_scheduled_and_the_task_named():
    from django.conf import settings as django_settings

    from reviews import tasks

    entries = {e["task"]: e for e in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries["reviews.assignment_runs_sweep"]["schedule"] <= 120
    assert tasks.assignment_run_task.name == "reviews.assignment_run"
    assert tasks.assignment_runs_sweep_task.name == "reviews.assignment_runs_sweep"


def test_assign_page_polls_a_busy_run_and_reloads_when_done(
    client, programme, programme_admin, cohort, reviewers
):
    _apps(cohort, 2)
    run = review_services.assignment_run_start(cohort=cohort, actor=programme_admin)
    client.force_login(programme_admin)
    url = reverse("reviews:review_assign", args=[programme.slug, cohort.slug])
    part = client.get(url, {"part": "run"}, HTTP_HX_REQUEST="true")
    body = part.content.decode()
    assert "<html" not in body
    assert "Assigning reviewers: Queued…" in body and 'hx-trigger="every 1s"' in body
    review_services.assignment_run_execute(run_id=run.pk)
    done = client.get(url, {"part": "run"}, HTTP_HX_REQUEST="true")
    assert (done.status_code, done["HX-Refresh"]) == (204, "true")
    page = client.get(url).content.decode()
    assert "Last assignment: 4 new assignments" in page
    assert "hx-trigger" not in page


def test_assign_page_shows_a_failed_run_with_retry(
    client, programme, programme_admin, cohort, reviewers, django_capture_on_commit_callbacks
):
    _apps(cohort, 2)
    AssignmentRun.objects.create(
        cohort=cohort,
        requested_by=programme_admin,
        status=JobStatus.FAILED,
        error="The worker ran out of memory.",
        finished_at=timezone.now(),
    )
    client.force_login(programme_admin)
    url = reverse("reviews:review_assign", args=[programme.slug, cohort.slug])
    body = client.get(url).content.decode()
    assert "failed; nothing was changed." in body
    assert '<span data-testid="run-error">The worker ran out of memory.</span>' in body
    assert 'data-testid="retry-assignments"' in body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert AssignmentRun.objects.first().status == JobStatus.DONE
    assert ReviewAssignment.objects.count() == 4


@pytest.mark.parametrize("persona", ["outsider", "applicant", "other_programme_admin"])
def test_assign_is_404_outside_and_changes_nothing(
    client, request, programme, cohort, reviewers, persona, django_capture_on_commit_callbacks
):
    _apps(cohort, 2)
    client.force_login(request.getfixturevalue(persona))
    url = reverse("reviews:review_assign", args=[programme.slug, cohort.slug])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 404
    assert client.get(url, {"part": "run"}, HTTP_HX_REQUEST="true").status_code == 404
    assert not AssignmentRun.objects.exists() and not ReviewAssignment.objects.exists()


def test_assignment_run_queries_do_not_grow_with_applications(
    programme, cohort, reviewers, programme_admin
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(n: int) -> int:
        target = CohortFactory(programme=programme, reviewers_per_application=2)
        _apps(target, n)
        run = review_services.assignment_run_start(cohort=target, actor=programme_admin)
        with CaptureQueriesContext(connection) as captured:
            run = review_services.assignment_run_execute(run_id=run.pk)
        assert run.status == JobStatus.DONE and run.assignments == 2 * n
        return len(captured)

    assert queries_for(3) == queries_for(30)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_do_a_run_once(cohort, reviewers, programme_admin):
    """The task delivered twice at once (acks_late, a redelivery): one worker claims the run,
    the other finds it taken and writes nothing."""
    import threading

    from django.db import connection

    _apps(cohort, 5)
    # Queued as assignment_run_start does (which, with eager tasks, would also run it at once).
    run = AssignmentRun.objects.create(cohort=cohort, requested_by=programme_admin)
    barrier = threading.Barrier(3)
    results = []

    def execute():
        try:
            barrier.wait()
            done = review_services.assignment_run_execute(run_id=run.pk)
            results.append(done.status if done else None)
        finally:
            connection.close()

    threads = [threading.Thread(target=execute) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == [None, None, JobStatus.DONE]
    assert ReviewAssignment.objects.count() == 10
    assert ApplicationEvent.objects.count() == 5
    assert Notification.objects.filter(kind="review.assigned").count() == 3
