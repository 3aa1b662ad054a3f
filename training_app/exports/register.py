"""A session's register as a workbook (issue 8's exports): one row per person on it, each day's mark, time and note,
hardened as every export is (no formulas or links from text; dates as dates)."""

from __future__ import annotations

from pathlib import Path

from ..models import TrainingSession
from ..services.attendance.registers import register_rows
from .xlsx import hardened_workbook, streamed_table

STATUS_WORDS = {"booked": "Booked", "attended": "Completed", "no_show": "No-show", "absent": "Absent"}


def register_table(session: TrainingSession) -> tuple[list[str], list[list[object]]]:
    """The register's header and rows: name, email, organisation, booking, walk-in, then per day mark/time/note."""
    header = ["Name", "Email", "Organisation", "Booking", "Walk-in"]
    for day in session.days:
        header += [f"{day.date:%d/%m/%Y} mark", f"{day.date:%d/%m/%Y} time", f"{day.date:%d/%m/%Y} notes"]
    rows: list[list[object]] = []
    for row in register_rows(session):
        person = row.booking.practitioner
        values: list[object] = [
            person.full_name,
            person.email,
            person.organisation.name if person.organisation else None,
            STATUS_WORDS.get(row.booking.status.value, row.booking.status.value),
            row.booking.walk_in,
        ]
        for day in session.days:
            mark = row.marks.get(day.id)
            values += [
                mark.status.value if mark else None,
                mark.noted_time.strftime("%H:%M") if mark and mark.noted_time else None,
                (mark.notes or None) if mark else None,
            ]
        rows.append(values)
    return header, rows


def write_register(path: str | Path, session: TrainingSession) -> int:
    """Write the session's register to an .xlsx file; returns how many people it lists."""
    header, rows = register_table(session)
    workbook = hardened_workbook(path)
    try:
        return streamed_table(workbook, "Register", header, rows)
    finally:
        workbook.close()
