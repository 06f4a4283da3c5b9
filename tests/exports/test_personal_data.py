"""A person's copy of everything held about them (an access request): the archive's parts and
files, what it must never hold, building, retries, expiry, access and the "Your data" page."""

import datetime
import io
import json
import zipfile

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from applications.enums import ApplicationStatus
from core import privacy_registry
from core.models import AuditEntry
from exports import personal, selectors, services, tasks
from exports.enums import ExportStatus
from exports.models import Export
from exports.services import private_storage
from tests.auth import sign_in_confirmed
from tests.factories import (
    ApplicationFactory,
    MentorProfileFactory,
)
from tests.factories.accounts import ApplicantProfileFactory
from tests.factories.certificates import held_course
from tests.factories.privacy import everything as _everything
from tests.factories.privacy import privacy_cohort

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(programme):
    return privacy_cohort(programme)


@pytest.fixture
def world(cohort, staff):
    mentor = MentorProfileFactory(programme=cohort.programme)
    course = held_course(cohort)
    common = {"mentor": mentor, "course": course, "staff": staff}
    person, review = _everything(
        cohort, email="mei@example.com", name="Mei Lim", marker="MEI", **common
    )
    other, _ = _everything(
        cohort, email="raj@example.com", name="Raj Kumar", marker="RAJ", **common
    )
    return {"person": person, "other": other, "review": review, "mentor": mentor}


def _built(person) -> Export:
    export = services.personal_export_start(person=person)
    return services.export_build(export_id=export.pk)


def _archive(export) -> zipfile.ZipFile:
    with private_storage().open(export.file_name, "rb") as stored:
        return zipfile.ZipFile(io.BytesIO(stored.read()))


# --- what the archive holds ----------------------------------------------------------------------


def test_personal_export_holds_every_part_and_the_persons_files(world):
    export = _built(world["person"])
    assert export.status == ExportStatus.READY
    archive = _archive(export)
    names = set(archive.namelist())
    data = json.loads(archive.read("data.json"))
    assert set(data["parts"]) == {part.slug for part in privacy_registry.parts()}
    # Every part holds something of a participant, but the roles in programme teams: none.
    assert {slug: bool(part["records"]) for slug, part in data["parts"].items()} == {
        **dict.fromkeys(data["parts"], True),
        "programme_roles": False,
    }
    application = data["parts"]["applications"]["records"][0]
    assert application["answers"]["motivation"]["answer"] == "Motivation MEI"
    assert application["status"] == ApplicationStatus.ACCEPTED
    review = data["parts"]["reviews"]["records"][0]
    assert (review["scores"], review["recommendation"]) == ({"Impact": 4}, "yes")
    assert data["parts"]["consents"]["records"][0]["purpose"] == "news"
    log = data["parts"]["access_log"]["records"]
    assert [(entry["action"], entry["by"]) for entry in log] == [
        ("applications.view", "programme staff"),
        ("applications.file_download", "programme staff"),
    ]
    # The uploaded files and the certificate, byte for byte, and listed in data.json.
    files = sorted(name for name in names if name.startswith("files/"))
    assert files == sorted(data["files"])
    assert len(files) == 3
    contents = sorted(archive.read(name) for name in files)
    assert contents == [b"%PDF cert MEI", b"%PDF cv of MEI", b"%PDF plan of MEI"]
    assert names == {"data.json", "index.html", *files}
    assert export.rows_done == 5


def test_personal_export_holds_nothing_of_another_person_or_of_reviewers_and_staff(world, staff):
    archive = _archive(_built(world["person"]))
    text = "\n".join(archive.read(name).decode() for name in archive.namelist())
    reviewer = world["review"].assignment.reviewer
    for absent in (
        # the other applicant of the same cohort
        "Raj Kumar",
        "raj@example.com",
        "Motivation RAJ",
        "RAJ",
        # the reviewer, their comment, the mentor's private notes, the staff member who looked
        reviewer.email,
        "Reviewer private comment",
        "Mentor private note",
        staff.email,
    ):
        assert absent not in text
    assert "Mei Lim" in text
    assert "Shared summary MEI" in text


