"""Issuing, waiving, signing off and revoking certificates: eligibility enforced, one valid
certificate per person and cohort, unguessable codes, a PDF in the private storage, a signed
credential that verifies, and the holder notified."""

import copy
import io
import json

import pypdf
import pytest
from django.core.files.storage import storages

from certificates import ob3, selectors, services
from certificates.enums import BoardState, CertificateStatus, Requirement
from certificates.models import Certificate
from core.models import AuditEntry
from notifications.models import Notification
from tests.factories import (
    ApplicantProfileFactory,
    CertificationRuleFactory,
    CohortFactory,
    ParticipantFactory,
    PartnerFactory,
)
from tests.factories.certificates import mentored_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(programme):
    programme.partners.add(PartnerFactory(name="Northwind Data Centres"))
    cohort = CohortFactory(programme=programme, name="Spring 2026")
    CertificationRuleFactory(cohort=cohort, achievement_name="AI Forward graduate")
    return cohort


def test_certificate_issue_builds_pdf_credential_and_notifies(cohort, staff):
    user = mentored_participant(cohort, name="Wei Ling")
    ApplicantProfileFactory(user=user, full_name="Tan Wei Ling")

    cert = services.certificate_issue(cohort=cohort, user=user, actor=staff)

    assert len(cert.code) == 43
    assert (cert.holder_name, cert.programme_name, cert.cohort_name) == (
        "Tan Wei Ling",
        "AI Forward 2026",
        "Spring 2026",
    )
    assert cert.partners == ["Northwind Data Centres"]
    assert cert.status == CertificateStatus.VALID
    with storages["private"].open(cert.pdf_name) as fh:
        text = pypdf.PdfReader(io.BytesIO(fh.read())).pages[0].extract_text()
    assert "Tan Wei Ling" in text
    assert cert.code in text
    credential = cert.credential
    assert credential["id"] == f"http://testserver/verify/{cert.code}/credential.json"
    assert credential["issuer"]["id"] == "did:web:testserver"
    subject = credential["credentialSubject"]
    assert subject["identifier"][0]["identityHash"] == "Tan Wei Ling"
    assert subject["achievement"]["name"] == "AI Forward graduate"
    assert subject["achievement"]["criteria"]["narrative"] == "Held at least 1 mentoring sessions."
    assert selectors.credential_verifies(certificate=cert)
    assert Notification.objects.get(recipient=user).kind == "certificates.issued"
    assert AuditEntry.objects.filter(action="certificates.issued", target_id=str(cert.pk)).exists()


def test_certificate_issue_twice_returns_the_same_certificate(cohort, staff):
    user = mentored_participant(cohort)
    first = services.certificate_issue(cohort=cohort, user=user, actor=staff)
    second = services.certificate_issue(cohort=cohort, user=user, actor=staff)
    assert first.pk == second.pk
    assert Certificate.objects.count() == 1
    assert Notification.objects.filter(kind="certificates.issued").count() == 1


def test_certificate_issue_rejects_someone_not_eligible(cohort, staff):
    user = mentored_participant(cohort, sessions=0)
    with pytest.raises(services.CertificateError, match="Mentoring sessions 0 of 1"):
        services.certificate_issue(cohort=cohort, user=user, actor=staff)
    assert not Certificate.objects.exists()


def test_certificate_issue_rejects_a_non_participant(cohort, staff, outsider):
    with pytest.raises(services.CertificateError):
        services.certificate_issue(cohort=cohort, user=outsider, actor=staff)


def test_waiver_makes_a_participant_eligible_and_is_recorded(cohort, staff):
    user = mentored_participant(cohort, sessions=0)
    services.waiver_add(
        cohort=cohort,
        user=user,
        requirement=Requirement.MENTORING,
        reason="Mentor left",
        actor=staff,
    )
    assert selectors.checklist_for(cohort=cohort, user=user).state == BoardState.ELIGIBLE
    cert = services.certificate_issue(cohort=cohort, user=user, actor=staff)
    assert cert.waived == ["mentoring"]
    assert AuditEntry.objects.get(action="certificates.waiver_added").data["reason"] == (
        "Mentor left"
    )
    # Filed in the programme's log, with the certificate issued over the waiver.
    assert sorted(
        AuditEntry.objects.filter(programme_id=cohort.programme_id).values_list("action", flat=True)
    ) == ["certificates.issued", "certificates.waiver_added"]


def test_waiver_needs_a_reason(cohort, staff):
    user = mentored_participant(cohort, sessions=0)
    with pytest.raises(services.CertificateError):
        services.waiver_add(
            cohort=cohort, user=user, requirement=Requirement.MENTORING, reason=" ", actor=staff
        )


def test_sign_off_meets_the_sign_off_requirement(cohort, staff):
    services.rule_save(cohort=cohort, actor=staff, requires_sign_off=True)
    user = mentored_participant(cohort)
    assert selectors.checklist_for(cohort=cohort, user=user).state == BoardState.NOT_YET
    services.sign_off(cohort=cohort, user=user, actor=staff, note="Great capstone")
    assert selectors.checklist_for(cohort=cohort, user=user).state == BoardState.ELIGIBLE


