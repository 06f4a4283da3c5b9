"""The iCalendar (RFC 5545) feed of a person's class sessions, built with `icalendar`."""

from datetime import UTC, datetime

from icalendar import Calendar, Event

PRODID = "-//Cohortline//Courses//EN"


def feed(*, sessions, name: str, site_url: str, now: datetime) -> bytes:
    """One VEVENT per session (cancelled ones stay, marked CANCELLED, so calendar apps remove
    them), times in UTC."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    host = site_url.split("://", 1)[-1].split("/", 1)[0] or "cohortline"
    for session in sessions:
        event = Event()
        event.add("uid", f"class-session-{session.pk}@{host}")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", session.starts_at.astimezone(UTC))
        event.add("dtend", session.ends_at.astimezone(UTC))
        summary = f"{session.course.code} {session.course.title}"
        if session.title:
            summary += f": {session.title}"
        event.add("summary", summary)
        if session.place:
            event.add("location", session.place)
        elif session.online_url:
            event.add("location", session.online_url)
        if session.online_url:
            event.add("url", session.online_url)
        lines = [session.cohort.programme.name, session.cohort.name]
        if session.instructor is not None:
            lines.append(
                f"Instructor: {session.instructor.display_name or session.instructor.email}"
            )
        if session.online_url:
            lines.append(f"Online: {session.online_url}")
        event.add("description", "\n".join(lines))
        event.add("sequence", int(session.updated_at.timestamp()) % 2_000_000_000)
        event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
