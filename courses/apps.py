from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self) -> None:
        from notifications.registry import register

        # `receivers` connects the receivers of selection's signals.
        from . import receivers  # noqa: F401
        from .notification_kinds import KINDS

        register(*KINDS)

        from core.privacy_registry import register as register_privacy

        from .privacy import PARTS as PRIVACY_PARTS

        register_privacy(*PRIVACY_PARTS)
