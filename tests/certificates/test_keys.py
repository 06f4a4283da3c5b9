"""Signing keys live in files, the newest signs, and a rotation keeps old credentials valid."""

import pytest
from django.core.management import call_command

from certificates import keys, ob3, selectors, services
from tests.factories import CertificationRuleFactory, CohortFactory
from tests.factories.certificates import mentored_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys_dir(tmp_path, settings):
    settings.COHORTLINE_SIGNING_KEYS_DIR = tmp_path / "keys"
    return tmp_path / "keys"


def test_no_key_is_ever_created_by_using_them(keys_dir):
    assert keys.key_ids() == []
    with pytest.raises(keys.NoSigningKey, match="certificates_keygen"):
        keys.current_key()
    assert keys.public_keys() == []
    assert selectors.did_document()["verificationMethod"] == []
    assert keys.key_ids() == []


def test_keygen_creates_a_private_key_file(keys_dir):
    call_command("certificates_keygen")
    (key_id,) = keys.key_ids()
    path = keys_dir / f"{key_id}.pem"
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert path.stat().st_mode & 0o777 == 0o600
    assert keys.current_key()[0] == key_id


def test_issuing_without_a_key_says_how_to_make_one(keys_dir, programme, staff):
    cohort = CohortFactory(programme=programme)
    CertificationRuleFactory(cohort=cohort)
    with pytest.raises(services.CertificateError, match="certificates_keygen"):
        services.certificate_issue(cohort=cohort, user=mentored_participant(cohort), actor=staff)
    assert keys.key_ids() == []


def test_keygen_command_rotates_and_old_credentials_still_verify(keys_dir, programme, staff):
    cohort = CohortFactory(programme=programme)
    CertificationRuleFactory(cohort=cohort)
    call_command("certificates_keygen")
    old = services.certificate_issue(cohort=cohort, user=mentored_participant(cohort), actor=staff)
    call_command("certificates_keygen")
    assert len(keys.key_ids()) == 2
    new = services.certificate_issue(cohort=cohort, user=mentored_participant(cohort), actor=staff)
    assert new.key_id == keys.key_ids()[-1] != old.key_id

    document = selectors.did_document()
    assert [m["id"].split("#")[1] for m in document["verificationMethod"]] == keys.key_ids()
    assert document["assertionMethod"] == [m["id"] for m in document["verificationMethod"]]
    resolver = ob3.key_resolver_from_did_document(document)
    assert ob3.verify(old.credential, resolve_key=resolver)
    assert ob3.verify(new.credential, resolve_key=resolver)


def test_did_document_names_the_site(keys_dir, settings):
    call_command("certificates_keygen")
    settings.SITE_URL = "https://cohortline.example.org"
    document = selectors.did_document()
    assert document["id"] == "did:web:cohortline.example.org"
    assert document["verificationMethod"][0]["type"] == "Multikey"
