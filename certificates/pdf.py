"""Render a completion certificate as a one-page A4 landscape PDF.

Pure function: :func:`render_certificate_pdf` -> ``bytes``.

Text handling
-------------
* All text is NFC-normalised first (precomposed glyphs look right without
  mark positioning, and extraction returns the NFC form).
* Every string is split into runs, each run using the first configured font
  whose cmap covers the character (combining marks / ZWJ / ZWNJ / variation
  selectors stay with the preceding run).
* A run is shaped with HarfBuzz (uharfbuzz).  If shaping is "trivial" (one
  glyph per character, cmap glyphs, in order, no offsets) the run is written
  as ordinary embedded-TrueType text.  Otherwise (Tamil, other Indic, ...)
  the shaped glyphs are drawn as vector outlines and the original Unicode is
  written underneath as *invisible* text (render mode 3) with the run's font
  and horizontal scaling matched to the shaped width.  ReportLab's own shaped
  output (``shapeStr``) looks right but extracts as reordered text with
  private-use codepoints, so it is not used.
* Without uharfbuzz every run is written as plain text (extractable, but
  complex scripts are not shaped) and a warning is logged once.

Fonts
-----
``FONT_FILES`` (or :func:`configure_fonts`) lists font files in priority
order; by default they are looked up by file name in the standard font
folders.  Characters that no font covers are drawn with the primary font
(.notdef boxes) and a warning is logged, or :class:`MissingGlyphError` is
raised when ``strict=True``.  With no TrueType font at all the built-in
Helvetica is used (Latin-1 only) and a warning is logged.
"""

from __future__ import annotations

import datetime
import functools
import io
import logging
import os
import threading
import unicodedata
from dataclasses import dataclass

import segno
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas

try:  # optional: complex-script shaping
    import uharfbuzz as hb
except ImportError:  # pragma: no cover - depends on environment
    hb = None

log = logging.getLogger(__name__)

__all__ = [
    "APT_FONT_PACKAGES",
    "FONT_FILES",
    "FONT_SEARCH_DIRS",
    "MissingGlyphError",
    "configure_fonts",
    "find_font_files",
    "missing_characters",
    "render_certificate_pdf",
]

# --------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------
FONT_SEARCH_DIRS = [
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    os.path.expanduser("~/.local/share/fonts"),
    os.path.expanduser("~/.fonts"),
]
# (file name, sub-font index for .ttc) in priority order.  Serif look first.
FONT_FILES = [
    ("LiberationSerif-Regular.ttf", 0),  # fonts-liberation  (Latin/Greek/Cyrillic)
    ("DejaVuSerif.ttf", 0),  # fonts-dejavu-core
    ("DejaVuSans.ttf", 0),  # fonts-dejavu-core (wider coverage)
    ("NotoSerifTamil-Regular.ttf", 0),  # fonts-noto-core
    ("NotoSansTamil-Regular.ttf", 0),  # fonts-noto-core
    ("Lohit-Tamil.ttf", 0),  # fonts-lohit-taml
    ("wqy-microhei.ttc", 0),  # fonts-wqy-microhei (CJK, TrueType outlines, 5 MB)
    ("uming.ttc", 0),  # fonts-arphic-uming (CJK, 21 MB)
    ("wqy-zenhei.ttc", 0),  # fonts-wqy-zenhei  (CJK, 17 MB)
]
APT_FONT_PACKAGES = [
    "fonts-liberation",
    "fonts-dejavu-core",
    "fonts-noto-core",
    "fonts-wqy-microhei",
]
# Noto Sans/Serif CJK (.ttc, CFF outlines) cannot be embedded by ReportLab.

_TRANSPARENT_CATS = {"Mn", "Mc", "Me", "Cf"}  # marks, ZWJ/ZWNJ, etc.


class MissingGlyphError(ValueError):
    pass


@dataclass
class _Font:
    name: str  # reportlab registered name
    path: str
    index: int
    cmap: dict  # codepoint -> glyph id
    upem: int
    hb_font: object = None
    glyph_paths: dict = None


_lock = threading.Lock()
_state: dict = {"paths": None, "strict": False, "fonts": None}


@functools.cache
def _index_font_dirs(dirs: tuple) -> dict:
    found = {}
    for d in dirs:
        for root, _dirs, files in os.walk(d):
            for f in files:
                found.setdefault(f, os.path.join(root, f))
    return found


