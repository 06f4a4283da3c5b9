"""The programme dashboard: the funnel and its groups, compute, mentoring, attendance and
certificates, in full for admins and as protected aggregates for partner viewers; downloads."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from accounts.models import ApplicantProfile
from applications.models import Application
from core.models import AuditEntry
from courses.enums import AttendanceStatus, EnrollmentStatus
from dashboards import selectors
from programmes.enums import RoleKind
from programmes.models import ProgrammeRole
from selection.models import Offer, Participant
from tests.dashboards.world import (
    DEPTHS,
    cohort_of,
    extras,
    person,
    populated,
    session_of,
    xlsx_cells,
)
from tests.factories import (
    AttendanceFactory,
    CourseFactory,
    EnrollmentFactory,
    PartnerFactory,
    ProgrammeRoleFactory,
    QuotaFactory,
    TotpAuthenticatorFactory,
    UserFactory,
)
from tests.pages import P

pytestmark = pytest.mark.django_db

DASHBOARD = P + "dashboard/"


@pytest.fixture
def partner(programme):
    partner = PartnerFactory(name="Nimbus Cloud")
    programme.partners.add(partner)
    return partner


@pytest.fixture
def partner_viewer(programme, partner):
    user = UserFactory(email="viewer@nimbus.example.org", display_name="Vera Viewer")
    ProgrammeRoleFactory(
        user=user, programme=programme, role=RoleKind.PARTNER_VIEWER, partner=partner
    )
    return user


def _backdate_profiles():
    ApplicantProfile.objects.update(created_at=timezone.now() - datetime.timedelta(days=90))


def _table(body: str, key: str) -> list[list[str]]:
    """The text of every row of a dashboard table, header included."""
    match = re.search(rf'<table[^>]*data-testid="table-{key}".*?</table>', body, re.S)
    assert match, f"no table {key}"
    rows = re.findall(r"<tr>(.*?)</tr>", match.group(0), re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def _chart(body: str, key: str) -> dict:
    match = re.search(
        rf'<script id="chart-data-{key}" type="application/json">(.*?)</script>', body, re.S
    )
    assert match, f"no chart {key}"
    return json.loads(match.group(1))


def _snapshot():
    return (
        Application.objects.count(),
        Offer.objects.count(),
        Participant.objects.count(),
        ProgrammeRole.objects.count(),
    )


# --- the funnel ----------------------------------------------------------------------------------


def test_funnel_counts_every_step_and_each_quota_value(programme):
    cohort = populated(programme, per_depth=2)
    _backdate_profiles()
    data = selectors.funnel(cohort=cohort)
    # 2 applications stop at each of the 8 application steps; everyone has a profile.
    assert data.totals == [16, 16, 14, 12, 10, 8, 6, 4, 2]
    assert [a.key for a in data.attributes] == ["gender"]
    assert data.groups == {
        "gender": {"woman": [8, 8, 7, 6, 5, 4, 3, 2, 1], "man": [8, 8, 7, 6, 5, 4, 3, 2, 1]}
    }


def test_funnel_signed_up_counts_profiles_made_before_the_cohort_closed(programme):
    cohort = cohort_of(programme)
    person(cohort, "applied")
    assert selectors.funnel(cohort=cohort).totals[:2] == [0, 1]
    _backdate_profiles()
    assert selectors.funnel(cohort=cohort).totals[:2] == [1, 1]


def test_funnel_groups_age_bands_and_unknown_values(programme):
    cohort = cohort_of(programme)
    QuotaFactory(cohort=cohort, attribute="age_band", values=["25-34"])
    QuotaFactory(cohort=cohort, attribute="is_union_member", values=["yes"])
    person(cohort, "submitted", age_at_start=30, is_union_member=True)
    person(cohort, "submitted", age_at_start=None, is_union_member=None)
    data = selectors.funnel(cohort=cohort)
    assert data.groups["age_band"]["25-34"][1:3] == [1, 1]
    assert data.groups["age_band"][""][1:3] == [1, 1]
    assert data.groups["is_union_member"]["yes"][1] == 1
    assert data.groups["is_union_member"][""][1] == 1


def test_dashboard_shows_programme_admin_every_figure_with_links(
    client, programme, programme_admin
):
    cohort = populated(programme, per_depth=2)
    extras(cohort)
    _backdate_profiles()
    before = _snapshot()
    client.force_login(programme_admin)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    body = response.content.decode()
    assert _table(body, "funnel") == [
        ["Step", "People", "Of the step before"],
        ["Signed up", "16", "—"],
        ["Applied", "16", "100.0 %"],
        ["Submitted", "14", "87.5 %"],
        ["Eligible", "12", "85.7 %"],
        ["Reviewed", "10", "83.3 %"],
        ["Offered", "8", "80.0 %"],
        ["Accepted", "6", "75.0 %"],
        ["Attending", "4", "66.7 %"],
        ["Certified", "2", "50.0 %"],
    ]
    assert _table(body, "group-gender")[1:] == [
        ["Man", "8", "8", "7", "6", "5", "4", "3", "2", "1"],
        ["Woman", "8", "8", "7", "6", "5", "4", "3", "2", "1"],
    ]
    chart = _chart(body, "funnel")
    assert chart["datasets"][0]["values"] == [16, 16, 14, 12, 10, 8, 6, 4, 2]
    assert chart["datasets"][0]["links"][3] == P + "cohorts/main/applications/?is_eligible=yes"
    assert chart["datasets"][0]["links"][6] == P + "cohorts/main/applications/?status=accepted"
    assert _table(body, "mentoring")[1:] == [
        ["Active pairs", "1"],
        ["Stalled pairs (no session for 14 days)", "0"],
        ["Ended pairs", "0"],
        ["Sessions held", "1"],
    ]
    assert _table(body, "certification")[1:] == [
        ["Participants", "6"],
        ["Not yet eligible", "4"],
        ["Eligible, no certificate yet", "0"],
        ["Issued", "2"],
        ["Revoked", "0"],
    ]
    assert len(_table(body, "compute")) == 2
    assert [row[0] for row in _table(body, "attendance")[1:]][-1].startswith("C0 ")
    # Every step is defined on the page.
    for step in selectors.STEPS:
        assert str(step.definition).replace("'", "&#x27;") in body
    assert 'data-testid="aggregates-note"' not in body
    assert _snapshot() == before


def test_dashboard_of_a_chosen_cohort_and_of_none(client, programme, programme_admin):
    populated(programme)
    now = timezone.now()
    cohort_of(
        programme,
        name="Later intake",
        slug="later",
        opens_at=now,
        closes_at=now + datetime.timedelta(days=30),
    )
    client.force_login(programme_admin)
    body = client.get(DASHBOARD).content.decode()
    assert '<h1 class="h3 mb-0">Dashboard of Later intake</h1>' in body
    body = client.get(DASHBOARD, {"cohort": "main"}).content.decode()
    assert '<h1 class="h3 mb-0">Dashboard of Main intake</h1>' in body
    assert client.get(DASHBOARD + "main/").status_code == 200
    assert client.get(DASHBOARD, {"cohort": "nope"}).status_code == 404
    assert client.get(DASHBOARD + "nope/").status_code == 404


def test_dashboard_without_a_cohort_says_so(client, programme, programme_admin):
    client.force_login(programme_admin)
    body = client.get(DASHBOARD).content.decode()
    assert "No cohort yet." in body


def test_platform_admin_sees_the_dashboard_in_full(client, programme, platform_admin):
    populated(programme, per_depth=1)
    client.force_login(platform_admin)
    body = client.get(DASHBOARD).content.decode()
    assert _table(body, "funnel")[2] == ["Applied", "8", "—"]


# --- partner viewers -----------------------------------------------------------------------------


def test_partner_viewer_sees_aggregates_with_small_counts_hidden(client, programme, partner_viewer):
    cohort = populated(programme, per_depth=2)
    extras(cohort)
    _backdate_profiles()
    client.force_login(partner_viewer)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="aggregates-note"' in body
    assert _table(body, "funnel")[1:] == [
        ["Signed up", "16", "—"],
        ["Applied", "16", "100.0 %"],
        # 14 and 12 are fewer than 5 below 16: they would tell how few left at each step.
        ["Submitted", "hidden", "hidden"],
        ["Eligible", "hidden", "hidden"],
        ["Reviewed", "10", "hidden"],
        ["Offered", "hidden", "hidden"],
        ["Accepted", "hidden", "hidden"],
        ["Attending", "&lt; 5", "hidden"],
        ["Certified", "&lt; 5", "hidden"],
    ]
    groups = _table(body, "group-gender")[1:]
    # Sign-ups are not broken down by value for partners.
    assert groups[0][:4] == ["Man", "hidden", "8", "hidden"]
    assert all(cell in ("&lt; 5", "hidden") for row in groups for cell in row[3:])
    # The chart draws nothing for a hidden count, and links to no list.
    chart = _chart(body, "funnel")
    assert chart["datasets"][0]["values"] == [16, 16, None, None, 10, None, None, None, None]
    assert not any(link for dataset in chart["datasets"] for link in dataset["links"])
    assert "/applications/" not in body.split("<main", 1)[1]
    # One pool with one person: its use is withheld; the course's enrolment too.
    assert _table(body, "compute")[1][1:4] == ["&lt; 5", "hidden", "hidden"]
    assert _table(body, "mentoring")[1][1] == "&lt; 5"
    assert _table(body, "certification")[1:] == [
        ["Participants", "6"],
        ["Not yet eligible", "&lt; 5"],
        ["Eligible, no certificate yet", "&lt; 5"],
        ["Issued", "&lt; 5"],
        ["Revoked", "&lt; 5"],
    ]
    # No name, no email of anyone who applied.
    for application in Application.objects.all():
        assert application.full_name not in body
        assert application.email not in body


def test_partner_viewer_downloads_protected_csv_and_xlsx(client, programme, partner_viewer):
    populated(programme, per_depth=2)
    _backdate_profiles()
    client.force_login(partner_viewer)
    response = client.get(DASHBOARD + "main/funnel.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="ai-forward-2026-main-funnel.csv"'
    )
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[:4] == [
        "Step,People,Of the step before",
        "Signed up,16,—",
        "Applied,16,100.0",
        "Submitted,hidden,hidden",
    ]
    response = client.get(DASHBOARD + "main/group-gender.xlsx")
    assert response.status_code == 200
    cells = xlsx_cells(response.content)
    assert cells[:13] == [
        "Gender", "Signed up", "Applied", "Submitted", "Eligible", "Reviewed", "Offered",
        "Accepted", "Attending", "Certified", "Man", "hidden", "8",
    ]  # fmt: skip
    assert "7" not in cells
    assert "< 5" in cells


def test_admin_downloads_exact_csv_and_xlsx(client, programme, programme_admin):
    cohort = populated(programme, per_depth=1)
    extras(cohort)
    client.force_login(programme_admin)
    lines = client.get(DASHBOARD + "main/group-gender.csv").content.decode("utf-8-sig").splitlines()
    assert lines[1:] == ["Woman,0,8,7,6,5,4,3,2,1"]
    for chart in ["funnel", "group-gender", "compute", "mentoring", "attendance", "certification"]:
        response = client.get(DASHBOARD + f"main/{chart}.xlsx")
        assert response.status_code == 200, chart
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    # The first pool: its people, allocated and used, as numbers.
    assert xlsx_cells(client.get(DASHBOARD + "main/compute.xlsx").content)[8:11] == [
        "1",
        "100",
        "10",
    ]
    # Every download is in the programme's audit log.
    entry = AuditEntry.objects.filter(action="dashboards.export").first()
    assert (entry.actor, entry.programme_id, entry.target_id) == (
        programme_admin,
        programme.pk,
        str(cohort.pk),
    )
    assert entry.data == {"chart": "compute", "format": "xlsx", "in_full": True}
    assert AuditEntry.objects.filter(action="dashboards.export").count() == 8


def test_download_of_an_unknown_chart_or_format_is_a_404(client, programme, programme_admin):
    populated(programme)
    client.force_login(programme_admin)
    assert client.get(DASHBOARD + "main/nothing.csv").status_code == 404
    assert client.get(DASHBOARD + "main/group-sector.csv").status_code == 404
    assert client.get(DASHBOARD + "main/funnel.pdf").status_code == 404
    assert client.get(DASHBOARD + "other/funnel.csv").status_code == 404


# --- who may not -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("outsider", 404),
        ("other_programme_admin", 404),
        ("applicant", 404),
        ("participant", 404),
        ("reviewer", 403),
        ("mentor", 403),
        ("staff", 403),
    ],
)
def test_dashboard_refuses_everyone_else(client, request, programme, persona, status):
    populated(programme, per_depth=2)
    user = request.getfixturevalue(persona)
    before = _snapshot()
    client.force_login(user)
    for path in [DASHBOARD, DASHBOARD + "main/", DASHBOARD + "main/funnel.csv"]:
        response = client.get(path)
        assert response.status_code == status, path
        assert b"Signed up" not in response.content
    assert _snapshot() == before


def test_dashboard_asks_visitors_to_sign_in(client, programme):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_partner_viewer_of_another_programme_sees_nothing(client, programme, other_programme):
    populated(programme)
    partner = PartnerFactory(name="Green Partner")
    other_programme.partners.add(partner)
    user = UserFactory()
    ProgrammeRoleFactory(
        user=user, programme=other_programme, role=RoleKind.PARTNER_VIEWER, partner=partner
    )
    client.force_login(user)
    assert client.get(DASHBOARD).status_code == 404
    assert client.get(DASHBOARD + "main/funnel.csv").status_code == 404


def test_dashboard_refuses_other_methods(client, programme, programme_admin):
    populated(programme)
    client.force_login(programme_admin)
    assert client.post(DASHBOARD).status_code == 405


# --- links to the dashboard ---------------------------------------------------------------------


def test_workspace_and_menu_link_to_the_dashboard(client, programme, programme_admin, staff):
    client.force_login(programme_admin)
    body = client.get(P).content.decode()
    assert f'href="{DASHBOARD}" data-testid="dashboard-link"' in body
    assert 'data-testid="nav-programme-dashboard"' in body
    client.force_login(staff)
    body = client.get(P).content.decode()
    assert "dashboard-link" not in body
    assert "nav-programme-dashboard" not in body


# --- queries -------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_dashboard_queries_do_not_grow(
    client, programme, programme_admin, django_assert_num_queries, count
):
    cohort = populated(programme, per_depth=count)
    extras(cohort, count=count)
    session_of(cohort)
    client.force_login(programme_admin)
    # session, user, roles; cohorts; funnel: quotas, applications, those attending, profiles;
    # pools; mentoring; courses; certification board: participants, certificates, rule; the
    # menu's own pages
    with django_assert_num_queries(15):
        assert client.get(DASHBOARD).status_code == 200


@pytest.mark.parametrize("count", [1, 3])
def test_partner_dashboard_queries_do_not_grow(
    client, programme, partner_viewer, django_assert_num_queries, count
):
    cohort = populated(programme, per_depth=count)
    extras(cohort, count=count)
    client.force_login(partner_viewer)
    with django_assert_num_queries(15):
        assert client.get(DASHBOARD).status_code == 200


@pytest.mark.parametrize("count", [1, 3])
def test_download_queries_do_not_grow(
    client, programme, programme_admin, django_assert_num_queries, count
):
    populated(programme, per_depth=count)
    client.force_login(programme_admin)
    # session, user, roles; cohorts; quotas, applications, those attending, profiles; the
    # download's audit entry
    with django_assert_num_queries(9):
        assert client.get(DASHBOARD + "main/funnel.csv").status_code == 200


def test_every_depth_is_a_step():
    assert [step.key for step in selectors.STEPS][1:] == list(DEPTHS)
    assert TotpAuthenticatorFactory  # personas with MFA come from tests/conftest.py


# --- partner viewers: figures that would let a hidden one be worked out -----------------------


def _hidden_total_world(programme):
    """Women: 10 applied and submitted. Men: 10 applied, 7 submitted. The step "submitted"
    (17) is 3 below "applied" (20): hidden. Women's 10 at that step is shown. Every profile
    was made after the cohort closed: nobody signed up in time."""
    cohort = cohort_of(programme)
    QuotaFactory(cohort=cohort, attribute="gender", values=["woman"])
    for _n in range(10):
        person(cohort, "submitted", gender="woman")
    for n in range(10):
        person(cohort, "submitted" if n < 7 else "applied", gender="man")
    return cohort


def test_partner_viewer_cannot_work_out_a_hidden_step_from_the_group_shares(
    client, programme, partner_viewer
):
    _hidden_total_world(programme)
    client.force_login(partner_viewer)
    body = client.get(DASHBOARD).content.decode()
    funnel = _table(body, "funnel")
    assert funnel[3] == ["Submitted", "hidden", "hidden"]
    groups = _table(body, "group-gender")
    assert [row[:4] for row in groups[1:]] == [
        ["Man", "hidden", "10", "hidden"],
        ["Woman", "hidden", "10", "10"],
    ]
    # No shown share of a shown count, at a step whose total is hidden, in the chart's data.
    totals = _chart(body, "funnel")["datasets"][0]["values"]
    shares = _chart(body, "group-gender")["datasets"]
    for step, total in enumerate(totals):
        if total is None:
            assert [dataset["values"][step] for dataset in shares] == [None, None], step
    # The other shares are shown.
    assert [round(dataset["values"][1], 1) for dataset in shares] == [50.0, 50.0]
    # Downloads: the same cells, none of them a share or the hidden total.
    lines = client.get(DASHBOARD + "main/group-gender.csv").content.decode("utf-8-sig")
    assert lines.splitlines()[1:] == [
        "Man,hidden,10,hidden,< 5,< 5,< 5,< 5,< 5,< 5",
        "Woman,hidden,10,10,< 5,< 5,< 5,< 5,< 5,< 5",
    ]
    cells = xlsx_cells(client.get(DASHBOARD + "main/group-gender.xlsx").content)
    assert cells[10:] == [
        "Man", "hidden", "10", "hidden", "< 5", "< 5", "< 5", "< 5", "< 5", "< 5",
        "Woman", "hidden", "10", "10", "< 5", "< 5", "< 5", "< 5", "< 5", "< 5",
    ]  # fmt: skip
    funnel_csv = client.get(DASHBOARD + "main/funnel.csv").content.decode("utf-8-sig")
    assert "17" not in funnel_csv
    assert "58.8" not in body + funnel_csv


def test_admin_sees_the_shares_of_every_step(client, programme, programme_admin):
    _hidden_total_world(programme)
    client.force_login(programme_admin)
    body = client.get(DASHBOARD).content.decode()
    shares = _chart(body, "group-gender")["datasets"]
    assert [round(dataset["values"][2], 1) for dataset in shares] == [41.2, 58.8]


def test_partner_viewer_sees_no_share_of_a_hidden_base_as_a_dash(client, programme, partner_viewer):
    # Nobody signed up in time: "applied" after "signed up" (0) is a share of nobody, which
    # "—" would tell; it is hidden like every share of a hidden count.
    _hidden_total_world(programme)
    client.force_login(partner_viewer)
    body = client.get(DASHBOARD).content.decode()
    assert _table(body, "funnel")[1:3] == [
        ["Signed up", "&lt; 5", "—"],
        ["Applied", "20", "hidden"],
    ]


def test_percent_of_a_hidden_figure_is_hidden_whatever_its_base():
    from dashboards.tables import _percent

    assert _percent(3, 0, hidden=True).text == "hidden"
    assert _percent(0, 0, hidden=True).export_value == "hidden"
    assert _percent(3, 0, hidden=True).chart_value is None
    assert _percent(3, 0).text == "—"
    assert _percent(3, 4).text == "75.0 %"


def test_partner_viewer_sees_no_sign_up_by_value(client, programme, partner_viewer):
    # Sign-ups are counted across the platform up to a moment that moves (the cohort's close,
    # or now): the counts of two cohorts, or two days, would tell by subtraction how few people
    # of a value signed up in between. Partners see the overall count only.
    cohort = populated(programme, per_depth=10)
    _backdate_profiles()
    assert selectors.funnel(cohort=cohort).groups["gender"]["woman"][0] == 40
    client.force_login(partner_viewer)
    body = client.get(DASHBOARD).content.decode()
    assert _table(body, "funnel")[1] == ["Signed up", "80", "—"]
    groups = _table(body, "group-gender")
    assert [row[:3] for row in groups[1:]] == [["Man", "hidden", "40"], ["Woman", "hidden", "40"]]
    assert "Partners see sign-ups in the overall funnel only" in body
    shares = _chart(body, "group-gender")["datasets"]
    assert [dataset["values"][0] for dataset in shares] == [None, None]
    assert [dataset["values"][1] for dataset in shares] == [50.0, 50.0]
    lines = client.get(DASHBOARD + "main/group-gender.csv").content.decode("utf-8-sig")
    assert [line.split(",")[:3] for line in lines.splitlines()[1:]] == [
        ["Man", "hidden", "40"],
        ["Woman", "hidden", "40"],
    ]
    cells = xlsx_cells(client.get(DASHBOARD + "main/group-gender.xlsx").content)
    assert cells[10:13] == ["Man", "hidden", "40"]


def test_admin_sees_sign_ups_by_value(client, programme, programme_admin):
    populated(programme, per_depth=10)
    _backdate_profiles()
    client.force_login(programme_admin)
    body = client.get(DASHBOARD).content.decode()
    assert [row[:3] for row in _table(body, "group-gender")[1:]] == [
        ["Man", "40", "40"],
        ["Woman", "40", "40"],
    ]
    assert "Partners see sign-ups in the overall funnel only" not in body


# --- attendance -------------------------------------------------------------------------------


def _course_world(programme, *, enrolled: int, attended: int, withdrawn_attended: int = 0):
    """A course of the cohort with one session held, `enrolled` people enrolled of whom
    `attended` were present, and `withdrawn_attended` who withdrew after being present."""
    cohort = cohort_of(programme)
    course = CourseFactory(
        programme=programme, code="ML1", title="Machine learning", cohorts=[cohort]
    )
    session = session_of(cohort, course)
    for n in range(enrolled + withdrawn_attended):
        user = UserFactory()
        withdrawn = n >= enrolled
        EnrollmentFactory(
            course=course,
            cohort=cohort,
            user=user,
            status=EnrollmentStatus.WITHDRAWN if withdrawn else EnrollmentStatus.ACTIVE,
        )
        if n < attended or withdrawn:
            AttendanceFactory(session=session, user=user, status=AttendanceStatus.PRESENT)
    return cohort


def test_partner_viewer_sees_no_small_attendance(client, programme, partner_viewer):
    _course_world(programme, enrolled=20, attended=2)
    client.force_login(partner_viewer)
    body = client.get(DASHBOARD).content.decode()
    assert _table(body, "attendance")[1:] == [
        ["ML1 Machine learning", "20", "1", "&lt; 5", "hidden"]
    ]
    assert _chart(body, "attendance")["datasets"][0]["values"] == [None]
    lines = client.get(DASHBOARD + "main/attendance.csv").content.decode("utf-8-sig")
    assert lines.splitlines()[1:] == ["ML1 Machine learning,20,1,< 5,hidden"]


def test_partner_viewer_sees_attendance_of_five_or_more(client, programme, partner_viewer):
    _course_world(programme, enrolled=20, attended=5)
    client.force_login(partner_viewer)
    body = client.get(DASHBOARD).content.decode()
    assert _table(body, "attendance")[1:] == [["ML1 Machine learning", "20", "1", "5", "25.0 %"]]


def test_attendance_counts_only_the_people_enrolled(client, programme, programme_admin):
    # Someone present at the session who withdrew since is neither enrolled nor attending: the
    # rate never passes 100 %.
    cohort = _course_world(programme, enrolled=1, attended=1, withdrawn_attended=2)
    (course,) = selectors.course_list(cohort=cohort)
    assert (course.enrolled, course.held, course.attended) == (1, 1, 1)
    client.force_login(programme_admin)
    body = client.get(DASHBOARD).content.decode()
    assert _table(body, "attendance")[1:] == [["ML1 Machine learning", "1", "1", "1", "100.0 %"]]
