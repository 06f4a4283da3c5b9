"""The read API of certificates (mounted under /api/v1/ by config/api.py): a cohort's
certificates for the programme's staff, as on the certificates board, and a holder's own, as
on their certificates page. Anyone may verify a certificate at its public link."""

from datetime import date, datetime

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from certificates import selectors
from certificates.enums import CertificateStatus
from certificates.models import Certificate
from cohorts.selectors import cohort_or_404
from core.api import ERRORS, PageIn, page_schema, paginate
from programmes.selectors import programme_for

router = Router(tags=["certificates"])

MANAGE = "certificates.manage_certificates"


class CertificateOut(Schema):
    code: str
    holder_name: str
    programme_name: str
    cohort_name: str
    issued_on: date
    status: CertificateStatus
    revoked_at: datetime | None
    verify_url: str = Field(description="The public verification page (a path on this site).")


class StaffCertificateOut(CertificateOut):
    user_id: int
    email: str
    revoked_reason: str


class CertificateFilters(Schema):
    status: CertificateStatus | None = None


StaffCertificatePageOut = page_schema(StaffCertificateOut, "CohortCertificatePage")
CertificatePageOut = page_schema(CertificateOut, "MyCertificatePage")


def certificate_out(certificate: Certificate) -> dict:
    return {
        "code": certificate.code,
        "holder_name": certificate.holder_name,
        "programme_name": certificate.programme_name,
        "cohort_name": certificate.cohort_name,
        "issued_on": certificate.issued_on,
        "status": certificate.status,
        "revoked_at": certificate.revoked_at,
        "verify_url": reverse("certificates:verify", kwargs={"code": certificate.code}),
    }


def staff_certificate_out(certificate: Certificate) -> dict:
    return {
        **certificate_out(certificate),
        "user_id": certificate.user_id,
        "email": certificate.user.email,
        "revoked_reason": certificate.revoked_reason,
    }


@router.get(
    "/programmes/{slug}/cohorts/{cohort_slug}/certificates",
    response={200: StaffCertificatePageOut, **ERRORS},
    summary="List a cohort's certificates",
    description="For the programme's staff: every certificate issued, the newest first.",
)
def certificate_list(
    request: HttpRequest,
    slug: str,
    cohort_slug: str,
    page: Query[PageIn],
    filters: Query[CertificateFilters],
):
    programme = programme_for(request, slug, MANAGE)
    cohort = cohort_or_404(programme, cohort_slug)
    certificates = selectors.certificate_list_for_cohort(cohort=cohort)
    if filters.status:
        certificates = certificates.filter(status=filters.status)
    return paginate(certificates, page, staff_certificate_out)


@router.get(
    "/me/certificates",
    response={200: CertificatePageOut, **ERRORS},
    summary="List your own certificates",
    description="Your certificates in every programme, the newest first.",
)
def my_certificate_list(request: HttpRequest, page: Query[PageIn]):
    certificates = selectors.certificate_list_for_holder(user=request.user)
    return paginate(certificates, page, certificate_out)