def find_font_files(candidates=None, dirs=None) -> list[tuple[str, int]]:
    """Resolve ``(file name or path, index)`` candidates to existing files."""
    idx = _index_font_dirs(tuple(dirs or FONT_SEARCH_DIRS))
    out = []
    for item in candidates if candidates is not None else FONT_FILES:
        name, sub = (item, 0) if isinstance(item, str) else item
        path = name if os.path.isabs(name) else idx.get(name)
        if path and os.path.exists(path):
            out.append((path, sub))
    return out


def configure_fonts(font_files=None, *, strict: bool = False) -> None:
    """Set the font list (paths or file names, optionally ``(path, index)``).

    ``None`` restores the default search.  Call e.g. from Django settings:
    ``configure_fonts(settings.CERTIFICATE_FONT_FILES)``.
    """
    with _lock:
        _state.update(paths=font_files, strict=strict, fonts=None)
        _layout.cache_clear()


def _load_fonts() -> list[_Font]:
    with _lock:
        if _state["fonts"] is not None:
            return _state["fonts"]
        fonts = []
        for path, sub in find_font_files(_state["paths"]):
            name = f"Cert-{os.path.basename(path)}-{sub}"
            try:
                try:
                    ttf = pdfmetrics.getFont(name)
                except KeyError:
                    ttf = TTFont(name, path, subfontIndex=sub)
                    pdfmetrics.registerFont(ttf)
            except Exception as exc:  # noqa: BLE001 - e.g. CFF-flavoured OpenType
                log.warning("certificate_pdf: cannot use font %s: %s", path, exc)
                continue
            f = _Font(name, path, sub, ttf.face.charToGlyph, ttf.face.unitsPerEm, glyph_paths={})
            if hb is not None:
                face = hb.Face(hb.Blob(ttf.face._ttf_data), sub if path.endswith(".ttc") else 0)
                f.hb_font = hb.Font(face)  # scale = upem
            fonts.append(f)
        if not fonts:
            log.warning(
                "certificate_pdf: no TrueType font found in %s; falling back "
                "to Helvetica (Latin-1 only). Install: apt-get install %s",
                FONT_SEARCH_DIRS,
                " ".join(APT_FONT_PACKAGES),
            )
        elif hb is None:
            log.warning(
                "certificate_pdf: uharfbuzz not installed; complex scripts "
                "(e.g. Tamil) will not be shaped"
            )
        _state["fonts"] = fonts
        return fonts


def missing_characters(text: str) -> set[str]:
    """Characters of ``text`` that no configured font covers."""
    fonts = _load_fonts()
    return {
        ch
        for ch in unicodedata.normalize("NFC", text)
        if not ch.isspace()
        and unicodedata.category(ch) != "Cf"
        and not any(ord(ch) in f.cmap for f in fonts)
    }


# --------------------------------------------------------------------------
# Text runs
# --------------------------------------------------------------------------
def _split_runs(text: str, fonts: list[_Font]):
    runs: list[list] = []  # [font, text]
    missing = set()
    for ch in text:
        cp = ord(ch)
        cur = runs[-1][0] if runs else None
        if cur is not None and (ch == " " or unicodedata.category(ch) in _TRANSPARENT_CATS):
            runs[-1][1] += ch
            continue
        font = next((f for f in fonts if cp in f.cmap), None)
        if font is None:
            if not ch.isspace():
                missing.add(ch)
            font = cur or fonts[0]
        if cur is font:
            runs[-1][1] += ch
        else:
            runs.append([font, ch])
    return runs, missing


@dataclass
class _Run:
    font: _Font
    text: str
    width: float  # at size 1000 units per em -> multiply by size/1000
    glyphs: list | None = None  # [(gid, x, y)] in font units when drawn as outlines


def _shape(font: _Font, text: str):
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(font.hb_font, buf, {"kern": True, "liga": True})
    infos, poss = buf.glyph_infos, buf.glyph_positions
    glyphs, x = [], 0
    trivial = len(infos) == len(text)
    for i, (info, pos) in enumerate(zip(infos, poss, strict=False)):
        glyphs.append((info.codepoint, x + pos.x_offset, pos.y_offset))
        x += pos.x_advance
        if trivial and (
            info.codepoint != font.cmap.get(ord(text[i])) or pos.x_offset or pos.y_offset
        ):
            trivial = False
    return glyphs, x, trivial


@functools.lru_cache(maxsize=4096)
def _layout(text: str):
    fonts = _load_fonts()
    if not fonts:
        return [], set()
    runs, missing = _split_runs(text, fonts)
    out = []
    for font, t in runs:
        width = pdfmetrics.stringWidth(t, font.name, 1000)
        glyphs = None
        if font.hb_font is not None and not t.isascii():
            g, adv, trivial = _shape(font, t)
            if not trivial:
                glyphs, width = g, adv * 1000 / font.upem
        out.append(_Run(font, t, width, glyphs))
    return out, missing


