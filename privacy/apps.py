from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from notifications.registry import register

        # `tasks` registers the app's Celery tasks by name (the beat schedule names them).
        from . import tasks  # noqa: F401
        from .notification_kinds import KINDS

        register(*KINDS)
