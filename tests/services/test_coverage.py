"""Coverage by area × responsibility group: required to train, trained and current, the people behind each cell."""

from __future__ import annotations

from datetime import date

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
from training_app.extensions import db
from training_app.models import OrganisationKind, Pathway, PathwayCourse, Requirement
from training_app.services.reporting.coverage import (
    NO_AREA_ID,
    OpeningReason,
    coverage_grid,
    coverage_opening,
    still_to_train_in_cell,
)

AS_OF = date(2008, 8, 31)


@pytest.fixture
def p(app_ctx):
    """Leicestershire (Melton, Blaby) and Rutland; CAF (36 months) required by groups 3 and 5, only recommended by 6."""
    county = make_authority("LEICESTERSHIRE", "Leicestershire", order=2)
    rutland = make_authority("RUTLAND", "Rutland", order=1)
    caf = make_course("CAF", counts_as_trained=True, validity_months=36)
    for code, requirement in (("3", Requirement.REQUIRED), ("5", Requirement.REQUIRED), ("6", Requirement.RECOMMENDED)):
        pathway = Pathway(group=group(code), name=f"Pathway {code}")
        pathway.steps = [PathwayCourse(course=caf, requirement=requirement, position=1)]
        db.session.add(pathway)
    melton, blaby = make_area(county, "Melton"), make_area(county, "Blaby")
    return {
        "county": county,
        "rutland": rutland,
        "caf": caf,
        "melton": melton,
        "blaby": blaby,
        "melton_school": make_organisation(county, area=melton),
        "blaby_school": make_organisation(county, area=blaby),
        "oakham_school": make_organisation(rutland, area=make_area(rutland, "Oakham")),
        "no_area_school": make_organisation(county),
        "gp": make_organisation(county, kind=OrganisationKind.GP, awareness_only=True, area=melton),
    }


def person(p, where, group_code="3", records=(), authorities=None, last_name=None):
    """A practitioner at `where`, with records given as (completed_on, expires_on)."""
    organisation = p[where]
    fields = {"last_name": last_name} if last_name else {}
    practitioner = make_practitioner(
        organisation, authorities or [organisation.authority], group=group(group_code), **fields
    )
    for completed_on, expires_on in records:
        make_record(practitioner, p["caf"], completed_on, expires_on=expires_on)
    return practitioner


CURRENT = ((date(2007, 1, 1), date(2010, 1, 1)),)
EXPIRED = ((date(2005, 1, 1), date(2008, 1, 1)),)
RENEWED = ((date(2005, 1, 1), date(2008, 1, 1)), (date(2008, 2, 1), date(2011, 2, 1)))
EXPIRES_ON_THE_DAY = ((date(2005, 8, 31), AS_OF),)
AFTER_THE_DATE = ((date(2008, 9, 1), date(2011, 9, 1)),)


def cells(grid):
    """{(area name, group code): (required, current, percent)} for every cell with someone required."""
    codes = {g.id: g.code for g in grid.groups}
    return {
        (area.name, codes[gid]): (cell.required, cell.current, cell.percent)
        for area in grid.areas
        for gid, cell in area.cells.items()
    }


def test_cells_count_the_required_and_the_trained_and_current(p):
    person(p, "melton_school", records=CURRENT)
    person(p, "melton_school", records=RENEWED)  # lapsed, then renewed: current
    person(p, "melton_school", records=EXPIRED)
    person(p, "melton_school", records=EXPIRES_ON_THE_DAY)  # expired from its expiry date on
    person(p, "melton_school", records=AFTER_THE_DATE)  # trained only after the date
    person(p, "melton_school")
    person(p, "melton_school", "5", records=CURRENT)
    person(p, "melton_school", "6", records=CURRENT)  # group 6 need not train: not in the grid
    person(p, "gp", records=CURRENT)  # awareness-only: left out
    person(p, "blaby_school", records=CURRENT)
    person(p, "oakham_school")
    person(p, "no_area_school", records=CURRENT)

    grid = coverage_grid(AS_OF)

    assert [g.code for g in grid.groups] == ["3", "5"]
    assert [(a.authority, a.name) for a in grid.areas] == [
        ("Rutland", "Oakham"),
        ("Leicestershire", "Blaby"),
        ("Leicestershire", "Melton"),
        ("", "No area"),
    ]
    assert cells(grid) == {
        ("Melton", "3"): (6, 2, 33),
        ("Melton", "5"): (1, 1, 100),
        ("Blaby", "3"): (1, 1, 100),
        ("Oakham", "3"): (1, 0, 0),
        ("No area", "3"): (1, 1, 100),
    }
    melton = grid.areas[2]
    assert (melton.total.required, melton.total.current, melton.total.percent) == (7, 3, 42)
    assert (grid.total.required, grid.total.current) == (10, 5)
    assert grid.group_total(grid.groups[0].id).required == 9
    assert melton.cells[grid.groups[0].id].band == "Low"


