"""The iCalendar feed: it parses, holds one event per session in UTC, says which ones are
cancelled and names each by course code and topic."""

import datetime
import zoneinfo

import pytest
import time_machine
from icalendar import Calendar

from courses import ical, selectors
from tests.factories import (
    ClassSessionFactory,
    CohortFactory,
    CourseFactory,
    EnrollmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC)
SINGAPORE = zoneinfo.ZoneInfo("Asia/Singapore")


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="Main intake", timezone="Asia/Singapore")


@pytest.fixture
def course(programme, cohort):
    return CourseFactory(
        programme=programme,
        code="AI101",
        title="Foundations of machine learning",
        cohorts=[cohort],
    )


@pytest.fixture
def ana(course, cohort):
    user = UserFactory(display_name="Ana Lim", email="ana.lim@example.com")
    EnrollmentFactory(course=course, cohort=cohort, user=user)
    return user


def _feed(user, site_url: str = "https://cohortline.example.org") -> bytes:
    return ical.feed(
        sessions=selectors.sessions_for_user(user=user),
        name="Cohortline classes",
        site_url=site_url,
        now=NOW,
    )


def _events(body: bytes) -> list:
    return Calendar.from_ical(body).walk("VEVENT")


def test_feed_parses_with_one_event_per_session(course, cohort, ana, staff):
    # Times given in Singapore: stored and served in UTC.
    first = ClassSessionFactory(
        course=course,
        cohort=cohort,
        title="Week 1: linear models",
        starts_at=datetime.datetime(2026, 12, 8, 19, 0, tzinfo=SINGAPORE),
        ends_at=datetime.datetime(2026, 12, 8, 21, 0, tzinfo=SINGAPORE),
        place="Lab 2, 10 Science Park Road",
        instructor=staff,
    )
    second = ClassSessionFactory(
        course=course,
        cohort=cohort,
        title="",
        starts_at=datetime.datetime(2026, 12, 15, 19, 0, tzinfo=SINGAPORE),
        ends_at=datetime.datetime(2026, 12, 15, 21, 30, tzinfo=SINGAPORE),
        place="",
        online_url="https://meet.example.org/ai101",
    )

    body = _feed(ana)
    calendar = Calendar.from_ical(body)

    assert (str(calendar["VERSION"]), str(calendar["PRODID"])) == ("2.0", ical.PRODID)
    assert str(calendar["X-WR-CALNAME"]) == "Cohortline classes"
    events = _events(body)
    assert [str(e["UID"]) for e in events] == [
        f"class-session-{first.pk}@cohortline.example.org",
        f"class-session-{second.pk}@cohortline.example.org",
    ]
    one, two = events
    assert one.decoded("DTSTART") == datetime.datetime(2026, 12, 8, 11, 0, tzinfo=datetime.UTC)
    assert one.decoded("DTEND") == datetime.datetime(2026, 12, 8, 13, 0, tzinfo=datetime.UTC)
    assert one.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
    assert one.decoded("DTSTAMP") == NOW
    assert b"DTSTART:20261208T110000Z" in body
    assert b"DTEND:20261215T133000Z" in body
    assert str(one["SUMMARY"]) == "AI101 Foundations of machine learning: Week 1: linear models"
    assert str(two["SUMMARY"]) == "AI101 Foundations of machine learning"
    assert str(one["LOCATION"]) == "Lab 2, 10 Science Park Road"
    assert "URL" not in one
    assert (str(two["LOCATION"]), str(two["URL"])) == (
        "https://meet.example.org/ai101",
        "https://meet.example.org/ai101",
    )
    assert str(one["DESCRIPTION"]) == "AI Forward 2026\nMain intake\nInstructor: Ahmad Zulkifli"
    assert str(two["DESCRIPTION"]) == (
        "AI Forward 2026\nMain intake\nOnline: https://meet.example.org/ai101"
    )
    assert {str(e["STATUS"]) for e in events} == {"CONFIRMED"}


def test_a_cancelled_session_stays_in_the_feed_marked_cancelled(course, cohort, ana):
    ClassSessionFactory(course=course, cohort=cohort, is_cancelled=True)
    ClassSessionFactory(course=course, cohort=cohort)

    events = _events(_feed(ana))

    assert [str(e["STATUS"]) for e in events] == ["CANCELLED", "CONFIRMED"]


def test_an_edited_session_has_a_higher_sequence(course, cohort, ana):
    session = ClassSessionFactory(course=course, cohort=cohort)
    before = int(_events(_feed(ana))[0]["SEQUENCE"])

    with time_machine.travel(session.updated_at + datetime.timedelta(minutes=5)):
        session.title = "Week 1, moved to the lab"
        session.save(update_fields=["title", "updated_at"])

    assert int(_events(_feed(ana))[0]["SEQUENCE"]) > before


def test_texts_that_look_like_icalendar_survive_the_round_trip(course, cohort, ana):
    topic = "Week 2; trees, forests\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:spoofed"
    ClassSessionFactory(course=course, cohort=cohort, title=topic, place="Room 1; level 2, east")

    events = _events(_feed(ana))

    assert len(events) == 1
    assert str(events[0]["SUMMARY"]) == f"AI101 Foundations of machine learning: {topic}"
    assert str(events[0]["LOCATION"]) == "Room 1; level 2, east"


def test_an_empty_feed_is_still_a_calendar(ana):
    calendar = Calendar.from_ical(_feed(ana))
    assert calendar.walk("VEVENT") == []
    assert str(calendar["METHOD"]) == "PUBLISH"


@pytest.mark.parametrize(
    ("site_url", "host"),
    [
        ("https://cohortline.example.org/", "cohortline.example.org"),
        ("http://127.0.0.1:8000", "127.0.0.1:8000"),
        ("", "cohortline"),
    ],
)
def test_event_uids_name_the_sites_host(course, cohort, ana, site_url, host):
    session = ClassSessionFactory(course=course, cohort=cohort)
    [event] = _events(_feed(ana, site_url=site_url))
    assert str(event["UID"]) == f"class-session-{session.pk}@{host}"
