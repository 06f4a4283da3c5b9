"""Tests: fast and deterministic. Everything else is base.py, as in production."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_READ_DOT_ENV_FILE", "false")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-secret-key-that-is-long-enough-for-django-checks-0123456789"
)
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault(
    "DATABASE_URL", f"sqlite:///{Path(__file__).resolve().parents[2] / 'var' / 'test.sqlite3'}"
)
os.environ.setdefault("SITE_URL", "http://testserver")
# Debug is off here as in production, but the cache below is per-process on purpose.
os.environ.setdefault("COHORTLINE_UNSAFE_PER_PROCESS_CACHE", "true")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Cookies travel over plain http to the test server and the browser tests' live server.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME = "sessionid"  # the __Host- prefix needs a secure cookie
CSRF_COOKIE_NAME = "csrftoken"
# Rate limits are tested explicitly; a shared suite must not trip them by accident.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "code": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "code"},
}
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Tasks run in-process; tests that need the real broker read REDIS_URL themselves.
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
# Serve static files from the source folders; no collectstatic needed before tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# A file, not memory, for SQLite: the live server and the Celery test worker run in threads with
# their own connections and must see the same database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    VAR_DIR.mkdir(exist_ok=True)  # noqa: F405
    # COHORTLINE_TEST_SQLITE lets two test runs on one checkout keep apart.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.environ.get("COHORTLINE_TEST_SQLITE", str(VAR_DIR / "test-db.sqlite3"))  # noqa: F405
    }
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}  # noqa: F405
# Short retry delays so the delivery tests against a real worker finish quickly.
NOTIFICATIONS_RETRY_BASE_SECONDS = 1
# No virus scanner unless a test starts its own fake clamd.
CLAMD_URL = ""
# Uploaded CVs go to a throw-away folder.
STORAGES["private"]["OPTIONS"]["location"] = tempfile.mkdtemp(prefix="cohortline-test-private-")  # noqa: F405
# Certificate signing keys: a throw-away folder; tests/conftest.py puts one key in it, as
# `manage.py certificates_keygen` would (requests never create keys).
COHORTLINE_SIGNING_KEYS_DIR = Path(tempfile.mkdtemp(prefix="cohortline-test-keys-"))