def test_percentages_round_down_and_bands_name_each_shade(p):
    for index in range(3):
        person(p, "blaby_school", records=CURRENT if index < 2 else ())
    cell = coverage_grid(AS_OF).areas[0].cells[group("3").id]

    assert (cell.percent, cell.band, cell.still_to_train) == (66, "Medium", 1)


def test_the_people_behind_a_cell_are_those_not_trained_and_current(p):
    person(p, "melton_school", records=CURRENT, last_name="Current")
    person(p, "melton_school", records=EXPIRED, last_name="Expired")
    person(p, "melton_school", last_name="Never")
    person(p, "melton_school", records=AFTER_THE_DATE, last_name="Later")
    person(p, "gp", last_name="Doctor")

    people, total = still_to_train_in_cell(AS_OF, p["melton"].id, group("3").id)

    assert total == 3
    assert [(row.last_name, row.last_trained_on) for row in people] == [
        ("Expired", date(2005, 1, 1)),
        ("Later", None),
        ("Never", None),
    ]
    assert still_to_train_in_cell(AS_OF, p["melton"].id, group("3").id, page=2, per_page=2)[0][0].last_name == "Never"


def test_no_area_cells_and_a_leads_scope(p):
    person(p, "no_area_school", last_name="Unplaced")
    person(p, "melton_school", authorities=[p["county"], p["rutland"]], last_name="Joint")
    person(p, "melton_school", last_name="County")

    assert [row.last_name for row in still_to_train_in_cell(AS_OF, NO_AREA_ID, group("3").id)[0]] == ["Unplaced"]
    rutland_only = coverage_grid(AS_OF, {p["rutland"].id})
    assert cells(rutland_only) == {("Melton", "3"): (1, 0, 0)}
    people, _ = still_to_train_in_cell(AS_OF, p["melton"].id, group("3").id, {p["rutland"].id})
    assert [row.last_name for row in people] == ["Joint"]


def test_the_grid_takes_a_fixed_number_of_queries(p, app, count_statements):
    def statements() -> int:
        with count_statements() as seen:
            coverage_grid(AS_OF)
        return len(seen)

    person(p, "melton_school", records=CURRENT)
    few = statements()
    for where in ("melton_school", "blaby_school", "oakham_school", "no_area_school") * 5:
        person(p, where, records=CURRENT)
        person(p, where, "5")

    assert statements() == few


def test_with_no_one_current_the_page_opens_on_the_latest_completion_of_any_counting_course_by_someone_required(p):
    """Two courses count as trained: the latest day is the later of the two, and a later completion by someone
    not required to train (group 6, or an awareness-only GP's staff) does not count."""
    other = make_course("CAF-ONLINE", counts_as_trained=True, validity_months=36)
    person(p, "melton_school", records=[(date(2008, 3, 1), date(2011, 3, 1))])
    required = person(p, "blaby_school", "5")
    make_record(required, other, date(2008, 6, 9), expires_on=date(2011, 6, 9))
    make_record(person(p, "melton_school", "6"), other, date(2008, 7, 1), expires_on=date(2011, 7, 1))
    make_record(person(p, "gp"), p["caf"], date(2008, 8, 1), expires_on=date(2011, 8, 1))
    db.session.commit()

    opening = coverage_opening(date(2026, 3, 2))

    assert (opening.as_of, opening.reason) == (date(2008, 6, 9), OpeningReason.LATEST_TRAINING)