def test_personal_export_summary_is_readable_and_self_contained(world):
    html = _archive(_built(world["person"])).read("index.html").decode()
    assert "<h1>Your data</h1>" in html
    assert "Who looked at or downloaded your data" in html
    assert "Motivation MEI" in html
    for external in ("<script", "http://", "https://", "<link"):
        assert external not in html


def test_personal_export_hides_decisions_and_reviews_not_yet_released(world, cohort):
    cohort.decisions_released_at = None
    cohort.save(update_fields=["decisions_released_at"])
    application = world["person"].applications.get()
    application.status = ApplicationStatus.OFFERED
    application.save(update_fields=["status"])
    data = json.loads(_archive(_built(world["person"])).read("data.json"))
    assert data["parts"]["applications"]["records"][0]["status"] == ApplicationStatus.IN_REVIEW
    assert data["parts"]["reviews"]["records"] == []
    assert [r for r in data["parts"]["decisions"]["records"] if "offer" in r] == []


def test_personal_export_of_a_person_with_nothing_has_every_part_empty(outsider):
    data = json.loads(_archive(_built(outsider)).read("data.json"))
    assert data["person"]["email"] == "outsider@example.com"
    assert [slug for slug, part in data["parts"].items() if part["records"]] == ["account"]


def test_personal_export_collect_queries_do_not_grow_with_applications(
    cohort, django_assert_num_queries
):
    person = ApplicantProfileFactory().user
    ApplicationFactory(cohort=cohort, applicant=person)
    with django_assert_num_queries(26):
        personal.collect(person)
    for _ in range(2):
        ApplicationFactory(applicant=person)
    with django_assert_num_queries(26):
        personal.collect(person)


def test_privacy_registry_refuses_a_second_part_under_a_known_slug():
    known = privacy_registry.PARTS["applications"]
    privacy_registry.register(known)  # the very same part again: nothing happens
    impostor = privacy_registry.PrivacyPart(slug="applications", label="x", collect=known.collect)
    with pytest.raises(ImproperlyConfigured):
        privacy_registry.register(impostor)


# --- building, retries, expiry -------------------------------------------------------------------


def test_personal_export_start_is_audited_and_reuses_the_one_under_way(applicant):
    first = services.personal_export_start(person=applicant)
    again = services.personal_export_start(person=applicant)
    assert first == again
    assert (first.programme, first.requested_by, first.params["subject"]) == (
        None,
        applicant,
        applicant.pk,
    )
    entry = AuditEntry.objects.get(action="exports.start")
    assert (entry.actor, entry.programme_id, entry.data["kind"]) == (
        applicant,
        None,
        "personal_data",
    )


def test_personal_export_task_run_twice_builds_once(applicant):
    export = services.personal_export_start(person=applicant)
    assert tasks.build_export(export.pk) == ExportStatus.READY
    assert tasks.build_export(export.pk) == "skipped"
    export.refresh_from_db()
    assert export.attempts == 1
    assert AuditEntry.objects.filter(action="privacy.export_built").count() == 1
    assert private_storage().exists(export.file_name)
    assert export.file_name.startswith("exports/personal/")


def test_personal_export_abandoned_build_is_swept_and_built_again(applicant):
    export = services.personal_export_start(person=applicant)
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING,
        attempts=1,
        started_at=timezone.now() - datetime.timedelta(hours=2),
    )
    assert services.exports_sweep() == 1
    rebuilt = services.export_build(export_id=export.pk)
    assert (rebuilt.status, rebuilt.attempts) == (ExportStatus.READY, 2)
    assert rebuilt.file_name.endswith("-2.zip")


