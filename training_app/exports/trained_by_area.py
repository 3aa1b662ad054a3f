"""The trained-by-area workbook (SPEC 4.4): the 'By authority' sheet laid out as the 3.9 table, a chart, then
the sheets by area, group, kind of organisation and still to train (report_sheets). Every sheet's numbers come from
one grouped pass over practitioners (services.reporting.report_rows.report_sheets), the 'By authority' table
included."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import xlsxwriter

from ..services.reporting.counting import AreaRow, area_table
from ..services.reporting.report_rows import report_sheets
from .report_sheets import write_report_sheets
from .xlsx import hardened_workbook

SHEET = "By authority"


def by_authority_header(as_of: date) -> list[str]:
    """The header row: the as-of date as DD/MM/YYYY and the two years the spaces columns cover."""
    return [
        "Authority",
        f"Staff trained to {as_of:%d/%m/%Y}",
        f"Spaces to end {as_of.year}",
        f"Spaces planned {as_of.year + 1}",
    ]


# Beyond this many rows the chart shows only the single partner authorities.
MAX_CHART_BARS = 30


def write_trained_by_area(path: str | Path, as_of: date, authority_ids: set[int] | None = None) -> list[AreaRow]:
    """Write the workbook to path and return the rows it holds."""
    sheets = report_sheets(as_of, authority_ids)
    rows = area_table(as_of, sheets.trained_by_key, authority_ids)
    workbook = hardened_workbook(path, in_memory=True)  # small: no temp files
    try:
        _write_by_authority(workbook, as_of, rows)
        write_report_sheets(workbook, as_of, sheets)
    finally:
        workbook.close()
    return rows


def _write_by_authority(workbook: xlsxwriter.Workbook, as_of: date, rows: list[AreaRow]) -> None:
    sheet = workbook.add_worksheet(SHEET)
    bold = workbook.add_format({"bold": True})
    header = by_authority_header(as_of)
    sheet.write_row(0, 0, header, bold)
    for index, row in enumerate(rows, start=1):
        is_total = index == len(rows)
        sheet.write_string(index, 0, row.label, bold if is_total else None)
        sheet.write_number(index, 1, row.trained, bold if is_total else None)
        for column, value in ((2, row.spaces_to_end_of_year), (3, row.spaces_planned_next_year)):
            if value is not None:  # blanks stay empty cells, as in the partnership's table
                sheet.write_number(index, column, value)
    sheet.freeze_panes(1, 0)
    _add_chart(workbook, sheet, rows, header[1])


def _add_chart(workbook, sheet, rows: list[AreaRow], series_name: str) -> None:
    """A column chart of staff trained per row, leaving out the total. A table of more than MAX_CHART_BARS rows
    (a national one has thousands of combinations, too many bars to read, and the chart caches every point) is
    charted by its single partner rows, which come first (the only rows with spaces)."""
    charted = len(rows) - 1
    if charted > MAX_CHART_BARS:
        charted = sum(1 for row in rows[:-1] if row.spaces_to_end_of_year is not None) or MAX_CHART_BARS
    if charted < 1:
        return
    chart = workbook.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": series_name,
            "categories": [SHEET, 1, 0, charted, 0],
            "values": [SHEET, 1, 1, charted, 1],
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": "Staff trained by authority"})
    chart.set_legend({"none": True})
    chart.set_size({"width": 720, "height": 360})
    sheet.insert_chart(len(rows) + 2, 0, chart)
