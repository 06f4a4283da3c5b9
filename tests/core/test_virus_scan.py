"""Uploads go through clamd's INSTREAM when CLAMD_URL is set: clean ones pass, infected ones are
refused, and when the scanner cannot answer every upload is refused (fail closed)."""

import logging
import socketserver
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.demo import demo_pdf
from applications.models import Application
from cohorts.enums import QuestionType
from core import virus_scan
from tests.core.conftest import EICAR, _ClamdHandler
from tests.factories import CohortFactory, QuestionFactory

PDF = demo_pdf("Siti Abdullah")
INFECTED_PDF = PDF + EICAR + b"\n%%EOF\n"
INFECTED_MESSAGE = "This file contains a virus or other malware and was not accepted."
UNCHECKED_MESSAGE = "The file could not be checked for viruses just now, so it was not saved."


def _upload(name="cv.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- the protocol client -------------------------------------------------------------------


def test_scan_chunks_clean_file_is_streamed_in_chunks(fake_clamd):
    content = b"%PDF-1.4\n" + bytes(range(256)) * 1000 + b"\n%%EOF\n"  # ~256 kB: several chunks
    result = virus_scan.scan_chunks(_upload(content=content).chunks(virus_scan.CHUNK_SIZE))
    assert result == virus_scan.ScanResult(is_clean=True)
    [(received, chunks)] = fake_clamd.streams
    assert received == content
    assert chunks == 4


def test_scan_chunks_names_the_signature_of_an_infected_file(fake_clamd):
    result = virus_scan.scan_chunks([INFECTED_PDF])
    assert result == virus_scan.ScanResult(is_clean=False, signature="Eicar-Test-Signature")


def test_scan_chunks_unreachable_scanner_raises(unreachable_clamd):
    with pytest.raises(virus_scan.ScannerUnavailable, match="ConnectionRefusedError"):
        virus_scan.scan_chunks([PDF])


def test_scan_chunks_error_reply_raises(fake_clamd):
    fake_clamd.reply = b"INSTREAM size limit exceeded. ERROR\0"
    with pytest.raises(virus_scan.ScannerUnavailable, match="size limit exceeded"):
        virus_scan.scan_chunks([PDF])


def test_scan_chunks_over_a_unix_socket(settings, tmp_path):
    path = tmp_path / "clamd.ctl"
    server = socketserver.ThreadingUnixStreamServer(str(path), _ClamdHandler)
    server.streams, server.reply = [], None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.CLAMD_URL = f"unix://{path}"
    settings.CLAMD_TIMEOUT_SECONDS = 5
    try:
        assert virus_scan.scan_chunks([PDF]).is_clean
        assert not virus_scan.scan_chunks([INFECTED_PDF]).is_clean
    finally:
        server.shutdown()
        server.server_close()


def test_validate_upload_is_clean_does_nothing_without_scanner(settings):
    settings.CLAMD_URL = ""
    virus_scan.validate_upload_is_clean(_upload(content=INFECTED_PDF))  # not scanned, not refused


def test_validate_upload_is_clean_refuses_and_logs(fake_clamd, caplog):
    upload = _upload("holiday.pdf", INFECTED_PDF)
    with (
        caplog.at_level(logging.WARNING, logger="core.virus_scan"),
        pytest.raises(ValidationError) as excinfo,
    ):
        virus_scan.validate_upload_is_clean(upload)
    assert excinfo.value.code == "infected"
    assert "'holiday.pdf': Eicar-Test-Signature" in caplog.text
    assert upload.tell() == 0  # ready to be read again


def test_validate_upload_is_clean_fails_closed_and_logs(unreachable_clamd, caplog):
    with (
        caplog.at_level(logging.ERROR, logger="core.virus_scan"),
        pytest.raises(ValidationError) as excinfo,
    ):
        virus_scan.validate_upload_is_clean(_upload())
    assert excinfo.value.code == "scan_unavailable"
    assert excinfo.value.messages == [f"{UNCHECKED_MESSAGE} Please try again in a few minutes."]
    assert f"no verdict from {unreachable_clamd}" in caplog.text


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:3310", "tcp://127.0.0.1", "unix://", "clamd.ctl"]
)
def test_parse_clamd_url_rejects_what_it_cannot_use(url):
    with pytest.raises(ValueError, match="is not tcp://host:port or unix:///path"):
        virus_scan.parse_clamd_url(url)


# --- uploads through the application form -----------------------------------------------------


@pytest.fixture
def draft(client, programme, applicant):
    cohort = CohortFactory(programme=programme, name="Main intake", slug="main")
    QuestionFactory(
        cohort=cohort,
        key="certificate",
        label="Latest certificate",
        type=QuestionType.FILE,
        is_required=False,
    )
    client.force_login(applicant)
    response = client.get(reverse("applications:apply", args=[programme.slug, cohort.slug]))
    assert response.status_code == 200
    return Application.objects.get(applicant=applicant, cohort=cohort)


def _save(client, application, **files):
    return client.post(reverse("applications:save", args=[application.pk]), files)


@pytest.mark.django_db
def test_clean_cv_is_scanned_then_stored(client, draft, fake_clamd):
    response = _save(client, draft, cv=_upload())
    assert response.status_code == 302
    assert fake_clamd.streams == [(PDF, 1)]
    draft.refresh_from_db()
    assert draft.cv
    download = client.get(reverse("applications:file", args=[draft.pk, "cv"]))
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.django_db
def test_infected_cv_is_refused_and_not_stored(client, draft, fake_clamd):
    response = _save(client, draft, cv=_upload(content=INFECTED_PDF))
    assert response.status_code == 400
    assert INFECTED_MESSAGE in response.content.decode()
    draft.refresh_from_db()
    assert not draft.cv
    assert client.get(reverse("applications:file", args=[draft.pk, "cv"])).status_code == 404


@pytest.mark.django_db
def test_infected_file_answer_is_refused_and_not_stored(client, draft, fake_clamd):
    response = _save(client, draft, q_certificate=_upload("cert.pdf", INFECTED_PDF))
    assert response.status_code == 400
    assert INFECTED_MESSAGE in response.content.decode()
    draft.refresh_from_db()
    assert "certificate" not in draft.answers


@pytest.mark.django_db
def test_upload_is_refused_while_the_scanner_is_unreachable(client, draft, unreachable_clamd):
    response = _save(client, draft, cv=_upload())
    assert response.status_code == 400
    assert UNCHECKED_MESSAGE in response.content.decode()
    draft.refresh_from_db()
    assert not draft.cv


@pytest.mark.django_db
def test_not_a_pdf_is_refused_before_scanning(client, draft, fake_clamd):
    response = _save(client, draft, cv=_upload(content=b"<html></html>"))
    assert "This is not a PDF file" in response.content.decode()
    assert fake_clamd.streams == []
