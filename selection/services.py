"""Every write of selection: quotas, runs, the commit, decisions, offers, the waitlist."""

import logging
import random
import time
from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F as models_F
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from applications.enums import ApplicationStatus
from applications.models import Application
from applications.services import (
    application_transition,
    applications_events_record,
    applications_transition_bulk,
    applications_transition_cohort,
)
from cohorts.attributes import candidate_attributes, quota_columns
from cohorts.models import Cohort
from core import background
from core.services import audit_record
from notifications import services as notification_services
from selection import selection
from selection.enums import OfferStatus, RunStatus, ScoreKind
from selection.models import Offer, Participant, Quota, SelectionRun
from selection.signals import participant_joined, participant_left

logger = logging.getLogger(__name__)


class SelectionError(Exception):
    """A selection action the rules do not allow; the message is shown as is."""


def _quota_audit(quota: Quota, *, actor: User, action: str) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=quota,
        programme=quota.cohort.programme_id,
        cohort=quota.cohort_id,
        name=quota.name,
        attribute=quota.attribute,
        values=list(quota.values),
        min_percent=None if quota.min_percent is None else str(quota.min_percent),
        max_percent=None if quota.max_percent is None else str(quota.max_percent),
    )


@transaction.atomic
def quota_save(*, quota: Quota, actor: User) -> Quota:
    """Add or change a quota of the cohort's selection. Audited."""
    created = quota.pk is None
    quota.save()
    _quota_audit(
        quota, actor=actor, action="selection.quota_create" if created else "selection.quota_update"
    )
    return quota


@transaction.atomic
def quota_delete(*, quota: Quota, actor: User) -> None:
    """Remove a quota. Audited."""
    _quota_audit(quota, actor=actor, action="selection.quota_delete")
    quota.delete()


def _quota_snapshot(cohort: Cohort) -> list[dict]:
    return [
        {
            "name": q.name,
            "attribute": q.attribute,
            "values": list(q.values),
            "min_percent": str(q.min_percent) if q.min_percent is not None else None,
            "max_percent": str(q.max_percent) if q.max_percent is not None else None,
        }
        for q in Quota.objects.filter(cohort=cohort).order_by("name", "id")
    ]


def seats_taken(cohort: Cohort) -> int:
    """Accepted offers plus open offers: the seats nobody else may have."""
    return Offer.objects.filter(
        application__cohort=cohort, status__in=[OfferStatus.OPEN, OfferStatus.ACCEPTED]
    ).count()


def default_seats(cohort: Cohort) -> int:
    """The seats a new run fills by default: those not held by an accepted or open offer."""
    return max(cohort.capacity - seats_taken(cohort), 1)


def selection_pool(*, cohort: Cohort, min_reviews: int):
    return Application.objects.filter(
        cohort=cohort,
        status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW],
        is_eligible=True,
        review_count__gte=min_reviews,
    )


DECISION_KINDS = ("selection.offer", "selection.waitlisted", "selection.not_selected")


def decisions_batch(cohort_id: int) -> str:
    """The outbox batch that holds one cohort's staged decision letters."""
    return f"selection.decisions:{cohort_id}"


@transaction.atomic
def selection_run_start(
    *,
    cohort: Cohort,
    author: User,
    score_kind: str,
    seats: int,
    min_reviews: int,
    seed: int | None = None,
) -> SelectionRun:
    """Record a run with its inputs and compute it in the background (after commit).

    Runs are numbered 1, 2, 3… per cohort. Without `seed`, the tie-breaking lottery draws a
    new one; giving a stored seed reproduces that run's lottery.
    """
    Cohort.objects.select_for_update(of=("self",)).filter(
        pk=cohort.pk
    ).first()  # numbers one at a time
    number = (SelectionRun.objects.filter(cohort=cohort).aggregate(n=Max("number"))["n"] or 0) + 1
    run = SelectionRun.objects.create(
        cohort=cohort,
        number=number,
        author=author,
        score_kind=score_kind,
        seats=seats,
        min_reviews=min_reviews,
        seed=seed if seed is not None else random.SystemRandom().randrange(1, 2**31),
        quotas=_quota_snapshot(cohort),
    )
    transaction.on_commit(lambda: _enqueue_run(run.pk))
    return run


def _enqueue_run(run_id: int) -> None:
    background.enqueue_or_leave("selection.selection_run", run_id)


def _enqueue_commit(run_id: int) -> None:
    background.enqueue_or_leave("selection.selection_commit", run_id)


