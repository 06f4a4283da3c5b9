"""Selection: quotas, selection runs, committing them into offers, and the waitlist."""

import logging
import math
import random
import time
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.services import audit_record
from notifications import services as notification_services

from .. import selection
from ..enums import AGE_BANDS, ApplicationStatus, OfferStatus, RunStatus, ScoreKind
from ..models import Application, Cohort, Offer, Participant, Quota, SelectionRun
from .applications import application_transition

logger = logging.getLogger(__name__)


class SelectionError(Exception):
    """A selection action the rules do not allow; the message is shown as is."""


# --- Quotas and candidates ----------------------------------------------------------------------


def quota_save(*, quota: Quota) -> Quota:
    quota.save()
    return quota


def quota_delete(*, quota: Quota) -> None:
    quota.delete()


def age_band(age: int | None) -> str:
    if age is None:
        return ""
    return next((name for name, low, high in AGE_BANDS if low <= age <= high), "")


def candidate_attributes(application: Application) -> dict[str, str]:
    return {
        "sector": application.sector,
        "job_level": application.job_level,
        "employer_size": application.employer_size,
        "is_union_member": "yes" if application.is_union_member else "no",
        "residency": application.residency,
        "gender": application.gender,
        "age_band": age_band(application.age_at_start),
    }


def quota_bounds(quotas: list[dict], seats: int) -> list[selection.Quota]:
    """Percentages of the seats turned into counts: minimums round up, maximums round down."""
    bounds = []
    for q in quotas:
        low = (
            math.ceil(float(q["min_percent"]) * seats / 100 - 1e-9)
            if q.get("min_percent") is not None
            else None
        )
        high = (
            math.floor(float(q["max_percent"]) * seats / 100 + 1e-9)
            if q.get("max_percent") is not None
            else None
        )
        bounds.append(selection.Quota(q["name"], q["attribute"], frozenset(q["values"]), low, high))
    return bounds


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
    accepted = Offer.objects.filter(application__cohort=cohort, status=OfferStatus.ACCEPTED).count()
    return max(cohort.capacity - accepted, 1)


def selection_pool(*, cohort: Cohort, min_reviews: int):
    return Application.objects.filter(
        cohort=cohort,
        status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW],
        is_eligible=True,
        review_count__gte=min_reviews,
    )


# --- Runs ---------------------------------------------------------------------------------------


@transaction.atomic
def selection_run_start(
    *, cohort: Cohort, author: User, score_kind: str, seats: int, min_reviews: int
) -> SelectionRun:
    """Record a run with its inputs and compute it in the background (after commit)."""
    run = SelectionRun.objects.create(
        cohort=cohort,
        author=author,
        score_kind=score_kind,
        seats=seats,
        min_reviews=min_reviews,
        seed=random.SystemRandom().randrange(1, 2**31),
        quotas=_quota_snapshot(cohort),
    )
    transaction.on_commit(lambda: _enqueue_run(run.pk))
    return run


def _enqueue_run(run_id: int) -> None:
    from ..tasks import selection_run_task

    try:
        selection_run_task.apply_async(args=[run_id])
    except Exception:
        logger.warning("selection: could not enqueue run %s", run_id, exc_info=True)