def test_certificate_revoke_records_reason_and_notifies(cohort, staff):
    user = mentored_participant(cohort)
    cert = services.certificate_issue(cohort=cohort, user=user, actor=staff)
    with pytest.raises(services.CertificateError):
        services.certificate_revoke(certificate=cert, actor=staff, reason="")
    revoked = services.certificate_revoke(certificate=cert, actor=staff, reason="Plagiarism")
    assert revoked.is_revoked
    assert revoked.revoked_reason == "Plagiarism"
    assert revoked.revoked_at is not None
    assert Notification.objects.filter(recipient=user, kind="certificates.revoked").count() == 1
    assert selectors.checklist_for(cohort=cohort, user=user).state == BoardState.REVOKED
    entry = AuditEntry.objects.get(action="certificates.revoked")
    assert (entry.actor, entry.target_id, entry.programme_id, entry.data["reason"]) == (
        staff,
        str(cert.pk),
        cohort.programme_id,
        "Plagiarism",
    )
    # A new certificate may be issued after a revocation; the old one stays revoked.
    again = services.certificate_issue(cohort=cohort, user=user, actor=staff)
    assert again.pk != cert.pk
    assert selectors.checklist_for(cohort=cohort, user=user).state == BoardState.ISSUED


def test_codes_are_unguessable_and_not_sequential():
    codes = [services.new_code() for _ in range(200)]
    assert len(set(codes)) == 200
    assert all(
        len(c) == 43
        and set(c) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for c in codes
    )
    prefixes = {c[:4] for c in codes}
    assert len(prefixes) > 150  # no shared or counting prefix


def test_credential_with_a_changed_name_fails(cohort, staff):
    user = mentored_participant(cohort)
    cert = services.certificate_issue(cohort=cohort, user=user, actor=staff)
    tampered = dict(cert.credential)
    subject = dict(tampered["credentialSubject"])
    subject["identifier"] = [dict(subject["identifier"][0], identityHash="Mallory")]
    tampered["credentialSubject"] = subject
    resolver = ob3.key_resolver_from_did_document(selectors.did_document())
    assert ob3.verify(cert.credential, resolve_key=resolver)
    assert not ob3.verify(tampered, resolve_key=resolver)


def test_credential_verifies_with_openbadgeslib(cohort, staff):
    """An implementation that is not ours (openbadgeslib's OB 3.0 verifier, resolving our DID
    document) accepts the issued credential and rejects it with a changed name."""
    from openbadgeslib.ob3 import ldp

    user = mentored_participant(cohort)
    cert = services.certificate_issue(cohort=cohort, user=user, actor=staff)
    doc = selectors.did_document()

    def download(url):
        assert url == "https://testserver/.well-known/did.json"
        return json.dumps(doc).encode()

    verifier = ldp.OB3LdpVerifier.for_issuer_did(selectors.issuer_did())
    verified = verifier.verify(json.dumps(cert.credential), download=download)
    assert verified.identifiers[0].identity_hash == cert.holder_name
    tampered = copy.deepcopy(cert.credential)
    tampered["credentialSubject"]["identifier"][0]["identityHash"] = "Mallory"
    with pytest.raises(ldp.OB3VerificationError):
        verifier.verify(tampered, download=download)


def test_rule_save_sets_courses_of_the_programme_only(cohort, staff, other_programme):
    from tests.factories import CourseFactory

    mine = CourseFactory(programme=cohort.programme)
    services.rule_save(cohort=cohort, actor=staff, required_courses=[mine], min_attendance=75)
    rule = selectors.rule_get(cohort=cohort)
    assert list(rule.required_courses.all()) == [mine]
    assert rule.min_attendance == 75
    with pytest.raises(services.CertificateError):
        services.rule_save(
            cohort=cohort, actor=staff, required_courses=[CourseFactory(programme=other_programme)]
        )


def test_participant_of_another_cohort_gets_nothing(cohort, staff):
    other = ParticipantFactory(application__cohort__programme=cohort.programme).user
    with pytest.raises(services.CertificateError):
        services.certificate_issue(cohort=cohort, user=other, actor=staff)


def test_seed_demo_shows_every_state_and_prints_verification_links(capsys):
    from django.core.management import call_command

    from certificates.models import CertificationRule

    call_command("seed_demo", applicants=40, force=True)
    out = capsys.readouterr().out
    rule = CertificationRule.objects.get()
    board = selectors.cohort_board(cohort=rule.cohort)
    assert len(board) >= 4
    assert {row.state for row in board} == set(BoardState.values)
    valid = Certificate.objects.filter(status=CertificateStatus.VALID).order_by("id").first()
    revoked = Certificate.objects.get(status=CertificateStatus.REVOKED)
    assert f"  http://testserver/verify/{valid.code}/" in out.splitlines()
    assert f"  http://testserver/verify/{revoked.code}/" in out.splitlines()
    assert selectors.credential_verifies(certificate=valid)
    mine = AuditEntry.objects.filter(action__startswith="certificates.")
    counts = (Certificate.objects.count(), mine.count())
    call_command("seed_demo", applicants=40, force=True)
    assert (Certificate.objects.count(), mine.count()) == counts