def _claim(run_id: int, status: str, *, to_status: str | None = None) -> bool:
    """Take up a run in `status` that no live worker holds (conditional UPDATE)."""
    now = timezone.now()
    fresh = SelectionRun.objects.filter(pk=run_id, status=status, claimed_at__isnull=True)
    stale = SelectionRun.objects.filter(
        pk=run_id, status=status, claimed_at__lt=background.abandoned_before()
    )
    changes = {"claimed_at": now, "updated_at": now}
    if to_status:
        changes["status"] = to_status
    for candidates in (fresh, stale):
        if candidates.update(**changes):
            SelectionRun.objects.filter(pk=run_id).update(attempts=models_F("attempts") + 1)
            return True
    return False


def selection_run_execute(*, run_id: int) -> SelectionRun | None:
    """Compute a queued run: build the candidates, solve, store the result. Idempotent."""
    if not (
        _claim(run_id, RunStatus.QUEUED, to_status=RunStatus.RUNNING)
        or _claim(run_id, RunStatus.RUNNING)  # redelivered after its worker died
    ):
        return None
    SelectionRun.objects.filter(pk=run_id).update(progress=10)
    run = SelectionRun.objects.select_related("cohort").get(pk=run_id)
    started = time.monotonic()
    try:
        field = "normalized_score" if run.score_kind == ScoreKind.NORMALIZED else "raw_score"
        pool = list(
            selection_pool(cohort=run.cohort, min_reviews=run.min_reviews)
            .exclude(**{f"{field}__isnull": True})
            .only("pk", field, *quota_columns())
        )
        SelectionRun.objects.filter(pk=run_id).update(progress=40)
        candidates = [
            selection.Candidate(a.pk, float(getattr(a, field)), candidate_attributes(a))
            for a in pool
        ]
        result = selection.select_cohort(
            candidates, run.seats, selection.quota_bounds(run.quotas, run.seats), seed=run.seed
        )
        run.pool_size = len(pool)
        run.result_status = result.status
        run.conflict = result.conflict
        run.selected = result.selected
        run.waitlist = result.waitlist
        run.binding = result.binding
        run.objective = result.objective
        run.scores = {str(c.id): c.score for c in candidates}
        run.status = RunStatus.DONE
    except Exception as exc:
        logger.exception("selection: run %s failed", run_id)
        run.status = RunStatus.FAILED
        run.error = f"{exc.__class__.__name__}: {exc}"
    run.progress = 100
    run.duration_ms = int((time.monotonic() - started) * 1000)
    run.claimed_at = None
    run.save()
    return run


MAX_ATTEMPTS = 3


def selection_runs_sweep() -> int:
    """Periodic: hand stranded runs and commits to a worker again. Returns how many.

    A run or commit still queued a couple of minutes after it was asked for (its enqueue failed
    or the broker lost it) is enqueued again; one claimed by a worker that has been silent past
    the hard time limit (it died) is reclaimed. After MAX_ATTEMPTS a run is marked failed and a
    commit goes back to "done" with the reason, for the admin to retry.
    """
    now = timezone.now()
    quiet = now - timedelta(seconds=120)
    swept = 0
    for run in SelectionRun.objects.filter(
        status__in=[RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.COMMITTING]
    ).only("pk", "status", "claimed_at", "attempts", "updated_at"):
        stranded = (run.claimed_at is None and run.updated_at < quiet) or (
            run.claimed_at is not None and run.claimed_at < background.abandoned_before()
        )
        if not stranded:
            continue
        if run.attempts >= MAX_ATTEMPTS:
            message = _("The work stopped %(n)s times without finishing.") % {"n": run.attempts}
            if run.status == RunStatus.COMMITTING:
                SelectionRun.objects.filter(pk=run.pk, status=RunStatus.COMMITTING).update(
                    status=RunStatus.DONE, claimed_at=None, error=message, updated_at=now
                )
            else:
                SelectionRun.objects.filter(pk=run.pk, status=run.status).update(
                    status=RunStatus.FAILED,
                    claimed_at=None,
                    error=message,
                    progress=100,
                    updated_at=now,
                )
            continue
        # Touch the row so the next sweep waits again; a run that never gets claimed (its task
        # fails before it starts) still uses up its attempts.
        SelectionRun.objects.filter(pk=run.pk).update(
            updated_at=now,
            attempts=models_F("attempts") + (1 if run.claimed_at is None else 0),
        )
        enqueue = _enqueue_commit if run.status == RunStatus.COMMITTING else _enqueue_run
        transaction.on_commit(lambda enqueue=enqueue, pk=run.pk: enqueue(pk))
        swept += 1
    return swept


