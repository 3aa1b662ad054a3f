"""The attendance-per-authority workbook (SPEC 3.5, 3.9): attendees of a session or a period, by exact set of
authorities, in the trained-by-area table's rows, the total last; numbers as numbers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..services.reporting.attendance_counts import AttendanceRow, attendance_by_authority
from .xlsx import hardened_workbook

SHEET = "Attendance by authority"


def period_text(start: date | None, end: date | None, session_code: str | None = None) -> str:
    """What the figures cover, in words: 'session CAF-1, 01/10/2008 to 02/10/2008', 'all dates'."""
    if start and end:
        period = f"{start:%d/%m/%Y} to {end:%d/%m/%Y}"
    elif start:
        period = f"from {start:%d/%m/%Y}"
    elif end:
        period = f"up to {end:%d/%m/%Y}"
    else:
        period = "all dates"
    return f"session {session_code}, {period}" if session_code else period


def write_attendance_by_authority(
    path: str | Path,
    start: date | None = None,
    end: date | None = None,
    session: tuple[int, str] | None = None,
    authority_ids: set[int] | None = None,
) -> list[AttendanceRow]:
    """Write the sheet (header 'Authority', 'Attended (<period>)') and return its rows; session is (id, code)."""
    rows = attendance_by_authority(start, end, session[0] if session else None, authority_ids)
    workbook = hardened_workbook(path)
    try:
        sheet = workbook.add_worksheet(SHEET)
        bold = workbook.add_format({"bold": True})
        header = ["Authority", f"Attended ({period_text(start, end, session[1] if session else None)})"]
        sheet.write_row(0, 0, header, bold)
        for index, row in enumerate(rows, start=1):
            style = bold if index == len(rows) else None
            sheet.write_string(index, 0, row.label, style)
            sheet.write_number(index, 1, row.attended, style)
        sheet.freeze_panes(1, 0)
    finally:
        workbook.close()
    return rows
