from celery import shared_task

from . import services


@shared_task(name="cohorts.application_deadline_reminders", acks_late=True)
def application_deadline_reminders_task() -> int:
    return services.application_deadline_reminders()
