"""The awareness workbooks: the sign-off register reproduces seed 000's Appendix B; presentation totals add up."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from tests.awareness_data import awareness_world, values
from tests.seeds.helpers import seed_demo
from training_app.exports.awareness import write_sign_off_register
from training_app.models import OrganisationKind
from training_app.services.awareness import awareness
from training_app.services.awareness.presentations import PresentationValues, record_presentation

SOURCE = Path("/work/shared/source-documents")
MONTHS = {
    name.lower(): number
    for number, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
    )
}
# Appendix B of seed 000 (Bridges CAF/LP update, Oct 2008), transcribed: service, name of contact, completed.
APPENDIX_B = [
    ("Probation Service", "Martin Curran, Assistant Chief Officer.", "October 2007"),
    ("Prison Service", "Kevin Edmundston,          Prison and YOC Area Training Officer.", "October 2007"),
    ("School Governors", "Raj Kachhela,", "Oct-07"),
    ("G. Ps.", "All Practices in Leicestershire and Rutland", "Oct-07"),
    ("Citizens Advice", "Sue Julkes,         Training Officer.", "Nov-07"),
    ("Adult Services Hinckley", "Sheila Rochester, Service Manager, Adult Services", "Oct-07"),
    ("Adult Services Coalville", "Jim Lawrenson         Team Manager", "Jul-08"),
    ("Adult Services, Blaby", "Dawn Howard.         Team Manager", "Jul-08"),
    ("Adult Services Loughborough", "Fiona Campbell        Team Manager", " July 2008"),
    ("Adult Services Melton and Market Harborough.", "John Barsby.           Team Manager", "Jul-08"),
]


def letters(text: str) -> str:
    """Text compared as the report's typist might have written it: letters and digits only, lower case."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def month_of(text: str) -> tuple[int, int]:
    """'October 2007', 'Oct-07' or ' July 2008' as (year, month)."""
    name, year = re.split(r"[\s-]+", text.strip())
    return (int(year) + 2000 if len(year) == 2 else int(year), MONTHS[name[:3].lower()])


def appendix_b_from_source() -> list[tuple[str, str, str]]:
    """The table as the source document holds it: three lines per service after the 'Completed' header."""
    text = next(SOURCE.glob("000_*.txt")).read_text(encoding="utf-8")
    table = text.split("Appendix B", 2)[-1].split("Completed", 1)[1]
    cells = [line.strip("\t") for line in table.splitlines() if line.strip()]
    return [tuple(cells[i : i + 3]) for i in range(0, 30, 3)]


def sheet_rows(path: Path, name: str) -> list[tuple]:
    """A sheet's rows as values; the workbook is closed again."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in book[name].iter_rows(values_only=True)]
    finally:
        book.close()


@pytest.mark.skipif(not SOURCE.exists(), reason="the source documents are not on this machine")
def test_the_transcription_is_the_source_documents_table():
    assert [tuple(letters(cell) for cell in row) for row in appendix_b_from_source()] == [
        tuple(letters(cell) for cell in row) for row in APPENDIX_B
    ]


def test_the_demos_register_export_reproduces_appendix_b(app, app_ctx, tmp_path):
    assert seed_demo(app).exit_code == 0
    out = tmp_path / "register.xlsx"

    result = app.test_cli_runner().invoke(args=["export", "awareness-sign-offs", "--out", str(out)])

    assert result.exit_code == 0, result.output
    rows = sheet_rows(out, "Awareness sign-offs")
    assert rows[0] == ("Service", "Name of Contact", "Completed")
    exported = sorted((letters(service), letters(contact), (day.year, day.month)) for service, contact, day in rows[1:])
    expected = sorted((letters(s), letters(c), month_of(m)) for s, c, m in APPENDIX_B)
    assert exported == expected


def test_the_register_shows_months_as_months_and_keeps_a_leads_scope(app_ctx, tmp_path):
    world = awareness_world()
    awareness.record_sign_off(values())
    gps = {"service": "Rutland GPs", "sector_kind": OrganisationKind.GP, "authority_codes": ["RUTLAND"]}
    awareness.record_sign_off(
        values(**gps, contact_role=None, completed_on=date(2008, 3, 4), completed_month_only=False)
    )

    write_sign_off_register(tmp_path / "all.xlsx")
    write_sign_off_register(tmp_path / "rutland.xlsx", {world["rutland"].id})

    assert sheet_rows(tmp_path / "all.xlsx", "Awareness sign-offs")[1:] == [
        ("Probation Service", "Martin Curran, Assistant Chief Officer", datetime(2007, 10, 31)),
        ("Rutland GPs", "Martin Curran", datetime(2008, 3, 4)),
    ]
    book = openpyxl.load_workbook(tmp_path / "all.xlsx")
    assert book["Awareness sign-offs"]["C2"].number_format == "mmmm yyyy"
    assert book["Details"]["K2"].value == datetime(2010, 10, 31)  # re-awareness due after 36 months
    assert [row[0] for row in sheet_rows(tmp_path / "rutland.xlsx", "Awareness sign-offs")] == [
        "Service",
        "Rutland GPs",
    ]


def test_the_presentations_export_totals_by_year_sector_and_area(app, app_ctx, tmp_path):
    awareness_world()
    record_presentation(PresentationValues(date(2006, 5, 1), "Staff meeting", 20, None, OrganisationKind.GP, "Melton"))
    record_presentation(
        PresentationValues(date(2007, 6, 1), "Briefing", 12, None, OrganisationKind.PRISON, "LEICESTER")
    )
    out = tmp_path / "presentations.xlsx"

    result = app.test_cli_runner().invoke(args=["export", "presentations", "--out", str(out), "--from", "2006-01-01"])

    assert result.exit_code == 0, result.output
    assert sheet_rows(out, "By year") == [
        ("Year", "Presentations", "People reached"),
        ("2006", 1, 20),
        ("2007", 1, 12),
        ("Total", 2, 32),
    ]
    assert sheet_rows(out, "By sector")[1:] == [("Prison", 1, 12), ("GP", 1, 20), ("Total", 2, 32)]
    assert sheet_rows(out, "By area")[1:] == [("Leicestershire: Melton", 1, 20), ("Leicester", 1, 12), ("Total", 2, 32)]


def test_the_export_commands_refuse_a_bad_date_or_file_name(app, app_ctx, tmp_path):
    runner = app.test_cli_runner()

    bad_date = runner.invoke(args=["export", "presentations", "--out", str(tmp_path / "p.xlsx"), "--to", "2008-02-30"])
    bad_name = runner.invoke(args=["export", "awareness-sign-offs", "--out", str(tmp_path / "p.csv")])

    assert bad_date.exit_code == 1 and "--to" in bad_date.output
    assert bad_name.exit_code == 1 and "--out must name an .xlsx file" in bad_name.output
