"""Awareness workbooks: the sign-off register in seed 000 Appendix B's layout, and the presentation totals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from ..services.awareness import awareness, presentations, reawareness
from ..services.awareness.presentations import TotalsBy
from .xlsx import hardened_workbook

REGISTER_HEADER = ["Service", "Name of Contact", "Completed"]
DETAIL_HEADER = [
    "Service",
    "Sector",
    "Authorities",
    "Contact",
    "Role",
    "Package",
    "Version",
    "Completed",
    "Status",
    "Signed off by",
    "Re-awareness due",
    "Evidence notes",
]
TOTAL_SHEETS: tuple[tuple[TotalsBy, str, str], ...] = (
    (TotalsBy.YEAR, "By year", "Year"),
    (TotalsBy.SECTOR, "By sector", "Sector"),
)
TOTAL_SHEETS += ((TotalsBy.AREA, "By area", "Area"),)


def contact_label(contact_name: str, contact_role: str | None) -> str:
    """The contact as Appendix B writes it: 'Martin Curran, Assistant Chief Officer'."""
    return f"{contact_name}, {contact_role}" if contact_role else contact_name


def write_sign_off_register(path: str | Path, authority_ids: set[int] | None = None) -> int:
    """Sheet 'Awareness sign-offs' as Appendix B (Service, Name of Contact, Completed), then 'Details'; returns rows."""
    rows = awareness.sign_offs(authority_ids)
    versions = reawareness.current_versions()
    workbook = hardened_workbook(path)
    bold = workbook.add_format({"bold": True})
    month = workbook.add_format({"num_format": "mmmm yyyy", "align": "left"})
    day = workbook.add_format({"num_format": "d mmmm yyyy", "align": "left"})
    register = workbook.add_worksheet("Awareness sign-offs")
    register.write_row(0, 0, REGISTER_HEADER, bold)
    details = workbook.add_worksheet("Details")
    details.write_row(0, 0, DETAIL_HEADER, bold)
    for index, sign_off in enumerate(rows, start=1):
        completed = month if sign_off.completed_month_only else day
        register.write_string(index, 0, sign_off.service)
        register.write_string(index, 1, contact_label(sign_off.contact_name, sign_off.contact_role))
        register.write_datetime(index, 2, sign_off.completed_on, completed)
        due = reawareness.reawareness_due_on(sign_off, versions)
        texts = [
            sign_off.service,
            presentations.sector_label(sign_off.sector_kind),
            "; ".join(sorted(authority.code for authority in sign_off.authorities)),
            sign_off.contact_name,
            sign_off.contact_role or "",
            sign_off.package,
            sign_off.package_version or "",
        ]
        for column, text in enumerate(texts):
            details.write_string(index, column, text)
        details.write_datetime(index, 7, sign_off.completed_on, completed)
        details.write_string(index, 8, sign_off.status.value.replace("_", " "))
        details.write_string(index, 9, sign_off.signed_off_by_name or "")
        if due is not None:
            details.write_datetime(index, 10, due, day)
        details.write_string(index, 11, sign_off.evidence_notes)
    workbook.close()
    return len(rows)


def write_presentation_totals(
    path: str | Path, start: date | None = None, end: date | None = None, authority_ids: set[int] | None = None
) -> list[presentations.TotalRow]:
    """Sheets 'By year', 'By sector' and 'By area': presentations and people reached, a total row last."""
    workbook = hardened_workbook(path)
    bold = workbook.add_format({"bold": True})
    totals: list[presentations.TotalRow] = []
    for by, name, label in TOTAL_SHEETS:
        totals = presentations.presentation_totals(by, start, end, authority_ids)
        _write_totals(workbook.add_worksheet(name), [label, "Presentations", "People reached"], totals, bold)
    workbook.close()
    return totals


def _write_totals(sheet, header: list[str], rows: Sequence[presentations.TotalRow], bold) -> None:
    sheet.write_row(0, 0, header, bold)
    for index, row in enumerate(rows, start=1):
        style = bold if index == len(rows) else None
        sheet.write_string(index, 0, row.label, style)
        sheet.write_number(index, 1, row.presentations, style)
        sheet.write_number(index, 2, row.people, style)
    sheet.freeze_panes(1, 0)
