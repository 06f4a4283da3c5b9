from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from core.privacy_registry import register as register_privacy

        # Registers the app's Celery tasks by name: services publish them through
        # core.background without importing them.
        from . import tasks  # noqa: F401
        from .privacy import PARTS as PRIVACY_PARTS

        register_privacy(*PRIVACY_PARTS)