class _PathPen:
    """Collects glyph outline operations (font units)."""

    def __init__(self):
        self.ops = []
        self._cur = (0, 0)

    def moveTo(self, p):
        self.ops.append(("m", p))
        self._cur = p

    def lineTo(self, p):
        self.ops.append(("l", p))
        self._cur = p

    def curveTo(self, *pts):
        self.ops.append(("c", pts))
        self._cur = pts[-1]

    def qCurveTo(self, *pts):
        # TrueType quadratic spline with implied on-curve points -> cubics
        p0 = self._cur
        offs, end = list(pts[:-1]), pts[-1]
        for i, q in enumerate(offs):
            p2 = (
                end
                if i == len(offs) - 1
                else ((q[0] + offs[i + 1][0]) / 2, (q[1] + offs[i + 1][1]) / 2)
            )
            c1 = (p0[0] + 2 / 3 * (q[0] - p0[0]), p0[1] + 2 / 3 * (q[1] - p0[1]))
            c2 = (p2[0] + 2 / 3 * (q[0] - p2[0]), p2[1] + 2 / 3 * (q[1] - p2[1]))
            self.ops.append(("c", (c1, c2, p2)))
            p0 = p2
        self._cur = end

    def closePath(self):
        self.ops.append(("h", None))

    endPath = closePath


def _glyph_ops(font: _Font, gid: int):
    ops = font.glyph_paths.get(gid)
    if ops is None:
        pen = _PathPen()
        font.hb_font.draw_glyph_with_pen(gid, pen)
        ops = font.glyph_paths[gid] = pen.ops
    return ops


def text_width(text: str, size: float) -> float:
    text = unicodedata.normalize("NFC", text)
    runs, _ = _layout(text)
    if not runs:
        return pdfmetrics.stringWidth(text, "Helvetica", size)
    return sum(r.width for r in runs) * size / 1000


def _draw_text(
    c,
    text: str,
    x: float,
    y: float,
    size: float,
    align="left",
    color=None,
    max_width: float | None = None,
) -> float:
    """Draw mixed-script ``text``; returns the font size actually used."""
    text = unicodedata.normalize("NFC", text)
    runs, missing = _layout(text)
    if missing:
        msg = f"no configured font covers {sorted(missing)!r} in {text!r}"
        if _state["strict"]:
            raise MissingGlyphError(msg + f"; install e.g. {' '.join(APT_FONT_PACKAGES)}")
        log.warning("certificate_pdf: %s", msg)
    if color is not None:
        c.setFillColor(color)
    if not runs:  # no TTF at all: built-in font, Latin-1 only
        safe = text.encode("latin-1", "replace").decode("latin-1")
        while max_width and size > 6 and c.stringWidth(safe, "Helvetica", size) > max_width:
            size -= 1
        w = c.stringWidth(safe, "Helvetica", size)
        c.setFont("Helvetica", size)
        c.drawString(x - {"left": 0, "center": w / 2, "right": w}[align], y, safe)
        return size
    width = sum(r.width for r in runs) * size / 1000
    if max_width and width > max_width:
        size *= max_width / width
        width = max_width
    x -= {"left": 0, "center": width / 2, "right": width}[align]
    for r in runs:
        w = r.width * size / 1000
        t = c.beginText(x, y)
        t.setFont(r.font.name, size)
        if r.glyphs is not None:
            # invisible, extractable original text stretched over the shaped width
            plain = pdfmetrics.stringWidth(r.text, r.font.name, size)
            t.setTextRenderMode(3)
            if plain:
                t.setHorizScale(100 * w / plain)
            t.textOut(r.text)
            t.setTextRenderMode(0)
            t.setHorizScale(100)
            c.drawText(t)
            s = size / r.font.upem
            p = c.beginPath()
            for gid, gx, gy in r.glyphs:
                ox, oy = x + gx * s, y + gy * s
                for op, a in _glyph_ops(r.font, gid):
                    if op == "m":
                        p.moveTo(ox + a[0] * s, oy + a[1] * s)
                    elif op == "l":
                        p.lineTo(ox + a[0] * s, oy + a[1] * s)
                    elif op == "c":
                        (x1, y1), (x2, y2), (x3, y3) = a
                        p.curveTo(
                            ox + x1 * s,
                            oy + y1 * s,
                            ox + x2 * s,
                            oy + y2 * s,
                            ox + x3 * s,
                            oy + y3 * s,
                        )
                    else:
                        p.close()
            c.drawPath(p, stroke=0, fill=1, fillMode=1)  # non-zero winding
        else:
            t.textOut(r.text)
            c.drawText(t)
        x += w
    return size


