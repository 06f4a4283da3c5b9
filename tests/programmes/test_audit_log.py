"""The programme's audit log: its admins read and export what happened in their programme."""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from core.services import audit_record
from programmes.enums import RoleKind
from tests.applications.test_exports import read_xlsx
from tests.factories import CohortFactory, ProgrammeRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _url(programme, name="programme_audit"):
    return reverse(f"programmes:{name}", args=[programme.slug])


def _entries(response):
    return list(response.context["page"].object_list)


@pytest.fixture
def log(programme, other_programme, programme_admin, staff, other_programme_admin):
    """Entries of the programme by two people, and one of the other programme that must not
    leak."""
    cohort = CohortFactory(programme=programme, name="Spring intake")
    with time_machine.travel(datetime.datetime(2026, 3, 2, 4, 0, tzinfo=datetime.UTC)):
        first = audit_record(
            actor=programme_admin,
            action="selection.quota_create",
            target=cohort,
            programme=programme,
            name="Women in tech",
        )
    with time_machine.travel(datetime.datetime(2026, 3, 9, 4, 0, tzinfo=datetime.UTC)):
        second = audit_record(
            actor=staff,
            action="applications.export",
            target=cohort,
            programme=programme.pk,
            format="csv",
            rows=12,
        )
    audit_record(
        actor=other_programme_admin,
        action="applications.export",
        target=CohortFactory(programme=other_programme),
        programme=other_programme,
        format="csv",
        rows=99,
    )
    audit_record(actor=staff, action="account.login")  # belongs to no programme
    return {"cohort": cohort, "first": first, "second": second}


def test_audit_log_lists_the_programmes_entries_newest_first(
    client, programme, programme_admin, log
):
    client.force_login(programme_admin)
    response = client.get(_url(programme))

    assert response.status_code == 200
    assert _entries(response) == [log["second"], log["first"]]
    body = response.content.decode()
    assert "Applications exported" in body and "Quota added" in body
    assert "staff@example.com" in body
    assert "format=csv; rows=12" in body
    assert f"Cohort #{log['cohort'].pk}" in body
    assert "rows=99" not in body and "other.admin@example.com" not in body


def test_audit_log_shows_the_request_id(client, programme, programme_admin):
    client.force_login(programme_admin)
    client.post(
        reverse("programmes:programme_outbox_release", args=[programme.slug]),
        HTTP_X_REQUEST_ID="req-0123456789",
    )
    response = client.get(_url(programme))
    [entry] = _entries(response)
    assert (entry.action, entry.request_id) == ("programme.outbox_release", "req-0123456789")
    assert "req-0123456789" in response.content.decode()


def test_platform_admin_reads_any_programmes_log(client, programme, platform_admin, log):
    client.force_login(platform_admin)
    response = client.get(_url(programme))
    assert _entries(response) == [log["second"], log["first"]]


@pytest.mark.parametrize("persona", ["staff", "reviewer", "mentor"])
def test_audit_log_is_refused_to_the_programmes_other_roles(
    client, programme, log, persona, request
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url(programme)).status_code == 403
    assert client.get(_url(programme, "programme_audit_export")).status_code == 403
    assert not AuditEntry.objects.filter(action="programme.audit_export").exists()


@pytest.mark.parametrize("persona", ["outsider", "other_programme_admin", "participant"])
def test_audit_log_is_hidden_from_people_outside_the_programme(
    client, programme, log, persona, request
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url(programme)).status_code == 404
    assert client.get(_url(programme, "programme_audit_export")).status_code == 404
    assert not AuditEntry.objects.filter(action="programme.audit_export").exists()


def test_audit_log_asks_anonymous_visitors_to_sign_in(client, programme, log):
    response = client.get(_url(programme))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"actor": "STAFF@example"}, ["second"]),
        ({"actor": "programme.admin@example.com"}, ["first"]),
        ({"action": "selection.quota_create"}, ["first"]),
        ({"target_type": "cohorts.cohort"}, ["second", "first"]),
        ({"target_type": "applications.application"}, []),
        ({"after": "2026-03-05"}, ["second"]),
        ({"before": "2026-03-05"}, ["first"]),
        ({"after": "2026-03-02", "before": "2026-03-02"}, ["first"]),
        ({"after": "2026-03-09", "before": "2026-03-09"}, ["second"]),
    ],
)
def test_audit_log_filters(client, programme, programme_admin, log, query, expected):
    client.force_login(programme_admin)
    response = client.get(_url(programme), query)
    assert response.status_code == 200
    assert _entries(response) == [log[name] for name in expected]


def test_audit_log_filters_by_object(client, programme, programme_admin, log):
    client.force_login(programme_admin)
    response = client.get(
        _url(programme), {"target_type": "cohorts.cohort", "target_id": str(log["cohort"].pk)}
    )
    assert _entries(response) == [log["second"], log["first"]]
    response = client.get(_url(programme), {"target_id": "999999"})
    assert _entries(response) == []
    assert "No entry matches these filters." in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"after": "2026-02-30"}, "Enter a valid date."),
        ({"before": "not a day"}, "Enter a valid date."),
        ({"after": "0001-01-01"}, "Enter a day between 2000-01-01 and 2099-12-31."),
        ({"before": "9999-12-31"}, "Enter a day between 2000-01-01 and 2099-12-31."),
        (
            {"after": "2026-03-09", "before": "2026-03-01"},
            "The first day comes after the last day.",
        ),
        ({"action": "nothing.happened"}, "Select a valid choice."),
    ],
)
def test_audit_log_bad_filters_are_explained_not_500(
    client, programme, programme_admin, log, query, message
):
    client.force_login(programme_admin)
    response = client.get(_url(programme), query)
    assert response.status_code == 400
    assert message in response.content.decode()
    # The list stays whole while the filters are wrong.
    assert _entries(response) == [log["second"], log["first"]]

    export = client.get(_url(programme, "programme_audit_export"), {"format": "csv", **query})
    assert export.status_code == 400
    assert message in export.content.decode()
    assert not AuditEntry.objects.filter(action="programme.audit_export").exists()


