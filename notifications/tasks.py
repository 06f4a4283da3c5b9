"""Celery tasks: thin wrappers around services, which they import in their bodies (services
publish them by name through `core.background`). Arguments are ids; running twice is harmless."""

import dataclasses
import logging

from celery import shared_task
from celery.exceptions import Retry

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="notifications.send_email_chunk", acks_late=True, max_retries=None)
def email_chunk_send_task(self, message_ids: list[int]) -> dict:
    from . import services

    outcome = services.email_chunk_send(message_ids=message_ids)
    if outcome.retry_in is not None and not self.request.is_eager:
        # The same ids again once every deferred message is due: the claim picks only those.
        try:
            raise self.retry(countdown=outcome.retry_in)
        except Retry:
            raise
        except Exception:
            logger.warning(
                "notifications: could not schedule the retry of %d email(s); the sweeper will",
                outcome.retried,
                exc_info=True,
            )
    return dataclasses.asdict(outcome)


@shared_task(bind=True, name="notifications.send_email", acks_late=True, max_retries=None)
def send_email_task(self, message_id: int) -> str:
    """One message: still consumed for tasks published before delivery went by chunks."""
    from . import services

    outcome = services.email_send(message_id=message_id)
    if outcome.retry_in is not None and not self.request.is_eager:
        try:
            raise self.retry(countdown=outcome.retry_in)
        except Retry:
            raise
        except Exception:
            logger.warning(
                "notifications: could not schedule retry of %s", message_id, exc_info=True
            )
    return outcome.status


@shared_task(name="notifications.enqueue_emails", acks_late=True)
def enqueue_emails_task(message_ids: list[int]) -> bool:
    from . import services

    return services.enqueue_emails(message_ids)


@shared_task(name="notifications.sweep_outbox", acks_late=True)
def sweep_outbox_task() -> int:
    from . import services

    return services.outbox_sweep()
