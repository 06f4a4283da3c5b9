"""Every write of review: criteria, conflicts, assignment runs, reviews, scores, reminders."""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from applications.enums import ApplicationStatus
from applications.models import Application
from applications.services import ApplicationError, applications_transition_bulk
from cohorts.models import Cohort
from core import background
from core.services import audit_record
from notifications import services as notification_services
from programmes.models import Programme
from reviews import assignment as assigning
from reviews import scoring, selectors
from reviews.enums import ConflictKind, JobStatus
from reviews.models import (
    AssignmentRun,
    ConflictOfInterest,
    Review,
    ReviewAssignment,
    ReviewCriterion,
)

logger = logging.getLogger(__name__)


class ReviewError(Exception):
    """A review action the rules do not allow; the message is shown as is."""


def _criterion_audit(criterion: ReviewCriterion, *, actor: User, action: str) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=criterion,
        programme=criterion.cohort.programme_id,
        cohort=criterion.cohort_id,
        name=criterion.name,
        weight=str(criterion.weight),
        scale=[criterion.scale_min, criterion.scale_max],
        is_required=criterion.is_required,
    )


@transaction.atomic
def criterion_save(*, criterion: ReviewCriterion, actor: User) -> ReviewCriterion:
    """Add a criterion to the cohort's rubric (at the end) or change one. Audited."""
    created = criterion.pk is None
    if criterion.pk is None:
        last = ReviewCriterion.objects.filter(cohort=criterion.cohort).aggregate(m=Max("position"))[
            "m"
        ]
        criterion.position = (last or 0) + 1
    criterion.save()
    _criterion_audit(
        criterion,
        actor=actor,
        action="reviews.criterion_create" if created else "reviews.criterion_update",
    )
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: ReviewCriterion, actor: User) -> None:
    """Remove a criterion from the rubric. Audited. Raises ReviewError once reviews have been
    submitted with it."""
    if Review.objects.filter(
        assignment__application__cohort=criterion.cohort, is_submitted=True
    ).exists():
        raise ReviewError(
            _(
                "Reviews have been submitted with this rubric; its criteria can no longer be removed."
            )
        )
    _criterion_audit(criterion, actor=actor, action="reviews.criterion_delete")
    criterion.delete()


def conflict_declare(
    *, reviewer: User, programme: Programme, kind: str, value: str, note: str = ""
) -> ConflictOfInterest:
    """Record a conflict. No later run assigns what it matches. Assignments it matches in
    cohorts with open review are removed at once (and the scores updated); in blind review
    they stay until the admin reassigns every conflicted assignment together, because an
    application leaving the queue right after the declaration would name its applicant.
    Raises ReviewError when declared twice."""
    value = value.strip()
    try:
        with transaction.atomic():
            conflict = ConflictOfInterest.objects.create(
                reviewer=reviewer, programme=programme, kind=kind, value=value, note=note[:300]
            )
            touched = _remove_conflicting_assignments(conflict)
    except IntegrityError as exc:
        raise ReviewError(
            _("You have already declared a conflict with %(value)s.") % {"value": value}
        ) from exc
    _scores_changed(touched)
    return conflict


def _conflict_applications(conflict: ConflictOfInterest):
    applications = Application.objects.filter(cohort__programme=conflict.programme)
    if conflict.kind == ConflictKind.PERSON:
        return applications.filter(email__iexact=conflict.value)
    if conflict.kind == ConflictKind.APPLICATION:
        return (
            applications.filter(pk=int(conflict.value))
            if conflict.value.isdigit()
            else applications.none()
        )
    return applications.filter(employer__iexact=conflict.value)


def _remove_conflicting_assignments(conflict: ConflictOfInterest) -> list[Application]:
    assignments = ReviewAssignment.objects.filter(
        reviewer=conflict.reviewer, is_active=True, application__in=_conflict_applications(conflict)
    )
    if conflict.kind != ConflictKind.APPLICATION:
        # Blind review: see conflict_declare; selectors.assignment_list_conflicted finds them.
        assignments = assignments.filter(application__cohort__is_blind_review=False)
    touched = list(Application.objects.filter(pk__in=assignments.values("application_id")))
    assignments.update(
        is_active=False, removed_reason=_("Conflict of interest declared by the reviewer")
    )
    return touched