def selection_run_retry(*, run: SelectionRun, actor: User) -> SelectionRun:
    """Compute a failed run again with the same inputs and seed. Audited."""
    updated = SelectionRun.objects.filter(pk=run.pk, status=RunStatus.FAILED).update(
        status=RunStatus.QUEUED,
        progress=0,
        error="",
        claimed_at=None,
        attempts=0,
        updated_at=timezone.now(),
    )
    if not updated:
        raise SelectionError(_("Only a failed run can be tried again."))
    audit_record(
        actor=actor,
        action="selection.retry",
        target=run.cohort,
        programme=run.cohort.programme_id,
        run=run.number,
    )
    transaction.on_commit(lambda: _enqueue_run(run.pk))
    run.refresh_from_db()
    return run


@transaction.atomic
def selection_run_commit(*, run: SelectionRun, actor: User) -> SelectionRun:
    """Ask for a finished run to be committed; the work is done in the background
    (`selection_commit_execute`), with progress on the run's page. Audited when done.

    Raises SelectionError when the run is not a finished, feasible run, the cohort already has
    a committed run or a commit in progress, or the run needs more seats than are free.
    """
    cohort = Cohort.objects.select_for_update(of=("self",)).get(pk=run.cohort_id)
    run = SelectionRun.objects.select_for_update(of=("self",)).get(pk=run.pk)
    if run.status != RunStatus.DONE or run.result_status != "optimal":
        raise SelectionError(_("Only a finished, feasible run can be committed."))
    if SelectionRun.objects.filter(
        cohort=cohort, status__in=[RunStatus.COMMITTED, RunStatus.COMMITTING]
    ).exists():
        raise SelectionError(_("This cohort's selection has already been committed."))
    free = cohort.capacity - seats_taken(cohort)
    if len(run.selected) > free:
        raise SelectionError(
            _(
                "This run fills %(n)s seats but only %(free)s are free; start a run with fewer seats."
            )
            % {"n": len(run.selected), "free": free}
        )
    run.status = RunStatus.COMMITTING
    run.committed_by = actor
    run.claimed_at = None
    run.attempts = 0
    run.progress = 0
    run.error = ""
    try:
        with transaction.atomic():
            run.save(
                update_fields=[
                    "status",
                    "committed_by",
                    "claimed_at",
                    "attempts",
                    "progress",
                    "error",
                    "updated_at",
                ]
            )
    except IntegrityError as exc:
        raise SelectionError(_("This cohort's selection has already been committed.")) from exc
    _progress(run.pk, 0)  # a commit tried before may have left its figure behind
    transaction.on_commit(lambda: _enqueue_commit(run.pk))
    return run


def commit_progress(run: SelectionRun) -> int:
    """How far a commit in progress has come (0–100); the commit writes in one transaction, so
    its progress travels through the cache."""
    if run.status == RunStatus.COMMITTED:
        return 100
    return int(cache.get(_progress_key(run.pk)) or 0)


def _progress_key(run_id: int) -> str:
    return f"selection:commit-progress:{run_id}"


def _progress(run_id: int, percent: int) -> None:
    try:
        cache.set(_progress_key(run_id), percent, 3600)
    except Exception:
        logger.warning("selection: could not record commit progress", exc_info=True)


def selection_commit_execute(*, run_id: int) -> dict[str, int] | None:
    """Commit a run whose commit was asked for: offers for the selected, the waitlist (as long as
    the cohort's waitlist length), "not selected" for the rest, and the decision letters staged
    for release. Set-based: a few statements per kind of decision, whatever the cohort's size.

    One transaction: a worker that dies midway leaves nothing behind and the sweeper hands the
    commit to another. Idempotent: a second delivery finds the run claimed or committed. A
    commit that fails returns the run to "done" with the error, so the admin can try again.
    Returns the counts, or None when there was nothing to do.
    """
    if not _claim(run_id, RunStatus.COMMITTING):
        return None
    started = time.monotonic()
    try:
        with transaction.atomic():
            cohort = (
                Cohort.objects.select_for_update(of=("self",))
                .select_related("programme")
                .get(pk=SelectionRun.objects.values_list("cohort_id", flat=True).get(pk=run_id))
            )
            run = SelectionRun.objects.select_for_update(of=("self",)).get(pk=run_id)
            if run.status != RunStatus.COMMITTING:
                return None
            counts = _commit_writes(run=run, cohort=cohort)
            run.status = RunStatus.COMMITTED
            run.committed_at = timezone.now()
            run.progress = 100
            run.claimed_at = None
            run.save(
                update_fields=["status", "committed_at", "progress", "claimed_at", "updated_at"]
            )
            audit_record(
                actor=run.committed_by,
                action="selection.commit",
                target=cohort,
                programme=cohort.programme_id,
                run=run.number,
                seconds=round(time.monotonic() - started, 1),
                **counts,
            )
    except Exception as exc:
        logger.exception("selection: commit of run %s failed", run_id)
        SelectionRun.objects.filter(pk=run_id, status=RunStatus.COMMITTING).update(
            status=RunStatus.DONE,
            claimed_at=None,
            error=_("The commit failed and nothing was changed: %(error)s")
            % {"error": f"{exc.__class__.__name__}: {exc}"},
            updated_at=timezone.now(),
        )
        return None
    _progress(run_id, 100)
    return counts