def selection_run_execute(*, run_id: int) -> SelectionRun | None:
    """Compute a queued run: build the candidates, solve, store the result. Idempotent."""
    claimed = SelectionRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, progress=10, updated_at=timezone.now()
    )
    if not claimed:
        return None
    run = SelectionRun.objects.select_related("cohort").get(pk=run_id)
    started = time.monotonic()
    try:
        field = "normalized_score" if run.score_kind == ScoreKind.NORMALIZED else "raw_score"
        pool = list(
            selection_pool(cohort=run.cohort, min_reviews=run.min_reviews)
            .exclude(**{f"{field}__isnull": True})
            .only(
                "pk",
                field,
                "sector",
                "job_level",
                "employer_size",
                "is_union_member",
                "residency",
                "gender",
                "age_at_start",
            )
        )
        SelectionRun.objects.filter(pk=run_id).update(progress=40)
        candidates = [
            selection.Candidate(a.pk, float(getattr(a, field)), candidate_attributes(a))
            for a in pool
        ]
        result = selection.select_cohort(
            candidates, run.seats, quota_bounds(run.quotas, run.seats), seed=run.seed
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
    run.save()
    return run


@transaction.atomic
def selection_run_commit(*, run: SelectionRun, actor: User) -> dict[str, int]:
    """Turn a finished run into decisions: offers for the selected, a ranked waitlist, and
    "not selected" for the rest; decision letters are staged for release. Audited.

    Raises SelectionError when the run is not optimal, or the cohort already has a committed
    run (or another commit is in progress: the cohort row is locked).
    """
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=run.cohort_id)
    run = SelectionRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.DONE or run.result_status != "optimal":
        raise SelectionError(_("Only a finished, feasible run can be committed."))
    if SelectionRun.objects.filter(cohort=cohort, status=RunStatus.COMMITTED).exists():
        raise SelectionError(_("This cohort's selection has already been committed."))
    free = cohort.capacity - seats_taken(cohort)
    if len(run.selected) > free:
        raise SelectionError(
            _(
                "This run fills %(n)s seats but only %(free)s are free; start a run with fewer seats."
            )
            % {"n": len(run.selected), "free": free}
        )
    now = timezone.now()
    expires = now + timedelta(days=cohort.offer_validity_days)
    applications = Application.objects.in_bulk(run.selected + run.waitlist)
    pool_ids = set(applications)
    counts = {"offered": 0, "waitlisted": 0, "not_selected": 0}
    offered, waitlisted = [], []
    for app_id in run.selected:
        application = applications.get(app_id)
        if application is None or application.status not in (
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.IN_REVIEW,
        ):
            continue  # withdrawn since the run: the seat goes to the waitlist later
        _to_in_review(application, actor)
        application_transition(
            application=application,
            to_status=ApplicationStatus.OFFERED,
            actor=actor,
            note=_("Selected"),
        )
        Offer.objects.create(application=application, run=run, expires_at=expires)
        offered.append(application)
    for position, app_id in enumerate(run.waitlist, start=1):
        application = applications.get(app_id)
        if application is None or application.status not in (
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.IN_REVIEW,
        ):
            continue
        _to_in_review(application, actor)
        application_transition(
            application=application,
            to_status=ApplicationStatus.WAITLISTED,
            actor=actor,
            note=_("Waitlisted at position %(n)s") % {"n": position},
        )
        application.waitlist_rank = position
        application.save(update_fields=["waitlist_rank", "updated_at"])
        waitlisted.append(application)
    rest = Application.objects.filter(
        cohort=cohort, status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW]
    ).exclude(pk__in=pool_ids)
    not_selected = []
    for application in rest:
        _to_in_review(application, actor)
        application_transition(
            application=application,
            to_status=ApplicationStatus.NOT_SELECTED,
            actor=actor,
            note=_("Not selected"),
        )
        not_selected.append(application)
    counts.update(offered=len(offered), waitlisted=len(waitlisted), not_selected=len(not_selected))
    context = {
        "cohort_name": cohort.name,
        "programme_name": cohort.programme.name,
        "expires_at": expires,
        "tz": cohort.timezone,
    }
    for kind, people in (
        ("selection.offer", offered),
        ("selection.waitlisted", waitlisted),
        ("selection.not_selected", not_selected),
    ):
        if people:
            notification_services.notify_bulk(
                recipients=[
                    a.applicant
                    for a in Application.objects.filter(
                        pk__in=[p.pk for p in people]
                    ).select_related("applicant")
                ],
                kind=kind,
                context=context,
                url="/applications/",
                programme=cohort.programme,
                dedupe_key=f"{kind}:{cohort.pk}",
                staged=True,
            )
    run.status = RunStatus.COMMITTED
    run.committed_at = now
    run.committed_by = actor
    try:
        with transaction.atomic():
            run.save(update_fields=["status", "committed_at", "committed_by", "updated_at"])
    except IntegrityError as exc:
        raise SelectionError(_("This cohort's selection has already been committed.")) from exc
    audit_record(actor=actor, action="selection.commit", target=cohort, run=run.pk, **counts)
    return counts


