"""The notification kinds of mentoring; registered from the app's `AppConfig.ready()`."""

from django.utils.translation import gettext_lazy as _

from notifications.registry import Kind

KINDS = (
    Kind(
        name="mentoring.introduced",
        label=_("Mentoring introductions"),
        description=_("When you are paired with a mentor or a mentee."),
        example={
            "role": "mentee",
            "other_name": "Aisha Rahman",
            "other_email": "aisha.rahman@example.org",
            "cohort_name": "AI Forward 2026 — main intake",
            "explanation": "Shares 3 of your 4 topics (MLOps, LLM evaluation, Python); "
            "mentors in English and Malay; your first wish.",
            "availability": "Tuesday evenings, every two weeks",
        },
    ),
    Kind(
        name="mentoring.session_logged",
        label=_("Mentoring sessions"),
        description=_("When a session is logged that you are asked to confirm or rate."),
        example={
            "other_name": "Aisha Rahman",
            "held_on": "2 December 2026",
            "ask": "rate",
        },
    ),
    Kind(
        name="mentoring.nudge",
        label=_("Mentoring reminders"),
        description=_("When your pairing has had no session for 14 days."),
        example={"other_name": "Aisha Rahman", "days": 14},
    ),
    Kind(
        name="mentoring.stalled",
        label=_("Stalled mentoring pairs"),
        description=_("For programme admins: a pair has had no session for 28 days."),
        example={
            "mentor_name": "Aisha Rahman",
            "mentee_name": "Priya Nair",
            "days": 28,
            "cohort_name": "AI Forward 2026 — main intake",
        },
    ),
    Kind(
        name="mentoring.ended",
        label=_("Mentoring pairings ended"),
        description=_("When your mentor, your mentee or an admin ends your pairing."),
        example={"other_name": "Aisha Rahman", "reason": "Moved to another team.", "by": "mentor"},
    ),
)
