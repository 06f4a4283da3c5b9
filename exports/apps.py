from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = _("Exports")

    def ready(self) -> None:
        # `tasks` registers the app's Celery tasks by name: services publish them through
        # core.background without importing them. Kinds are registered by the apps that own
        # the data, from their own AppConfig.ready() (see exports/registry.py).
        from . import tasks  # noqa: F401
        from .personal import KIND
        from .registry import register

        # A person's own data is the one kind exports declares itself: it belongs to no app.
        register(KIND)
