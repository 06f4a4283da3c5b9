"""Revocation reaches the credential itself: each credential names its bit in a Bitstring Status
List, served signed at /verify/status/<n>.json and built when asked for, so an independent
verifier that checks status (openbadgeslib) accepts the credential before revocation and refuses
it after."""

import base64
import gzip
import json
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from openbadgeslib.ob3 import ldp

from certificates import ob3, selectors, services
from tests.factories import CertificationRuleFactory, CohortFactory
from tests.factories.certificates import mentored_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(programme):
    cohort = CohortFactory(programme=programme)
    CertificationRuleFactory(cohort=cohort)
    return cohort


def _bit(document: dict, index: int) -> bool:
    encoded = document["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(raw) * 8 == services.STATUS_LIST_SIZE
    return bool(raw[index // 8] & (0x80 >> (index % 8)))


def _downloader(client):
    """What a verifier fetches, answered by this site (no network)."""

    def download(url: str) -> bytes:
        response = client.get(urlsplit(url).path)
        assert response.status_code == 200, (url, response.status_code)
        return response.content

    return download


def test_each_credential_names_its_bit_in_a_status_list(cohort, staff):
    certificate = services.certificate_issue(
        cohort=cohort, user=mentored_participant(cohort), actor=staff
    )
    status = certificate.credential["credentialStatus"]
    number, index = divmod(certificate.pk, services.STATUS_LIST_SIZE)
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["statusListIndex"] == str(index)
    assert status["statusListCredential"].endswith(f"/verify/status/{number}.json")
    # The entry is part of what is signed.
    resolver = ob3.key_resolver_from_did_document(selectors.did_document())
    assert ob3.verify(certificate.credential, resolve_key=resolver)


def test_the_status_list_is_signed_and_flips_the_bit_at_once(client, cohort, staff):
    certificate = services.certificate_issue(
        cohort=cohort, user=mentored_participant(cohort), actor=staff
    )
    number, index = divmod(certificate.pk, services.STATUS_LIST_SIZE)
    url = reverse("certificates:status_list", args=[number])
    before = client.get(url)
    assert before.status_code == 200
    assert before["Access-Control-Allow-Origin"] == "*"
    document = before.json()
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["issuer"] == selectors.issuer_did()
    resolver = ob3.key_resolver_from_did_document(selectors.did_document())
    assert ob3.verify(document, resolve_key=resolver)
    assert not _bit(document, index)

    services.certificate_revoke(certificate=certificate, actor=staff, reason="Issued in error.")
    after = client.get(url).json()
    assert ob3.verify(after, resolve_key=resolver)
    assert _bit(after, index)


def test_an_independent_verifier_refuses_the_credential_once_revoked(client, cohort, staff):
    certificate = services.certificate_issue(
        cohort=cohort, user=mentored_participant(cohort), actor=staff
    )
    download = _downloader(client)
    verifier = ldp.OB3LdpVerifier.for_issuer_did(selectors.issuer_did())
    document = json.dumps(certificate.credential)
    # Our status list is secured like our credentials (a Data Integrity proof, checked above);
    # openbadgeslib checks the signatures of JWT status lists only, so it reads the bit here.
    verifier.verify(document, check_status=True, verify_status_list=False, download=download)

    services.certificate_revoke(certificate=certificate, actor=staff, reason="Issued in error.")
    with pytest.raises(ldp.OB3VerificationError, match="revocation"):
        verifier.verify(document, check_status=True, verify_status_list=False, download=download)


def test_a_list_without_certificates_is_not_found(client):
    response = client.get(reverse("certificates:status_list", args=[7]))
    assert response.status_code == 404
    assert response.json() == {"error": "not found"}


def test_without_a_signing_key_the_list_is_unavailable_not_an_error(
    client, cohort, staff, settings, tmp_path
):
    certificate = services.certificate_issue(
        cohort=cohort, user=mentored_participant(cohort), actor=staff
    )
    settings.COHORTLINE_SIGNING_KEYS_DIR = tmp_path / "empty"
    number = certificate.pk // services.STATUS_LIST_SIZE
    response = client.get(reverse("certificates:status_list", args=[number]))
    assert response.status_code == 503
    page = client.get(reverse("certificates:verify", args=[certificate.code]))
    assert page.status_code == 200
    assert "Signature not checked" in page.content.decode()