def test_personal_export_expires_and_its_file_is_deleted(client, applicant):
    export = _built(applicant)
    name = export.file_name
    assert export.expires_at == export.finished_at + datetime.timedelta(days=7)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=6), tick=False):
        assert services.exports_expire() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, minutes=1), tick=False):
        assert services.exports_expire() == 1
    export.refresh_from_db()
    assert (export.status, export.file_name) == (ExportStatus.EXPIRED, "")
    assert not private_storage().exists(name)
    client.force_login(applicant)
    response = client.get(reverse("exports:personal_data_download", args=[export.uuid]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()


# --- access --------------------------------------------------------------------------------------


def _state() -> list:
    return [
        list(Export.objects.order_by("pk").values_list()),
        AuditEntry.objects.filter(action__startswith="exports.").count(),
    ]


@pytest.mark.parametrize(
    "persona", ["outsider", "staff", "programme_admin", "platform_admin", "participant"]
)
def test_personal_export_of_someone_else_is_404_for_everybody(client, request, applicant, persona):
    export = _built(applicant)
    user = request.getfixturevalue(persona)
    sign_in_confirmed(client, user)
    before = _state()
    response = client.get(reverse("exports:personal_data_download", args=[export.uuid]))
    assert response.status_code == 404
    page = client.get(reverse("exports:personal_data")).content.decode()
    assert str(export.uuid) not in page
    assert _state() == before


def test_personal_export_is_not_reachable_through_the_programme_pages(
    client, programme, programme_admin, applicant
):
    export = _built(applicant)
    sign_in_confirmed(client, programme_admin)
    for name in ("exports:export_detail", "exports:export_download"):
        assert client.get(reverse(name, args=[programme.slug, export.pk])).status_code == 404
    assert selectors.export_get_for_programme(programme=programme, export_id=export.pk) is None


def test_personal_data_page_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("exports:personal_data"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- the page ------------------------------------------------------------------------------------


def test_personal_data_page_happy_path(client, applicant, django_capture_on_commit_callbacks):
    client.force_login(applicant)
    url = reverse("exports:personal_data")
    page = client.get(url).content.decode()
    assert '<h1 class="h3">Your data</h1>' in page
    assert 'data-testid="empty"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert (response.status_code, response["Location"]) == (302, url)
    export = Export.objects.get(requested_by=applicant)
    assert export.status == ExportStatus.READY  # the demo and tests run tasks at once
    page = client.get(url).content.decode()
    download = reverse("exports:personal_data_download", args=[export.uuid])
    assert download in page
    assert "every 2s" not in page
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store"
    body = b"".join(response.streaming_content)
    data = json.loads(zipfile.ZipFile(io.BytesIO(body)).read("data.json"))
    assert data["person"] == {"id": applicant.pk, "email": applicant.email}
    entry = AuditEntry.objects.get(action="exports.download")
    assert (entry.actor, entry.target_id, entry.programme_id) == (applicant, str(export.pk), None)


def test_personal_data_page_polls_while_a_copy_is_built(client, applicant):
    export = services.personal_export_start(person=applicant)
    client.force_login(applicant)
    page = client.get(reverse("exports:personal_data")).content.decode()
    assert "every 2s" in page
    assert reverse("exports:personal_data_download", args=[export.uuid]) not in page
    part = client.get(
        reverse("exports:personal_data") + "?part=list", headers={"HX-Request": "true"}
    )
    assert part.status_code == 200
    assert "<h1" not in part.content.decode()
    response = client.get(reverse("exports:personal_data_download", args=[export.uuid]))
    assert response.status_code == 409


def test_personal_data_download_in_an_old_session_asks_for_the_password(client, applicant):
    export = _built(applicant)
    client.force_login(applicant)
    later = timezone.now() + datetime.timedelta(minutes=15)
    with time_machine.travel(later, tick=False):
        response = client.get(reverse("exports:personal_data_download", args=[export.uuid]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not AuditEntry.objects.filter(action="exports.download").exists()


# The session, the user, their roles, the list of copies, the navigation's memberships.
QUERIES = 5


@pytest.mark.parametrize("count", [1, 3])
def test_personal_data_page_queries_do_not_grow(
    client, applicant, django_assert_num_queries, count
):
    for _ in range(count):
        _built(applicant)
    client.force_login(applicant)
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("exports:personal_data"))
    assert response.content.decode().count('data-testid="personal-export"') == count
