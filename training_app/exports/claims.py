"""The finance batch for a fund (`flask export claims`, and finance's download): each school's approved and payable
totals, the underspend returned to the partners, then the lines, in words rather than codes."""

from __future__ import annotations

from pathlib import Path

from ..models import ClaimCategory, ClaimStatus, CoverUnit, Fund
from ..services.claims import allocation, claim_rows
from .xlsx import hardened_workbook

POUNDS = "£#,##0.00"
CATEGORY_LABELS = {ClaimCategory.TEACHER: "Teacher", ClaimCategory.TEACHING_ASSISTANT: "Teaching assistant"}
UNIT_LABELS = {CoverUnit.HALF_DAY: "Half day", CoverUnit.DAY: "Day"}
STATUS_LABELS = {status: status.value.replace("_", " ").capitalize() for status in ClaimStatus}
UNDERSPEND_HEADER = ["Partner", None, "Contribution", "Returned"]
SCHOOL_HEADER = ["School code", "School", "Approved", "Payable", "Paid"]
LINE_HEADER = [
    "Claim",
    "Status",
    "School code",
    "School",
    "Practitioner",
    "Name",
    "Session",
    "Date",
    "Cover category",
    "Unit",
    "Retrospective",
    "Supplier",
    "Invoice",
    "Invoice amount",
    "Rate",
    "Amount",
]


def _pounds(pence: int) -> float:
    """Pence as pounds for a spreadsheet cell; the sums are done in integer pence before this."""
    return pence / 100


def write_claims_batch(path: str | Path, fund: Fund) -> int:
    """Sheet 'Allocation' (one row per school, then totals), sheet 'Lines' (every approved line); returns lines."""
    result = allocation.allocate_fund(fund)
    lines = claim_rows.batch_lines(fund)
    workbook = hardened_workbook(path)
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": POUNDS})
    bold_money = workbook.add_format({"num_format": POUNDS, "bold": True})
    day = workbook.add_format({"num_format": "d mmmm yyyy", "align": "left"})
    sheet = workbook.add_worksheet("Allocation")
    sheet.write_row(0, 0, [f"Fund {fund.label}"], bold)
    sheet.write_number(0, 2, _pounds(fund.amount_pence), bold_money)
    sheet.write_row(1, 0, SCHOOL_HEADER, bold)
    row = 2
    for school in result.schools:
        sheet.write_string(row, 0, school.code)
        sheet.write_string(row, 1, school.name)
        for column, pence in enumerate((school.approved_pence, school.payable_pence, school.paid_pence), start=2):
            sheet.write_number(row, column, _pounds(pence), money)
        row += 1
    sheet.write_string(row, 0, "Total", bold)
    totals = (result.approved_pence, result.payable_pence, sum(school.paid_pence for school in result.schools))
    for column, pence in enumerate(totals, start=2):
        sheet.write_number(row, column, _pounds(pence), bold_money)
    sheet.write_string(row + 1, 0, "Remaining", bold)
    sheet.write_number(row + 1, 3, _pounds(result.remaining_pence), bold_money)
    _write_underspend(sheet, row + 3, result, bold, money, bold_money)
    sheet.freeze_panes(2, 0)  # the fund's line and the header, on screen and on every printed page
    _write_lines(workbook.add_worksheet("Lines"), lines, bold, money, day)
    workbook.close()
    return len(lines)


def _write_underspend(sheet, row: int, result: allocation.Allocation, bold, money, bold_money) -> None:
    """The remaining fund returned to the partners pro rata to their contributions (when the fund has any)."""
    if not result.underspend:
        return
    sheet.write_string(row, 0, "Underspend returned to the partners", bold)
    sheet.write_row(row + 1, 0, UNDERSPEND_HEADER, bold)
    for at, share in enumerate(result.underspend, start=row + 2):
        sheet.write_string(at, 0, share.contributor)
        sheet.write_number(at, 2, _pounds(share.contribution_pence), money)
        sheet.write_number(at, 3, _pounds(share.return_pence), money)
    total = row + 2 + len(result.underspend)
    sheet.write_string(total, 0, "Total", bold)
    sheet.write_number(total, 2, _pounds(sum(share.contribution_pence for share in result.underspend)), bold_money)
    sheet.write_number(total, 3, _pounds(sum(share.return_pence for share in result.underspend)), bold_money)


def _write_lines(sheet, lines: list[claim_rows.BatchLine], bold, money, day) -> None:
    sheet.write_row(0, 0, LINE_HEADER, bold)
    for index, line in enumerate(lines, start=1):
        sheet.write_number(index, 0, line.claim_id)
        texts = [
            STATUS_LABELS[line.status],
            line.school_code,
            line.school_name,
            line.email,
            line.name,
            line.session_code,
        ]
        for column, text in enumerate(texts, start=1):
            sheet.write_string(index, column, text)
        sheet.write_datetime(index, 7, line.day, day)
        sheet.write_string(index, 8, CATEGORY_LABELS[line.category])
        sheet.write_string(index, 9, UNIT_LABELS[line.unit])
        sheet.write_string(index, 10, "yes" if line.retrospective else "no")
        sheet.write_string(index, 11, line.supplier or "")
        sheet.write_string(index, 12, line.invoice or "")
        if line.evidence_pence is not None:
            sheet.write_number(index, 13, _pounds(line.evidence_pence), money)
        sheet.write_number(index, 14, _pounds(line.rate_pence), money)
        sheet.write_number(index, 15, _pounds(line.amount_pence), money)
    sheet.freeze_panes(1, 0)
