"""Start-up behaviour of the real settings, in fresh interpreters (as production starts them)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.base",
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k3J9-production-like-secret-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "cohortline.example.org",
    "SITE_URL": "https://cohortline.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
    "REDIS_URL": "redis://127.0.0.1:6379/12",
}


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SITE_URL", "REDIS_URL", "CELERY_", "COHORTLINE_"))
    }
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_READ_DOT_ENV_FILE": "false", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_settings_refuse_to_start_without_secret_when_debug_off():
    env = {**PRODUCTION_ENV}
    del env["DJANGO_SECRET_KEY"]
    result = _run("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_settings_start_without_secret_in_debug():
    result = _run(
        "check",
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": "sqlite:///:memory:",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_passes_with_production_like_settings():
    result = _run("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_with_debug_on():
    result = _run(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**PRODUCTION_ENV, "DJANGO_DEBUG": "true"},
    )
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"REDIS_URL": "", "COHORTLINE_UNSAFE_PER_PROCESS_CACHE": "true"}, "eager"),
        # The broker takes the next Redis database, so clearing the cache never drops tasks.
        ({"REDIS_URL": "redis://127.0.0.1:6379/2"}, "redis://127.0.0.1:6379/3"),
        ({"REDIS_URL": "redis://127.0.0.1:6379"}, "redis://127.0.0.1:6379/1"),
        (
            {
                "REDIS_URL": "redis://127.0.0.1:6379/2",
                "CELERY_BROKER_URL": "redis://127.0.0.1:6379/3",
            },
            "redis://127.0.0.1:6379/3",
        ),
    ],
)
def test_celery_is_eager_without_broker(env, expected):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print('eager' if s.CELERY_TASK_ALWAYS_EAGER else s.CELERY_BROKER_URL)"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "REDIS_URL", "CELERY_", "COHORTLINE_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_READ_DOT_ENV_FILE": "false", **PRODUCTION_ENV, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.strip() == expected, result.stderr


def _settings(expression: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Evaluate `expression` over django.conf.settings (as `s`) in a fresh interpreter."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SITE_URL", "REDIS_URL", "CELERY_", "COHORTLINE_"))
    }
    clean.pop("DATABASE_URL", None)
    clean.pop("CLAMD_URL", None)
    code = (
        f"import django; django.setup(); from django.conf import settings as s; print({expression})"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_READ_DOT_ENV_FILE": "false", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_settings_refuse_to_start_without_redis_when_debug_off():
    env = {**PRODUCTION_ENV}
    del env["REDIS_URL"]
    result = _run("check", env=env)
    assert result.returncode != 0
    assert "REDIS_URL is not set. Cohortline refuses to start with debug off" in result.stderr


def test_settings_per_process_cache_only_when_asked_for():
    env = {**PRODUCTION_ENV, "REDIS_URL": "", "COHORTLINE_UNSAFE_PER_PROCESS_CACHE": "true"}
    result = _settings("s.CACHES['default']['BACKEND']", env)
    assert result.stdout.strip() == "django.core.cache.backends.locmem.LocMemCache", result.stderr


def test_test_settings_start_without_redis():
    result = _settings(
        "s.DEBUG, s.CACHES['default']['BACKEND'], s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME",
        {"DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    assert result.stdout.strip() == (
        "False django.core.cache.backends.locmem.LocMemCache sessionid csrftoken"
    ), result.stderr


def test_production_cookies_use_the_host_prefix():
    result = _settings(
        "s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_PATH, s.CSRF_COOKIE_PATH, "
        "s.SESSION_COOKIE_DOMAIN, s.CSRF_COOKIE_DOMAIN",
        PRODUCTION_ENV,
    )
    assert result.stdout.strip() == "__Host-sessionid __Host-csrftoken True True / / None None", (
        result.stderr
    )


def test_local_settings_keep_plain_cookie_names():
    result = _settings(
        "s.DEBUG, s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME",
        {"DJANGO_SETTINGS_MODULE": "config.settings.local", "DATABASE_URL": "sqlite:///:memory:"},
    )
    assert result.stdout.strip() == "True sessionid csrftoken", result.stderr


def test_settings_refuse_a_clamd_url_they_cannot_use():
    result = _run("check", env={**PRODUCTION_ENV, "CLAMD_URL": "http://127.0.0.1:3310"})
    assert result.returncode != 0
    assert "CLAMD_URL='http://127.0.0.1:3310' is not understood" in result.stderr
