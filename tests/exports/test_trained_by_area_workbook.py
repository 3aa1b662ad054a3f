"""`flask export trained-by-area` writes the 'By authority' sheet of SPEC 4.4."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from tests.factories import make_authority, make_course, make_organisation, make_practitioner, make_record
from tests.reference import TRAINED_BY_AREA_2008_08_31
from tests.seeds.helpers import seed_demo
from training_app.extensions import db


def export(app, *args):
    return app.test_cli_runner().invoke(args=["export", "trained-by-area", *args])


def sheet_rows(path):
    workbook = openpyxl.load_workbook(path)
    return workbook.sheetnames, [list(row) for row in workbook["By authority"].iter_rows(values_only=True)]


def test_the_demo_workbook_is_the_partnerships_table(app, app_ctx, tmp_path):
    assert seed_demo(app).exit_code == 0
    out = tmp_path / "trained.xlsx"

    result = export(app, "--as-of", "2008-08-31", "--out", str(out))

    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"wrote {out}"
    sheetnames, rows = sheet_rows(out)
    assert sheetnames[0] == "By authority"
    assert rows == [
        ["Authority", "Staff trained to 31/08/2008", "Spaces to end 2008", "Spaces planned 2009"],
        *TRAINED_BY_AREA_2008_08_31,
    ]
    assert all(isinstance(value, int) for row in rows[1:] for value in row[1:] if value is not None)


@pytest.fixture
def small_partnership(app_ctx):
    authority = make_authority("RUTLAND", '=HYPERLINK("http://x")', order=3)
    course = make_course("CAF", counts_as_trained=True)
    person = make_practitioner(organisation=make_organisation(authority), authorities=[authority])
    make_record(person, course, date(2009, 3, 2))
    db.session.commit()
    return authority


def test_labels_are_written_as_text_never_as_formulas_or_links(app, small_partnership, tmp_path):
    out = tmp_path / "small.xlsx"

    assert export(app, "--as-of", "2009-12-31", "--out", str(out)).exit_code == 0

    workbook = openpyxl.load_workbook(out)
    sheet = workbook["By authority"]
    assert sheet["A2"].value == '=HYPERLINK("http://x")'
    assert sheet["A2"].data_type == "s"
    assert [cell.value for cell in sheet[1]] == [
        "Authority",
        "Staff trained to 31/12/2009",
        "Spaces to end 2009",
        "Spaces planned 2010",
    ]
    assert [cell.value for cell in sheet[3]] == ["Total Number Trained", 1, None, None]
    assert sheet["A1"].font.b


@pytest.mark.parametrize("bad", ["2008-02-30", "31/08/2008", "20080831", "yesterday"])
def test_a_bad_date_is_refused_with_a_clear_message_and_no_file(app, app_ctx, tmp_path, bad):
    out = tmp_path / "never.xlsx"

    result = export(app, "--as-of", bad, "--out", str(out))

    assert result.exit_code == 1
    assert "YYYY-MM-DD" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_the_output_must_be_an_xlsx_file_in_a_folder_that_exists(app, app_ctx, tmp_path):
    wrong_kind = export(app, "--as-of", "2008-08-31", "--out", str(tmp_path / "table.csv"))
    no_folder = export(app, "--as-of", "2008-08-31", "--out", str(tmp_path / "missing" / "table.xlsx"))

    assert wrong_kind.exit_code == 1 and ".xlsx" in wrong_kind.output
    assert no_folder.exit_code == 1 and "could not write" in no_folder.output


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("9999-12-31", "--as-of: 9999-12-31 must be between 1900-01-01 and 2100-12-31"),
        ("0001-01-01", "--as-of: 0001-01-01 must be between 1900-01-01 and 2100-12-31"),
        ("2008-W35-7", "--as-of: '2008-W35-7' is not a real date in the form YYYY-MM-DD"),
        ("20080831xx", "--as-of: '20080831xx' is not a real date in the form YYYY-MM-DD"),
    ],
)
def test_a_date_outside_the_supported_years_or_not_iso_is_refused(app, app_ctx, tmp_path, bad, says):
    out = tmp_path / "never.xlsx"

    result = export(app, "--as-of", bad, "--out", str(out))

    assert result.exit_code == 1
    assert f"Error: {says}" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
