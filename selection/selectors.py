"""Reads of selection: runs, explanations, offers, waitlist, participants."""

from collections import Counter

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from applications.enums import ApplicationStatus
from applications.models import Application
from cohorts import attributes
from cohorts.attributes import candidate_attributes
from cohorts.models import Cohort
from selection.enums import OfferStatus
from selection.models import Offer, Participant, Quota, SelectionRun
from selection.selection import quota_bounds


def quota_list_for_cohort(*, cohort: Cohort) -> list[Quota]:
    return list(Quota.objects.filter(cohort=cohort).order_by("name", "id"))


def run_list_for_cohort(*, cohort: Cohort) -> QuerySet[SelectionRun]:
    return (
        SelectionRun.objects.filter(cohort=cohort)
        .select_related("author")
        .order_by("-created_at", "-id")
    )


def run_get_for_cohort(*, cohort: Cohort, number: int) -> SelectionRun | None:
    """The cohort's run with this number (runs are numbered 1, 2, 3… per cohort)."""
    return (
        SelectionRun.objects.filter(cohort=cohort, number=number)
        .select_related("author", "committed_by")
        .first()
    )


def committed_run(*, cohort: Cohort) -> SelectionRun | None:
    """The committed run, or the one being committed."""
    return SelectionRun.objects.filter(
        cohort=cohort, status__in=["committed", "committing"]
    ).first()


def run_summary(run: SelectionRun) -> dict:
    scores = [run.scores[str(i)] for i in run.selected if str(i) in run.scores]
    cutoff = min(scores) if scores else None
    return {
        "count": len(run.selected),
        "total": sum(scores),
        "mean": sum(scores) / len(scores) if scores else None,
        "cutoff": cutoff,
        # Quotas can keep out someone who scores above the lowest selected score.
        "above_cutoff_waiting": sum(
            1 for i in run.waitlist if cutoff is not None and run.scores.get(str(i), 0) > cutoff
        ),
    }


def run_composition(run: SelectionRun) -> list[dict]:
    """For each quota: how many of the selected count towards it, against its bounds."""
    bounds = quota_bounds(run.quotas, run.seats)
    selected = Application.objects.filter(pk__in=run.selected)
    counts = Counter()
    for application in selected:
        attrs = candidate_attributes(application)
        for quota in bounds:
            counts[quota.name] += attrs.get(quota.attribute) in quota.values
    return [
        {
            "name": q.name,
            "attribute": attributes.label(q.attribute, attributes.Use.QUOTAS),
            "values": ", ".join(sorted(q.values)),
            "count": counts[q.name],
            "min": q.min_count,
            "max": q.max_count,
            "binding": q.name in run.binding,
        }
        for q in bounds
    ]


def explain(run: SelectionRun, application: Application) -> str:
    """Why this applicant was selected, waitlisted or not selected by this run."""
    key = str(application.pk)
    if key not in run.scores:
        return _(
            "Not considered: only submitted, eligible applications with at least %(n)s review(s) and a score take part."
        ) % {"n": run.min_reviews}
    score = run.scores[key]
    summary = run_summary(run)
    attrs = candidate_attributes(application)
    binding = [
        q
        for q in quota_bounds(run.quotas, run.seats)
        if q.name in run.binding and attrs.get(q.attribute) in q.values
    ]
    if application.pk in run.selected:
        rank = run.selected.index(application.pk) + 1
        by_score = sorted(run.scores.values(), reverse=True)
        unconstrained_cutoff = by_score[min(len(run.selected), len(by_score)) - 1]
        if score < unconstrained_cutoff and binding:
            return _(
                "Selected (rank %(rank)s, score %(score).2f) to meet the minimum of “%(quota)s”."
            ) % {
                "rank": rank,
                "score": score,
                "quota": binding[0].name,
            }
        return _("Selected on score: rank %(rank)s of %(n)s, score %(score).2f.") % {
            "rank": rank,
            "n": len(run.selected),
            "score": score,
        }
    position = run.waitlist.index(application.pk) + 1 if application.pk in run.waitlist else None
    bounds = quota_bounds(run.quotas, run.seats)
    at_max = [
        q
        for q in bounds
        if q.name in run.binding and q.max_count is not None and attrs.get(q.attribute) in q.values
    ]
    needed_min = [
        q
        for q in bounds
        if q.name in run.binding
        and q.min_count is not None
        and attrs.get(q.attribute) not in q.values
    ]
    length = run.cohort.waitlist_length
    if length is not None and position and position > length:
        if run.status == "committed":
            return _(
                "Not selected: ranked %(pos)s after the selected, beyond the waitlist of %(n)s."
            ) % {"pos": position, "n": length}
        return _(
            "Would not be selected if committed now: ranked %(pos)s after the selected, beyond "
            "the cohort's waitlist of %(n)s."
        ) % {"pos": position, "n": length}
    if summary["cutoff"] is not None and score > summary["cutoff"]:
        if at_max:
            return _(
                "Waitlisted at position %(pos)s: score %(score).2f is above the lowest selected "
                "score, but “%(quota)s”, which this applicant counts towards, was at its maximum."
            ) % {"pos": position, "score": score, "quota": at_max[0].name}
        if needed_min:
            return _(
                "Waitlisted at position %(pos)s: score %(score).2f is above the lowest selected "
                "score, but seats were needed to meet the minimum of %(quotas)s, which this "
                "applicant does not count towards."
            ) % {
                "pos": position,
                "score": score,
                "quotas": ", ".join(f"“{q.name}”" for q in needed_min),
            }
        return _(
            "Waitlisted at position %(pos)s: score %(score).2f is above the lowest selected "
            "score, but the quotas taken together left no seat for someone with this "
            "applicant's attributes."
        ) % {"pos": position, "score": score}
    return _(
        "Waitlisted at position %(pos)s: score %(score).2f is below the lowest selected score "
        "of %(cutoff).2f."
    ) % {
        "pos": position,
        "score": score,
        "cutoff": summary["cutoff"] or 0,
    }


def compare_runs(a: SelectionRun, b: SelectionRun) -> dict:
    ins = [pk for pk in b.selected if pk not in set(a.selected)]
    outs = [pk for pk in a.selected if pk not in set(b.selected)]
    names = dict(Application.objects.filter(pk__in=ins + outs).values_list("pk", "full_name"))
    return {
        "ins": [(pk, names.get(pk, ""), b.scores.get(str(pk))) for pk in ins],
        "outs": [(pk, names.get(pk, ""), a.scores.get(str(pk))) for pk in outs],
        "same": len(set(a.selected) & set(b.selected)),
    }


def offer_list_for_cohort(*, cohort: Cohort) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(application__cohort=cohort)
        .select_related("application")
        .order_by("-created_at", "-id")
    )


def offer_counts(*, cohort: Cohort) -> dict[str, int]:
    counts = dict.fromkeys(OfferStatus.values, 0)
    for status in Offer.objects.filter(application__cohort=cohort).values_list("status", flat=True):
        counts[status] += 1
    return counts


def waitlist_for_cohort(*, cohort: Cohort) -> QuerySet[Application]:
    return Application.objects.filter(cohort=cohort, status=ApplicationStatus.WAITLISTED).order_by(
        "waitlist_rank", "pk"
    )


def participant_list_for_cohort(*, cohort: Cohort) -> QuerySet[Participant]:
    return (
        Participant.objects.filter(cohort=cohort)
        .select_related("application", "user")
        .order_by("created_at", "id")
    )


def offer_for_applicant(*, application: Application) -> Offer | None:
    return Offer.objects.filter(application=application).first()
