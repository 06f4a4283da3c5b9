"""Tables as CSV or XLSX, for every export: streamed CSV text and constant-memory worksheets,
with cells a spreadsheet could read as a formula made plain text.

Pure helpers: rows of plain values in, text or a file out. The apps decide what the rows are.
"""

import csv
import decimal
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO

# A spreadsheet treats a cell starting with one of these as a formula (or strips the character
# and then does). Prefixing an apostrophe makes it text in Excel, LibreOffice and Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | decimal.Decimal | None

_NUMBERS = (int, float, decimal.Decimal)
# The characters Excel refuses in a worksheet's name, and its length limit.
_SHEET_NAME_UNSAFE = str.maketrans("[]:*?/\\", "       ")
_SHEET_NAME_MAX = 31


def neutralise(value: Cell) -> Cell:
    """The cell, with a leading apostrophe when a spreadsheet could read it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write returns what it was given (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(
    header: Sequence[Cell],
    rows: Iterable[Sequence[Cell]],
    *,
    rows_per_chunk: int = 500,
    progress: Callable[[int], None] | None = None,
) -> Iterator[str]:
    """CSV text in chunks of a few hundred rows, so memory stays flat however many rows come.

    Starts with a byte-order mark so that Excel reads the file as UTF-8. `progress`, if given,
    is called with the number of data rows written so far before each chunk is handed over."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    batch: list[str] = []
    done = 0
    for row in rows:
        batch.append(writer.writerow(row))
        if len(batch) >= rows_per_chunk:
            done += len(batch)
            if progress is not None:
                progress(done)
            yield "".join(batch)
            batch = []
    if batch:
        done += len(batch)
        if progress is not None:
            progress(done)
        yield "".join(batch)


def write_xlsx(
    target: str | IO[bytes],
    header: Sequence[Cell],
    rows: Iterable[Sequence[Cell]],
    *,
    sheet_name: str,
    column_widths: Sequence[float] = (),
    default_width: float = 20,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 500,
) -> int:
    """Write one worksheet to `target` in XlsxWriter's constant-memory mode (each row goes to
    disk as it is written). Numbers are numbers; strings stay strings, never read as formulas,
    links or numbers; empty cells stay empty. `column_widths` sets the first columns' widths,
    the others get `default_width`. Returns the number of data rows. `progress`, if given, is
    called with the number of data rows written so far every `progress_every` rows and once at
    the end."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = workbook.add_worksheet(
        str(sheet_name).translate(_SHEET_NAME_UNSAFE).strip()[:_SHEET_NAME_MAX] or None
    )
    bold = workbook.add_format({"bold": True})
    sheet.freeze_panes(1, 0)
    for column, width in enumerate(column_widths):
        sheet.set_column(column, column, width)
    if len(header) > len(column_widths):
        sheet.set_column(len(column_widths), len(header) - 1, default_width)
    for column, cell in enumerate(header):
        sheet.write_string(0, column, str(cell), bold)
    count = 0
    for count, row in enumerate(rows, start=1):
        for column, cell in enumerate(row):
            if isinstance(cell, bool):
                sheet.write_string(count, column, str(cell))
            elif isinstance(cell, _NUMBERS):
                sheet.write_number(count, column, float(cell))
            elif cell is not None and cell != "":
                sheet.write_string(count, column, str(cell))
        if progress is not None and count % progress_every == 0:
            progress(count)
    workbook.close()
    if progress is not None and count % progress_every:
        progress(count)
    return count
