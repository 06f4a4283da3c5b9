from celery import shared_task

from . import services


@shared_task(name="cohorts.application_deadline_reminders", acks_late=True)
def application_deadline_reminders_task() -> int:
    return services.application_deadline_reminders()


@shared_task(name="cohorts.scores_recompute", acks_late=True)
def scores_recompute_task(cohort_id: int) -> int:
    from .models import Cohort

    cohort = Cohort.objects.filter(pk=cohort_id).first()
    return services.scores_recompute(cohort=cohort) if cohort else 0


@shared_task(name="cohorts.review_deadline_reminders", acks_late=True)
def review_deadline_reminders_task() -> int:
    return services.review_deadline_reminders()


@shared_task(name="cohorts.assignment_run", acks_late=True)
def assignment_run_task(run_id: int) -> str:
    run = services.assignment_run_execute(run_id=run_id)
    return run.status if run else "skipped"


@shared_task(name="cohorts.assignment_runs_sweep", acks_late=True)
def assignment_runs_sweep_task() -> int:
    return services.assignment_runs_sweep()


@shared_task(name="cohorts.selection_run", acks_late=True)
def selection_run_task(run_id: int) -> str:
    run = services.selection_run_execute(run_id=run_id)
    return run.status if run else "skipped"


@shared_task(name="cohorts.selection_commit", acks_late=True)
def selection_commit_task(run_id: int) -> str:
    counts = services.selection_commit_execute(run_id=run_id)
    return "committed" if counts is not None else "skipped"


@shared_task(name="cohorts.selection_runs_sweep", acks_late=True)
def selection_runs_sweep_task() -> int:
    return services.selection_runs_sweep()


@shared_task(name="cohorts.offers_expire", acks_late=True)
def offers_expire_task() -> int:
    return services.offers_expire()


@shared_task(name="cohorts.waitlist_promote", acks_late=True)
def waitlist_promote_task() -> int:
    return services.waitlist_promote_all()


@shared_task(name="cohorts.offer_reminders", acks_late=True)
def offer_reminders_task() -> int:
    return services.offer_reminders()
