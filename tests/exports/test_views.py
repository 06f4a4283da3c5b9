import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from exports import services
from exports.enums import ExportStatus
from exports.models import Export
from exports.services import private_storage
from tests.factories import ExportFactory

pytestmark = pytest.mark.django_db


def _export_url(programme, cohort, query="format=csv"):
    path = reverse("applications:cohort_applications_export", args=[programme.slug, cohort.slug])
    return f"{path}?{query}"


def _url(name, export, programme=None):
    return reverse(f"exports:{name}", args=[(programme or export.programme).slug, export.pk])


def _ready(programme, user, fmt="csv"):
    export = services.export_start(
        programme=programme,
        requested_by=user,
        kind="applications",
        params={"cohort": "main", "filters": {}},
        fmt=fmt,
        download_name=f"ai-forward-main-applications.{fmt}",
    )
    return services.export_build(export_id=export.pk)


def _state() -> list:
    return [
        list(Export.objects.order_by("pk").values_list()),
        # Signing in writes its own entries; exports and downloads must write none.
        AuditEntry.objects.filter(action__startswith="exports.").count(),
        AuditEntry.objects.filter(action="applications.export").count(),
    ]


# --- the switch in the applications' export ----------------------------------------------------


def test_application_export_at_the_threshold_downloads_in_the_request(
    client, programme, programme_admin, cohort, applications, settings
):
    settings.COHORTLINE_EXPORT_INLINE_MAX_ROWS = 3
    client.force_login(programme_admin)
    response = client.get(_export_url(programme, cohort))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) == 4
    assert not Export.objects.exists()


