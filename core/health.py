"""Health checks for /healthz: the database, the cache and the Celery broker."""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from kombu import Connection

logger = logging.getLogger(__name__)

OK = "ok"
EAGER = "eager"


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        logger.warning("health: database check failed: %s", exc)
        return f"error: {exc.__class__.__name__}"
    return OK


def check_cache() -> str:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=10)
        value = cache.get(key)
        cache.delete(key)
    except Exception as exc:  # noqa: BLE001
        logger.warning("health: cache check failed: %s", exc)
        return f"error: {exc.__class__.__name__}"
    return OK if value == "1" else "error: value not stored"


def check_broker() -> str:
    broker_url = getattr(settings, "CELERY_BROKER_URL", "")
    if not broker_url or getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return EAGER
    try:
        with Connection(
            broker_url, connect_timeout=2, transport_options={"max_retries": 0}
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        logger.warning("health: broker check failed: %s", exc)
        return f"error: {exc.__class__.__name__}"
    return OK


def health_report() -> tuple[bool, dict[str, str]]:
    """Run every check; healthy when each one is ok (or eager for the broker)."""
    checks = {"database": check_database(), "cache": check_cache(), "broker": check_broker()}
    healthy = all(state in (OK, EAGER) for state in checks.values())
    return healthy, checks
