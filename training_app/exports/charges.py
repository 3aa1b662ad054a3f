"""The charges workbook (`flask export charges`, SPEC 3.4 and 4.2): late cancellations and no-shows per organisation.

Money is integer pence, written as numbers: each amount in pence, and beside it in pounds with a £ format (the
pounds are the pence shown, never summed in floating point: totals are summed in pence in SQL first)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from ..services.booking.charges import charge_rows, charge_totals
from .xlsx import hardened_workbook

POUNDS = "£#,##0.00"
PENCE = "#,##0"
TOTALS_HEADER = [
    "Organisation code",
    "Organisation",
    "Charges",
    "Charged (pence)",
    "Charged",
    "Payable (pence)",
    "Payable",
]
CHARGES_HEADER = [
    "Organisation code",
    "Organisation",
    "Practitioner",
    "Email",
    "Course",
    "Session",
    "First day",
    "Reason",
    "Amount (pence)",
    "Amount",
    "Waived",
    "Waiver reason",
    "Payable (pence)",
    "Payable",
]
Formats = dict[str, Any]
Day = date | None
REASONS = {"late_cancelled": "Late cancellation", "no_show": "No-show"}


def write_charges(
    path: str | Path, date_from: date | None = None, date_to: date | None = None, organisation_id: int | None = None
) -> int:
    """Sheet 'By organisation' (totals, then the grand total) and sheet 'Charges' (one row each); returns rows."""
    workbook = hardened_workbook(path)
    try:
        formats = {
            "bold": workbook.add_format({"bold": True}),
            "pounds": workbook.add_format({"num_format": POUNDS}),
            "pence": workbook.add_format({"num_format": PENCE}),
            "day": workbook.add_format({"num_format": "dd/mm/yyyy"}),
        }
        _totals_sheet(workbook, formats, organisation_id, date_from, date_to)
        return _charges_sheet(workbook, formats, organisation_id, date_from, date_to)
    finally:
        workbook.close()


def _money(sheet: Any, row: int, column: int, pence: int, formats: Formats) -> None:
    """Pence as a number, then the same in pounds with the £ format."""
    sheet.write_number(row, column, pence, formats["pence"])
    sheet.write_number(row, column + 1, pence / 100, formats["pounds"])


def _totals_sheet(workbook: Any, formats: Formats, organisation_id: int | None, date_from: Day, date_to: Day) -> None:
    sheet = workbook.add_worksheet("By organisation")
    sheet.write_row(0, 0, TOTALS_HEADER, formats["bold"])
    totals = charge_totals(organisation_id, date_from, date_to)
    row = 0
    for row, total in enumerate(totals, start=1):
        sheet.write_string(row, 0, total.organisation_code or "")
        sheet.write_string(row, 1, total.organisation_name or "No organisation")
        sheet.write_number(row, 2, total.charges)
        _money(sheet, row, 3, total.charged_pence, formats)
        _money(sheet, row, 5, total.payable_pence, formats)
    row += 1
    sheet.write_string(row, 0, "Total", formats["bold"])
    sheet.write_number(row, 2, sum(total.charges for total in totals), formats["bold"])
    _money(sheet, row, 3, sum(total.charged_pence for total in totals), formats)
    _money(sheet, row, 5, sum(total.payable_pence for total in totals), formats)


def _charges_sheet(workbook: Any, formats: Formats, organisation_id: int | None, date_from: Day, date_to: Day) -> int:
    sheet = workbook.add_worksheet("Charges")
    sheet.write_row(0, 0, CHARGES_HEADER, formats["bold"])
    sheet.freeze_panes(1, 0)
    rows = charge_rows(organisation_id, date_from, date_to)
    for row, charge in enumerate(rows, start=1):
        texts = [charge.organisation_code or "", charge.organisation_name or "", charge.practitioner, charge.email]
        for column, text in enumerate([*texts, charge.course_code, charge.session_code]):
            sheet.write_string(row, column, text)
        if charge.starts_on is not None:
            sheet.write_datetime(row, 6, charge.starts_on, formats["day"])
        sheet.write_string(row, 7, REASONS.get(charge.reason, charge.reason))
        _money(sheet, row, 8, charge.amount_pence, formats)
        sheet.write_string(row, 10, "yes" if charge.waived_reason else "no")
        sheet.write_string(row, 11, charge.waived_reason or "")
        _money(sheet, row, 12, charge.payable_pence, formats)
    return len(rows)