def _scores_changed(applications: list[Application]) -> None:
    """Assignments were removed: update these applications' raw scores now and the cohort's
    normalised scores after commit."""
    cohorts = set()
    for application in applications:
        _update_raw_score(application)
        cohorts.add(application.cohort_id)
    for cohort_id in cohorts:
        transaction.on_commit(lambda cohort_id=cohort_id: _enqueue_recompute(cohort_id))


def conflict_remove(*, conflict: ConflictOfInterest) -> None:
    conflict.delete()


def assignments_deactivate_for_reviewer(
    *, reviewer: User, programme: Programme, reason: str
) -> int:
    """The reviewer left the programme's reviewers: their open assignments stop counting."""
    assignments = ReviewAssignment.objects.filter(
        reviewer=reviewer, is_active=True, application__cohort__programme=programme
    )
    touched = list(Application.objects.filter(pk__in=assignments.values("application_id")))
    count = assignments.update(is_active=False, removed_reason=reason[:300])
    _scores_changed(touched)
    return count


@dataclass(frozen=True)
class AssignmentPreview:
    k: int
    reviewers: list[User]
    load_before: dict[int, int]
    load_after: dict[int, int]
    new: dict[int, list[int]]
    shortfall: list[tuple[Application, str]]
    new_count: int
    problem: str  # non-empty when the run cannot be committed
    # Active assignments a declared conflict matches: the run removes and replaces them.
    conflicted: list[ReviewAssignment]


def _reviewer_problem(k: int, reviewer_count: int) -> str:
    if not reviewer_count:
        return _("This programme has no reviewers yet. Add some on the team page.")
    if k > reviewer_count:
        return _(
            "Each application needs %(k)s reviewers but the programme has only %(n)s. "
            "Add reviewers or lower the number per application."
        ) % {"k": k, "n": reviewer_count}
    return ""


def _inputs(cohort: Cohort, replacing: set[tuple[int, int]]):
    reviewers = selectors.reviewer_list_for_programme(programme=cohort.programme)
    employers = selectors.reviewer_employers(users=reviewers)
    applications = list(
        selectors.applications_to_review(cohort=cohort).only(
            "pk", "applicant_id", "employer", "email", "full_name"
        )
    )
    existing: dict[int, set[int]] = defaultdict(set)
    forbidden: set[tuple[int, int]] = set()
    current = {u.pk for u in reviewers}
    for app_id, reviewer_id, active in ReviewAssignment.objects.filter(
        application__cohort=cohort
    ).values_list("application_id", "reviewer_id", "is_active"):
        if active and reviewer_id in current and (app_id, reviewer_id) not in replacing:
            existing[app_id].add(reviewer_id)
        else:
            forbidden.add(
                (reviewer_id, app_id)
            )  # removed once (conflict, reassignment): never again
    by_email = defaultdict(list)
    by_employer = defaultdict(list)
    for application in applications:
        by_email[application.email.lower()].append(application.pk)
        if application.employer:
            by_employer[application.employer.strip().lower()].append(application.pk)
    for conflict in selectors.conflict_list_for_programme(programme=cohort.programme):
        if conflict.kind == ConflictKind.APPLICATION:
            if conflict.value.isdigit():
                forbidden.add((conflict.reviewer_id, int(conflict.value)))
            continue
        index = by_email if conflict.kind == ConflictKind.PERSON else by_employer
        for app_id in index.get(conflict.value.strip().lower(), []):
            forbidden.add((conflict.reviewer_id, app_id))
    pure_reviewers = [
        assigning.Reviewer(id=u.pk, user_id=u.pk, employer=employers.get(u.pk) or "")
        for u in reviewers
    ]
    submissions = [
        assigning.Submission(id=a.pk, applicant_user_id=a.applicant_id, employer=a.employer)
        for a in applications
    ]
    return reviewers, applications, submissions, pure_reviewers, existing, forbidden