CHUNK = 5000


def _move(*, ids: list[int], from_status: str, to_status: str, actor: User | None, note: str):
    """These applications from one status to another, or SelectionError when any was
    changed meanwhile (the caller's transaction then undoes everything)."""
    moved = applications_transition_bulk(
        application_ids=ids, from_status=from_status, to_status=to_status, actor=actor, note=note
    )
    if len(moved) != len(ids):
        raise SelectionError(_("Applications changed during the commit; try again."))


def _move_rest(
    *, cohort: Cohort, from_status: str, to_status: str, expected: int, actor, note: str = ""
) -> None:
    """Every application of the cohort still in `from_status`, or SelectionError when their
    number is not `expected` (something changed meanwhile)."""
    moved = applications_transition_cohort(
        cohort=cohort, from_status=from_status, to_status=to_status, actor=actor, note=note
    )
    if moved != expected:
        raise SelectionError(_("Applications changed during the commit; try again."))


def _move_to_waitlist(*, cohort: Cohort, ids: list[int], actor) -> None:
    """The waitlist, in order: statuses and ranks in one statement on PostgreSQL, events in
    one INSERT … SELECT."""
    if not ids:
        return
    stamp = timezone.now()
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Application._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS a SET status = %s, waitlist_rank = v.rank, updated_at = %s "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::integer[]) AS v(id, rank) "
                "WHERE a.id = v.id AND a.status = %s",
                [
                    ApplicationStatus.WAITLISTED,
                    stamp,
                    ids,
                    list(range(1, len(ids) + 1)),
                    ApplicationStatus.IN_REVIEW,
                ],
            )
            moved = cursor.rowcount
    else:
        moved = 0
        for start in range(0, len(ids), CHUNK):
            moved += Application.objects.filter(
                pk__in=ids[start : start + CHUNK], status=ApplicationStatus.IN_REVIEW
            ).update(status=ApplicationStatus.WAITLISTED, updated_at=stamp)
        Application.objects.bulk_update(
            [Application(pk=pk, waitlist_rank=rank) for rank, pk in enumerate(ids, 1)],
            ["waitlist_rank"],
            batch_size=500,
        )
    if moved != len(ids):
        raise SelectionError(_("Applications changed during the commit; try again."))
    applications_events_record(
        cohort=cohort,
        from_status=ApplicationStatus.IN_REVIEW,
        to_status=ApplicationStatus.WAITLISTED,
        moved_at=stamp,
        actor=actor,
        note=_("Waitlisted at position %(n)s") % {"n": "\x00"},
    )


