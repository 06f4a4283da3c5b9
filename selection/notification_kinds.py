"""The notification kinds of selection; registered from the app's `AppConfig.ready()`."""

import datetime

from django.utils.translation import gettext_lazy as _

from notifications.registry import Kind

KINDS = (
    Kind(
        name="selection.offer",
        label=_("Offers"),
        description=_("An offer of a seat in a cohort, and how long you have to answer."),
        is_mandatory=True,
        released_by=_("the release of the cohort's decisions"),
        example={
            "cohort_name": "Main intake",
            "programme_name": "AI Forward 2026",
            "tz": "Asia/Singapore",
        },
    ),
    Kind(
        name="selection.offer_reminder",
        label=_("Offer reminders"),
        description=_("A reminder 48 hours before an offer expires."),
        is_mandatory=True,
        example={
            "cohort_name": "Main intake",
            "programme_name": "AI Forward 2026",
            "tz": "Asia/Singapore",
        },
    ),
    Kind(
        name="selection.offer_accepted",
        label=_("Accepted offers"),
        description=_("A confirmation that you accepted a seat, with the cohort's dates."),
        is_mandatory=True,
        example={
            "cohort_name": "Main intake",
            "programme_name": "AI Forward 2026",
            "starts_on": datetime.date(2026, 9, 7),
            "ends_on": datetime.date(2026, 12, 18),
            "commitment": "About 6 hours a week: Tuesday and Thursday evenings",
        },
    ),
    Kind(
        name="selection.offer_declined",
        label=_("Declined offers"),
        description=_("A confirmation that you declined a seat."),
        is_mandatory=True,
        example={"cohort_name": "Main intake", "programme_name": "AI Forward 2026"},
    ),
    Kind(
        name="selection.waitlisted",
        label=_("Waitlist decisions"),
        description=_("When you are placed on a cohort's waitlist."),
        is_mandatory=True,
        released_by=_("the release of the cohort's decisions"),
        example={"cohort_name": "Main intake", "programme_name": "AI Forward 2026"},
    ),
    Kind(
        name="selection.not_selected",
        label=_("Decisions"),
        description=_("When an application is not selected."),
        is_mandatory=True,
        released_by=_("the release of the cohort's decisions"),
        example={"cohort_name": "Main intake", "programme_name": "AI Forward 2026"},
    ),
)