def assignment_preview(*, cohort: Cohort) -> AssignmentPreview:
    """What "assign reviewers" would do now, without writing anything."""
    k = cohort.reviewers_per_application
    conflicted = list(selectors.assignment_list_conflicted(cohort=cohort))
    reviewers, applications, submissions, pure_reviewers, existing, forbidden = _inputs(
        cohort, {(a.application_id, a.reviewer_id) for a in conflicted}
    )
    problem = _reviewer_problem(k, len(reviewers))
    result = assigning.assign_reviewers(
        submissions, pure_reviewers, k, existing=existing, forbidden=forbidden, seed=cohort.pk
    )
    by_id = {a.pk: a for a in applications}
    load_before = defaultdict(int)
    for reviewer_ids in existing.values():
        for reviewer_id in reviewer_ids:
            load_before[reviewer_id] += 1
    return AssignmentPreview(
        k=k,
        reviewers=reviewers,
        load_before=dict(load_before),
        load_after=result.load,
        new=result.new,
        shortfall=[(by_id[app_id], reason) for app_id, reason in sorted(result.shortfall.items())],
        new_count=sum(len(v) for v in result.new.values()),
        problem=problem,
        conflicted=conflicted,
    )


# A run queued this long without a worker taking it was probably lost with the broker.
ASSIGNMENT_RUN_STALE_QUEUED_SECONDS = 120


# A run interrupted this many times (its worker killed each time) is failed, not retried again.
ASSIGNMENT_RUN_MAX_ATTEMPTS = 3


class _RunTakenOver(Exception):
    """The sweeper gave the run to another worker meanwhile: this one's work is rolled back."""


def assignment_run_start(*, cohort: Cohort, actor: User) -> AssignmentRun:
    """Queue "assign reviewers" for the cohort; a worker does it after commit
    (assignment_run_execute). Raises ReviewError when a run is already queued or running, or
    the programme has too few reviewers."""
    reviewers = selectors.reviewer_list_for_programme(programme=cohort.programme)
    problem = _reviewer_problem(cohort.reviewers_per_application, len(reviewers))
    if problem:
        raise ReviewError(problem)
    try:
        with transaction.atomic():
            run = AssignmentRun.objects.create(cohort=cohort, requested_by=actor)
    except IntegrityError as exc:  # the database allows one active run per cohort
        raise ReviewError(
            _("Reviewers are already being assigned in this cohort. Wait for that to finish.")
        ) from exc
    transaction.on_commit(lambda: _enqueue_assignment_run(run.pk))
    return run


def _enqueue_assignment_run(run_id: int) -> None:
    background.enqueue_or_leave("reviews.assignment_run", run_id)


def assignment_run_execute(*, run_id: int) -> AssignmentRun | None:
    """Claim a queued run (conditional UPDATE) and do it in one transaction: replace the
    assignments declared conflicts match, assign reviewers as previewed, move submitted
    applications to "in review", send each reviewer one digest, audit, mark the run done.
    Any error rolls all of that back and marks the run failed with a readable message.
    Idempotent: a run that is not queued is left alone and None returned."""
    claimed_at = timezone.now()
    claimed = AssignmentRun.objects.filter(pk=run_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        claimed_at=claimed_at,
        attempts=F("attempts") + 1,
        progress=10,
        updated_at=claimed_at,
    )
    if not claimed:
        return None
    run = AssignmentRun.objects.select_related("requested_by").get(pk=run_id)
    try:
        _assignment_run_apply(run=run, claimed_at=claimed_at)
    except _RunTakenOver:
        logger.warning("reviews: assignment run %s was taken over; rolled back", run_id)
    except Exception as exc:
        if isinstance(exc, ReviewError):
            error = str(exc)
        else:
            logger.exception("reviews: assignment run %s failed", run_id)
            error = _(
                "Unexpected error (%(error)s). Nothing was changed; try again, and report it "
                "if it happens again."
            ) % {"error": f"{exc.__class__.__name__}: {exc}"[:300]}
        now = timezone.now()
        AssignmentRun.objects.filter(
            pk=run_id, status=JobStatus.RUNNING, claimed_at=claimed_at
        ).update(
            status=JobStatus.FAILED, error=error, progress=100, finished_at=now, updated_at=now
        )
    run.refresh_from_db()
    return run


