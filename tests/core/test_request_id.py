"""Every request gets an id: kept from a sane X-Request-ID, else made up; it is on the
response, in every log line of the request and on the error pages."""

import io
import logging
import re

import pytest
from django.urls import reverse

from core.request_id import RequestIdFilter, current_request_id

pytestmark = pytest.mark.django_db

GENERATED = re.compile(r"[0-9a-f]{32}")


def test_request_id_is_generated_and_returned(client):
    response = client.get(reverse("landing"))
    assert GENERATED.fullmatch(response["X-Request-ID"])
    assert client.get(reverse("landing"))["X-Request-ID"] != response["X-Request-ID"]


def test_sane_incoming_request_id_is_kept(client):
    response = client.get(reverse("landing"), HTTP_X_REQUEST_ID="f3b1c2d4-proxy-42")
    assert response["X-Request-ID"] == "f3b1c2d4-proxy-42"


@pytest.mark.parametrize(
    "incoming",
    [
        "short",
        "x" * 129,
        "abc def ghi",
        "abcdefgh\nFAKE LOG LINE",
        "<script>alert(1)</script>",
        "task:selection.selection_commit:0f3a9c",
    ],
    ids=["too-short", "too-long", "space", "newline", "markup", "a-task-id-forged"],
)
def test_insane_incoming_request_id_is_replaced(client, incoming):
    response = client.get(reverse("landing"), HTTP_X_REQUEST_ID=incoming)
    assert GENERATED.fullmatch(response["X-Request-ID"])


def _console_handler():
    [handler] = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RequestIdFilter) for f in h.filters)
    ]
    return handler


def test_every_log_line_of_a_request_carries_its_id(client):
    handler = _console_handler()
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-0123456789")
    finally:
        handler.setStream(previous)
    assert response.status_code == 404
    assert " WARNING django.request [req-0123456789] Not Found: /no-such-page/" in (
        stream.getvalue()
    )
    assert current_request_id() == "-"  # cleared once the request is finished


def test_log_lines_outside_requests_say_dash():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    assert RequestIdFilter().filter(record)
    assert record.request_id == "-"


def test_404_page_shows_the_reference(client):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-404-abcdef")
    assert response.status_code == 404
    assert "Reference: <code>req-404-abcdef</code>" in response.content.decode()


def test_403_page_shows_the_reference(client, applicant):
    client.force_login(applicant)
    response = client.get("/admin/login/", HTTP_X_REQUEST_ID="req-403-abcdef")
    assert response.status_code == 403
    body = response.content.decode()
    assert "You may not do that" in body
    assert "Reference: <code>req-403-abcdef</code>" in body
