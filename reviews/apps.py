from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Review")

    def ready(self) -> None:
        from notifications.registry import register

        # `receivers` connects the receivers of the signals this app listens to; `tasks`
        # registers the app's Celery tasks by name.
        from . import receivers, tasks  # noqa: F401
        from .notification_kinds import KINDS

        register(*KINDS)

        from core.privacy_registry import register as register_privacy

        from .privacy import PARTS as PRIVACY_PARTS

        register_privacy(*PRIVACY_PARTS)
