"""The one CSV path (and its XLSX twin): UTF-8 with a BOM for spreadsheets, safe against formula injection."""
import csv
import io
from collections.abc import Iterable

import xlsxwriter
from flask import Response

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value):
    """Numbers stay numbers; text that a spreadsheet would run as a formula is quoted with a '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTERS):
        return "'" + text
    return text


def csv_text(header: list[str], rows: Iterable[Iterable]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> Response:
    body = "\ufeff" + csv_text(header, rows)
    return Response(body.encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
    })


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(header: list[str], rows: Iterable[Iterable], sheet: str = "Sheet1") -> bytes:
    """The same table as an Excel workbook: numbers as numbers, every text cell written as text (never a
    formula, a URL or a number guessed from text) and neutralised as in the CSV."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    widths = [len(str(cell)) for cell in header]
    for column, cell in enumerate(header):
        worksheet.write_string(0, column, str(safe_cell(cell)), bold)
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            cell = safe_cell(value)
            if isinstance(cell, (int, float)):
                worksheet.write_number(row_number, column, cell)
            else:
                worksheet.write_string(row_number, column, cell)
            if column < len(widths):
                widths[column] = max(widths[column], min(len(str(cell)), 60))
    for column, width in enumerate(widths):
        worksheet.set_column(column, column, width + 2)
    worksheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def xlsx_response(filename: str, header: list[str], rows: Iterable[Iterable], sheet: str = "Sheet1") -> Response:
    return Response(xlsx_bytes(header, rows, sheet), mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
    })
