"""Celery tasks of selection: thin wrappers that import their service in the body."""

from celery import shared_task


@shared_task(name="selection.selection_run", acks_late=True)
def selection_run_task(run_id: int) -> str:
    from selection import services

    run = services.selection_run_execute(run_id=run_id)
    return run.status if run else "skipped"


@shared_task(name="selection.selection_commit", acks_late=True)
def selection_commit_task(run_id: int) -> str:
    from selection import services

    counts = services.selection_commit_execute(run_id=run_id)
    return "committed" if counts is not None else "skipped"


@shared_task(name="selection.selection_runs_sweep", acks_late=True)
def selection_runs_sweep_task() -> int:
    from selection import services

    return services.selection_runs_sweep()


@shared_task(name="selection.offers_expire", acks_late=True)
def offers_expire_task() -> int:
    from selection import services

    return services.offers_expire()


@shared_task(name="selection.waitlist_promote", acks_late=True)
def waitlist_promote_task() -> int:
    from selection import services

    return services.waitlist_promote_all()


@shared_task(name="selection.offer_reminders", acks_late=True)
def offer_reminders_task() -> int:
    from selection import services

    return services.offer_reminders()
