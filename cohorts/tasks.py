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
