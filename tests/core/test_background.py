"""Services publish tasks by name (core.background), so no service imports a tasks module."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from celery.exceptions import NotRegistered

from core import background
from selection import tasks as cohort_tasks

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "cohorts", "config", "core", "notifications")
ENQUEUED = re.compile(r"""background\.enqueue\(\s*["']([\w.]+)["']""")


def test_enqueue_publishes_the_task_of_that_name_with_its_arguments(monkeypatch):
    published = []
    monkeypatch.setattr(
        cohort_tasks.selection_run_task, "apply_async", lambda args: published.append(args)
    )

    background.enqueue("selection.selection_run", 42)

    assert published == [[42]]


def test_enqueue_refuses_a_name_no_task_has():
    with pytest.raises(NotRegistered):
        background.enqueue("cohorts.no_such_task", 1)


def test_every_name_services_enqueue_is_registered_once_django_is_set_up():
    names = sorted(
        {
            name
            for app in APPS
            for path in (ROOT / app).rglob("*.py")
            for name in ENQUEUED.findall(path.read_text(encoding="utf-8"))
        }
    )
    # A fresh interpreter that imports no tasks module itself: the apps' ready() must.
    code = (
        "import sys, django; django.setup(); from celery import current_app; "
        "print(sorted(n for n in sys.argv[1:] if n not in current_app.tasks))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *names],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert {"selection.selection_run", "notifications.send_email_chunk"} <= set(names)
    assert result.stdout.strip() == "[]", result.stderr
