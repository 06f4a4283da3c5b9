"""The notification kinds of certificates; registered from the app's `AppConfig.ready()`."""

from django.utils.translation import gettext_lazy as _

from notifications.registry import Kind

_CERTIFICATE = {
    "programme_name": "AI Forward 2026",
    "cohort_name": "Spring 2026",
    "holder_name": "Wei Ling Tan",
    "verify_url": "https://cohortline.example.org/verify/3q2-example-code/",
}

KINDS = (
    Kind(
        name="certificates.issued",
        label=_("Certificates issued"),
        description=_("When you are awarded a certificate."),
        example=_CERTIFICATE,
    ),
    Kind(
        name="certificates.revoked",
        label=_("Certificates revoked"),
        description=_("When a certificate of yours is revoked."),
        example={**_CERTIFICATE, "reason": "Issued by mistake before the final assessment."},
    ),
)
