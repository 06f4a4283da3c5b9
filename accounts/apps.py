from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from notifications.registry import register

        from . import receivers  # noqa: F401  (connects the audit receivers)
        from .notification_kinds import KINDS

        register(*KINDS)

        from core.privacy_registry import register as register_privacy

        from .privacy import PARTS as PRIVACY_PARTS

        register_privacy(*PRIVACY_PARTS)
