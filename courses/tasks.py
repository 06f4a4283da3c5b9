"""Celery tasks of courses: thin wrappers that import their service in the body."""

from celery import shared_task


@shared_task(name="courses.reminders_send", acks_late=True)
def reminders_send_task() -> int:
    """Remind people of sessions starting in the next 24 hours (beat: every 15 minutes)."""
    from courses import services

    return services.reminders_send()
