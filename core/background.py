"""Background work, published by task name.

A service enqueues with `background.enqueue("cohorts.selection_run", run.pk)` inside a
`transaction.on_commit` callback and never imports a tasks module: tasks import their services
(inside their bodies), so imports run one way and import-linter can hold them to it. Each app
imports its tasks module in `AppConfig.ready()`, which registers the names in every process.
"""

from typing import Any

from celery import current_app


def enqueue(name: str, *args: Any) -> None:
    """Publish the task registered under `name` (its stable `name=`) with these arguments: ids
    and strings. Raises what the broker raises, and `celery.exceptions.NotRegistered` for a name
    no task has."""
    current_app.tasks[name].apply_async(args=list(args))
