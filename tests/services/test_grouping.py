"""grouping.each_way and union_ways: rows found once and counted several ways, in one statement, the same on
SQLite (a materialised CTE) and PostgreSQL (GROUPING SETS)."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from tests.factories import group, make_authority, make_organisation, make_practitioner
from training_app.extensions import db
from training_app.models import Practitioner
from training_app.services.reporting.grouping import each_way, union_ways


def _sorted(rows):
    return sorted(rows, key=repr)  # None sorts beside numbers only by repr


def test_each_way_counts_every_row_once_with_its_sums_and_keeps_missing_values_as_a_group(app_ctx, count_statements):
    county, city = make_authority("COUNTY", "County"), make_authority("CITY", "City")
    school, surgery = make_organisation(county), make_organisation(city)
    first, second = group("1"), group("2")
    people = [
        (school, [county], first),
        (school, [county], first),
        (school, [county, city], second),
        (surgery, [city], None),  # no group: a group of its own
        (surgery, [city], second),
        (None, [], first),  # no organisation, no authority
    ]
    for organisation, authorities, group_of in people:
        practitioner = make_practitioner(organisation=organisation, authorities=authorities, group=group_of)
        if organisation is None:
            practitioner.organisation = None
    db.session.flush()
    rows = sa.select(
        Practitioner.authority_key.label("key"),
        Practitioner.group_id.label("group_id"),
        Practitioner.organisation_id.label("organisation_id"),
        sa.case((Practitioner.group_id.is_(None), 0), else_=1).label("grouped"),
    )
    everyone = db.session.execute(rows).all()

    ways = each_way(rows, [("key", "group_id"), ("organisation_id",), ("group_id",)], sums=["grouped"])
    with count_statements() as counted:
        by_key_and_group, by_organisation, by_group = union_ways(*(sa.select(way) for way in ways))
    statements = len(counted)

    def expected(*columns):
        counts, sums = Counter(), Counter()
        for row in everyone:
            values = tuple(getattr(row, column) for column in columns)
            counts[values] += 1
            sums[values] += row.grouped
        return [(*values, count, sums[values]) for values, count in counts.items()]

    assert statements == 1
    assert _sorted(by_key_and_group) == _sorted(expected("key", "group_id"))
    assert _sorted(by_organisation) == _sorted(expected("organisation_id"))
    assert _sorted(by_group) == _sorted(expected("group_id"))
    assert (None, 1, 1) in by_organisation  # the person with no organisation, counted under None
    assert sum(row[2] for row in by_key_and_group) == len(people)


def test_a_way_can_be_rolled_up_further_in_the_same_statement(app_ctx):
    county = make_authority("COUNTY", "County")
    schools = [make_organisation(county), make_organisation(county)]
    for organisation in [*schools, schools[0]]:
        make_practitioner(organisation=organisation, authorities=[county])
    (per_organisation,) = each_way(
        sa.select(Practitioner.organisation_id.label("organisation_id")), [("organisation_id",)]
    )
    busiest = sa.select(sa.func.max(per_organisation.c["count"]), sa.func.count())

    rolled_up, each = union_ways(busiest, sa.select(per_organisation.c["count"]))

    assert rolled_up == [(2, 2)]  # two organisations, the larger with two people
    assert sorted(each) == [(1,), (2,)]


def test_no_selects_ask_nothing(app_ctx):
    assert union_ways() == []
