"""The targets workbook (`flask export targets`, SPEC 3.10 and 4.2, and the targets page's download): every target
in scope with its progress on a date, counted a page of targets per statement (services/workforce/target_progress).
Numbers are numbers and dates dates; the sheet prints as every workbook does (exports/xlsx)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..models import User
from ..services.workforce.target_progress import target_progress
from ..services.workforce.targets import STATUS_LABELS, count_targets, expected_percent, target_label, targets_for
from .xlsx import hardened_workbook

HEADER = [
    "For",
    "Code",
    "Name",
    "Responsibility groups",
    "Course",
    "Target %",
    "Due on",
    "Set on",
    "Staff in post",
    "Holding a current record",
    "Progress %",
    "Straight line %",
    "Status",
]
PAGE = 500  # targets counted per statement


def write_targets(path: str | Path, as_of: date, user: User | None = None) -> int:
    """Sheet 'Targets' (a title row, then the header, frozen and printed on every page); returns the targets written.
    `user` keeps it to their scope; None (the command line) writes every target."""
    workbook = hardened_workbook(path)
    try:
        bold = workbook.add_format({"bold": True})
        day = workbook.add_format({"num_format": "dd/mm/yyyy"})
        sheet = workbook.add_worksheet("Targets")
        sheet.write_string(0, 0, f"Targets: progress on {as_of:%d/%m/%Y}", bold)
        sheet.write_row(1, 0, HEADER, bold)
        sheet.freeze_panes(2, 0)
        row, total = 1, count_targets(user)
        for offset in range(0, total, PAGE):
            targets = targets_for(user, PAGE, offset)
            progress = target_progress(targets, as_of)
            for target in targets:
                row += 1
                figures = progress[target.id]
                whose = target.organisation or target.authority
                texts = ["Organisation" if target.organisation else "Authority", whose.code if whose else ""]
                texts += [target_label(target), ", ".join(group.code for group in target.groups), target.course.code]
                for column, text in enumerate(texts):
                    sheet.write_string(row, column, text)
                sheet.write_number(row, 5, target.percent)
                sheet.write_datetime(row, 6, target.due_on, day)
                sheet.write_datetime(row, 7, target.set_on, day)
                sheet.write_number(row, 8, figures.in_post)
                sheet.write_number(row, 9, figures.current)
                sheet.write_number(row, 10, figures.progress_percent)
                sheet.write_number(row, 11, int(expected_percent(target.percent, target.set_on, target.due_on, as_of)))
                sheet.write_string(row, 12, STATUS_LABELS[figures.status])
        return row - 1
    finally:
        workbook.close()