def test_application_export_above_the_threshold_is_built_by_a_worker(
    client,
    programme,
    programme_admin,
    cohort,
    applications,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.COHORTLINE_EXPORT_INLINE_MAX_ROWS = 2
    client.force_login(programme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(_export_url(programme, cohort, "format=xlsx&status=submitted"))
    export = Export.objects.get()
    assert response.status_code == 303
    assert response["Location"] == _url("export_detail", export)
    assert (export.kind, export.format, export.requested_by) == (
        "applications",
        "xlsx",
        programme_admin,
    )
    assert export.params["filters"] == {"status": "submitted"}
    assert export.download_name.startswith("ai-forward-2026-main-applications-")
    assert export.status == ExportStatus.READY
    assert export.rows_done == 3
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert _url("export_download", export) in page.content.decode()


def test_application_export_above_the_threshold_still_refuses_bad_filters(
    client, programme, programme_admin, cohort, applications, settings
):
    settings.COHORTLINE_EXPORT_INLINE_MAX_ROWS = 2
    client.force_login(programme_admin)
    assert client.get(_export_url(programme, cohort, "format=pdf")).status_code == 400
    bad = client.get(_export_url(programme, cohort, "format=csv&submitted_after=0001-01-01"))
    assert bad.status_code == 400
    assert not Export.objects.exists()


# --- the list ----------------------------------------------------------------------------------


def test_export_list_shows_only_the_users_exports_of_the_programme(
    client, programme, other_programme, programme_admin, staff, cohort, applications
):
    mine = _ready(programme, programme_admin)
    ExportFactory(programme=programme, requested_by=staff)
    ExportFactory(programme=other_programme, requested_by=programme_admin)
    client.force_login(programme_admin)
    response = client.get(reverse("exports:export_list", args=[programme.slug]))
    assert response.status_code == 200
    assert [row["export"] for row in response.context["rows"]] == [mine]
    page = response.content.decode()
    assert "Applications of a cohort" in page
    assert _url("export_download", mine) in page


def test_export_list_empty_says_what_to_do(client, programme, staff):
    client.force_login(staff)
    response = client.get(reverse("exports:export_list", args=[programme.slug]))
    assert response.context["rows"] == []
    assert "You have no exports in this programme." in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_export_list_queries_do_not_grow(
    client, programme, programme_admin, count, django_assert_num_queries
):
    for _ in range(count):
        ExportFactory(programme=programme, requested_by=programme_admin)
    client.force_login(programme_admin)
    url = reverse("exports:export_list", args=[programme.slug])
    client.get(url)
    with django_assert_num_queries(5):
        response = client.get(url)
    assert len(response.context["rows"]) == count


def test_export_list_refuses_an_outsider_and_an_applicant(client, programme, outsider, applicant):
    for user in (outsider, applicant):
        client.force_login(user)
        assert client.get(reverse("exports:export_list", args=[programme.slug])).status_code == 404


# --- one export's page -------------------------------------------------------------------------


def test_export_detail_polls_while_busy_then_refreshes(client, programme, programme_admin):
    export = ExportFactory(
        programme=programme,
        requested_by=programme_admin,
        status=ExportStatus.RUNNING,
        rows_total=10,
        rows_done=4,
    )
    client.force_login(programme_admin)
    page = client.get(_url("export_detail", export)).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert '<progress class="w-100" value="40" max="100"' in page
    part = client.get(_url("export_detail", export), {"part": "progress"}, HTTP_HX_REQUEST="true")
    assert part.status_code == 200
    assert part.content.decode().strip().startswith('<div id="export-progress"')
    assert "4 of 10 rows" in part.content.decode()
    Export.objects.filter(pk=export.pk).update(status=ExportStatus.READY)
    done = client.get(_url("export_detail", export), {"part": "progress"}, HTTP_HX_REQUEST="true")
    assert (done.status_code, done["HX-Refresh"]) == (204, "true")


def test_export_detail_shows_a_failure(client, programme, programme_admin):
    export = ExportFactory(
        programme=programme,
        requested_by=programme_admin,
        status=ExportStatus.FAILED,
        error="OSError: disk full",
    )
    client.force_login(programme_admin)
    page = client.get(_url("export_detail", export)).content.decode()
    assert "The export could not be built." in page
    assert "OSError: disk full" in page
    assert "every 2s" not in page


# --- the download --------------------------------------------------------------------------------


def test_export_download_gives_the_file_to_its_requester_and_audits(
    client, programme, staff, cohort, applications
):
    export = _ready(programme, staff)
    client.force_login(staff)
    response = client.get(_url("export_download", export))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert 'filename="ai-forward-main-applications.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("ID,Status,Submitted at,Full name,Email")
    entry = AuditEntry.objects.get(action="exports.download")
    assert (entry.actor, entry.target_id, entry.data) == (
        staff,
        str(export.pk),
        {"kind": "applications", "format": "csv", "rows": 3},
    )


def test_export_download_is_allowed_to_a_programme_admin(
    client, programme, staff, programme_admin, cohort, applications
):
    export = _ready(programme, staff)
    client.force_login(programme_admin)
    assert client.get(_url("export_download", export)).status_code == 200


@pytest.mark.parametrize("page", ["export_detail", "export_download"])
def test_export_is_refused_to_others_and_changes_nothing(
    client,
    page,
    programme,
    other_programme,
    programme_admin,
    staff,
    reviewer,
    outsider,
    cohort,
    applications,
):
    from tests.conftest import _member

    export = _ready(programme, programme_admin)
    other_staff = _member(programme, "staff2@example.com", "Second Staff", "staff", with_totp=True)
    other_admin = _member(
        other_programme, "other.admin@example.com", "Oscar", "programme_admin", with_totp=True
    )
    before = _state()
    expected = {staff: 403, other_staff: 403, reviewer: 403, outsider: 404, other_admin: 404}
    for user, status in expected.items():
        client.force_login(user)
        assert client.get(_url(page, export)).status_code == status, user
    # Another programme's export, through this programme's address, and the other way round.
    client.force_login(programme_admin)
    ExportFactory(programme=other_programme, requested_by=programme_admin)
    foreign = Export.objects.get(programme=other_programme)
    assert client.get(_url(page, foreign, programme)).status_code == 404
    client.force_login(other_admin)
    assert client.get(_url(page, export, other_programme)).status_code == 404
    client.logout()
    assert client.get(_url(page, export)).status_code == 302
    foreign.delete()
    assert _state() == before


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (ExportStatus.QUEUED, 409, "It is not ready yet."),
        (ExportStatus.RUNNING, 409, "It is not ready yet."),
        (ExportStatus.FAILED, 409, "It could not be built."),
        (ExportStatus.EXPIRED, 410, "It has expired and its file was deleted."),
    ],
)
def test_export_download_of_an_unavailable_export_says_why(
    client, programme, programme_admin, status, code, message
):
    export = ExportFactory(programme=programme, requested_by=programme_admin, status=status)
    client.force_login(programme_admin)
    response = client.get(_url("export_download", export))
    assert response.status_code == code
    assert message in response.content.decode()
    assert not AuditEntry.objects.filter(action="exports.download").exists()


def test_export_download_of_a_missing_file_says_so(
    client, programme, programme_admin, cohort, applications
):
    export = _ready(programme, programme_admin)
    private_storage().delete(export.file_name)
    client.force_login(programme_admin)
    response = client.get(_url("export_download", export))
    assert response.status_code == 410
    assert "Its file is no longer in the storage." in response.content.decode()


def test_export_download_after_expiry_says_expired(
    client, programme, programme_admin, cohort, applications
):
    export = _ready(programme, programme_admin)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        services.exports_expire()
    client.force_login(programme_admin)
    assert client.get(_url("export_download", export)).status_code == 410


def test_export_download_in_an_old_session_asks_for_the_password(
    client, programme, programme_admin, cohort, applications
):
    export = _ready(programme, programme_admin)
    client.force_login(programme_admin)
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=15)
    with time_machine.travel(later, tick=False):
        response = client.get(_url("export_download", export))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not AuditEntry.objects.filter(action="exports.download").exists()
