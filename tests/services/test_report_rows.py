"""Rows of the workbook's further sheets (SPEC 4.4): each person once, as of a date, within a scope."""

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
from training_app.models import OrganisationKind, Pathway, PathwayCourse, Requirement, authority_key_for
from training_app.services.reporting.counting import area_table, trained_by_area
from training_app.services.reporting.report_rows import (
    AreaTrainedRow,
    GroupRow,
    KindRow,
    StillToTrainRow,
    report_sheets,
    still_to_train,
    trained_by_group,
    trained_by_organisation_area,
    trained_by_organisation_kind,
)

AS_OF = date(2008, 8, 31)


@pytest.fixture
def p(app_ctx):
    """Leicester, Leicestershire, Rutland and Nottingham; CAF counts as trained, AWARE does not."""
    city = make_authority("LEICESTER", "Leicester", order=3)
    county = make_authority("LEICESTERSHIRE", "Leicestershire", order=2)
    caf = make_course("CAF", counts_as_trained=True)
    aware = make_course("AWARE")
    _pathway("3", (caf, Requirement.REQUIRED), (aware, Requirement.RECOMMENDED))
    _pathway("6", (aware, Requirement.REQUIRED), (caf, Requirement.RECOMMENDED))
    return {
        "city": city,
        "county": county,
        "rutland": make_authority("RUTLAND", "Rutland", order=1),
        "notts": make_authority("NOTTINGHAM", "Nottingham", partner=False, order=4),
        "caf": caf,
        "aware": aware,
        "melton": make_area(county, "Melton"),
        "blaby": make_area(county, "Blaby"),
    }


def _pathway(code, *steps):
    pathway = Pathway(group=group(code), name=f"Pathway {code}")
    pathway.steps = [PathwayCourse(course=c, requirement=r, position=i) for i, (c, r) in enumerate(steps, start=1)]
    db.session.add(pathway)
    db.session.flush()


def person(p, *authorities, organisation=None, group_code="3", trained_on=None, course="caf"):
    organisation = organisation or make_organisation(p[authorities[0]])
    practitioner = make_practitioner(
        organisation=organisation, authorities=[p[a] for a in authorities], group=group(group_code)
    )
    if trained_on:
        make_record(practitioner, p[course], trained_on)
    return practitioner


def test_by_area_counts_trained_people_once_under_their_organisations_authority_and_area(p):
    melton_school = make_organisation(p["county"], area=p["melton"])
    person(p, "county", "city", organisation=melton_school, trained_on=date(2008, 1, 1))
    twice = person(p, "county", organisation=melton_school, trained_on=date(2007, 1, 1))
    make_record(twice, p["caf"], date(2008, 1, 1))
    person(p, "county", organisation=make_organisation(p["county"], area=p["blaby"]), trained_on=date(2008, 2, 2))
    person(p, "county", trained_on=date(2008, 3, 3))  # organisation with no area
    person(p, "city", trained_on=date(2008, 3, 3))
    person(p, "county", organisation=melton_school)  # not trained
    person(p, "county", organisation=melton_school, course="aware", trained_on=date(2008, 1, 1))

    assert trained_by_organisation_area(AS_OF) == [  # authorities in display order: Leicestershire 2, Leicester 3
        AreaTrainedRow("Leicestershire", "Blaby", 1),
        AreaTrainedRow("Leicestershire", "Melton", 2),
        AreaTrainedRow("Leicestershire", "No area", 1),
        AreaTrainedRow("Leicester", "No area", 1),
    ]


def test_by_area_counts_training_up_to_and_including_the_as_of_date(p):
    school = make_organisation(p["county"], area=p["melton"])
    person(p, "county", organisation=school, trained_on=AS_OF)
    person(p, "county", organisation=school, trained_on=date(2008, 9, 1))

    assert trained_by_organisation_area(AS_OF) == [AreaTrainedRow("Leicestershire", "Melton", 1)]
    assert trained_by_organisation_area(date(2008, 8, 30)) == []