@transaction.atomic
def _assignment_run_apply(*, run: AssignmentRun, claimed_at: datetime) -> int:
    """The whole of a run, all or nothing. A constant number of queries in the number of
    applications (plus a few per reviewer for the digests)."""
    cohort = (
        Cohort.objects.select_for_update(of=("self",))
        .select_related("programme")
        .get(pk=run.cohort_id)
    )
    actor = run.requested_by
    preview = assignment_preview(cohort=cohort)
    if preview.problem:
        raise ReviewError(preview.problem)
    now = timezone.now()
    replaced = [a.pk for a in preview.conflicted]
    rescored = list(
        Application.objects.filter(
            assignments__pk__in=replaced, assignments__review__is_submitted=True
        ).distinct()
    )
    ReviewAssignment.objects.filter(pk__in=replaced, is_active=True).update(
        is_active=False,
        removed_reason=_("Conflict of interest declared by the reviewer"),
        updated_at=now,
    )
    rows = [
        ReviewAssignment(application_id=app_id, reviewer_id=reviewer_id)
        for app_id, reviewer_ids in preview.new.items()
        for reviewer_id in reviewer_ids
    ]
    ReviewAssignment.objects.bulk_create(rows, batch_size=2000)
    applications_transition_bulk(
        application_ids=sorted(app_id for app_id, ids in preview.new.items() if ids),
        from_status=ApplicationStatus.SUBMITTED,
        to_status=ApplicationStatus.IN_REVIEW,
        actor=actor,
        note=_("Reviewers assigned"),
    )
    per_reviewer: dict[int, int] = defaultdict(int)
    for row in rows:
        per_reviewer[row.reviewer_id] += 1
    reviewers = {u.pk: u for u in preview.reviewers}
    for reviewer_id, count in per_reviewer.items():
        notification_services.notify(
            recipient=reviewers[reviewer_id],
            kind="review.assigned",
            context={
                "count": count,
                "cohort_name": cohort.name,
                "programme_name": cohort.programme.name,
                "deadline": cohort.review_deadline,
            },
            url="/reviews/",
            scope=cohort.programme.notification_scope,
            dedupe_key=f"review-assigned:{cohort.pk}:run-{run.pk}",
        )
    audit_record(
        actor=actor,
        action="reviews.assign",
        target=cohort,
        programme=cohort.programme_id,
        assignments=len(rows),
        reassigned_for_conflicts=len(replaced),
        run=run.pk,
    )
    finished = AssignmentRun.objects.filter(
        pk=run.pk, status=JobStatus.RUNNING, claimed_at=claimed_at
    ).update(
        status=JobStatus.DONE,
        progress=100,
        assignments=len(rows),
        error="",
        finished_at=now,
        updated_at=now,
    )
    if not finished:
        raise _RunTakenOver
    _scores_changed(rescored)
    return len(rows)


