"""A dashboard table as CSV or XLSX: the same cells the page shows ("< 5" included), so a
download never tells more than the page. Pure: a table in, bytes out."""

import io

from core import tabular

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _cells(row) -> list:
    # Labels are ours or a course's or resource's name, which staff type: never a formula.
    return [tabular.neutralise(cell) if isinstance(cell, str) else cell for cell in row]


def table_csv(table) -> bytes:
    header = _cells(table.headers)
    rows = (_cells(row) for row in table.export_rows())
    return "".join(tabular.csv_chunks(header, rows)).encode()


def table_xlsx(table) -> bytes:
    target = io.BytesIO()
    tabular.write_xlsx(
        target,
        _cells(table.headers),
        (_cells(row) for row in table.export_rows()),
        sheet_name=str(table.title),
        column_widths=(36,),
        default_width=14,
    )
    return target.getvalue()
