"""The mentoring task: a thin wrapper around `pairings_nudge`, run hourly by beat."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from mentoring import tasks
from notifications.models import Notification
from tests.factories import PairingFactory

pytestmark = pytest.mark.django_db


def test_pairings_nudge_task_reminds_quiet_pairs_and_is_safe_to_repeat():
    PairingFactory(started_at=timezone.now() - datetime.timedelta(days=15))
    PairingFactory()  # introduced a week ago

    assert tasks.pairings_nudge_task.delay().get() == {"nudge": 1}
    assert tasks.pairings_nudge_task.delay().get() == {}
    assert Notification.objects.filter(kind="mentoring.nudge").count() == 2


def test_pairings_nudge_runs_hourly():
    assert tasks.pairings_nudge_task.name == "mentoring.pairings_nudge"
    scheduled = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert scheduled["mentoring.pairings_nudge"] == 3600.0
