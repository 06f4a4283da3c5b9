"""Private files in an S3-compatible bucket: uploads land there private and encrypted and nowhere
on disk; downloads are a 302 to a short-lived signed URL, or a stream; access checks and the
audit happen before either."""

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.demo import demo_pdf
from applications.models import Application
from config.settings import test as test_settings
from core.models import AuditEntry
from core.private_files import attachment_disposition, private_file_download
from tests.factories import ApplicationFactory, CohortFactory

# The uploaded CV carries this marker so that a copy of it can be recognised anywhere on disk.
MARKER = "Ayşe Kırmızı-S3-marker"
PDF = demo_pdf(MARKER)


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="Main intake", slug="main")


def _cv_url(cohort, application):
    return reverse(
        "applications:cohort_application_cv",
        args=[cohort.programme.slug, cohort.slug, application.pk],
    )


def _with_cv(cohort, cv_name="Siti CV.pdf", content=b"%PDF-1.4 the cv in the bucket"):
    application = ApplicationFactory(cohort=cohort, cv_name=cv_name)
    application.cv.save("cv.pdf", ContentFile(content), save=True)
    return application


def _bucket():
    return storages["private"].bucket_name


def _key(name):
    return f"private/{name}"


def _files(folder) -> dict[str, int]:
    """Every file under `folder` (but the virtualenv, git and bytecode) with its mtime."""
    found = {}
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in (".venv", ".git", "__pycache__", "node_modules")]
        for name in files:
            path = Path(root, name)
            try:
                found[str(path)] = path.stat().st_mtime_ns
            except FileNotFoundError:
                continue  # removed while we looked
    return found


# --- uploads -------------------------------------------------------------------------------------


