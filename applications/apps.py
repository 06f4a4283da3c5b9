from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Applications")

    def ready(self) -> None:
        from exports.registry import register as register_exports
        from notifications.registry import register

        # `tasks` registers the app's Celery tasks by name: services publish them through
        # core.background without importing them.
        from . import receivers, tasks  # noqa: F401
        from .export_kinds import KINDS as EXPORT_KINDS
        from .notification_kinds import KINDS

        register(*KINDS)
        register_exports(*EXPORT_KINDS)

        from core.privacy_registry import register as register_privacy

        from .privacy import PARTS as PRIVACY_PARTS

        register_privacy(*PRIVACY_PARTS)
