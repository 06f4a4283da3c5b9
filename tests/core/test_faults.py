"""When the database or Redis is down, pages answer a 503 "back shortly" page (JSON for the API
and /healthz) with Retry-After, rendered without touching the database; other failures give
the 500 page. Each shows the request id as its reference."""

import logging

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.urls import reverse

pytestmark = pytest.mark.django_db

BACK_SHORTLY = "<h1>We'll be back shortly</h1>"


@pytest.fixture
def client(client):
    """A client that returns the error page, as a browser would see it, instead of raising."""
    client.raise_request_exception = False
    return client


@pytest.fixture
def take_database_down(monkeypatch):
    """Call it to take the database down (after signing in)."""

    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    # The edge: the database driver refuses every new cursor.
    return lambda: monkeypatch.setattr(connection, "cursor", refuse)


@pytest.fixture
def redis_down(settings):
    # Nothing listens on port 1 of the loopback address: a real connection failure.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def _assert_back_shortly(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert BACK_SHORTLY in body
    assert f"Reference: <code>{response['X-Request-ID']}</code>" in body
    assert "OperationalError" not in body and "Traceback" not in body


def test_page_with_database_down_is_503_back_shortly(client, take_database_down, caplog):
    take_database_down()
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get(reverse("landing"))
    _assert_back_shortly(response)
    # The details are in the log, with the traceback.
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Service Unavailable: /"
    assert record.exc_info[0] is OperationalError


def test_signed_in_page_with_database_down_is_503(client, applicant, take_database_down):
    client.force_login(applicant)  # the session is read from the database by a middleware
    take_database_down()
    _assert_back_shortly(client.get(reverse("dashboard")))


def test_interface_error_is_503_too(client, monkeypatch):
    def closed(*args, **kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(connection, "cursor", closed)
    _assert_back_shortly(client.get(reverse("landing")))


@pytest.mark.parametrize("path", ["/api/v1/programmes/", "/healthz"])
def test_api_and_healthz_answer_json_503_with_database_down(
    client, applicant, take_database_down, path
):
    client.force_login(applicant)  # so a middleware needs the database before any view runs
    take_database_down()
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "status": "unavailable",
        "detail": "The service is temporarily unavailable. Try again shortly.",
        "reference": response["X-Request-ID"],
    }


def test_sign_in_with_redis_down_is_503_not_500(client, applicant, redis_down, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.post(
            reverse("account_login"),
            {"login": "applicant@example.com", "password": "whatever-it-is"},
        )
    _assert_back_shortly(response)
    assert "_auth_user_id" not in client.session  # failed closed: nobody is signed in
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Service Unavailable: /accounts/login/"


def test_other_failures_give_500_page_with_reference(client, settings, caplog):
    settings.ROOT_URLCONF = "tests.core.urls_boom"
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert f"Reference: <code>{response['X-Request-ID']}</code>" in body
    assert "something broke" not in body
    assert "Retry-After" not in response
    assert caplog.records[-1].exc_info[0] is RuntimeError