def _commit_writes(*, run: SelectionRun, cohort: Cohort) -> dict[str, int]:
    """The commit's writes, a few statements per decision whatever the cohort's size."""
    actor = run.committed_by
    open_statuses = [ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW]
    status_of = dict(
        Application.objects.filter(cohort=cohort, status__in=open_statuses).values_list(
            "pk", "status"
        )
    )
    _progress(run.pk, 5)
    submitted = sum(1 for status in status_of.values() if status == ApplicationStatus.SUBMITTED)
    _move_rest(
        cohort=cohort,
        from_status=ApplicationStatus.SUBMITTED,
        to_status=ApplicationStatus.IN_REVIEW,
        expected=submitted,
        actor=actor,
    )
    _progress(run.pk, 15)
    # Withdrawn (or otherwise moved) since the run: their seat goes to the waitlist later.
    offered = [pk for pk in run.selected if pk in status_of]
    chosen = set(offered)
    waiting = [pk for pk in run.waitlist if pk in status_of and pk not in chosen]
    if cohort.waitlist_length is not None:
        waiting = waiting[: cohort.waitlist_length]
    rest = len(status_of) - len(offered) - len(waiting)
    _move(
        ids=offered,
        from_status=ApplicationStatus.IN_REVIEW,
        to_status=ApplicationStatus.OFFERED,
        actor=actor,
        note=_("Selected"),
    )
    now = timezone.now()
    Offer.objects.bulk_create(
        [
            Offer(
                application_id=pk,
                run=run,
                expires_at=now + timedelta(days=cohort.offer_validity_days),
            )
            for pk in offered
        ],
        batch_size=2000,
    )
    _progress(run.pk, 25)
    _move_to_waitlist(cohort=cohort, ids=waiting, actor=actor)
    _progress(run.pk, 40)
    _move_rest(
        cohort=cohort,
        from_status=ApplicationStatus.IN_REVIEW,
        to_status=ApplicationStatus.NOT_SELECTED,
        expected=rest,
        actor=actor,
        note=_("Not selected"),
    )
    _progress(run.pk, 55)
    # Rewritten at release with the deadline the offers get then; this one previews it.
    _stage_letters(
        cohort=cohort,
        kind="selection.offer",
        status=ApplicationStatus.OFFERED,
        expires_at=now + timedelta(days=cohort.offer_validity_days),
    )
    _progress(run.pk, 65)
    _stage_letters(cohort=cohort, kind="selection.waitlisted", status=ApplicationStatus.WAITLISTED)
    _progress(run.pk, 80)
    _stage_letters(
        cohort=cohort, kind="selection.not_selected", status=ApplicationStatus.NOT_SELECTED
    )
    _progress(run.pk, 95)
    return {"offered": len(offered), "waitlisted": len(waiting), "not_selected": rest}


def _letter_context(cohort: Cohort, expires_at=None) -> dict:
    return {
        "cohort_name": cohort.name,
        "programme_name": cohort.programme.name,
        "expires_at": expires_at,
        "tz": cohort.timezone,
    }


def _stage_letters(*, cohort: Cohort, kind: str, status: str, expires_at=None) -> int:
    """Stage `kind` letters for every applicant of the cohort now in `status`; they wait in
    the cohort's batch until the decisions are released."""
    recipients = User.objects.filter(applications__cohort=cohort, applications__status=status).only(
        "pk", "email", "display_name", "language"
    )
    return notification_services.notify_bulk(
        recipients=recipients,
        kind=kind,
        context=_letter_context(cohort, expires_at),
        url="/applications/",
        scope=cohort.programme.notification_scope,
        batch=decisions_batch(cohort.pk),
        staged=True,
    )


def _lock_offer(offer: Offer) -> tuple[Offer, Cohort]:
    cohort = (
        Cohort.objects.select_for_update(of=("self",))
        .select_related("programme")
        .get(pk=offer.application.cohort_id)
    )
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("application__applicant", "run")
        .get(pk=offer.pk)
    )
    return offer, cohort


@transaction.atomic
def offer_accept(*, offer: Offer, user: User) -> Participant:
    """Accept an open offer: the applicant becomes a participant and is sent a confirmation
    (`selection.offer_accepted`) with the cohort's dates. Raises SelectionError when the offer
    is not theirs, no longer open, or expired."""
    offer, cohort = _lock_offer(offer)
    if offer.application.applicant_id != user.pk:
        raise SelectionError(_("This offer is not yours."))
    if cohort.decisions_released_at is None:
        raise SelectionError(_("This offer is not open yet."))
    if offer.status != OfferStatus.OPEN:
        raise SelectionError(
            _("This offer is %(status)s.") % {"status": offer.get_status_display().lower()}
        )
    if offer.application.status != ApplicationStatus.OFFERED:
        raise SelectionError(_("This application is no longer waiting for an answer."))
    if offer.expires_at <= timezone.now():
        raise SelectionError(
            _("This offer expired on %(date)s.")
            % {"date": offer.expires_at.strftime("%d %b %Y %H:%M")}
        )
    offer.status = OfferStatus.ACCEPTED
    offer.decided_at = timezone.now()
    offer.save(update_fields=["status", "decided_at", "updated_at"])
    application_transition(
        application=offer.application, to_status=ApplicationStatus.ACCEPTED, actor=user
    )
    participant = Participant.objects.create(
        application=offer.application, cohort=cohort, user=user
    )
    participant_joined.send(sender=Participant, participant=participant)
    notification_services.notify(
        recipient=offer.application.applicant,
        kind="selection.offer_accepted",
        context={
            "cohort_name": cohort.name,
            "programme_name": cohort.programme.name,
            "starts_on": cohort.starts_on,
            "ends_on": cohort.ends_on,
            "commitment": cohort.commitment,
        },
        url=f"/applications/{offer.application_id}/",
        scope=cohort.programme.notification_scope,
        dedupe_key=f"selection.offer_accepted:{offer.pk}",
    )
    return participant


