"""Celery application. Tasks run eagerly in-process when no broker is configured."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("cohortline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
