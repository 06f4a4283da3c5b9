"""Background work, published by task name.

A service enqueues with `background.enqueue("selection.selection_run", run.pk)` inside a
`transaction.on_commit` callback and never imports a tasks module: tasks import their services
(inside their bodies), so imports run one way and import-linter can hold them to it. Each app
imports its tasks module in `AppConfig.ready()`, which registers the names in every process.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)


def enqueue(name: str, *args: Any) -> None:
    """Publish the task registered under `name` (its stable `name=`) with these arguments: ids
    and strings. Raises what the broker raises, and `celery.exceptions.NotRegistered` for a name
    no task has."""
    current_app.tasks[name].apply_async(args=list(args))


def enqueue_or_leave(name: str, *args: Any) -> bool:
    """`enqueue`, for work whose row a sweeper finds again: when the broker cannot be reached
    the failure is logged and False returned, and the sweeper publishes it later."""
    try:
        enqueue(name, *args)
    except Exception:
        logger.warning("could not enqueue %s%r; the sweeper will", name, args, exc_info=True)
        return False
    return True


def abandoned_before(now: datetime | None = None) -> datetime:
    """Work claimed by a worker before this moment was abandoned: the hard task time limit has
    passed since (a margin covers clocks), so that worker has been killed."""
    return (now or timezone.now()) - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
