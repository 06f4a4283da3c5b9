from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("Programmes and cohorts")

    def ready(self) -> None:
        from notifications.registry import register

        # `receivers` connects the receivers of the signals this app listens to; `tasks`
        # registers the app's Celery tasks by name: services publish them through
        # core.background without importing them.
        from . import receivers, tasks  # noqa: F401
        from .notification_kinds import KINDS

        register(*KINDS)
