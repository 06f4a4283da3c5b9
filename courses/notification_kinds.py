"""The notification kinds of courses; registered from the app's `AppConfig.ready()`."""

from django.utils.translation import gettext_lazy as _

from notifications.registry import Kind

_SESSION = {
    "course_code": "AI101",
    "course_title": "Foundations of machine learning",
    "topic": "Week 3: evaluating models",
    "when": "Tuesday 8 December 2026, 19:00–21:00 (Asia/Singapore)",
    "place": "Lab 2, 10 Science Park Road",
    "online_url": "https://meet.example.org/ai101",
}

KINDS = (
    Kind(
        name="courses.session_reminder",
        label=_("Class reminders"),
        description=_("A day before each class session of your courses, or one you teach."),
        example=_SESSION,
    ),
    Kind(
        name="courses.session_changed",
        label=_("Class changes"),
        description=_("When a class session of your courses is moved or cancelled."),
        example={**_SESSION, "change": "moved"},
    ),
    Kind(
        name="courses.message",
        label=_("Messages from your course team"),
        description=_("When the programme's staff write to you about your courses."),
        example={
            "programme_name": "AI Forward 2026",
            "subject": "Your attendance in AI101",
            "body": "We noticed you missed the last two sessions. Can we help?",
            "sender_name": "Wei Ling Tan",
        },
    ),
)
