"""The notification kinds of compute quotas; registered from the app's `AppConfig.ready()`."""

from django.utils.translation import gettext_lazy as _

from notifications.registry import Kind

KINDS = (
    Kind(
        name="compute.threshold",
        label=_("Compute usage"),
        description=_("When you have used 80 % and 100 % of a compute allocation."),
        example={
            "resource_name": "H100 GPU hours",
            "unit": "GPU hours",
            "threshold": 80,
            "used": "96",
            "limit": "120",
            "hard_limit": False,
        },
    ),
    Kind(
        name="compute.topup_decided",
        label=_("Compute top-ups"),
        description=_("The answer to your request for more compute."),
        example={
            "resource_name": "H100 GPU hours",
            "unit": "GPU hours",
            "asked": "40",
            "granted": "20",
            "status": "Partly approved",
            "reason": "Half now; ask again after your capstone review.",
            "limit": "140",
        },
    ),
)
