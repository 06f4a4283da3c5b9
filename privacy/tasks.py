"""Celery tasks of privacy: thin wrappers that import their service in the body."""

from celery import shared_task


@shared_task(name="privacy.erasures_carry_out", acks_late=True)
def erasures_carry_out_task() -> int:
    from privacy import services

    return services.erasures_carry_out_due()


@shared_task(name="privacy.retention_purge", acks_late=True)
def retention_purge_task() -> int:
    from privacy import services

    return services.retention_purge()
