"""Every workbook prints (issue 18): landscape, one page wide, its header row on every page, and columns as wide as
their longest value (emails, names and organisations were cut), the chart inside the printed area."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

from tests.factories import (
    make_authority,
    make_booking,
    make_fund,
    make_organisation,
    make_practitioner,
    make_record,
    make_session,
)
from training_app.exports.audit_log import write_audit_log
from training_app.exports.awareness import write_presentation_totals, write_sign_off_register
from training_app.exports.charges import write_charges
from training_app.exports.claims import write_claims_batch
from training_app.exports.people_lists import write_training_records
from training_app.exports.register import write_register
from training_app.exports.trained_by_area import write_trained_by_area
from training_app.exports.xlsx import WIDEST
from training_app.extensions import db
from training_app.services.accounts.audit_log import AuditFilter

LONG_EMAIL = "alexandra.montgomery-fitzwilliam@st-bartholomews-academy.example.org"  # wider than WIDEST: wraps
LONG_ORGANISATION = "St Bartholomew's Church of England Primary Academy"  # 50 characters: shown whole


def _widths(sheet) -> dict[int, float]:
    """Each column's width as the file gives it (a <col> element may cover a range of columns)."""
    widths: dict[int, float] = {}
    for dimension in sheet.column_dimensions.values():
        if dimension.min and dimension.width:
            for column in range(dimension.min, dimension.max + 1):
                widths[column] = dimension.width
    return widths


def assert_prints(path) -> None:
    """Every sheet: landscape, fitted one page wide (any number long), the header row repeated, and each column at
    least as wide as its longest text (or WIDEST, where a longer text wraps)."""
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        fit_width = sheet.page_setup.fitToWidth or 1  # 1 page wide is the default, which the file leaves out
        assert (fit_width, sheet.page_setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.print_title_rows and sheet.print_title_rows.replace("$", "").startswith("1:"), sheet.title
        widths = _widths(sheet)
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    needed = min(len(cell.value), WIDEST)
                    width = widths.get(cell.column, 0)
                    assert width >= needed, f"{sheet.title}!{get_column_letter(cell.column)}: {cell.value!r}"
                    if len(cell.value) > WIDEST:
                        assert cell.alignment.wrap_text, f"{sheet.title}!{cell.coordinate} is cut, not wrapped"


@pytest.fixture
def long_names(app_ctx):
    """A booking and a training record for someone whose email and organisation are long."""
    school = make_organisation(name=LONG_ORGANISATION)
    person = make_practitioner(school, email=LONG_EMAIL, first_name="Alexandra", last_name="Montgomery-Fitzwilliam")
    session = make_session(code="PRINT-1", days=(date(2026, 3, 2),))
    make_booking(session, person)
    make_record(person, session.course, date(2026, 3, 2))
    db.session.commit()
    return session


def test_the_register_and_people_lists_print_with_every_email_and_organisation_whole(long_names, tmp_path):
    write_register(tmp_path / "register.xlsx", long_names)
    write_training_records(tmp_path / "records.xlsx")

    for name in ("register.xlsx", "records.xlsx"):
        assert_prints(tmp_path / name)
    register = openpyxl.load_workbook(tmp_path / "register.xlsx")["Register"]
    assert _widths(register)[3] >= len(LONG_ORGANISATION) and _widths(register)[2] >= WIDEST
    assert register["B2"].value == LONG_EMAIL and register["B2"].alignment.wrap_text


def test_the_other_workbooks_print_too(long_names, tmp_path):
    make_fund()
    db.session.commit()
    write_charges(tmp_path / "charges.xlsx")
    write_audit_log(tmp_path / "audit.xlsx", AuditFilter())
    write_sign_off_register(tmp_path / "sign-offs.xlsx")
    write_presentation_totals(tmp_path / "presentations.xlsx")
    write_claims_batch(tmp_path / "claims.xlsx", make_fund(financial_year=2008))

    for name in ("charges.xlsx", "audit.xlsx", "sign-offs.xlsx", "presentations.xlsx", "claims.xlsx"):
        assert_prints(tmp_path / name)
    allocation = openpyxl.load_workbook(tmp_path / "claims.xlsx")["Allocation"]
    assert allocation.print_title_rows.replace("$", "") == "1:2"  # the fund's line and the header


def test_the_trained_by_area_workbook_prints_its_chart_inside_the_page(app_ctx, tmp_path):
    for n, name in enumerate(("Leicestershire", "Rutland", "Leicester")):
        make_organisation(make_authority(f"A{n}", name, order=n))
    db.session.commit()
    out = tmp_path / "trained.xlsx"

    write_trained_by_area(out, date(2026, 3, 31))

    assert_prints(out)
    sheet = openpyxl.load_workbook(out)["By authority"]
    # the chart (360 px, 18 rows, two rows under the table) is inside the printed area, so it prints whole
    area = sheet.print_area if isinstance(sheet.print_area, str) else sheet.print_area[0]
    first_column, first_row, _, last_row = range_boundaries(area.split("!")[-1].replace("$", ""))
    assert (first_column, first_row) == (1, 1) and last_row >= sheet.max_row + 2 + 17