@pytest.mark.s3
def test_cv_upload_lands_in_the_bucket_private_encrypted_and_nowhere_on_disk(
    client, cohort, applicant, s3_storage
):
    # The "private" alias is the bucket now; the disk storage of the test settings wrote to a
    # throw-away folder before the override.
    disk_private = test_settings.STORAGES["private"]["OPTIONS"]["location"]
    folders = [django_settings.MEDIA_ROOT, django_settings.PRIVATE_MEDIA_ROOT, disk_private]
    before = {str(f): _files(f) for f in folders}
    project_before = _files(django_settings.BASE_DIR)

    client.force_login(applicant)
    response = client.get(reverse("applications:apply", args=[cohort.programme.slug, "main"]))
    assert response.status_code == 200
    application = Application.objects.get(applicant=applicant, cohort=cohort)
    upload = SimpleUploadedFile("Mein Lebenslauf.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("applications:save", args=[application.pk]), {"cv": upload})
    assert response.status_code == 302, response.content.decode()[:500]

    application.refresh_from_db()
    assert application.cv_name == "Mein Lebenslauf.pdf"
    key = _key(application.cv.name)
    assert [o["Key"] for o in s3_storage.list_objects_v2(Bucket=_bucket())["Contents"]] == [key]
    assert s3_storage.get_object(Bucket=_bucket(), Key=key)["Body"].read() == PDF
    head = s3_storage.head_object(Bucket=_bucket(), Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    # Private: only the owner is granted anything, and an anonymous GET is refused.
    grants = s3_storage.get_object_acl(Bucket=_bucket(), Key=key)["Grants"]
    assert [(g["Grantee"]["Type"], g["Permission"]) for g in grants] == [
        ("CanonicalUser", "FULL_CONTROL")
    ]
    endpoint = django_settings.STORAGES["private"]["OPTIONS"]["endpoint_url"]
    anonymous = requests.get(f"{endpoint}/{_bucket()}/{key}", timeout=10)
    assert anonymous.status_code == 403
    assert PDF not in anonymous.content

    assert {str(f): _files(f) for f in folders} == before
    project_after = _files(django_settings.BASE_DIR)
    changed = [p for p, mtime in project_after.items() if project_before.get(p) != mtime]
    marker = MARKER.encode()
    assert [p for p in changed if p.endswith(".pdf") or marker in Path(p).read_bytes()] == []


# --- downloads -----------------------------------------------------------------------------------


@pytest.mark.s3
def test_staff_cv_download_redirects_to_a_signed_url_and_is_audited(
    client, cohort, staff, s3_storage
):
    application = _with_cv(cohort, cv_name='Siti "CV" 2026.pdf')
    client.force_login(staff)

    response = client.get(_cv_url(cohort, application))

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    location = urlsplit(response["Location"])
    endpoint = django_settings.STORAGES["private"]["OPTIONS"]["endpoint_url"]
    assert f"{location.scheme}://{location.netloc}" == endpoint
    assert location.path == f"/{_bucket()}/{_key(application.cv.name)}"
    query = parse_qs(location.query)
    assert query["X-Amz-Expires"] == ["60"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["response-cache-control"] == ["private, no-store"]
    assert AuditEntry.objects.get(action="applications.file_download").data == {"file": "cv"}

    fetched = requests.get(response["Location"], timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == b"%PDF-1.4 the cv in the bucket"
    assert fetched.headers["Content-Disposition"] == 'attachment; filename="Siti _CV_ 2026.pdf"'
    assert fetched.headers["Content-Type"] == "application/pdf"
    assert fetched.headers["Cache-Control"] == "private, no-store"


@pytest.mark.s3
def test_staff_cv_download_streams_the_object_in_stream_mode(
    client, cohort, programme_admin, s3_storage, settings
):
    settings.S3_DOWNLOADS = "stream"
    application = _with_cv(cohort)
    client.force_login(programme_admin)

    response = client.get(_cv_url(cohort, application))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 the cv in the bucket"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(b"%PDF-1.4 the cv in the bucket"))
    assert response["Content-Disposition"] == 'attachment; filename="Siti CV.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert AuditEntry.objects.filter(action="applications.file_download").count() == 1


@pytest.mark.s3
def test_applicant_downloads_their_own_cv_from_the_bucket(client, cohort, applicant, s3_storage):
    application = _with_cv(cohort)
    application.applicant = applicant
    application.save(update_fields=["applicant"])
    client.force_login(applicant)

    response = client.get(reverse("applications:file", args=[application.pk, "cv"]))

    assert response.status_code == 302
    assert requests.get(response["Location"], timeout=10).content == (
        b"%PDF-1.4 the cv in the bucket"
    )


@pytest.mark.s3
def test_staff_file_answer_download_redirects_to_a_signed_url(client, cohort, staff, s3_storage):
    path = storages["private"].save("answers/upload.pdf", ContentFile(b"%PDF-1.4 an answer"))
    application = ApplicationFactory(
        cohort=cohort, answers={"certificate": {"path": path, "name": "Certificate.pdf"}}
    )
    client.force_login(staff)

    response = client.get(
        reverse(
            "applications:cohort_application_file",
            args=[cohort.programme.slug, cohort.slug, application.pk, "certificate"],
        )
    )

    assert response.status_code == 302
    fetched = requests.get(response["Location"], timeout=10)
    assert fetched.content == b"%PDF-1.4 an answer"
    assert fetched.headers["Content-Disposition"] == 'attachment; filename="Certificate.pdf"'
    assert AuditEntry.objects.get(action="applications.file_download").data == {
        "file": "certificate"
    }


@pytest.mark.s3
@pytest.mark.parametrize(
    ("persona", "status"), [("outsider", 404), ("other_programme_admin", 404), ("applicant", 404)]
)
def test_cv_download_refused_to_others_without_a_url_or_an_audit(
    client, request, cohort, s3_storage, persona, status
):
    application = _with_cv(cohort)
    client.force_login(request.getfixturevalue(persona))

    response = client.get(_cv_url(cohort, application))

    assert response.status_code == status
    assert "Location" not in response
    assert "X-Amz" not in response.content.decode()
    assert not AuditEntry.objects.filter(action="applications.file_download").exists()


@pytest.mark.s3
@pytest.mark.parametrize("mode", ["redirect", "stream"])
def test_cv_download_of_a_missing_object_is_404(client, cohort, staff, s3_storage, settings, mode):
    settings.S3_DOWNLOADS = mode
    application = _with_cv(cohort)
    s3_storage.delete_object(Bucket=_bucket(), Key=_key(application.cv.name))
    client.force_login(staff)

    response = client.get(_cv_url(cohort, application))

    assert response.status_code == 404
    assert "Location" not in response


@pytest.mark.s3
def test_signed_url_carries_a_non_ascii_file_name(s3_storage):
    storages["private"].save("answers/certificate.pdf", ContentFile(b"%PDF-1.4 certificate"))

    response = private_file_download(
        "answers/certificate.pdf", filename="Zertifikat für Łukasz – 简历.pdf"
    )

    assert response.status_code == 302
    disposition = parse_qs(urlsplit(response["Location"]).query)["response-content-disposition"]
    expected = (
        "attachment; filename=\"Zertifikat fur _ukasz _ __.pdf\"; filename*=UTF-8''"
        "Zertifikat%20f%C3%BCr%20%C5%81ukasz%20%E2%80%93%20%E7%AE%80%E5%8E%86.pdf"
    )
    assert disposition == [expected]
    fetched = requests.get(response["Location"], timeout=10)
    assert fetched.content == b"%PDF-1.4 certificate"
    assert fetched.headers["Content-Disposition"] == expected


# --- the header on its own -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "header"),
    [
        ("cv.pdf", 'attachment; filename="cv.pdf"'),
        (
            "Résumé.pdf",
            "attachment; filename=\"Resume.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf",
        ),
        (
            "简历.pdf",
            "attachment; filename=\"download.pdf\"; filename*=UTF-8''%E7%AE%80%E5%8E%86.pdf",
        ),
        (
            'a"b\r\nSet-Cookie: x=1.pdf',
            "attachment; filename=\"a_bSet-Cookie: x=1.pdf\"; filename*=UTF-8''"
            "a%22bSet-Cookie%3A%20x%3D1.pdf",
        ),
        ("../../etc/passwd", 'attachment; filename=".._.._etc_passwd"'),
        ("..／..／etc／passwd", 'attachment; filename=".._.._etc_passwd"'),
        ("x＼", 'attachment; filename="x_"'),
        ("", 'attachment; filename="download"'),
    ],
    ids=["ascii", "accents", "cjk", "injection", "path", "full-width-path", "backslash", "empty"],
)
def test_attachment_disposition(filename, header):
    assert attachment_disposition(filename) == header


@pytest.mark.parametrize("seconds", ["0", "3601"])
def test_a_signed_link_may_not_live_longer_than_an_hour(monkeypatch, seconds):
    import environ
    from django.core.exceptions import ImproperlyConfigured

    from config.settings.base import s3_private_storage

    monkeypatch.setenv("S3_BUCKET", "cohortline-files")
    monkeypatch.setenv("S3_PRESIGNED_SECONDS", seconds)
    with pytest.raises(ImproperlyConfigured, match="S3_PRESIGNED_SECONDS"):
        s3_private_storage(environ.Env())


def test_the_bucket_client_gives_up_in_seconds(monkeypatch):
    import environ

    from config.settings.base import s3_private_storage

    monkeypatch.setenv("S3_BUCKET", "cohortline-files")
    config = s3_private_storage(environ.Env())["OPTIONS"]["client_config"]
    assert config.connect_timeout <= 5
    assert config.read_timeout <= 30
    assert config.retries["max_attempts"] <= 2
    assert config.signature_version == "s3v4"
