"""Celery tasks of applications: thin wrappers that import their service in the body."""

from celery import shared_task


@shared_task(name="applications.application_deadline_reminders", acks_late=True)
def application_deadline_reminders_task() -> int:
    from applications import services

    return services.application_deadline_reminders()


@shared_task(name="applications.status_counts_compact", acks_late=True)
def status_counts_compact_task() -> int:
    from applications import services

    return services.status_counts_compact()