def assignment_runs_sweep(*, now: datetime | None = None) -> int:
    """Take up runs a lost task left behind. Queued for over two minutes (the broker lost the
    message): enqueued again. Running past the hard time limit (the worker died; its
    transaction rolled back, so nothing was written): queued and enqueued again, or failed
    after ASSIGNMENT_RUN_MAX_ATTEMPTS. Returns how many runs were enqueued."""
    now = now or timezone.now()
    again: list[int] = []
    stale = AssignmentRun.objects.filter(
        status=JobStatus.RUNNING,
        claimed_at__lt=background.abandoned_before(now),
    )
    for run in stale:
        mine = AssignmentRun.objects.filter(
            pk=run.pk, status=JobStatus.RUNNING, claimed_at=run.claimed_at
        )
        if run.attempts >= ASSIGNMENT_RUN_MAX_ATTEMPTS:
            mine.update(
                status=JobStatus.FAILED,
                progress=100,
                error=_(
                    "The run was interrupted %(n)s times (its worker stopped) and was given "
                    "up. Nothing was changed; try again."
                )
                % {"n": run.attempts},
                finished_at=now,
                updated_at=now,
            )
        elif mine.update(status=JobStatus.QUEUED, progress=0, updated_at=now):
            again.append(run.pk)
    forgotten = AssignmentRun.objects.filter(
        status=JobStatus.QUEUED,
        updated_at__lt=now - timedelta(seconds=ASSIGNMENT_RUN_STALE_QUEUED_SECONDS),
    ).values_list("pk", flat=True)
    for pk in list(forgotten):
        # Touched, so that the next sweep waits another two minutes before trying again.
        if AssignmentRun.objects.filter(pk=pk, status=JobStatus.QUEUED).update(updated_at=now):
            again.append(pk)
    for pk in again:
        transaction.on_commit(lambda pk=pk: _enqueue_assignment_run(pk))
    return len(again)


def _may_review(reviewer: User, application: Application) -> str:
    """Why `reviewer` may not review `application`, or "" when they may."""
    programme = application.cohort.programme
    if reviewer.pk == application.applicant_id:
        return _("Applicants cannot review their own application.")
    if not selectors.reviewer_role_exists(user=reviewer, programme=programme):
        return _("%(name)s is not a reviewer of this programme.") % {"name": reviewer}
    employer = selectors.reviewer_employers(users=[reviewer]).get(reviewer.pk, "")
    if (
        employer
        and application.employer
        and employer.strip().lower() == application.employer.strip().lower()
    ):
        return _("%(name)s works for the applicant's employer.") % {"name": reviewer}
    for conflict in selectors.conflict_list_for_reviewer(reviewer=reviewer, programme=programme):
        if _conflict_applications(conflict).filter(pk=application.pk).exists():
            return _("%(name)s declared a conflict with this application.") % {"name": reviewer}
    if (
        ReviewAssignment.objects.filter(application=application, reviewer=reviewer)
        .exclude(is_active=True)
        .exists()
    ):
        return _("%(name)s was removed from this application before.") % {"name": reviewer}
    if ReviewAssignment.objects.filter(
        application=application, reviewer=reviewer, is_active=True
    ).exists():
        return _("%(name)s already reviews this application.") % {"name": reviewer}
    return ""


@transaction.atomic
def assignment_reassign(
    *, assignment: ReviewAssignment, reviewer: User, actor: User
) -> ReviewAssignment:
    """Give an application to another reviewer by hand; the same rules as automatic assignment
    apply. Raises ReviewError when they may not review it."""
    application = assignment.application
    problem = _may_review(reviewer, application)
    if problem:
        raise ReviewError(problem)
    assignment.is_active = False
    assignment.removed_reason = (_("Reassigned by %(name)s") % {"name": actor})[:300]
    assignment.save(update_fields=["is_active", "removed_reason", "updated_at"])
    new = ReviewAssignment.objects.create(application=application, reviewer=reviewer)
    _scores_changed([application])
    notification_services.notify(
        recipient=reviewer,
        kind="review.assigned",
        context={
            "count": 1,
            "cohort_name": application.cohort.name,
            "programme_name": application.cohort.programme.name,
            "deadline": application.cohort.review_deadline,
        },
        url=f"/reviews/{new.pk}/",
        scope=application.cohort.programme.notification_scope,
        dedupe_key=f"review-reassigned:{new.pk}",
    )
    audit_record(
        actor=actor,
        action="reviews.reassign",
        target=application,
        programme=application.cohort.programme_id,
        reviewer=reviewer.email,
    )
    return new


