"""Hardened workbooks (STYLE 8): text never read as a formula or a link, numbers and dates written as such.

`streamed_table` writes rows as they come from the database with xlsxwriter's constant_memory mode, so an export of
a million people holds one row in memory at a time, and reports each row to an optional progress callback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter

HARDENED = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
MAX_ROWS = 1_048_575  # a sheet's rows, less the header
Progress = Callable[[int], None]


def hardened_workbook(path: str | Path, streaming: bool = False) -> xlsxwriter.Workbook:
    """A workbook that writes strings as strings; `streaming` writes each row out as soon as the next begins."""
    return xlsxwriter.Workbook(str(path), {**HARDENED, "constant_memory": streaming})


def write_cell(sheet: Any, row: int, column: int, value: Any, date_format: Any) -> None:
    """A count as a number, a date as a date, None as an empty cell, anything else as text."""
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_string(row, column, "yes" if value else "no")
    elif isinstance(value, int):
        sheet.write_number(row, column, value)
    elif isinstance(value, date):
        sheet.write_datetime(row, column, value, date_format)
    else:
        sheet.write_string(row, column, str(value))


def streamed_table(
    workbook: xlsxwriter.Workbook,
    name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[int],
    progress: Progress | None = None,
) -> int:
    """One sheet: a bold header, then the rows in order (at most a sheet's worth); returns how many were written."""
    sheet = workbook.add_worksheet(name)
    dates = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.write_row(0, 0, list(header), workbook.add_format({"bold": True}))
    sheet.freeze_panes(1, 0)
    written = 0
    for values in rows:
        if written == MAX_ROWS:
            break
        written += 1
        for column, value in enumerate(values):
            write_cell(sheet, written, column, value, dates)
        if progress is not None:
            progress(1)
    return written
