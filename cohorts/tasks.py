"""Celery tasks: thin wrappers around services, which they import in their bodies (services
publish them by name through `core.background`). Arguments are ids; running twice is harmless."""

from celery import shared_task


@shared_task(name="cohorts.application_deadline_reminders", acks_late=True)
def application_deadline_reminders_task() -> int:
    from . import services

    return services.application_deadline_reminders()


@shared_task(name="cohorts.scores_recompute", acks_late=True)
def scores_recompute_task(cohort_id: int) -> int:
    from . import services
    from .models import Cohort

    cohort = Cohort.objects.filter(pk=cohort_id).first()
    return services.scores_recompute(cohort=cohort) if cohort else 0


@shared_task(name="cohorts.review_deadline_reminders", acks_late=True)
def review_deadline_reminders_task() -> int:
    from . import services

    return services.review_deadline_reminders()


@shared_task(name="cohorts.assignment_run", acks_late=True)
def assignment_run_task(run_id: int) -> str:
    from . import services

    run = services.assignment_run_execute(run_id=run_id)
    return run.status if run else "skipped"


@shared_task(name="cohorts.assignment_runs_sweep", acks_late=True)
def assignment_runs_sweep_task() -> int:
    from . import services

    return services.assignment_runs_sweep()


@shared_task(name="cohorts.selection_run", acks_late=True)
def selection_run_task(run_id: int) -> str:
    from . import services

    run = services.selection_run_execute(run_id=run_id)
    return run.status if run else "skipped"


@shared_task(name="cohorts.selection_commit", acks_late=True)
def selection_commit_task(run_id: int) -> str:
    from . import services

    counts = services.selection_commit_execute(run_id=run_id)
    return "committed" if counts is not None else "skipped"


@shared_task(name="cohorts.selection_runs_sweep", acks_late=True)
def selection_runs_sweep_task() -> int:
    from . import services

    return services.selection_runs_sweep()


@shared_task(name="cohorts.offers_expire", acks_late=True)
def offers_expire_task() -> int:
    from . import services

    return services.offers_expire()


@shared_task(name="cohorts.waitlist_promote", acks_late=True)
def waitlist_promote_task() -> int:
    from . import services

    return services.waitlist_promote_all()


@shared_task(name="cohorts.offer_reminders", acks_late=True)
def offer_reminders_task() -> int:
    from . import services

    return services.offer_reminders()
