"""Health checks for /healthz: the database, the cache, the Celery broker, the virus scanner and
the private files' bucket.

Each check answers a state word only ("ok", "unavailable", …); why a check failed goes to the
log, never into the public answer.
"""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import storages
from django.db import connection
from kombu import Connection
from storages.backends.s3 import S3Storage

from . import virus_scan

logger = logging.getLogger(__name__)

OK = "ok"
EAGER = "eager"
UNAVAILABLE = "unavailable"
NOT_CONFIGURED = "not configured"
HEALTHY_STATES = {OK, EAGER, NOT_CONFIGURED}


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means unhealthy
        logger.warning("health: database check failed", exc_info=True)
        return UNAVAILABLE
    return OK


def check_cache() -> str:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=10)
        value = cache.get(key)
        cache.delete(key)
    except Exception:
        logger.warning("health: cache check failed", exc_info=True)
        return UNAVAILABLE
    if value != "1":
        logger.warning("health: cache check failed: the value written was not read back")
        return UNAVAILABLE
    return OK


def check_broker() -> str:
    broker_url = getattr(settings, "CELERY_BROKER_URL", "")
    if not broker_url or getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return EAGER
    try:
        with Connection(
            broker_url, connect_timeout=2, transport_options={"max_retries": 0}
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        logger.warning("health: broker check failed", exc_info=True)
        return UNAVAILABLE
    return OK


def check_virus_scanner() -> str:
    """Not configured is healthy (uploads are then not scanned); configured must answer."""
    if not virus_scan.is_configured():
        return NOT_CONFIGURED
    return OK if virus_scan.ping() else UNAVAILABLE


def check_storage() -> str:
    """The bucket of the private files when they live in one (S3_BUCKET); on disk, "not
    configured". Only the state word is answered: no bucket name, endpoint or credentials."""
    storage = storages["private"]
    if not isinstance(storage, S3Storage):
        return NOT_CONFIGURED
    try:
        storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
    except Exception:
        logger.warning("health: storage check failed", exc_info=True)
        return UNAVAILABLE
    return OK


def health_report() -> tuple[bool, dict[str, str]]:
    """Run every check; healthy when each one is in a healthy state."""
    checks = {
        "database": check_database(),
        "cache": check_cache(),
        "broker": check_broker(),
        "virus_scanner": check_virus_scanner(),
        "storage": check_storage(),
    }
    healthy = all(state in HEALTHY_STATES for state in checks.values())
    return healthy, checks
