"""The sheets after 'By authority' in the trained-by-area workbook (SPEC 4.4): one header row, then data rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import xlsxwriter

from ..models import OrganisationKind
from ..services.reporting.report_rows import NO_ORGANISATION, ReportSheets

KIND_LABELS = {OrganisationKind.GP: "GP", OrganisationKind.FE: "Further education"}


def kind_label(kind: OrganisationKind | None) -> str:
    """A kind of organisation as people read it: 'Early years', 'GP'; no kind means no organisation."""
    if kind is None:
        return NO_ORGANISATION
    return KIND_LABELS.get(kind, kind.value.replace("_", " ").capitalize())


def write_report_sheets(workbook: xlsxwriter.Workbook, as_of: date, rows: ReportSheets) -> None:
    """Add 'By area', 'By group', 'By organisation kind' and 'Still to train', in that order."""
    trained = f"Staff trained to {as_of:%d/%m/%Y}"
    areas, groups, kinds, still = rows.areas, rows.groups, rows.kinds, rows.still_to_train
    sheets: list[tuple[str, list[str], list[list[str | int]]]] = [
        ("By area", ["Authority", "Area", trained], [[r.authority, r.area, r.trained] for r in areas]),
        (
            "By group",
            ["Group", "Responsibility group", trained, "Not trained (excluding awareness-only)"],
            [[r.code, r.name, r.trained, r.untrained] for r in groups],
        ),
        (
            "By organisation kind",
            ["Kind of organisation", trained, "Staff"],
            [[kind_label(r.kind), r.trained, r.staff] for r in kinds],
        ),
        ("Still to train", ["Authority", f"Still to train at {as_of:%d/%m/%Y}"], [[r.label, r.count] for r in still]),
    ]
    bold = workbook.add_format({"bold": True})
    for name, header, table in sheets:
        _write_table(workbook.add_worksheet(name), header, table, bold)


def _write_table(sheet, header: list[str], rows: Sequence[list[str | int]], bold) -> None:
    """A bold header row, text written as text and counts as numbers (the workbook sizes the columns)."""
    sheet.write_row(0, 0, header, bold)
    for index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(index, column, value)
            else:
                sheet.write_string(index, column, value)
    sheet.freeze_panes(1, 0)
