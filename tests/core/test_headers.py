"""Security headers and cookies as served (test settings: http, plain cookie names)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import services
from applications.demo import demo_pdf
from tests.factories import CohortFactory

pytestmark = pytest.mark.django_db

PDF = demo_pdf("Siti Abdullah")


def test_csp_forbids_base_element(client):
    policy = client.get(reverse("landing"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["base-uri"] == "'none'"
    assert directives["script-src"] == "'self'"


def test_plain_cookie_names_over_http(client, applicant, settings):
    # __Host- cookies need https; the test server and the browser tests' live server are http.
    assert (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME) == ("sessionid", "csrftoken")
    client.get(reverse("account_login"))
    assert "csrftoken" in client.cookies


@pytest.fixture
def application_with_files(programme, applicant):
    cohort = CohortFactory(programme=programme)
    application = services.application_start(cohort=cohort, applicant=applicant)
    upload = SimpleUploadedFile("My CV.pdf", PDF, content_type="application/pdf")
    services.application_attach_file(
        application=application, key=None, upload=upload, display_name="My CV.pdf", actor=applicant
    )
    application.refresh_from_db()
    return application


def test_applicants_own_cv_download_is_never_cached(client, applicant, application_with_files):
    client.force_login(applicant)
    response = client.get(reverse("applications:file", args=[application_with_files.pk, "cv"]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == 'attachment; filename="My CV.pdf"'
    assert b"".join(response.streaming_content) == PDF


def test_applicants_cv_missing_from_storage_is_404_not_500(
    client, applicant, application_with_files
):
    application_with_files.cv.storage.delete(application_with_files.cv.name)
    client.force_login(applicant)
    response = client.get(reverse("applications:file", args=[application_with_files.pk, "cv"]))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
