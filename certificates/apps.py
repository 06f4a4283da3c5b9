from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        from notifications.registry import register

        # `tasks` registers the task names that services enqueue by name.
        from . import tasks  # noqa: F401
        from .notification_kinds import KINDS

        register(*KINDS)

        from core.privacy_registry import register as register_privacy

        from .privacy import PARTS as PRIVACY_PARTS

        register_privacy(*PRIVACY_PARTS)