@transaction.atomic
def offer_decline(*, offer: Offer, user: User, reason: str = "") -> Offer:
    """Decline an open offer; the applicant is sent a confirmation (`selection.offer_declined`)
    and the seat goes to the best promotable waitlisted applicant."""
    offer, cohort = _lock_offer(offer)
    if offer.application.applicant_id != user.pk:
        raise SelectionError(_("This offer is not yours."))
    if cohort.decisions_released_at is None:
        raise SelectionError(_("This offer is not open yet."))
    if offer.status != OfferStatus.OPEN:
        raise SelectionError(
            _("This offer is %(status)s.") % {"status": offer.get_status_display().lower()}
        )
    if offer.application.status != ApplicationStatus.OFFERED:
        raise SelectionError(_("This application is no longer waiting for an answer."))
    offer.status = OfferStatus.DECLINED
    offer.decided_at = timezone.now()
    offer.decline_reason = reason.strip()
    offer.save(update_fields=["status", "decided_at", "decline_reason", "updated_at"])
    application_transition(
        application=offer.application,
        to_status=ApplicationStatus.DECLINED,
        actor=user,
        note=reason.strip(),
    )
    notification_services.notify(
        recipient=offer.application.applicant,
        kind="selection.offer_declined",
        context={"cohort_name": cohort.name, "programme_name": cohort.programme.name},
        url=f"/applications/{offer.application_id}/",
        scope=cohort.programme.notification_scope,
        dedupe_key=f"selection.offer_declined:{offer.pk}",
    )
    _promote(cohort, actor=None)
    return offer


@transaction.atomic
def decisions_release(*, cohort: Cohort, actor: User) -> int:
    """Show this cohort's decisions to its applicants and send their letters; the offers'
    answer period starts now. Returns the number of letters released. Audited.

    Only this cohort's staged letters leave. Offer letters are written now, from the offers
    open now and with the deadline they get now, so every letter states the deadline its offer
    really has (promotions and withdrawals since the commit included).
    """
    cohort = (
        Cohort.objects.select_for_update(of=("self",)).select_related("programme").get(pk=cohort.pk)
    )
    if cohort.decisions_released_at is not None:
        raise SelectionError(_("The decisions of this cohort have already been released."))
    if not SelectionRun.objects.filter(cohort=cohort, status=RunStatus.COMMITTED).exists():
        raise SelectionError(_("Commit a selection run first."))
    now = timezone.now()
    expires = now + timedelta(days=cohort.offer_validity_days)
    Offer.objects.filter(application__cohort=cohort, status=OfferStatus.OPEN).update(
        expires_at=expires, updated_at=now
    )
    batch = decisions_batch(cohort.pk)
    offered_users = list(
        User.objects.filter(
            applications__cohort=cohort,
            applications__status=ApplicationStatus.OFFERED,
            applications__offer__status=OfferStatus.OPEN,
        ).only("pk", "email", "display_name", "language")
    )
    notification_services.staged_discard(batch=batch, recipient_ids=None, kind="selection.offer")
    letters = notification_services.notify_bulk(
        recipients=offered_users,
        kind="selection.offer",
        context=_letter_context(cohort, expires),
        url="/applications/",
        scope=cohort.programme.notification_scope,
        batch=batch,
    )
    letters += notification_services.staged_release(batch=batch)
    cohort.decisions_released_at = now
    cohort.save(update_fields=["decisions_released_at", "updated_at"])
    audit_record(
        actor=actor,
        action="selection.release",
        target=cohort,
        programme=cohort.programme_id,
        letters=letters,
    )
    return letters


def _lock_cohort(cohort_id: int) -> Cohort:
    return (
        Cohort.objects.select_for_update(of=("self",)).select_related("programme").get(pk=cohort_id)
    )


def selection_application_withdrawn(
    *, application: Application, previous_status: str, cohort: Cohort
) -> None:
    """An applicant withdrew a decided application (received from the `application_withdrawn`
    signal in selection/receivers.py, inside the withdrawal's transaction, which holds the
    cohort's lock): a held seat is freed and given to the waitlist, sending `participant_left`
    if it was a participant's; a decision letter not yet released is discarded, since it no
    longer says what the release would."""
    if cohort.decisions_released_at is None:
        notification_services.staged_discard(
            batch=decisions_batch(cohort.pk), recipient_ids=[application.applicant_id]
        )
    if previous_status in (ApplicationStatus.OFFERED, ApplicationStatus.ACCEPTED):
        Offer.objects.filter(
            application=application, status__in=[OfferStatus.OPEN, OfferStatus.ACCEPTED]
        ).update(status=OfferStatus.WITHDRAWN, decided_at=timezone.now(), updated_at=timezone.now())
        participant = Participant.objects.filter(application=application).first()
        if participant is not None:
            # A queryset delete leaves the instance its pk, for the receivers.
            Participant.objects.filter(pk=participant.pk).delete()
            participant_left.send(sender=Participant, participant=participant)
        _promote(cohort, actor=None)


