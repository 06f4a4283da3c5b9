from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Registers the app's Celery tasks by name: services publish them through
        # core.background without importing them.
        from . import tasks  # noqa: F401