def _to_in_review(application: Application, actor: User) -> None:
    if application.status == ApplicationStatus.SUBMITTED:
        application_transition(
            application=application, to_status=ApplicationStatus.IN_REVIEW, actor=actor
        )


# --- Offers and the waitlist ----------------------------------------------------------------------


def _lock_offer(offer: Offer) -> tuple[Offer, Cohort]:
    cohort = (
        Cohort.objects.select_for_update()
        .select_related("programme")
        .get(pk=offer.application.cohort_id)
    )
    offer = (
        Offer.objects.select_for_update()
        .select_related("application__applicant", "run")
        .get(pk=offer.pk)
    )
    return offer, cohort


@transaction.atomic
def offer_accept(*, offer: Offer, user: User) -> Participant:
    """Accept an open offer: the applicant becomes a participant. Raises SelectionError when the
    offer is not theirs, no longer open, or expired."""
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
    return Participant.objects.create(application=offer.application, cohort=cohort, user=user)


@transaction.atomic
def offer_decline(*, offer: Offer, user: User, reason: str = "") -> Offer:
    """Decline an open offer; the seat goes to the best promotable waitlisted applicant."""
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
    _promote(cohort, actor=None)
    return offer


@transaction.atomic
def decisions_release(*, cohort: Cohort, actor: User) -> int:
    """Send the staged decision letters and show the decisions to applicants; offers' answer
    period starts now. Returns the number of letters released. Audited."""
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    if cohort.decisions_released_at is not None:
        raise SelectionError(_("The decisions of this cohort have already been released."))
    if not SelectionRun.objects.filter(cohort=cohort, status=RunStatus.COMMITTED).exists():
        raise SelectionError(_("Commit a selection run first."))
    now = timezone.now()
    released = sum(
        notification_services.staged_release(programme=cohort.programme, kind=kind)
        for kind in ("selection.offer", "selection.waitlisted", "selection.not_selected")
    )
    Offer.objects.filter(application__cohort=cohort, status=OfferStatus.OPEN).update(
        expires_at=now + timedelta(days=cohort.offer_validity_days), updated_at=now
    )
    cohort.decisions_released_at = now
    cohort.save(update_fields=["decisions_released_at", "updated_at"])
    audit_record(actor=actor, action="selection.release", target=cohort, letters=released)
    return released


def seat_released(*, application: Application) -> None:
    """An offered or accepted applicant withdrew: close the offer, end the participation and give
    the seat to the waitlist (the caller holds the transaction)."""
    cohort = (
        Cohort.objects.select_for_update().select_related("programme").get(pk=application.cohort_id)
    )
    Offer.objects.filter(
        application=application, status__in=[OfferStatus.OPEN, OfferStatus.ACCEPTED]
    ).update(status=OfferStatus.WITHDRAWN, decided_at=timezone.now(), updated_at=timezone.now())
    Participant.objects.filter(application=application).delete()
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


def _quota_state(cohort: Cohort, run: SelectionRun):
    quotas = quota_bounds(run.quotas, min(cohort.capacity, run.seats))
    holders = Application.objects.filter(
        cohort=cohort, offer__status__in=[OfferStatus.OPEN, OfferStatus.ACCEPTED]
    )
    waiting = Application.objects.filter(cohort=cohort, status=ApplicationStatus.WAITLISTED)
    counts = {q.name: 0 for q in quotas}
    pool = {q.name: 0 for q in quotas}
    for application in holders:
        attrs = candidate_attributes(application)
        for q in quotas:
            counts[q.name] += attrs.get(q.attribute) in q.values
    for application in waiting:
        attrs = candidate_attributes(application)
        for q in quotas:
            pool[q.name] += attrs.get(q.attribute) in q.values
    return quotas, counts, pool