def offers_expire(*, now=None) -> int:
    """Expire open offers past their deadline and promote from the waitlist. Returns how many."""
    now = now or timezone.now()
    expired = 0
    for offer_id in Offer.objects.filter(
        status=OfferStatus.OPEN,
        expires_at__lte=now,
        application__cohort__decisions_released_at__isnull=False,
    ).values_list("pk", flat=True):
        with transaction.atomic():
            offer, cohort = _lock_offer(
                Offer.objects.select_related("application").get(pk=offer_id)
            )
            if offer.status != OfferStatus.OPEN:
                continue
            if offer.application.status != ApplicationStatus.OFFERED:
                offer.status = OfferStatus.WITHDRAWN
                offer.save(update_fields=["status", "updated_at"])
                continue
            offer.status = OfferStatus.EXPIRED
            offer.decided_at = now
            offer.save(update_fields=["status", "decided_at", "updated_at"])
            application_transition(
                application=offer.application, to_status=ApplicationStatus.EXPIRED, actor=None
            )
            expired += 1
            _promote(cohort, actor=None)
    return expired


def _promote(cohort: Cohort, *, actor: User | None, only: Application | None = None) -> list[Offer]:
    """Fill free seats from the waitlist, deciding every quota jointly (`selection.promotions`);
    the cohort row must be locked by the caller. Before the decisions are released, the
    promoted applicant's letter stays staged (replacing their waitlist letter); after, the offer
    letter leaves at once. Each promotion is explained in the application's history."""
    run = SelectionRun.objects.filter(cohort=cohort, status=RunStatus.COMMITTED).first()
    if run is None:
        return []
    limit = min(cohort.capacity, run.seats)
    free = limit - seats_taken(cohort)
    if free <= 0 or (cohort.is_waitlist_paused and only is None):
        return []
    quotas = selection.quota_bounds(run.quotas, limit)
    holders = [
        candidate_attributes(a)
        for a in Application.objects.filter(
            cohort=cohort, offer__status__in=[OfferStatus.OPEN, OfferStatus.ACCEPTED]
        )
    ]
    waiting = list(
        Application.objects.filter(cohort=cohort, status=ApplicationStatus.WAITLISTED)
        .select_related("applicant")
        .order_by("waitlist_rank", "pk")
    )
    if only is not None:
        waiting = [a for a in waiting if a.pk == only.pk]
        free = min(free, 1)
    by_id = {a.pk: a for a in waiting}
    chosen = selection.promotions(
        holders,
        [selection.Candidate(a.pk, 0.0, candidate_attributes(a)) for a in waiting],
        limit,
        quotas,
        free=free,
    )
    released = cohort.decisions_released_at is not None
    batch = decisions_batch(cohort.pk)
    created = []
    for promotion in chosen:
        application = by_id[promotion.id]
        note = _("Promoted from waitlist position %(n)s") % {"n": application.waitlist_rank}
        if promotion.passed_over:
            quotas_named = ", ".join(f"“{name}”" for name in promotion.reason_quotas)
            reason = (
                _("promoting them would exceed the maximum of %(quotas)s")
                if promotion.reason_kind == "max"
                else _("the seats left are needed to reach the minimum of %(quotas)s")
            ) % {"quotas": quotas_named}
            note += " " + _(
                "(%(count)s applicant(s) placed higher were passed over: %(reason)s)"
            ) % {"count": len(promotion.passed_over), "reason": reason}
        application_transition(
            application=application,
            to_status=ApplicationStatus.OFFERED,
            actor=actor,
            note=note,
        )
        expires = timezone.now() + timedelta(days=cohort.offer_validity_days)
        offer = Offer.objects.create(
            application=application, run=run, expires_at=expires, is_promotion=True
        )
        if not released:
            notification_services.staged_discard(
                batch=batch, recipient_ids=[application.applicant_id]
            )
        notification_services.notify(
            recipient=application.applicant,
            kind="selection.offer",
            context=_letter_context(cohort, expires),
            url=f"/applications/{application.pk}/",
            scope=cohort.programme.notification_scope,
            dedupe_key=f"selection.offer:promoted:{offer.pk}",
            staged=not released,
            batch=batch,
        )
        created.append(offer)
    return created


