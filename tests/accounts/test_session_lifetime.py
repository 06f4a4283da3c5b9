"""Sessions end 12 hours after sign-in for everyone, and after 30 idle minutes for staff."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from core.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
PAGE = reverse("accounts:profile")
IDLE_MESSAGE = "You were signed out after 30 minutes without activity. Please sign in again."


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_session_lifetime_defaults():
    assert settings.SESSION_MAX_AGE_HOURS == 12
    assert settings.SESSION_IDLE_MINUTES_STAFF == 30
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


@pytest.mark.parametrize("persona", ["programme_admin", "reviewer", "staff", "platform_admin"])
def test_staff_session_ends_after_30_idle_minutes(client, request, persona):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(request.getfixturevalue(persona))
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get(PAGE).status_code in (200, 302)
        assert _signed_in(client)

        clock.shift(datetime.timedelta(minutes=31))
        response = client.get(PAGE)
        assert not _signed_in(client)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert _messages(response) == [IDLE_MESSAGE]
    [entry] = AuditEntry.objects.filter(action="account.logout")
    assert entry.data["reason"] == "idle"


def test_idle_sign_out_message_is_shown_on_the_sign_in_page(client, staff):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(staff)
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get(PAGE, follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert IDLE_MESSAGE in response.content.decode()


def test_active_staff_session_lasts_until_the_absolute_limit(client, staff):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(staff)
        for _ in range(35):  # a request every 20 minutes for 11 h 40 min
            clock.shift(datetime.timedelta(minutes=20))
            client.get(PAGE)
            assert _signed_in(client)

        clock.shift(datetime.timedelta(minutes=20))  # 12 h after signing in
        response = client.get(PAGE)
        assert not _signed_in(client)

    assert _messages(response) == [
        "You were signed out because you signed in more than 12 hours ago. Please sign in again."
    ]
    [entry] = AuditEntry.objects.filter(action="account.logout")
    assert entry.data["reason"] == "max_age"


def test_applicant_session_has_no_idle_limit_but_ends_after_12_hours(client, applicant):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(applicant)
        clock.shift(datetime.timedelta(hours=11, minutes=59))
        assert client.get(PAGE).status_code == 200
        assert _signed_in(client)

        clock.shift(datetime.timedelta(minutes=1))
        client.get(PAGE)
        assert not _signed_in(client)


def test_a_role_granted_during_the_session_brings_the_idle_limit(client, applicant, programme):
    from tests.factories import ProgrammeRoleFactory

    with time_machine.travel(START, tick=False) as clock:
        client.force_login(applicant)
        ProgrammeRoleFactory(user=applicant, programme=programme)
        clock.shift(datetime.timedelta(minutes=2))
        client.get(PAGE)  # the role is noticed when the last-seen time is written
        clock.shift(datetime.timedelta(minutes=31))
        client.get(PAGE)
        assert not _signed_in(client)


def test_session_limits_come_from_settings(client, staff, settings):
    settings.SESSION_IDLE_MINUTES_STAFF = 10
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(staff)
        clock.shift(datetime.timedelta(minutes=11))
        response = client.get(PAGE)
        assert not _signed_in(client)

    assert _messages(response) == [
        "You were signed out after 10 minutes without activity. Please sign in again."
    ]


def test_idle_limit_can_be_switched_off(client, staff, settings):
    settings.SESSION_IDLE_MINUTES_STAFF = 0
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(staff)
        clock.shift(datetime.timedelta(hours=3))
        client.get(PAGE)
        assert _signed_in(client)


def test_last_seen_time_is_written_at_most_once_a_minute(client, staff):
    """An active user must not cost a session write on every request."""
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(staff)
        clock.shift(datetime.timedelta(seconds=20))
        first = client.get(PAGE)
        clock.shift(datetime.timedelta(seconds=45))
        second = client.get(PAGE)
        clock.shift(datetime.timedelta(seconds=10))
        third = client.get(PAGE)

    saved = [
        settings.SESSION_COOKIE_NAME in response.cookies for response in (first, second, third)
    ]
    assert saved == [False, True, False]


def test_sessions_from_before_the_limits_start_their_clocks_now(client):
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(user)
        session = client.session
        for key in ("cohortline_signed_in_at", "cohortline_seen_at"):
            del session[key]
        session.save()
        clock.shift(datetime.timedelta(hours=6))
        assert client.get(PAGE).status_code == 200  # the clocks start here
        clock.shift(datetime.timedelta(hours=11))
        assert client.get(PAGE).status_code == 200  # 17 h after signing in, 11 h counted
        assert _signed_in(client)
        clock.shift(datetime.timedelta(hours=1))
        client.get(PAGE)
        assert not _signed_in(client)
