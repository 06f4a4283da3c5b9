"""The courses task: a thin wrapper around `reminders_send`, run every 15 minutes by beat."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from courses import tasks
from notifications.models import EmailMessage, Notification
from tests.factories import ClassSessionFactory, EnrollmentFactory

pytestmark = pytest.mark.django_db


def test_reminders_send_task_reminds_once_and_is_safe_to_repeat():
    soon = ClassSessionFactory(starts_at=timezone.now() + datetime.timedelta(hours=3))
    ClassSessionFactory(starts_at=timezone.now() + datetime.timedelta(days=3))
    EnrollmentFactory(course=soon.course, cohort=soon.cohort)

    assert tasks.reminders_send_task.delay().get() == 1
    assert tasks.reminders_send_task.delay().get() == 0

    assert Notification.objects.filter(kind="courses.session_reminder").count() == 1
    assert EmailMessage.objects.filter(kind="courses.session_reminder").count() == 1


def test_reminders_send_runs_every_quarter_of_an_hour():
    assert tasks.reminders_send_task.name == "courses.reminders_send"
    scheduled = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert scheduled["courses.reminders_send"] == 900.0
    # Beat runs every 15 minutes and reminds 24 hours ahead: no session slips between beats.
    assert tasks.reminders_send_task.acks_late
