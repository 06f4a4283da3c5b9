"""Celery tasks of mentoring: thin wrappers that import their service in the body."""

from celery import shared_task


@shared_task(name="mentoring.pairings_nudge", acks_late=True)
def pairings_nudge_task() -> dict:
    """Remind quiet pairs at 14 days and their programme's admins at 28 (beat: hourly)."""
    from mentoring import services

    return dict(services.pairings_nudge())
