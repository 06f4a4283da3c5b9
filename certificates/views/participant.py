"""Each person's own certificates: per cohort the checklist with its numbers and, once issued,
the PDF, the signed credential, the link to share and "Add to LinkedIn". The PDF is for its
holder and the programme's staff; anyone else gets a 404, as for a code that does not exist."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from certificates import selectors, services
from core.private_files import private_file_download
from core.services import audit_record
from courses import selectors as courses_selectors

MANAGE = "certificates.manage_certificates"
LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def linkedin_url(certificate, *, title: str) -> str:
    """LinkedIn's "add a licence or certification" form, filled in."""
    issued = certificate.issued_on
    return (
        LINKEDIN_ADD
        + "?"
        + urlencode(
            {
                "startTask": "CERTIFICATION_NAME",
                "name": title,
                "organizationName": certificate.issuer_name,
                "issueYear": issued.year,
                "issueMonth": issued.month,
                "certUrl": services.verify_url(certificate.code),
                "certId": certificate.code,
            }
        )
    )


def _block(seat, user) -> dict:
    cohort = seat.cohort
    checklist = selectors.checklist_for(cohort=cohort, user=user)
    rule = selectors.rule_get(cohort=cohort)
    certificate = checklist.certificate
    title = (rule.achievement_name if rule else "") or cohort.programme.name
    block = {
        "cohort": cohort,
        "programme": cohort.programme,
        "rule": rule,
        "checklist": checklist,
        "certificate": certificate,
    }
    if certificate is not None:
        block["verify_url"] = services.verify_url(certificate.code)
        block["linkedin_url"] = linkedin_url(certificate, title=title)
    return block


@login_required
def mine(request):
    user = request.user
    blocks = [_block(seat, user) for seat in courses_selectors.participations(user=user)]
    return render(request, "certificates/mine.html", {"blocks": blocks})


def _pdf_filename(certificate) -> str:
    return f"{certificate.programme_name} {certificate.cohort_name} certificate.pdf"


@login_required
def pdf(request, code):
    certificate = selectors.certificate_get_for_holder(user=request.user, code=code)
    if certificate is None:
        found = selectors.certificate_get_by_code(code=code)
        # Staff of the certificate's programme; anyone else learns nothing, not even that it exists.
        if found is None or not request.user.has_perm(MANAGE, found.cohort.programme):
            raise Http404(_("No such certificate."))
        certificate = found
        audit_record(
            actor=request.user,
            action="certificates.pdf_download",
            target=certificate,
            programme=certificate.cohort.programme_id,
        )
    if not certificate.pdf_name:
        raise Http404(_("No such file."))
    return private_file_download(
        certificate.pdf_name, filename=_pdf_filename(certificate), content_type="application/pdf"
    )
