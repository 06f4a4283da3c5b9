"""The process files in deploy/ start what exists: the WSGI application, the Celery app, and a
beat whose every scheduled task is a registered task."""

import configparser
import importlib
import shlex
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _procfile() -> dict[str, str]:
    lines = (DEPLOY / "Procfile").read_text().splitlines()
    return dict(line.split(":", 1) for line in lines if line.strip() and not line.startswith("#"))


def _exec_start(unit: str) -> list[str]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / unit)
    return shlex.split(parser["Service"]["ExecStart"])


def test_the_procfile_names_each_process_once():
    processes = _procfile()
    assert set(processes) == {"release", "web", "worker", "beat"}
    assert "gunicorn config.wsgi" in processes["web"]
    assert "celery -A config worker" in processes["worker"]
    assert "celery -A config beat" in processes["beat"]
    assert "migrate" in processes["release"]


def test_each_unit_starts_an_existing_entry_point():
    web = _exec_start("cohortline-web.service")
    assert web[0].endswith("/gunicorn")
    module, _, attribute = web[1].partition(":")
    assert hasattr(importlib.import_module(module), attribute or "application")
    for unit, command in [
        ("cohortline-worker@.service", "worker"),
        ("cohortline-beat.service", "beat"),
    ]:
        argv = _exec_start(unit)
        assert argv[0].endswith("/celery")
        assert argv[1:4] == ["-A", "config", command]
    assert importlib.import_module("config").celery_app.main


def test_every_scheduled_task_is_registered():
    from config.celery import app

    app.loader.import_default_modules()
    registered = set(app.tasks)
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= registered, sorted(scheduled - registered)
