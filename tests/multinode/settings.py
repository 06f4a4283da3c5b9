"""Settings for the processes of the multi-node test (test_cluster.py): the production settings,
config.settings.base, driven by environment variables as on real machines, with only these
changes.

- Cookies without the Secure flag (and so without the __Host- prefix, which requires it). The
  test talks plain http to gunicorn on loopback, with no TLS-terminating proxy in front; an
  HTTP client never sends a Secure cookie back over http, so nobody could stay signed in.
  Production keeps secure cookies.
- Static files named without a collectstatic manifest (no collectstatic before the test).
- The outbox sweep every two seconds, and a claim taken as abandoned after a few seconds rather
  than after the hard task time limit, so that the test of a worker killed in the middle of a
  delivery ends within seconds. These two are not read from the environment in base.py.
"""

from config.settings.base import *  # noqa: F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405

# Longer than any chunk of the test takes to deliver, so that only a dead worker's claim expires.
NOTIFICATIONS_STALE_SENDING_SECONDS = env.int("NOTIFICATIONS_STALE_SENDING_SECONDS", default=15)  # noqa: F405
NOTIFICATIONS_STALE_PENDING_SECONDS = env.int("NOTIFICATIONS_STALE_PENDING_SECONDS", default=5)  # noqa: F405
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,  # noqa: F405
    "sweep-outbox": {"task": "notifications.sweep_outbox", "schedule": 2.0},
}