def test_audit_log_page_out_of_range_shows_the_last_page(client, programme, programme_admin, log):
    client.force_login(programme_admin)
    response = client.get(_url(programme), {"page": "999"})
    assert response.status_code == 200
    assert _entries(response) == [log["second"], log["first"]]


def test_audit_log_paginates(client, programme, programme_admin):
    for number in range(51):
        audit_record(
            actor=programme_admin, action="programme.update", programme=programme, n=number
        )
    client.force_login(programme_admin)
    first = client.get(_url(programme))
    assert len(_entries(first)) == 50
    assert _entries(first)[0].data == {"n": 50}
    second = client.get(_url(programme), {"page": 2})
    assert [e.data for e in _entries(second)] == [{"n": 0}]


def test_audit_log_when_empty_says_what_appears_there(client, programme, programme_admin):
    client.force_login(programme_admin)
    body = client.get(_url(programme)).content.decode()
    assert "Nothing has been recorded yet." in body


@pytest.mark.parametrize("count", [1, 3])
def test_audit_log_query_count(
    client, programme, programme_admin, django_assert_num_queries, count
):
    for _ in range(count):
        actor = UserFactory()
        ProgrammeRoleFactory(user=actor, programme=programme, role=RoleKind.STAFF)
        audit_record(actor=actor, action="applications.view", programme=programme)
    client.force_login(programme_admin)
    # session, user, roles (with the authenticator), the count, the page with its actors,
    # navigation's memberships and the notification bell
    with django_assert_num_queries(6):
        response = client.get(_url(programme))
    assert len(_entries(response)) == count


def test_audit_log_export_csv_is_filtered_and_audited(client, programme, programme_admin, log):
    client.force_login(programme_admin)
    response = client.get(
        _url(programme, "programme_audit_export"), {"format": "csv", "actor": "staff@"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="ai-forward-2026-audit-log-{today:%Y-%m-%d}.csv"'
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "time",
        "actor",
        "action",
        "action_label",
        "object_type",
        "object_id",
        "request_id",
        "data",
    ]
    assert rows[1:] == [
        [
            "2026-03-09T12:00:00+08:00",
            "staff@example.com",
            "applications.export",
            "Applications exported",
            "cohorts.cohort",
            str(log["cohort"].pk),
            "",
            "format: csv, rows: 12",
        ]
    ]
    exported = AuditEntry.objects.get(action="programme.audit_export")
    assert (exported.actor, exported.programme_id, exported.target_id) == (
        programme_admin,
        programme.pk,
        str(programme.pk),
    )
    assert exported.data == {"format": "csv", "rows": 1, "filters": {"actor": "staff@"}}
    assert exported.request_id  # the export's own request


def test_audit_log_export_xlsx(client, programme, programme_admin, log):
    client.force_login(programme_admin)
    response = client.get(_url(programme, "programme_audit_export"), {"format": "xlsx"})
    assert response.status_code == 200
    values = read_xlsx(b"".join(response.streaming_content))
    assert values[0][:3] == ["time", "actor", "action"]
    assert [row[2] for row in values[1:]] == ["applications.export", "selection.quota_create"]
    assert AuditEntry.objects.get(action="programme.audit_export").data["format"] == "xlsx"


def test_audit_log_export_neutralises_formulas(client, programme, programme_admin):
    audit_record(
        actor=programme_admin,
        action="programme.announcement_stage",
        programme=programme,
        subject='=HYPERLINK("http://evil")',
    )
    client.force_login(programme_admin)
    response = client.get(_url(programme, "programme_audit_export"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'subject: =HYPERLINK" not in text  # the cell starts with "subject", not "="
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][-1] == 'subject: =HYPERLINK("http://evil")'


def test_audit_log_export_refuses_an_unknown_format(client, programme, programme_admin):
    client.force_login(programme_admin)
    response = client.get(_url(programme, "programme_audit_export"), {"format": "pdf"})
    assert response.status_code == 400
    assert "Use format=csv or format=xlsx" in response.content.decode()
    assert not AuditEntry.objects.filter(action="programme.audit_export").exists()


def test_audit_log_export_asks_who_is_asking_first(client, programme, programme_admin):
    client.force_login(programme_admin)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=20)):
        response = client.get(_url(programme, "programme_audit_export"))
    assert response.status_code == 302 and "/reauthenticate/" in response["Location"]
    assert not AuditEntry.objects.filter(action="programme.audit_export").exists()


def test_programme_page_and_menu_link_to_the_audit_log_for_admins_only(
    client, programme, programme_admin, staff
):
    client.force_login(programme_admin)
    body = client.get(programme.get_absolute_url()).content.decode()
    assert body.count(_url(programme)) == 2  # the page's button and the menu
    client.force_login(staff)
    body = client.get(programme.get_absolute_url()).content.decode()
    assert _url(programme) not in body