def _promote(cohort: Cohort, *, actor: User | None, only: Application | None = None) -> list[Offer]:
    """Fill free seats from the waitlist (the cohort row must be locked by the caller)."""
    run = SelectionRun.objects.filter(cohort=cohort, status=RunStatus.COMMITTED).first()
    if run is None:
        return []
    created = []
    limit = min(cohort.capacity, run.seats)
    while seats_taken(cohort) < limit:
        if cohort.is_waitlist_paused and only is None:
            break
        quotas, counts, pool = _quota_state(cohort, run)
        waiting = Application.objects.filter(
            cohort=cohort, status=ApplicationStatus.WAITLISTED
        ).select_related("applicant")
        if only is not None:
            waiting = waiting.filter(pk=only.pk)
        chosen = None
        taken = seats_taken(cohort)
        for application in waiting.order_by("waitlist_rank", "pk"):
            attrs = candidate_attributes(application)
            remaining = {
                q.name: pool[q.name] - (attrs.get(q.attribute) in q.values) for q in quotas
            }
            if selection.promotable(counts, cohort.capacity, quotas, attrs, remaining, taken=taken):
                chosen = application
                break
        if chosen is None:
            break
        application_transition(
            application=chosen,
            to_status=ApplicationStatus.OFFERED,
            actor=actor,
            note=_("Promoted from the waitlist"),
        )
        expires = timezone.now() + timedelta(days=cohort.offer_validity_days)
        offer = Offer.objects.create(
            application=chosen, run=run, expires_at=expires, is_promotion=True
        )
        notification_services.notify(
            recipient=chosen.applicant,
            kind="selection.offer",
            context={
                "cohort_name": cohort.name,
                "programme_name": cohort.programme.name,
                "expires_at": expires,
                "tz": cohort.timezone,
            },
            url=f"/applications/{chosen.pk}/",
            programme=cohort.programme,
            dedupe_key=f"selection.offer:promoted:{offer.pk}",
        )
        created.append(offer)
        if only is not None:
            break
    return created


@transaction.atomic
def waitlist_promote(
    *, cohort: Cohort, actor: User | None, application: Application | None = None
) -> list[Offer]:
    """Promote by hand (one applicant, or the best promotable ones while seats are free)."""
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    if application is not None and seats_taken(cohort) >= cohort.capacity:
        raise SelectionError(_("Every seat is taken by an accepted or open offer."))
    offers = _promote(cohort, actor=actor, only=application)
    if application is not None and not offers:
        raise SelectionError(_("Promoting this applicant would break a quota."))
    if actor is not None:
        audit_record(actor=actor, action="selection.promote", target=cohort, offers=len(offers))
    return offers


def waitlist_promote_all(*, now=None) -> int:
    """Periodic: fill free seats of every cohort whose waitlist is not paused."""
    total = 0
    for cohort_id in SelectionRun.objects.filter(status=RunStatus.COMMITTED).values_list(
        "cohort_id", flat=True
    ):
        with transaction.atomic():
            cohort = (
                Cohort.objects.select_for_update().select_related("programme").get(pk=cohort_id)
            )
            if not cohort.is_waitlist_paused:
                total += len(_promote(cohort, actor=None))
    return total


def waitlist_set_paused(*, cohort: Cohort, paused: bool, actor: User) -> None:
    Cohort.objects.filter(pk=cohort.pk).update(is_waitlist_paused=paused)
    audit_record(
        actor=actor,
        action="selection.waitlist_pause" if paused else "selection.waitlist_resume",
        target=cohort,
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
                programme=cohort.programme,
                dedupe_key=f"selection.offer_reminder:{offer.pk}",
            )
            sent += 1
    return sent


__all__ = [
    "SelectionError",
    "age_band",
    "candidate_attributes",
    "decisions_release",
    "default_seats",
    "offer_accept",
    "offer_decline",
    "offer_reminders",
    "offers_expire",
    "quota_bounds",
    "quota_delete",
    "quota_save",
    "seats_taken",
    "selection_pool",
    "selection_run_commit",
    "selection_run_execute",
    "selection_run_start",
    "waitlist_promote",
    "waitlist_promote_all",
    "waitlist_set_paused",
]