@transaction.atomic
def assignment_flag_conflict(*, assignment: ReviewAssignment, reviewer: User, reason: str) -> None:
    """A reviewer declares a conflict with an assigned application: the assignment is removed
    with the reason, and the application recorded as a conflict (by number, so blind review
    stays blind) so that no later run assigns it again."""
    if assignment.reviewer_id != reviewer.pk:
        raise ReviewError(_("This is not your assignment."))
    text = reason.strip() or _("declared by the reviewer")
    assignment.is_active = False
    assignment.removed_reason = (_("Conflict of interest: %(reason)s") % {"reason": text})[:300]
    assignment.save(update_fields=["is_active", "removed_reason", "updated_at"])
    ConflictOfInterest.objects.get_or_create(
        reviewer=reviewer,
        programme=assignment.application.cohort.programme,
        kind=ConflictKind.APPLICATION,
        value=str(assignment.application_id),
        defaults={"note": text[:300]},
    )
    _scores_changed([assignment.application])


def _check_open(cohort: Cohort) -> None:
    if cohort.review_deadline and timezone.now() > cohort.review_deadline:
        raise ReviewError(_("The review deadline has passed; reviews can no longer be changed."))


@transaction.atomic
def review_save(
    *,
    assignment: ReviewAssignment,
    reviewer: User,
    scores: dict[int, int],
    recommendation: str,
    comment: str,
    submit: bool,
) -> Review:
    """Save a draft or submit a review. Scores must lie on each criterion's scale; submitting
    needs every required criterion and a recommendation. Updates the application's scores."""
    if assignment.reviewer_id != reviewer.pk or not assignment.is_active:
        raise ReviewError(_("This application is not assigned to you."))
    cohort = assignment.application.cohort
    _check_open(cohort)
    criteria = selectors.criterion_list_for_cohort(cohort=cohort)
    known = {c.pk: c for c in criteria}
    clean: dict[str, int] = {}
    for criterion_id, value in scores.items():
        criterion = known.get(criterion_id)
        if criterion is None:
            continue
        if not criterion.scale_min <= value <= criterion.scale_max:
            raise ReviewError(
                _("%(name)s must be scored from %(low)s to %(high)s.")
                % {"name": criterion.name, "low": criterion.scale_min, "high": criterion.scale_max}
            )
        clean[str(criterion_id)] = value
    if submit:
        missing = [c.name for c in criteria if c.is_required and str(c.pk) not in clean]
        if missing:
            raise ReviewError(
                _("Score every criterion before submitting: %(names)s.")
                % {"names": ", ".join(missing)}
            )
        if not recommendation:
            raise ReviewError(_("Choose a recommendation before submitting."))
    review, _created = Review.objects.select_for_update(of=("self",)).get_or_create(
        assignment=assignment
    )
    review.scores = clean
    review.recommendation = recommendation
    review.comment = comment.strip()
    review.total = scoring.weighted_total(
        {int(k): v for k, v in clean.items()}, {c.pk: float(c.weight) for c in criteria}
    )
    if submit and not review.is_submitted:
        review.is_submitted = True
        review.submitted_at = timezone.now()
    review.save()
    if review.is_submitted:
        transaction.on_commit(lambda: _enqueue_recompute(cohort.pk))
        _update_raw_score(assignment.application)
    return review


def _enqueue_recompute(cohort_id: int) -> None:
    try:
        background.enqueue("reviews.scores_recompute", cohort_id)
    except Exception:
        logger.warning(
            "reviews: could not enqueue score recompute for cohort %s", cohort_id, exc_info=True
        )
        cohort = Cohort.objects.filter(pk=cohort_id).first()
        if cohort is not None:
            scores_recompute(cohort=cohort)


def _update_raw_score(application: Application) -> None:
    totals = list(
        Review.objects.filter(
            assignment__application=application,
            assignment__is_active=True,
            is_submitted=True,
            total__isnull=False,
        ).values_list("total", flat=True)
    )
    Application.objects.filter(pk=application.pk).update(
        review_count=len(totals),
        raw_score=sum(totals) / len(totals) if totals else None,
        score_spread=(max(totals) - min(totals)) if totals else None,
    )


