import datetime
import io
import logging
import shutil
import subprocess
import unicodedata

import pypdf
import pytest

from certificates import pdf as cp

NAMES = {
    "latin": "Zoë Ñúñez-Łukasik",
    "chinese": "陈美玲",
    "tamil": "கார்த்திகேயன் சுப்பிரமணியம்",
    "mixed": "Zoë 陈美玲 கார்த்திகேயன்",
}
CODE = "CERT-7Q4X-93KD"
URL = "https://example.org/certificates/verify/CERT-7Q4X-93KD"


def render(name, **kw):
    args = {
        "holder_name": name,
        "programme": "Data Science Foundations",
        "cohort": "Spring 2026",
        "partners": ["Université de Genève", "清华大学"],
        "issued_on": datetime.date(2026, 12, 7),
        "code": CODE,
        "verify_url": URL,
        "issuer": "Open Learning Foundation",
    }
    args.update(kw)
    return cp.render_certificate_pdf(**args)


def nfc(s):
    return unicodedata.normalize("NFC", s)


def lines_pypdf(pdf):
    return [
        nfc(x).strip()
        for x in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()
    ]


@pytest.fixture(autouse=True)
def default_fonts():
    cp.configure_fonts(None)
    yield
    cp.configure_fonts(None)


@pytest.mark.parametrize(
    "key",
    [
        "latin",
        pytest.param("chinese", marks=pytest.mark.fonts),
        pytest.param("tamil", marks=pytest.mark.fonts),
        pytest.param("mixed", marks=pytest.mark.fonts),
    ],
)
def test_name_and_code_extractable(key):
    name = NAMES[key]
    assert not cp.missing_characters(name)
    lines = lines_pypdf(render(name))
    # comparison after NFC: the renderer normalises input to NFC, so an NFD
    # input comes back precomposed; the NFC forms are canonically equivalent.
    assert nfc(name) in lines
    assert CODE in lines


def test_nfd_input_extracts_as_nfc():
    name = unicodedata.normalize("NFD", NAMES["latin"])
    assert nfc(name) in lines_pypdf(render(name))


def test_a4_landscape():
    page = pypdf.PdfReader(io.BytesIO(render("Ada Lovelace"))).pages[0]
    w, h = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(w), round(h)) == (842, 595)


def test_other_fields_extractable():
    pdf = render("Ada Lovelace")
    text = nfc(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    for s in (
        "Certificate of completion",
        "Data Science Foundations",
        "Spring 2026",
        "Université de Genève",
        "7 December 2026",
        "Open Learning Foundation",
        URL,
    ):
        assert s in text


@pytest.mark.skipif(
    not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
    reason="needs zbarimg (apt zbar-tools) and pdftoppm (apt poppler-utils)",
)
def test_qr_decodes_to_url(tmp_path):
    (tmp_path / "c.pdf").write_bytes(render("Ada Lovelace"))
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-png",
            "-singlefile",
            str(tmp_path / "c.pdf"),
            str(tmp_path / "c"),
        ],
        check=True,
    )
    out = subprocess.run(
        ["zbarimg", "--raw", "-q", str(tmp_path / "c.png")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == URL


def test_uncovered_character_still_renders_and_warns(caplog):
    name = "Ada \U00013000 Lovelace"  # Egyptian hieroglyph: no installed font has it
    if not cp.missing_characters(name):
        pytest.skip("some installed font covers U+13000")
    with caplog.at_level(logging.WARNING, logger="certificates.pdf"):
        pdf = render(name)
    assert pdf.startswith(b"%PDF")
    assert any("13000" in r.getMessage() or "\U00013000" in r.getMessage() for r in caplog.records)
    assert CODE in lines_pypdf(pdf)


def test_strict_mode_raises_clear_error():
    cp.configure_fonts(None, strict=True)
    if not cp.missing_characters("\U00013000"):
        pytest.skip("some installed font covers U+13000")
    with pytest.raises(cp.MissingGlyphError, match=r"apt-get|install"):
        render("Ada \U00013000")


def test_machine_without_fonts_falls_back(caplog):
    cp.configure_fonts(["/nonexistent/font.ttf"])
    with caplog.at_level(logging.WARNING, logger="certificates.pdf"):
        pdf = render(NAMES["chinese"])
    assert pdf.startswith(b"%PDF")
    assert any("no TrueType font" in r.getMessage() for r in caplog.records)
    assert CODE in lines_pypdf(pdf)


def test_only_latin_font_configured_renders_cjk_with_warning(caplog):
    cp.configure_fonts(["DejaVuSans.ttf"])
    if not cp.find_font_files(["DejaVuSans.ttf"]):
        pytest.skip("DejaVuSans.ttf not installed")
    with caplog.at_level(logging.WARNING, logger="certificates.pdf"):
        pdf = render(NAMES["mixed"])
    assert any("no configured font covers" in r.getMessage() for r in caplog.records)
    # uncovered glyphs are .notdef boxes; ReportLab maps them to code 0, so
    # they are NOT extractable (degraded mode) -- the rest of the page is.
    lines = lines_pypdf(pdf)
    assert any(x.startswith("Zoë ") for x in lines)
    assert CODE in lines


def test_deterministic_output():
    assert render("Ada Lovelace") == render("Ada Lovelace")
