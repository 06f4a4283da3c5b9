"""Certificates' part of a person's data: each certificate issued to them (its PDF copied into
the archive), the waivers and sign-offs recorded for them (the reason, not who gave it)."""

from django.utils.translation import gettext_lazy as _

from certificates.models import Certificate, SignOff, Waiver
from certificates.services import certificate_revoke
from core.privacy_registry import (
    Erased,
    ErasureScope,
    PersonalData,
    PersonalFile,
    PrivacyPart,
    Target,
    target_of,
    when,
)


def collect(person, targets: frozenset[Target]) -> PersonalData:
    data = PersonalData()
    for certificate in Certificate.objects.filter(user=person).order_by("issued_on", "id"):
        pdf = None
        if certificate.pdf_name:
            pdf = f"files/certificate-{certificate.pk}.pdf"
            data.files.append(PersonalFile(pdf, certificate.pdf_name))
        data.records.append(
            {
                "certificate": {
                    "code": certificate.code,
                    "holder_name": certificate.holder_name,
                    "programme": certificate.programme_name,
                    "cohort": certificate.cohort_name,
                    "issuer": certificate.issuer_name,
                    "issued_on": when(certificate.issued_on),
                    "status": certificate.status,
                    "revoked_at": when(certificate.revoked_at),
                    "revoked_reason": certificate.revoked_reason,
                    "requirements_waived": certificate.waived,
                    "pdf": pdf,
                }
            }
        )
        data.targets.add(target_of(certificate))
    for waiver in Waiver.objects.filter(user=person).select_related("cohort").order_by("id"):
        data.records.append(
            {
                "waiver": {
                    "cohort": waiver.cohort.name,
                    "requirement": waiver.requirement,
                    "reason": waiver.reason,
                    "at": when(waiver.created_at),
                }
            }
        )
    for sign_off in SignOff.objects.filter(user=person).select_related("cohort").order_by("id"):
        data.records.append(
            {"sign_off": {"cohort": sign_off.cohort.name, "at": when(sign_off.created_at)}}
        )
    return data


def erase(scope: ErasureScope) -> Erased:
    """The notes on waivers and sign-offs go. Issued certificates are the holder's: a retention
    purge keeps them, and an erasure keeps them or revokes them as the person chose. A revoked
    certificate keeps its code, so that its verification page says "revoked", and loses the
    holder's name, the signed credential and the PDF."""
    person = scope.person
    waivers = Waiver.objects.filter(user=person).exclude(reason="")
    sign_offs = SignOff.objects.filter(user=person).exclude(note="")
    if not scope.is_whole:
        cohorts = sorted(scope.cohort_ids)
        waivers = waivers.filter(cohort_id__in=cohorts)
        sign_offs = sign_offs.filter(cohort_id__in=cohorts)
    erased = Erased(rows=waivers.update(reason="") + sign_offs.update(note=""))
    if not scope.is_whole or scope.keep_certificates:
        return erased
    for certificate in Certificate.objects.filter(user=person).order_by("pk"):
        if not certificate.is_revoked:
            certificate = certificate_revoke(
                certificate=certificate, actor=person, reason=str(_("At the holder's request."))
            )
        if certificate.pdf_name:
            erased.files.append(PersonalFile("", certificate.pdf_name))
        erased.rows += Certificate.objects.filter(pk=certificate.pk).update(
            holder_name="", credential={}, pdf_name="", updated_at=scope.now
        )
    return erased


PARTS = (
    PrivacyPart(
        slug="certificates",
        label=_("Certificates"),
        collect=collect,
        order=80,
        erase=erase,
    ),
)
