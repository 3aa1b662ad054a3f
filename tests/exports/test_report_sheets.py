"""The sheets after 'By authority' in the trained-by-area workbook (SPEC 4.4)."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from tests.factories import (
    group,
    make_area,
    make_authority,
    make_course,
    make_organisation,
    make_practitioner,
    make_record,
)
from tests.seeds.helpers import seed_demo
from training_app.extensions import db
from training_app.models import OrganisationKind, Pathway, PathwayCourse, Requirement

SHEETS = ["By authority", "By area", "By group", "By organisation kind", "Still to train"]


def export(app, out, as_of="2008-08-31"):
    result = app.test_cli_runner().invoke(args=["export", "trained-by-area", "--as-of", as_of, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(out)


def rows_of(workbook, name):
    return [list(row) for row in workbook[name].iter_rows(values_only=True)]


@pytest.fixture
def small(app_ctx):
    """Leicestershire with one area: a trained teacher, an untrained one and an awareness-only GP practice."""
    county = make_authority("LEICESTERSHIRE", "Leicestershire", order=2)
    caf = make_course("CAF", counts_as_trained=True)
    pathway = Pathway(group=group("3"), name="Intensive contact pathway")
    pathway.steps = [PathwayCourse(course=caf, requirement=Requirement.REQUIRED, position=1)]
    db.session.add(pathway)
    school = make_organisation(county, area=make_area(county, "Melton"))
    gp = make_organisation(county, kind=OrganisationKind.GP, awareness_only=True)
    make_record(make_practitioner(school, group=group("3")), caf, date(2008, 5, 1))
    make_practitioner(school, group=group("3"))
    make_practitioner(gp, group=group("3"))
    db.session.commit()


def test_the_further_sheets_follow_by_authority_with_bold_headers(app, small, tmp_path):
    workbook = export(app, tmp_path / "small.xlsx")

    assert workbook.sheetnames == SHEETS
    for name in SHEETS[1:]:
        assert all(cell.font.b for cell in workbook[name][1]), name
    assert rows_of(workbook, "By area") == [
        ["Authority", "Area", "Staff trained to 31/08/2008"],
        ["Leicestershire", "Melton", 1],
    ]
    assert rows_of(workbook, "By organisation kind")[0] == [
        "Kind of organisation",
        "Staff trained to 31/08/2008",
        "Staff",
    ]
    kinds = {row[0]: row[1:] for row in rows_of(workbook, "By organisation kind")[1:]}
    assert kinds["School"] == [1, 2]
    assert kinds["GP"] == [0, 1]
    assert rows_of(workbook, "Still to train") == [
        ["Authority", "Still to train at 31/08/2008"],
        ["Leicestershire", 1],
        ["Total Still to Train", 1],
    ]


def test_the_group_sheet_counts_untrained_staff_outside_awareness_only_services(app, small, tmp_path):
    workbook = export(app, tmp_path / "small.xlsx")

    rows = rows_of(workbook, "By group")

    assert rows[0] == [
        "Group",
        "Responsibility group",
        "Staff trained to 31/08/2008",
        "Not trained (excluding awareness-only)",
    ]
    assert ["3", "Intensive contact", 1, 1] in rows
    assert len(rows) == 1 + 8


def test_an_earlier_date_counts_nobody_as_trained_yet(app, small, tmp_path):
    workbook = export(app, tmp_path / "early.xlsx", as_of="2008-04-30")

    assert rows_of(workbook, "By area") == [["Authority", "Area", "Staff trained to 30/04/2008"]]
    assert rows_of(workbook, "Still to train")[-1] == ["Total Still to Train", 2]


def test_the_demo_sheets_each_count_the_trained_once_with_numbers_as_numbers(app, app_ctx, tmp_path):
    assert seed_demo(app).exit_code == 0

    workbook = export(app, tmp_path / "demo.xlsx")

    assert workbook.sheetnames == SHEETS
    assert rows_of(workbook, "By authority")[-1] == ["Total Number Trained", 1764, None, None]
    by_area, by_group, by_kind, still = (rows_of(workbook, name)[1:] for name in SHEETS[1:])
    assert sum(row[2] for row in by_area) == 1764
    assert sum(row[2] for row in by_group) == 1764
    assert sum(row[1] for row in by_kind) == 1764
    assert sum(row[2] for row in by_group) + sum(row[3] for row in by_group) < sum(row[2] for row in by_kind)
    assert [row[0] for row in still[:3]] == ["Rutland", "Leicestershire", "Leicester"]
    assert still[-1] == ["Total Still to Train", sum(row[1] for row in still[:-1])]
    assert still[1][1] > 0
    for rows, first_number in ((by_area, 2), (by_group, 2), (by_kind, 1), (still, 1)):
        assert all(isinstance(value, int) for row in rows for value in row[first_number:])
