"""Hardened workbooks (STYLE 8): text never read as a formula or a link, numbers and dates written as such; and every
sheet set up to print (landscape A4, one page wide, its header rows on every page, columns as wide as their values).

`streamed_table` writes rows as they come from the database with xlsxwriter's constant_memory mode, so an export of
a million people holds one row in memory at a time, and reports each row to an optional progress callback. The
columns are measured as the cells are written (`PrintedSheet`), so a streamed sheet is sized to its data too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

HARDENED = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
MAX_ROWS = 1_048_575  # a sheet's rows, less the header
Progress = Callable[[int], None]
WIDEST = 50  # characters: a column is no wider, and a longer text wraps within its cell
PADDING = 2  # characters either side of a column's longest value
A4 = 9  # xlsxwriter's paper size index
LINE_HEIGHT = 15  # points: a row's default height, one line of text


class PrintedSheet(Worksheet):
    """A worksheet that notes the longest value written to each column, as it would be shown."""

    def __init__(self) -> None:
        super().__init__()
        self.longest: dict[int, int] = {}
        self.lines: dict[int, int] = {}  # rows made taller for a wrapped text: how many lines they hold
        self.wrapped: Any = None  # the workbook's wrapping format, for a text longer than WIDEST

    def _note(self, column: int, text: str) -> None:
        length = max((len(line) for line in text.splitlines()), default=0)
        if length > self.longest.get(column, 0):
            self.longest[column] = length

    def _write_string(self, row: int, col: int, string: str, cell_format: Any = None) -> Any:
        self._note(col, string)
        if cell_format is None and len(string) > WIDEST:
            cell_format = self.wrapped
            self._make_room(row, string)
        return super()._write_string(row, col, string, cell_format)

    def _make_room(self, row: int, string: str) -> None:
        """Make the row tall enough for a wrapped text's lines (a spreadsheet does not always grow it on opening)."""
        # a column's width counts digits, wider than most letters, so a line of text holds at least that many
        lines = sum(-(-max(len(line), 1) // (WIDEST + PADDING)) for line in string.splitlines())
        if lines > self.lines.get(row, 1):
            self.lines[row] = lines
            self.set_row(row, LINE_HEIGHT * lines)

    def _write_number(self, row: int, col: int, number: Any, cell_format: Any = None) -> Any:
        self._note(col, _number_text(number, getattr(cell_format, "num_format", "")))
        return super()._write_number(row, col, number, cell_format)

    def _write_datetime(self, row: int, col: int, date: Any, cell_format: Any = None) -> Any:
        self._note(col, _date_text(date, getattr(cell_format, "num_format", "")))
        return super()._write_datetime(row, col, date, cell_format)


class PrintedWorkbook(xlsxwriter.Workbook):
    """A workbook of PrintedSheets, each set up to print when the workbook is closed."""

    worksheet_class = PrintedSheet

    def __init__(self, filename: str, options: dict[str, Any]) -> None:
        super().__init__(filename, options)
        self.wrapped = self.add_format({"text_wrap": True})

    def add_worksheet(self, name: str | None = None, worksheet_class: Any = None) -> Any:
        sheet = super().add_worksheet(name, worksheet_class)
        sheet.wrapped = self.wrapped
        return sheet

    def close(self) -> None:
        if not self.fileclosed:
            for sheet in self.worksheets():
                if isinstance(sheet, PrintedSheet):
                    set_up_for_print(sheet)
        super().close()


def hardened_workbook(path: str | Path, streaming: bool = False, in_memory: bool = False) -> PrintedWorkbook:
    """A workbook that writes strings as strings and prints; `streaming` writes each row out as soon as the next
    begins, `in_memory` (for a small one) uses no temporary files."""
    return PrintedWorkbook(str(path), {**HARDENED, "constant_memory": streaming, "in_memory": in_memory})


def set_up_for_print(sheet: PrintedSheet) -> None:
    """Landscape A4, one page wide however long, the header rows (those frozen on screen, else the first) repeated
    on every page, each column as wide as its longest value (within WIDEST), charts inside the printed area."""
    for column, longest in sheet.longest.items():
        info = sheet.col_info.get(column)
        sheet.set_column(column, column, min(longest, WIDEST) + PADDING, info.column_format if info else None)
    sheet.set_landscape()
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, 0)
    frozen_rows = sheet.panes[0] if sheet.panes else 0
    sheet.repeat_rows(0, max(frozen_rows - 1, 0))
    sheet.set_footer("&L&A&RPage &P of &N")
    if sheet.charts:
        _print_charts(sheet)


def _print_charts(sheet: PrintedSheet) -> None:
    """Print as far right and down as the charts reach, so fitting to the page's width takes them in whole."""
    last_row, last_column = sheet.dim_rowmax or 0, sheet.dim_colmax or 0
    for row, column, chart, x_offset, y_offset, x_scale, y_scale, *_ in sheet.charts:
        last_column = max(last_column, _reach(sheet._size_col, column, x_offset + chart.width * x_scale))
        last_row = max(last_row, _reach(sheet._size_row, row, y_offset + chart.height * y_scale))
    sheet.print_area(0, 0, last_row, last_column)


def _reach(size: Callable[[int], float], first: int, pixels: float) -> int:
    """The last column (or row) an object `pixels` long starting at `first` covers."""
    last, covered = first, size(first)
    while covered < pixels:
        last += 1
        covered += size(last)
    return last


def _number_text(number: Any, num_format: Any) -> str:
    """A number roughly as its format shows it: '£1,234.50', '1,234', '12'."""
    if isinstance(num_format, str) and "0.00" in num_format:
        text = f"{number:,.2f}"
    elif isinstance(num_format, str) and "," in num_format:
        text = f"{number:,.0f}"
    else:
        text = str(number)
    return ("£" + text) if isinstance(num_format, str) and "£" in num_format else text


def _date_text(value: Any, num_format: Any) -> str:
    """A date roughly as its format shows it: 'September 2026', '30 September 2026', '30/09/2026 09:30:00'."""
    if not isinstance(value, date | datetime) or not isinstance(num_format, str) or not num_format:
        return "00/00/0000"
    if "mmmm" in num_format:
        return value.strftime("%d %B %Y") if "d" in num_format else value.strftime("%B %Y")
    return num_format


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
    progress: Progress | None = None,
) -> int:
    """One sheet: a bold header, then the rows in order (at most a sheet's worth); returns how many were written."""
    sheet = workbook.add_worksheet(name)
    dates = workbook.add_format({"num_format": "dd/mm/yyyy"})
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
