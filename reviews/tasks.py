"""Celery tasks of review: thin wrappers that import their service in the body."""

from celery import shared_task


@shared_task(name="reviews.scores_recompute", acks_late=True)
def scores_recompute_task(cohort_id: int) -> int:
    from cohorts.models import Cohort
    from reviews import services

    cohort = Cohort.objects.filter(pk=cohort_id).first()
    return services.scores_recompute(cohort=cohort) if cohort else 0


@shared_task(name="reviews.review_deadline_reminders", acks_late=True)
def review_deadline_reminders_task() -> int:
    from reviews import services

    return services.review_deadline_reminders()


@shared_task(name="reviews.assignment_run", acks_late=True)
def assignment_run_task(run_id: int) -> str:
    from reviews import services

    run = services.assignment_run_execute(run_id=run_id)
    return run.status if run else "skipped"


@shared_task(name="reviews.assignment_runs_sweep", acks_late=True)
def assignment_runs_sweep_task() -> int:
    from reviews import services

    return services.assignment_runs_sweep()
