import logging

import pytest
from django.db.utils import OperationalError
from django.urls import reverse

from core import health
from tests.conftest import redis_url

pytestmark = pytest.mark.django_db


def test_healthz_healthy_with_eager_broker(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "cache": "ok",
            "broker": "eager",
            "virus_scanner": "not configured",
            "storage": "not configured",
        },
    }
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_503_when_database_is_down(client, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused by db.internal:5432")

    # The edge: the database driver refuses to connect.
    monkeypatch.setattr(health.connection, "cursor", refuse)
    with caplog.at_level(logging.WARNING, logger="core.health"):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {
            "database": "unavailable",
            "cache": "ok",
            "broker": "eager",
            "virus_scanner": "not configured",
            "storage": "not configured",
        },
    }
    # The reason goes to the log only, never to whoever asks.
    assert "OperationalError" not in response.content.decode()
    assert "connection refused by db.internal:5432" in caplog.text


def test_healthz_503_when_broker_is_unreachable(client, settings):
    # Nothing listens on port 1 of the loopback address: a real connection failure.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] == "unavailable"


def test_healthz_503_when_cache_is_unreachable(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "unavailable"
    assert "Error" not in response.content.decode()


def test_healthz_reports_a_reachable_virus_scanner(client, fake_clamd):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"]["virus_scanner"] == "ok"


def test_healthz_503_when_the_virus_scanner_is_unreachable(client, unreachable_clamd, caplog):
    with caplog.at_level(logging.WARNING, logger="core.virus_scan"):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["virus_scanner"] == "unavailable"
    assert response.json()["checks"]["database"] == "ok"
    assert "did not answer PING: ConnectionRefusedError" in caplog.text


@pytest.mark.s3
def test_healthz_reports_a_reachable_bucket(client, s3_storage):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"]["storage"] == "ok"


@pytest.mark.s3
def test_healthz_503_when_the_bucket_is_gone_and_says_nothing_of_it(
    client, s3_storage, settings, caplog
):
    bucket = settings.STORAGES["private"]["OPTIONS"]["bucket_name"]
    s3_storage.delete_bucket(Bucket=bucket)
    with caplog.at_level(logging.WARNING, logger="core.health"):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "unavailable"
    body = response.content.decode()
    for secret in (bucket, "127.0.0.1", "cohortline-test"):
        assert secret not in body
    assert "NoSuchBucket" in caplog.text or "404" in caplog.text


def test_healthz_rejects_post(client):
    assert client.post(reverse("healthz")).status_code == 405


@pytest.mark.redis
def test_healthz_healthy_against_real_redis(client, settings):
    url = redis_url()
    settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


@pytest.mark.redis
def test_health_cache_check_against_real_redis(settings):
    from django.core.cache.backends.redis import RedisCache

    cache = RedisCache(redis_url(), {})
    cache.set("healthz-probe", "1", 5)
    assert cache.get("healthz-probe") == "1"