def test_by_area_in_a_scope_keeps_people_who_work_for_one_of_its_authorities(p):
    city_school = make_organisation(p["city"])
    person(p, "city", organisation=city_school, trained_on=date(2008, 1, 1))
    person(p, "county", "city", organisation=city_school, trained_on=date(2008, 1, 1))
    person(p, "rutland", trained_on=date(2008, 1, 1))

    assert trained_by_organisation_area(AS_OF, {p["county"].id}) == [AreaTrainedRow("Leicester", "No area", 1)]
    assert trained_by_organisation_area(AS_OF, {p["rutland"].id, p["city"].id}) == [
        AreaTrainedRow("Rutland", "No area", 1),
        AreaTrainedRow("Leicester", "No area", 2),
    ]


def test_by_group_counts_trained_and_untrained_leaving_awareness_only_staff_out_of_untrained(p):
    gp = make_organisation(p["county"], kind=OrganisationKind.GP, awareness_only=True)
    person(p, "county", group_code="3", trained_on=date(2008, 1, 1))
    person(p, "county", group_code="3", trained_on=date(2008, 9, 1))  # trained after the date
    person(p, "county", group_code="3")
    person(p, "county", group_code="3", organisation=gp)  # awareness-only: never "not trained"
    person(p, "county", group_code="3", organisation=gp, trained_on=date(2008, 1, 1))
    make_practitioner(organisation=make_organisation(p["city"]))  # no group

    rows = {row.code: row for row in trained_by_group(AS_OF)}

    assert rows["3"] == GroupRow("3", "Intensive contact", 2, 2)
    assert rows["1"].trained == rows["1"].untrained == 0
    assert rows[""] == GroupRow("", "No group", 0, 1)
    assert [row.code for row in trained_by_group(AS_OF)] == ["1", "2", "3", "4", "5", "6", "7", "8", ""]


def test_by_group_in_a_scope(p):
    person(p, "city", group_code="4", trained_on=date(2008, 1, 1))
    person(p, "county", group_code="4")

    rows = {row.code: row for row in trained_by_group(AS_OF, {p["county"].id})}

    assert rows["4"] == GroupRow("4", "Specialist practitioners", 0, 1)
    assert "" not in rows


def test_by_organisation_kind_counts_trained_and_all_staff_per_kind(p):
    police = make_organisation(p["county"], kind=OrganisationKind.POLICE)
    gp = make_organisation(p["county"], kind=OrganisationKind.GP, awareness_only=True)
    person(p, "county", "city", organisation=police, trained_on=date(2008, 1, 1))
    person(p, "county", organisation=police, trained_on=AS_OF)
    person(p, "county", organisation=police, trained_on=date(2008, 9, 1))
    person(p, "county", organisation=gp)
    person(p, "rutland", organisation=make_organisation(p["rutland"], kind=OrganisationKind.POLICE))
    person(p, "city", trained_on=date(2008, 1, 1)).organisation = None
    db.session.flush()

    rows = {row.kind: row for row in trained_by_organisation_kind(AS_OF)}
    scoped = {row.kind: row for row in trained_by_organisation_kind(AS_OF, {p["rutland"].id})}

    assert rows[OrganisationKind.POLICE] == KindRow(OrganisationKind.POLICE, 2, 4)
    assert rows[OrganisationKind.GP] == KindRow(OrganisationKind.GP, 0, 1)
    assert rows[OrganisationKind.SCHOOL] == KindRow(OrganisationKind.SCHOOL, 0, 0)
    assert rows[None] == KindRow(None, 1, 1)
    assert list(rows)[-1] is None
    assert scoped[OrganisationKind.POLICE] == KindRow(OrganisationKind.POLICE, 0, 1)
    assert None not in scoped


def test_still_to_train_uses_the_trained_by_area_labels_and_order(p):
    for authorities in [("notts",), ("county", "rutland"), ("county", "city"), ("county",), ("county",), ("city",)]:
        person(p, *authorities)
    person(p, "county", trained_on=date(2008, 1, 1))  # trained

    assert still_to_train(AS_OF) == [
        StillToTrainRow("Rutland", 0),
        StillToTrainRow("Leicestershire", 2),
        StillToTrainRow("Leicester", 1),
        StillToTrainRow("Leicester and Leicestershire", 1),
        StillToTrainRow("Leicestershire and Rutland", 1),
        StillToTrainRow("Other – Nottingham", 1),
        StillToTrainRow("Total Still to Train", 6),
    ]


