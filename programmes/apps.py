from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        from core.privacy_registry import register as register_privacy
        from notifications.registry import register

        from .notification_kinds import KINDS
        from .privacy import PARTS as PRIVACY_PARTS

        register(*KINDS)
        register_privacy(*PRIVACY_PARTS)