# --------------------------------------------------------------------------
# Certificate
# --------------------------------------------------------------------------
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
INK = Color(0.13, 0.16, 0.24)
MUTED = Color(0.38, 0.40, 0.46)
ACCENT = Color(0.62, 0.49, 0.22)


def _format_date(d: datetime.date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _join_partners(partners: list[str]) -> str:
    partners = [p for p in partners if p]
    if len(partners) <= 1:
        return "".join(partners)
    return ", ".join(partners[:-1]) + " and " + partners[-1]


def _draw_qr(c, data: str, x: float, y: float, size: float) -> None:
    qr = segno.make(data, error="m", micro=False, boost_error=True)
    rows = list(qr.matrix_iter(border=0))
    n = len(rows)
    m = size / n
    p = c.beginPath()
    for r, row in enumerate(rows):
        col = 0
        while col < n:
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                p.rect(x + start * m, y + size - (r + 1) * m, (col - start) * m, m)
            else:
                col += 1
    c.setFillColor(Color(0, 0, 0))
    c.drawPath(p, stroke=0, fill=1)


def render_certificate_pdf(
    *,
    holder_name: str,
    programme: str,
    cohort: str,
    partners: list[str],
    issued_on: datetime.date,
    code: str,
    verify_url: str,
    issuer: str,
) -> bytes:
    W, H = landscape(A4)
    buf = io.BytesIO()
    c = rl_canvas.Canvas(buf, pagesize=(W, H), invariant=1, pageCompression=1)
    c.setTitle(f"Certificate of completion - {unicodedata.normalize('NFC', holder_name)}")
    c.setAuthor(issuer)
    c.setSubject(f"{programme} - {cohort}")
    c.setCreator("Cohortline")

    # frame
    c.setStrokeColor(ACCENT)
    c.setLineWidth(2.2)
    c.rect(22, 22, W - 44, H - 44)
    c.setLineWidth(0.6)
    c.rect(30, 30, W - 60, H - 60)

    cx = W / 2
    _draw_text(c, issuer.upper(), cx, H - 82, 12, "center", MUTED, max_width=W - 160)
    _draw_text(c, "Certificate of completion", cx, H - 142, 38, "center", INK)
    c.setStrokeColor(ACCENT)
    c.setLineWidth(1)
    c.line(cx - 60, H - 160, cx + 60, H - 160)
    _draw_text(c, "This certifies that", cx, H - 200, 14, "center", MUTED)
    _draw_text(c, holder_name, cx, H - 255, 40, "center", INK, max_width=W - 200)
    c.setStrokeColor(MUTED)
    c.setLineWidth(0.5)
    c.line(cx - 250, H - 272, cx + 250, H - 272)
    _draw_text(c, "has successfully completed the programme", cx, H - 302, 14, "center", MUTED)
    _draw_text(c, programme, cx, H - 334, 22, "center", INK, max_width=W - 200)
    _draw_text(c, f"Cohort: {cohort}", cx, H - 360, 13, "center", MUTED, max_width=W - 200)
    pl = _join_partners(partners)
    if pl:
        _draw_text(
            c, f"In partnership with {pl}", cx, H - 386, 11, "center", MUTED, max_width=W - 200
        )

    # footer left: date, issuer, code
    left = 70
    _draw_text(c, "Issued on", left, 118, 9, "left", MUTED)
    _draw_text(c, _format_date(issued_on), left, 102, 13, "left", INK)
    _draw_text(c, "Issuer", left, 80, 9, "left", MUTED)
    _draw_text(c, issuer, left, 64, 13, "left", INK, max_width=380)

    # footer right: QR + URL + code
    qr_size = 86
    qx, qy = W - 70 - qr_size, 78
    _draw_qr(c, verify_url, qx, qy, qr_size)
    _draw_text(c, verify_url, qx + qr_size, 66, 6.5, "right", MUTED, max_width=260)
    _draw_text(c, "Certificate code", qx - 14, qy + 40, 9, "right", MUTED)
    _draw_text(c, code, qx - 14, qy + 24, 13, "right", INK)

    c.showPage()
    c.save()
    return buf.getvalue()
