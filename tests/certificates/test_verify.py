"""Public verification: anyone, without an account, sees whether a certificate is valid or
revoked and whether its signature checks out, and nothing else about the person; an unknown
code is a plain 404; the pages are rate-limited; the credential and the DID document are JSON."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from certificates import services
from certificates.models import Certificate
from selection.models import Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(participant):
    return Participant.objects.select_related("cohort__programme").get(user=participant).cohort


@pytest.fixture
def certificate(cohort, participant, staff, programme_admin):
    services.rule_save(
        cohort=cohort,
        actor=programme_admin,
        achievement_name="Applied AI Practitioner",
        assessments_must_pass=False,
        requires_sign_off=True,
    )
    services.sign_off(cohort=cohort, user=participant, actor=staff)
    return services.certificate_issue(cohort=cohort, user=participant, actor=staff)


def _verify(certificate) -> str:
    return reverse("certificates:verify", args=[certificate.code])


def test_verify_page_shows_a_valid_certificate(client, certificate, participant):
    response = client.get(_verify(certificate))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<h1") == 1
    assert "<strong>Valid</strong>" in body
    for shown in (
        certificate.holder_name,
        certificate.programme_name,
        certificate.cohort_name,
        certificate.issuer_name,
    ):
        assert shown in body
    assert 'data-testid="signature"' in body and "Signature checked" in body
    assert reverse("certificates:credential", args=[certificate.code]) in body
    # Nothing else about the person.
    assert participant.email not in body


def test_verify_page_shows_a_revocation_with_date_and_reason(client, certificate, staff):
    services.certificate_revoke(certificate=certificate, actor=staff, reason="Issued in error")
    certificate.refresh_from_db()
    body = client.get(_verify(certificate)).content.decode()
    assert "<strong>Revoked</strong>" in body
    assert "Issued in error" in body
    # The day where the site is, which is not UTC's for eight hours of every day.
    assert f"{timezone.localtime(certificate.revoked_at):%-d %B %Y}" in body
    assert "<strong>Valid</strong>" not in body


def test_verify_unknown_code_is_a_plain_404(client, certificate):
    code = "x" * 43
    response = client.get(reverse("certificates:verify", args=[code]))
    body = response.content.decode()
    assert response.status_code == 404
    assert code not in body and "certificate" not in body.lower()


def test_verify_says_when_the_stored_credential_was_changed(client, certificate):
    tampered = json.loads(json.dumps(certificate.credential))
    tampered["credentialSubject"]["name"] = "Somebody Else"
    Certificate.objects.filter(pk=certificate.pk).update(credential=tampered)
    body = client.get(_verify(certificate)).content.decode()
    assert "Signature not verified." in body
    assert "Signature checked" not in body


def test_verify_is_rate_limited_per_client(client, certificate, settings):
    settings.COHORTLINE_VERIFY_RATE_PER_MINUTE = 3
    url = _verify(certificate)
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(url)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert certificate.holder_name not in refused.content.decode()
    # Another address is not held back.
    assert client.get(url, REMOTE_ADDR="198.51.100.9").status_code == 200


def test_credential_json_is_the_stored_credential(client, certificate):
    response = client.get(reverse("certificates:credential", args=[certificate.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json() == certificate.credential


def test_credential_json_unknown_is_a_json_404(client, certificate):
    response = client.get(reverse("certificates:credential", args=["nope"]))
    assert response.status_code == 404
    assert response.json() == {"error": "not found"}


def test_did_document_lists_the_signing_key(client, certificate):
    response = client.get(reverse("certificates:did"))
    document = response.json()
    assert response.status_code == 200
    assert document["id"] == certificate.credential["issuer"]["id"]
    methods = [method["id"] for method in document["verificationMethod"]]
    assert certificate.credential["proof"]["verificationMethod"] in methods


def test_verify_limit_reads_the_client_behind_a_trusted_proxy(client, certificate, settings):
    settings.COHORTLINE_VERIFY_RATE_PER_MINUTE = 1
    url = _verify(certificate)
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    # Behind one proxy, X-Forwarded-For's last entry is the client the proxy saw.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    first = client.get(url, headers={"x-forwarded-for": "203.0.113.5"}, **proxy)
    assert first.status_code == 200
    assert client.get(url, headers={"x-forwarded-for": "203.0.113.5"}, **proxy).status_code == 429
    other = client.get(url, headers={"x-forwarded-for": "198.51.100.7, 203.0.113.6"}, **proxy)
    assert other.status_code == 200  # a forged first entry is not taken for the client
    # Without a trusted proxy the header is ignored: everyone is the proxy's address.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert client.get(url, headers={"x-forwarded-for": "192.0.2.44"}, **proxy).status_code == 200
    assert client.get(url, headers={"x-forwarded-for": "192.0.2.45"}, **proxy).status_code == 429


def test_verify_limit_counts_an_ipv6_client_per_64(client, certificate, settings):
    settings.COHORTLINE_VERIFY_RATE_PER_MINUTE = 2
    url = _verify(certificate)
    inside = ["2001:db8:1:2::1", "2001:db8:1:2:ffff::9", "2001:db8:1:2:abcd:1:2:3"]
    assert [client.get(url, REMOTE_ADDR=a).status_code for a in inside] == [200, 200, 429]
    assert client.get(url, REMOTE_ADDR="2001:db8:1:3::1").status_code == 200
