from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.core.signals import request_finished

        from .privacy import PARTS
        from .privacy_registry import register
        from .request_id import clear_request_id

        request_finished.connect(clear_request_id, dispatch_uid="core.clear_request_id")
        register(*PARTS)
