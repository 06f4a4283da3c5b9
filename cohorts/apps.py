from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("Programmes and cohorts")

    def ready(self) -> None:
        # Registers the app's Celery tasks by name: services publish them through
        # core.background without importing them.
        from . import tasks  # noqa: F401
