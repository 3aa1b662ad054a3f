"""Awareness-only organisations stay out of "still to train" everywhere (SPEC 3.8): the report rows, the report page,
its workbook, and the untrained counts by group; marking an organisation awareness-only takes its staff out at once."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from tests.awareness_data import awareness_world
from tests.factories import group, make_course, make_organisation, make_practitioner, make_user
from tests.web.helpers import signed_in
from training_app.exports.trained_by_area import write_trained_by_area
from training_app.extensions import db
from training_app.models import OrganisationKind, Pathway, PathwayCourse, Requirement, Role
from training_app.services.awareness.awareness import set_awareness_only
from training_app.services.reporting.report_rows import still_to_train, trained_by_group

AS_OF = date(2008, 8, 31)


@pytest.fixture
def staff(app_ctx):
    """Two untrained people in group 3 (whose pathway requires CAF): one at a school, one at probation."""
    world = awareness_world()
    caf = make_course("CAF", counts_as_trained=True)
    pathway = Pathway(group=group("3"), name="Pathway 3")
    pathway.steps = [PathwayCourse(course=caf, requirement=Requirement.REQUIRED, position=1)]
    db.session.add(pathway)
    school = make_organisation(world["shire"], OrganisationKind.SCHOOL, code="SCH1")
    for organisation in (school, world["probation"]):
        make_practitioner(organisation, [world["shire"]], group=group("3"))
    db.session.commit()
    return world | {"school": school}


def _still(authority_ids=None) -> dict[str, int]:
    return {row.label: row.count for row in still_to_train(AS_OF, authority_ids)}


def test_awareness_only_staff_are_not_still_to_train(staff):
    assert _still()["Leicestershire"] == 1
    assert next(row for row in trained_by_group(AS_OF) if row.code == "3").untrained == 1


def test_marking_an_organisation_awareness_only_takes_its_staff_out_of_every_count(staff):
    set_awareness_only(staff["school"], True)

    assert _still()["Leicestershire"] == 0
    assert _still({staff["shire"].id})["Leicestershire"] == 0
    assert next(row for row in trained_by_group(AS_OF) if row.code == "3").untrained == 0

    set_awareness_only(staff["probation"], False)

    assert _still()["Leicestershire"] == 1


def test_the_workbooks_still_to_train_sheet_leaves_awareness_only_staff_out(staff, tmp_path):
    write_trained_by_area(tmp_path / "report.xlsx", AS_OF)

    book = openpyxl.load_workbook(tmp_path / "report.xlsx")
    rows = {row[0]: row[1] for row in book["Still to train"].iter_rows(min_row=2, values_only=True)}
    assert rows["Leicestershire"] == 1


def test_the_report_page_leaves_awareness_only_staff_out(app, staff):
    email = make_user(Role.COORDINATOR).email
    set_awareness_only(staff["school"], True)
    client = signed_in(app.test_client(), email)

    html = client.get("/reports/trained-by-area?as_of=2008-08-31").get_data(as_text=True)

    still = html.split("Still to train on", 1)[1]
    assert "Total Still to Train" in still
    assert ">0<" in still.split("Total Still to Train", 1)[1].split("</tr>", 1)[0].replace(" ", "").replace("\n", "")
