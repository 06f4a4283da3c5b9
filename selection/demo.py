"""Demo selection: quotas, a committed run, offers answered and declined. Called by `seed_demo`; safe to run again (it updates in place)."""

import random

from accounts.models import User
from applications.models import Application
from cohorts.models import Cohort
from selection import services as selection_services
from selection.models import Offer, Quota, SelectionRun

DEMO_QUOTAS = [
    ("Frontline workers", "job_level", ["frontline"], 30, None),
    ("SME employees", "employer_size", ["sme"], 25, None),
    ("Union members", "is_union_member", ["yes"], 25, None),
    ("ICT at most 20 %", "sector", ["ict"], None, 20),
]


DECLINE_REASONS = [
    "I got a new job with long hours.",
    "Family reasons.",
    "I will apply to the next intake.",
]


def selection(rng: random.Random, cohort: Cohort, admin: User) -> None:
    """Quotas, a committed run (offers, a waitlist), and some answers to the offers."""
    if SelectionRun.objects.filter(cohort=cohort).exists():
        return
    for name, attribute, values, low, high in DEMO_QUOTAS:
        Quota.objects.create(
            cohort=cohort,
            name=name,
            attribute=attribute,
            values=values,
            min_percent=low,
            max_percent=high,
        )
    seats = max(
        min(
            cohort.capacity,
            Application.objects.filter(cohort=cohort, review_count__gt=0).count() * 2 // 3,
        ),
        1,
    )
    # The lottery that breaks ties draws from the demo's seed, so a seed gives the same cohort.
    run = selection_services.selection_run_start(
        cohort=cohort,
        author=admin,
        score_kind="normalized",
        seats=seats,
        min_reviews=1,
        seed=rng.randrange(1, 2**31),
    )
    run = selection_services.selection_run_execute(run_id=run.pk)
    if run is None or run.result_status != "optimal":
        return
    selection_services.selection_run_commit(run=run, actor=admin)
    selection_services.selection_commit_execute(run_id=run.pk)
    selection_services.decisions_release(cohort=cohort, actor=admin)
    offers = list(
        Offer.objects.filter(application__cohort=cohort)
        .select_related("application__applicant")
        .order_by("pk")
    )
    for offer in offers[: len(offers) // 2]:
        selection_services.offer_accept(offer=offer, user=offer.application.applicant)
    for offer in offers[len(offers) // 2 : len(offers) // 2 + max(len(offers) // 20, 1)]:
        selection_services.offer_decline(
            offer=offer, user=offer.application.applicant, reason=rng.choice(DECLINE_REASONS)
        )
