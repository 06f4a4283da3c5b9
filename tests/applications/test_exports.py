import csv
import datetime
import io
import re
import zipfile
import zoneinfo
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from applications import exports
from applications.enums import ApplicationStatus
from cohorts.enums import QuestionType
from core.models import AuditEntry
from tests.auth import sign_in_confirmed
from tests.factories import ApplicationFactory, CohortFactory, QuestionFactory

SGT = zoneinfo.ZoneInfo("Asia/Singapore")
UTC = datetime.UTC
DANGEROUS = ["=", "+", "-", "@", "\t", "\r"]
PROFILE_HEADER = [
    "ID",
    "Status",
    "Submitted at",
    "Full name",
    "Email",
    "Residency",
    "Gender",
    "Employer",
    "Employer size",
    "Sector",
    "Job level",
    "Union member",
    "Age at start",
    "Eligible",
]


def read_xlsx(data: bytes) -> list[list[str]]:
    """The first worksheet's cells as text, row by row (openpyxl is not installed)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        shared = []
        if "xl/sharedStrings.xml" in archive.namelist():
            root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))  # noqa: S314
            shared = ["".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")) for si in root]
        # Our own output, not untrusted input.
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))  # noqa: S314
    rows = []
    for row in sheet.iterfind(".//m:sheetData/m:row", ns):
        cells: list[str] = []
        for cell in row.iterfind("m:c", ns):
            column = 0
            for letter in re.match(r"[A-Z]+", cell.get("r")).group():
                column = column * 26 + ord(letter) - 64
            cells.extend([""] * (column - 1 - len(cells)))
            kind = cell.get("t")
            if kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iter(f"{{{ns['m']}}}t"))
            elif kind == "s":
                text = shared[int(cell.find("m:v", ns).text)]
            else:
                text = cell.find("m:v", ns).text
            # Excel's escape for control characters, e.g. _x000D_ for a carriage return.
            cells.append(re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m[1], 16)), text))
        rows.append(cells)
    return rows


# --- pure helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", DANGEROUS)
def test_neutralise_prefixes_dangerous_cells_with_an_apostrophe(prefix):
    assert exports.neutralise(f"{prefix}SUM(A1:A9)") == f"'{prefix}SUM(A1:A9)"


@pytest.mark.parametrize("value", ["Alice", "", " =1", "1+1", "'quoted", "a@b.c", 42])
def test_neutralise_leaves_safe_cells_alone(value):
    assert exports.neutralise(value) == value


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("", ""),
        ([], ""),
        ("Plain <b>text</b>", "Plain <b>text</b>"),
        (["Python", "SQL"], "Python; SQL"),
        ({"name": "portfolio.pdf", "path": "answers/x.pdf", "size": 3}, "portfolio.pdf"),
        (True, "yes"),
        (False, "no"),
        (7, "7"),
        ("yes", "yes"),
    ],
)
def test_answer_text(value, text):
    assert exports.answer_text(value) == text


def test_header_row_uses_question_labels_and_neutralises_them():
    questions = [SimpleNamespace(key="why", label="Why?"), SimpleNamespace(key="f", label="=F()")]
    assert exports.header_row(questions) == [*PROFILE_HEADER, "Why?", "'=F()"]


def test_application_row_converts_labels_time_and_answers():
    questions = [
        SimpleNamespace(key="tools", label="Tools"),
        SimpleNamespace(key="pitch", label="Pitch"),
        SimpleNamespace(key="file", label="File"),
        SimpleNamespace(key="missing", label="Missing"),
    ]
    values = {
        "id": 12,
        "status": "in_review",
        "submitted_at": datetime.datetime(2026, 3, 4, 16, 30, tzinfo=UTC),
        "full_name": "-Alice",
        "email": "alice@example.org",
        "residency": "citizen",
        "gender": "woman",
        "employer": "@Home Ltd",
        "employer_size": "sme",
        "sector": "retired-sector",
        "job_level": "",
        "is_union_member": None,
        "age_at_start": 41,
        "is_eligible": True,
        "answers": {"tools": ["=Python", "SQL"], "pitch": "+1 idea", "file": {"name": "cv.pdf"}},
    }

    row = exports.application_row(values, questions, SGT)

    assert row == [
        12,
        "In review",
        "2026-03-05T00:30:00+08:00",
        "'-Alice",
        "alice@example.org",
        "Citizen",
        "Woman",
        "'@Home Ltd",
        "Small or medium enterprise",
        "retired-sector",
        "",
        "",
        41,
        "yes",
        "'=Python; SQL",
        "'+1 idea",
        "cv.pdf",
        "",
    ]


def test_csv_chunks_batches_rows_and_starts_with_a_bom():
    chunks = list(
        exports.csv_chunks(["a", "b"], ([n, f"x{n}"] for n in range(5)), rows_per_chunk=2)
    )
    assert chunks == ["\ufeffa,b\r\n", "0,x0\r\n1,x1\r\n", "2,x2\r\n3,x3\r\n", "4,x4\r\n"]


def test_write_xlsx_keeps_strings_as_strings(tmp_path):
    target = tmp_path / "out.xlsx"
    count = exports.write_xlsx(
        str(target), ["ID", "Text"], [[1, "'=1+1"], [2, "http://example.org"], [3, ""]]
    )
    assert count == 3
    assert read_xlsx(target.read_bytes()) == [
        ["ID", "Text"],
        ["1", "'=1+1"],
        ["2", "http://example.org"],
        ["3"],
    ]
    with zipfile.ZipFile(target) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize(
    ("name", "clean"),
    [
        ("My CV.pdf", "My CV.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\me\\cv.PDF", "cv.pdf"),
        ('a"b;c\r\n.pdf', "a_b_c.pdf"),
        ("Résumé 履歴書.pdf", "Résumé 履歴書.pdf"),
        ("", "cv.pdf"),
        ("...", "cv.pdf"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_download_name(name, clean):
    assert exports.download_name(name) == clean


# --- the export view -------------------------------------------------------------------------


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, slug="march-2026", timezone="Asia/Singapore")


@pytest.fixture
def questions(cohort):
    return [
        QuestionFactory(cohort=cohort, key="why", label="Why join?", type=QuestionType.LONG_TEXT),
        QuestionFactory(
            cohort=cohort,
            key="tools",
            label="Tools",
            type=QuestionType.MULTI_CHOICE,
            choices=["Python", "SQL"],
        ),
        QuestionFactory(cohort=cohort, key="portfolio", label="Portfolio", type=QuestionType.FILE),
    ]


@pytest.fixture
def applications(cohort, questions, other_programme):
    alice = ApplicationFactory(
        cohort=cohort,
        full_name="Alice Ang",
        email="alice@example.org",
        sector="ict",
        job_level="professional",
        employer="<b>Nimbus</b> Cloud",
        is_union_member=False,
        age_at_start=29,
        submitted_at=datetime.datetime(2026, 3, 1, 2, 0, tzinfo=UTC),
        answers={
            "why": "<script>alert(1)</script>",
            "tools": ["Python", "SQL"],
            "portfolio": {"name": "work.pdf", "path": "answers/a.pdf", "size": 9},
        },
    )
    bala = ApplicationFactory(
        cohort=cohort,
        full_name='=HYPERLINK("http://evil.example")',
        email="bala@example.org",
        status=ApplicationStatus.IN_REVIEW,
        sector="finance",
        is_eligible=None,
        submitted_at=datetime.datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
        answers={"why": "+cmd|' /C calc'!A0"},
    )
    ApplicationFactory(cohort=cohort, full_name="Dora Draft", status=ApplicationStatus.DRAFT)
    ApplicationFactory(
        cohort=CohortFactory(programme=other_programme, slug="march-2026"),
        full_name="Zed Otherprogramme",
    )
    return alice, bala


def _export(cohort, **params):
    url = reverse(
        "applications:cohort_applications_export", args=[cohort.programme.slug, cohort.slug]
    )
    return url, params


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["programme_admin", "staff"])
def test_csv_export_contains_every_application_neutralised(
    client, request, cohort, applications, persona
):
    alice, bala = applications
    sign_in_confirmed(client, request.getfixturevalue(persona))

    response = client.get(*_export(cohort, format="csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="ai-forward-2026-march-2026-applications-\d{4}-\d{2}-\d{2}\.csv"',
        response["Content-Disposition"],
    )
    assert _csv_rows(response) == [
        [*PROFILE_HEADER, "Why join?", "Tools", "Portfolio"],
        [
            str(bala.pk),
            "In review",
            "2026-03-02T10:00:00+08:00",
            '\'=HYPERLINK("http://evil.example")',
            "bala@example.org",
            "Citizen",
            "Woman",
            "Harbour Logistics",
            "Small or medium enterprise",
            "Finance and insurance",
            "Frontline",
            "yes",
            "35",
            "",
            "'+cmd|' /C calc'!A0",
            "",
            "",
        ],
        [
            str(alice.pk),
            "Submitted",
            "2026-03-01T10:00:00+08:00",
            "Alice Ang",
            "alice@example.org",
            "Citizen",
            "Woman",
            "<b>Nimbus</b> Cloud",
            "Small or medium enterprise",
            "Information and communications technology",
            "Professional",
            "no",
            "29",
            "yes",
            "<script>alert(1)</script>",
            "Python; SQL",
            "work.pdf",
        ],
    ]


@pytest.mark.django_db
def test_xlsx_export_has_the_same_cells(client, cohort, applications, programme_admin):
    alice, bala = applications
    sign_in_confirmed(client, programme_admin)

    response = client.get(*_export(cohort, format="xlsx", sort="submitted_at"))

    assert response.status_code == 200
    assert (
        response["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith(
        'attachment; filename="ai-forward-2026-march-2026-applications-'
    )
    rows = read_xlsx(b"".join(response.streaming_content))
    assert rows[0] == [*PROFILE_HEADER, "Why join?", "Tools", "Portfolio"]
    assert [row[:4] for row in rows[1:]] == [
        [str(alice.pk), "Submitted", "2026-03-01T10:00:00+08:00", "Alice Ang"],
        [
            str(bala.pk),
            "In review",
            "2026-03-02T10:00:00+08:00",
            '\'=HYPERLINK("http://evil.example")',
        ],
    ]
    assert rows[1][7] == "<b>Nimbus</b> Cloud"
    assert rows[1][14:] == ["<script>alert(1)</script>", "Python; SQL", "work.pdf"]
    assert rows[2][14] == "'+cmd|' /C calc'!A0"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("prefix", DANGEROUS)
def test_exports_neutralise_each_dangerous_prefix(client, cohort, programme_admin, fmt, prefix):
    QuestionFactory(cohort=cohort, key="why", label="Why?")
    ApplicationFactory(
        cohort=cohort,
        full_name=f"{prefix}1+2",
        employer=f"{prefix}cmd",
        answers={"why": f"{prefix}SUM(A1)"},
    )
    sign_in_confirmed(client, programme_admin)

    response = client.get(*_export(cohort, format=fmt))

    content = b"".join(response.streaming_content)
    row = _csv_rows_from(content) if fmt == "csv" else read_xlsx(content)[1]
    assert (row[3], row[7], row[14]) == (f"'{prefix}1+2", f"'{prefix}cmd", f"'{prefix}SUM(A1)")


def _csv_rows_from(content: bytes) -> list[str]:
    return next(iter(list(csv.reader(io.StringIO(content.decode("utf-8")[1:])))[1:]))


@pytest.mark.django_db
def test_export_respects_filters_and_sort(client, cohort, applications, staff):
    sign_in_confirmed(client, staff)

    response = client.get(*_export(cohort, format="csv", sector="ict", q="alice"))
    rows = _csv_rows(response)
    assert [row[3] for row in rows[1:]] == ["Alice Ang"]

    response = client.get(*_export(cohort, format="csv", sort="submitted_at"))
    assert [row[3] for row in _csv_rows(response)[1:]] == [
        "Alice Ang",
        '\'=HYPERLINK("http://evil.example")',
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_is_audited(client, cohort, applications, programme_admin, fmt):
    sign_in_confirmed(client, programme_admin)

    response = client.get(*_export(cohort, format=fmt, status="in_review"))
    b"".join(response.streaming_content)

    entry = AuditEntry.objects.get(action="applications.export")
    assert (entry.actor, entry.target_type, entry.target_id, entry.data) == (
        programme_admin,
        "cohorts.cohort",
        str(cohort.pk),
        {"format": fmt, "rows": 1},
    )


@pytest.mark.django_db
def test_export_with_unknown_format_is_400(client, cohort, applications, programme_admin):
    sign_in_confirmed(client, programme_admin)
    response = client.get(*_export(cohort, format="pdf"))
    assert response.status_code == 400
    assert response.content.decode() == "Unknown export format. Use format=csv or format=xlsx."
    assert not AuditEntry.objects.filter(action="applications.export").exists()


@pytest.mark.django_db
def test_export_with_invalid_filter_is_400(client, cohort, applications, programme_admin):
    sign_in_confirmed(client, programme_admin)
    response = client.get(*_export(cohort, format="csv", sector="astrology"))
    assert response.status_code == 400
    assert response.content.decode().startswith("These filters are not valid: sector:")


@pytest.mark.django_db
def test_export_defaults_to_csv(client, cohort, applications, programme_admin):
    sign_in_confirmed(client, programme_admin)
    response = client.get(*_export(cohort))
    assert response["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["reviewer", "mentor"])
def test_export_is_403_for_reviewers_and_mentors(client, request, cohort, applications, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(*_export(cohort, format="csv")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["outsider", "applicant", "other_programme_admin"])
def test_export_is_404_outside_the_programme(client, request, cohort, applications, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(*_export(cohort, format="csv"))
    assert response.status_code == 404
    assert "Alice Ang" not in response.content.decode()
    assert not AuditEntry.objects.filter(action="applications.export").exists()


@pytest.mark.django_db
def test_the_export_answers_get_only(client, cohort, applications, programme_admin):
    client.force_login(programme_admin)
    url = reverse(
        "applications:cohort_applications_export", args=[cohort.programme.slug, cohort.slug]
    )
    assert client.post(url, {"format": "csv"}).status_code == 405
    assert client.head(url).status_code == 405