def scores_recompute(*, cohort: Cohort) -> int:
    """Recompute raw and normalised scores of every application of the cohort. Returns how many."""
    criteria = selectors.criterion_list_for_cohort(cohort=cohort)
    scale_min = min((c.scale_min for c in criteria), default=1)
    scale_max = max((c.scale_max for c in criteria), default=5)
    rows = Review.objects.filter(
        assignment__application__cohort=cohort,
        assignment__is_active=True,
        is_submitted=True,
        total__isnull=False,
    ).values_list("assignment__reviewer_id", "assignment__application_id", "total")
    scores = scoring.application_scores(
        (scoring.ReviewTotal(r, a, t) for r, a, t in rows), scale_min=scale_min, scale_max=scale_max
    )
    applications = list(Application.objects.filter(cohort=cohort).only("pk"))
    for application in applications:
        score = scores.get(application.pk)
        application.review_count = score.count if score else 0
        application.raw_score = score.raw if score else None
        application.normalized_score = score.normalized if score else None
        application.score_spread = score.spread if score else None
    with transaction.atomic():
        Application.objects.bulk_update(
            applications,
            ["review_count", "raw_score", "normalized_score", "score_spread"],
            batch_size=2000,
        )
    return len(scores)


def review_reminders(
    *, cohort: Cohort, actor: User | None, reviewer_ids: list[int] | None = None, key: str = ""
) -> int:
    """Remind reviewers with unfinished reviews (all of them, or `reviewer_ids`). Returns how many."""
    pending = selectors.reviewers_with_open_reviews(cohort=cohort)
    if reviewer_ids is not None:
        pending = [pk for pk in pending if pk in set(reviewer_ids)]
    progress = {p.reviewer.pk: p for p in selectors.reviewer_progress(cohort=cohort)}
    stamp = key or timezone.now().strftime("%Y%m%d%H%M%S")
    sent = 0
    for reviewer_id in pending:
        entry = progress.get(reviewer_id)
        if entry is None:
            continue
        delivery = notification_services.notify(
            recipient=entry.reviewer,
            kind="review.reminder",
            context={
                "remaining": entry.remaining,
                "cohort_name": cohort.name,
                "programme_name": cohort.programme.name,
                "deadline": cohort.review_deadline,
            },
            url="/reviews/",
            scope=cohort.programme.notification_scope,
            dedupe_key=f"review-reminder:{cohort.pk}:{stamp}",
        )
        sent += delivery is not None
    if actor is not None:
        audit_record(
            actor=actor,
            action="reviews.remind",
            target=cohort,
            programme=cohort.programme_id,
            reviewers=sent,
        )
    return sent


def review_deadline_reminders(*, now=None) -> int:
    """48 hours before a cohort's review deadline, remind each reviewer with open reviews once."""
    from datetime import timedelta

    now = now or timezone.now()
    sent = 0
    for cohort in Cohort.objects.filter(
        review_deadline__gt=now, review_deadline__lte=now + timedelta(hours=48)
    ).select_related("programme"):
        sent += review_reminders(
            cohort=cohort, actor=None, key=f"48h:{cohort.review_deadline:%Y%m%d%H%M}"
        )
    return sent


__all__ = [
    "ApplicationError",
    "AssignmentPreview",
    "ReviewError",
    "assignment_flag_conflict",
    "assignment_preview",
    "assignment_reassign",
    "assignment_run_execute",
    "assignment_run_start",
    "assignment_runs_sweep",
    "assignments_deactivate_for_reviewer",
    "conflict_declare",
    "conflict_remove",
    "criterion_delete",
    "criterion_save",
    "review_deadline_reminders",
    "review_reminders",
    "review_save",
    "scores_recompute",
]


def criteria_copy(*, source: Cohort, target: Cohort) -> int:
    """Copy the review rubric of `source` into `target` (a new cohort that took its set-up);
    returns how many criteria were copied."""
    fields = ["position", "name", "guidance", "weight", "scale_min", "scale_max"]
    fields += ["scale_labels", "is_required"]
    copies = ReviewCriterion.objects.bulk_create(
        ReviewCriterion(cohort=target, **{name: getattr(criterion, name) for name in fields})
        for criterion in ReviewCriterion.objects.filter(cohort=source).order_by("position", "id")
    )
    return len(copies)