@transaction.atomic
def waitlist_promote(
    *, cohort: Cohort, actor: User | None, application: Application | None = None
) -> list[Offer]:
    """Promote by hand (one applicant, or the best promotable ones while seats are free)."""
    cohort = (
        Cohort.objects.select_for_update(of=("self",)).select_related("programme").get(pk=cohort.pk)
    )
    if application is not None and seats_taken(cohort) >= cohort.capacity:
        raise SelectionError(_("Every seat is taken by an accepted or open offer."))
    offers = _promote(cohort, actor=actor, only=application)
    if application is not None and not offers:
        raise SelectionError(_("Promoting this applicant would break a quota."))
    if actor is not None:
        audit_record(
            actor=actor,
            action="selection.promote",
            target=cohort,
            programme=cohort.programme_id,
            offers=len(offers),
        )
    return offers


def _promoted_automatically(cohort: Cohort, offers: list[Offer]) -> None:
    """Audit the periodic promotion's offers (made by no one: `automatic` says so)."""
    if offers:
        audit_record(
            actor=None,
            action="selection.promote",
            target=cohort,
            programme=cohort.programme_id,
            offers=len(offers),
            automatic=True,
        )


def waitlist_promote_all(*, now=None) -> int:
    """Periodic: fill free seats of every cohort whose waitlist is not paused."""
    total = 0
    for cohort_id in SelectionRun.objects.filter(status=RunStatus.COMMITTED).values_list(
        "cohort_id", flat=True
    ):
        with transaction.atomic():
            cohort = (
                Cohort.objects.select_for_update(of=("self",))
                .select_related("programme")
                .get(pk=cohort_id)
            )
            if not cohort.is_waitlist_paused:
                offers = _promote(cohort, actor=None)
                _promoted_automatically(cohort, offers)
                total += len(offers)
    return total


def waitlist_set_paused(*, cohort: Cohort, paused: bool, actor: User) -> None:
    Cohort.objects.filter(pk=cohort.pk).update(is_waitlist_paused=paused)
    audit_record(
        actor=actor,
        action="selection.waitlist_pause" if paused else "selection.waitlist_resume",
        target=cohort,
        programme=cohort.programme_id,
    )


def offer_reminders(*, now=None) -> int:
    """Remind applicants 48 hours before their offer expires, once."""
    now = now or timezone.now()
    sent = 0
    due = Offer.objects.filter(
        status=OfferStatus.OPEN,
        application__cohort__decisions_released_at__isnull=False,
        reminder_sent_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=now + timedelta(hours=48),
    )
    for offer in due.select_related("application__applicant", "application__cohort__programme"):
        with transaction.atomic():
            if not Offer.objects.filter(pk=offer.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            ):
                continue
            cohort = offer.application.cohort
            notification_services.notify(
                recipient=offer.application.applicant,
                kind="selection.offer_reminder",
                context={
                    "cohort_name": cohort.name,
                    "programme_name": cohort.programme.name,
                    "expires_at": offer.expires_at,
                    "tz": cohort.timezone,
                },
                url=f"/applications/{offer.application_id}/",
                scope=cohort.programme.notification_scope,
                dedupe_key=f"selection.offer_reminder:{offer.pk}",
            )
            sent += 1
    return sent


__all__ = [
    "SelectionError",
    "commit_progress",
    "decisions_batch",
    "decisions_release",
    "default_seats",
    "offer_accept",
    "offer_decline",
    "offer_reminders",
    "offers_expire",
    "quota_delete",
    "quota_save",
    "seats_taken",
    "selection_application_withdrawn",
    "selection_commit_execute",
    "selection_pool",
    "selection_run_commit",
    "selection_run_execute",
    "selection_run_retry",
    "selection_run_start",
    "selection_runs_sweep",
    "waitlist_promote",
    "waitlist_promote_all",
    "waitlist_set_paused",
]


def quotas_copy(*, source: Cohort, target: Cohort) -> int:
    """Copy the quotas of `source` into `target` (a new cohort that took its set-up); returns
    how many were copied. Shares of the seats, so they fit the new cohort's own capacity."""
    copies = Quota.objects.bulk_create(
        Quota(
            cohort=target,
            name=quota.name,
            attribute=quota.attribute,
            values=list(quota.values),
            min_percent=quota.min_percent,
            max_percent=quota.max_percent,
        )
        for quota in Quota.objects.filter(cohort=source).order_by("name", "id")
    )
    return len(copies)