def test_still_to_train_needs_a_required_trained_course_no_training_and_no_awareness_only_organisation(p):
    gp = make_organisation(p["county"], kind=OrganisationKind.GP, awareness_only=True)
    person(p, "county", group_code="3")  # counted
    person(p, "county", group_code="3", trained_on=date(2008, 9, 1))  # counted: trained after the date
    person(p, "county", group_code="3", trained_on=AS_OF)  # trained on the date
    person(p, "county", group_code="3", course="aware", trained_on=date(2008, 1, 1))  # counted: not CAF
    person(p, "county", group_code="6")  # CAF only recommended
    person(p, "county", group_code="1")  # no pathway
    person(p, "county", group_code="3", organisation=gp)  # awareness-only
    person(p, "county", group_code="3").organisation = None  # counted: no organisation is not awareness-only
    db.session.flush()

    rows = {row.label: row.count for row in still_to_train(AS_OF)}

    assert rows["Leicestershire"] == 4
    assert {row.label: row.count for row in still_to_train(date(2008, 9, 1))}["Leicestershire"] == 3


def test_still_to_train_in_a_scope_keeps_single_rows_of_that_scope_only(p):
    person(p, "county", "city")
    person(p, "rutland")
    person(p, "city")

    assert still_to_train(AS_OF, {p["county"].id}) == [
        StillToTrainRow("Leicestershire", 0),
        StillToTrainRow("Leicester and Leicestershire", 1),
        StillToTrainRow("Total Still to Train", 1),
    ]


def test_each_builder_runs_a_fixed_number_of_queries(p, app, count_statements):
    builders = (trained_by_organisation_area, trained_by_group, trained_by_organisation_kind, still_to_train)
    counts = []
    for size in (1, 6):
        for _ in range(size):
            person(p, "county", organisation=make_organisation(p["county"], area=p["melton"]))
        with count_statements() as statements:
            for builder in builders:
                builder(AS_OF)
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_report_sheets_gives_every_builders_rows_and_the_by_authority_counts_from_a_fixed_number_of_queries(
    p, app, count_statements
):
    melton_school = make_organisation(p["county"], area=p["melton"])
    gp = make_organisation(p["county"], kind=OrganisationKind.GP, awareness_only=True)
    police = make_organisation(p["city"], kind=OrganisationKind.POLICE, area=p["blaby"])
    person(p, "county", "city", organisation=melton_school, trained_on=date(2008, 1, 1))
    renewed = person(p, "county", organisation=melton_school, trained_on=date(2007, 1, 1))
    make_record(renewed, p["caf"], date(2008, 1, 1))
    person(p, "county", organisation=melton_school, trained_on=date(2008, 9, 1))  # trained after the date
    person(p, "county", organisation=gp, group_code="3")  # awareness-only
    person(p, "county", organisation=gp, group_code="3", trained_on=date(2008, 2, 2))
    person(p, "city", organisation=police, group_code="6")
    person(p, "city", "rutland", organisation=police, course="aware", trained_on=date(2008, 1, 1))
    person(p, "notts", group_code="3")
    person(p, "notts", "county", trained_on=date(2008, 3, 3))
    person(p, "rutland", group_code="3").organisation = None
    make_practitioner(organisation=make_organisation(p["city"]))  # no group, no authority
    db.session.flush()

    for as_of in (AS_OF, date(2008, 9, 1), date(2006, 1, 1)):
        for scope in (None, {p["county"].id}, {p["city"].id, p["rutland"].id}):
            sheets = report_sheets(as_of, scope)
            assert sheets.areas == trained_by_organisation_area(as_of, scope)
            assert sheets.groups == trained_by_group(as_of, scope)
            assert sheets.kinds == trained_by_organisation_kind(as_of, scope)
            assert sheets.still_to_train == still_to_train(as_of, scope)
            assert area_table(as_of, sheets.trained_by_key, scope) == trained_by_area(as_of, scope)
    assert report_sheets(AS_OF).trained_by_key == {
        authority_key_for([p["county"].id]): 2,
        authority_key_for([p["county"].id, p["city"].id]): 1,
        authority_key_for([p["county"].id, p["notts"].id]): 1,
    }

    with count_statements() as statements:
        report_sheets(AS_OF)
    # required groups; trained per key and group and per organisation (one statement), awareness-only staff, staff
    # per group, staff per organisation, staff of required groups per key; authorities, areas, groups, authorities
    # again: whatever the number of people
    assert len(statements) == 10
