"""Demo cohort: its application form and eligibility rules. Called by `seed_demo`; safe to run again (it updates in place)."""

import datetime
import zoneinfo

from django.utils import timezone

from cohorts.enums import CohortStatus, QuestionType, RuleOperator
from cohorts.models import ApplicationQuestion, Cohort, EligibilityRule
from programmes.models import Programme

QUESTIONS = [
    (
        "motivation",
        "Why do you want to join AI Forward 2026?",
        QuestionType.LONG_TEXT,
        {
            "word_limit": 250,
            "help_text": "Tell us what you hope to do with what you learn. At most 250 words.",
        },
    ),
    (
        "programming",
        "How much programming have you done?",
        QuestionType.CHOICE,
        {
            "choices": [
                "None yet",
                "A little (scripts, spreadsheet formulas)",
                "Regularly at work",
                "I build software professionally",
            ]
        },
    ),
    (
        "track",
        "Which track interests you most?",
        QuestionType.CHOICE,
        {
            "choices": [
                "AI for operations",
                "Data engineering",
                "Applied machine learning",
                "AI product and policy",
            ]
        },
    ),
    (
        "employer_supports",
        "Does your employer support your participation?",
        QuestionType.YES_NO,
        {},
    ),
    (
        "support_kind",
        "How does your employer support you?",
        QuestionType.MULTI_CHOICE,
        {
            "choices": [
                "Paid study time",
                "Course fees",
                "A mentor at work",
                "A project to work on",
            ],
            "depends_on_key": "employer_supports",
            "show_when": ["yes"],
        },
    ),
    (
        "hours",
        "How many hours a week can you commit?",
        QuestionType.NUMBER,
        {"min_value": 1, "max_value": 40, "help_text": "The programme needs about 8 hours a week."},
    ),
    ("laptop", "Do you have a laptop you can use for the course?", QuestionType.YES_NO, {}),
    (
        "portfolio",
        "A link to something you have built or written",
        QuestionType.URL,
        {"is_required": False, "help_text": "Optional: a repository, a blog post, a dashboard…"},
    ),
]


RULES = [
    (
        "residency",
        RuleOperator.IN,
        ["citizen", "permanent_resident"],
        "This intake is open to citizens and permanent residents.",
    ),
    ("age_at_start", RuleOperator.BETWEEN, ["18", "65"], ""),
    ("answer:hours", RuleOperator.AT_LEAST, ["4"], "The programme needs at least 4 hours a week."),
]


def cohort(programme: Programme) -> Cohort:
    """AI Forward 2026's open cohort: 1,000 seats, a realistic form and eligibility rules.

    Its window is set around today so the demo always has an open cohort.
    """
    tz = zoneinfo.ZoneInfo("Asia/Singapore")
    today = timezone.localdate(timezone=tz)
    cohort, _ = Cohort.objects.update_or_create(
        programme=programme,
        slug="main-intake",
        defaults={
            "name": "AI Forward 2026 — main intake",
            "description": (
                "Six months, part time (about 8 hours a week), starting in January. Four tracks: "
                "AI for operations, data engineering, applied machine learning, and AI product "
                "and policy."
            ),
            "capacity": 1000,
            # The best 400 of those not offered a seat wait for one; the rest hear "not
            # selected" at once rather than waiting for a seat that will not come.
            "waitlist_length": 400,
            "opens_at": datetime.datetime.combine(
                today - datetime.timedelta(days=22), datetime.time(9, 0), tz
            ),
            "closes_at": datetime.datetime.combine(
                today + datetime.timedelta(days=22), datetime.time(23, 59), tz
            ),
            "starts_on": today + datetime.timedelta(days=49),
            "ends_on": today + datetime.timedelta(days=230),
            "timezone": "Asia/Singapore",
            "status": CohortStatus.PUBLISHED,
            "allow_edit_after_submit": True,
            "privacy_notice_version": "2026-1",
        },
    )
    questions = {}
    for position, (key, label, kind, extra) in enumerate(QUESTIONS, start=1):
        defaults = {"label": label, "type": kind, "position": position, **extra}
        defaults.pop("depends_on_key", None)
        questions[key], _ = ApplicationQuestion.objects.update_or_create(
            cohort=cohort, key=key, defaults=defaults
        )
    for key, _label, _kind, extra in QUESTIONS:
        parent_key = extra.get("depends_on_key")
        if parent_key:
            ApplicationQuestion.objects.filter(pk=questions[key].pk).update(
                depends_on=questions[parent_key]
            )
    if not EligibilityRule.objects.filter(cohort=cohort).exists():
        for position, (attribute, operator, values, message) in enumerate(RULES, start=1):
            EligibilityRule.objects.create(
                cohort=cohort,
                position=position,
                attribute=attribute,
                operator=operator,
                values=values,
                message=message,
            )
    return cohort
