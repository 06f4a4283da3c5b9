"""Celery tasks of certificates: thin wrappers that import their service in the body."""

from celery import shared_task


@shared_task(name="certificates.issue_run_execute", acks_late=True)
def issue_run_execute_task(run_id: int) -> int:
    """Issue a cohort's certificates in bulk; a second delivery of the same run does nothing."""
    from certificates import services

    return services.issue_run_execute(run_id=run_id).issued


@shared_task(name="certificates.issue_runs_sweep", acks_late=True)
def issue_runs_sweep_task() -> int:
    """Take up bulk runs left by a dead worker or a lost task (beat: every 2 minutes)."""
    from certificates import services

    return services.issue_runs_sweep()


@shared_task(name="certificates.issue_run_chunk", acks_late=True)
def issue_run_chunk_task(run_id: int, attempt: int, user_ids: list[int]) -> int:
    """Issue to one chunk of a bulk run's people; any worker takes any chunk."""
    from certificates import services

    return services.issue_run_chunk(run_id=run_id, attempt=attempt, user_ids=user_ids)
