"""Imports of authorities, areas and organisations."""

from __future__ import annotations

import sqlalchemy as sa

from tests.imports.helpers import partnership, run_import, table_counts
from training_app.extensions import db
from training_app.models import Area, Authority, Organisation, OrganisationKind

AREAS = "authority,name"
ORGANISATIONS = "code,name,kind,authority,area,urn,phase,pupils,awareness_only"


def test_authorities_are_created_and_updated_by_code(app_ctx):
    partnership()

    result = run_import(
        "authorities",
        "code,name,partner,display_order",
        "LEICESTER,Leicester City Council,yes,5",
        "NOTTINGHAM,Nottingham,no,",
    )

    assert result.summary == "imported 2 authorities (1 created, 1 updated)"
    rows = db.session.execute(sa.select(Authority.code, Authority.name, Authority.partner, Authority.display_order))
    assert set(rows) == {
        ("LEICESTER", "Leicester City Council", True, 5),
        ("LEICESTERSHIRE", "Leicestershire", True, 2),
        ("RUTLAND", "Rutland", True, 3),
        ("NOTTINGHAM", "Nottingham", False, 0),
    }


def test_authority_values_are_checked(app_ctx):
    result = run_import(
        "authorities",
        "code,name,partner,display_order",
        f"{'X' * 41},Long,yes,1",
        "OK,Fine,YES,2",
        "NEG,Negative,no,-1",
        "BIG,Big,no,99999999999",
    )

    assert result.errors == [
        "line 2: code: must be at most 40 characters",
        "line 4: display_order: must be at least 0, not -1",
        "line 5: display_order: 99999999999 is too large",
    ]


def test_areas_are_created_once_per_authority_and_name(app_ctx):
    places = partnership()

    result = run_import("areas", AREAS, "LEICESTERSHIRE,Charnwood", "LEICESTERSHIRE,Hinckley", "RUTLAND,Oakham")

    assert result.summary == "imported 3 areas (2 created, 1 updated)"
    names = db.session.scalars(sa.select(Area.name).filter_by(authority_id=places["shire"].id).order_by(Area.name))
    assert list(names) == ["Charnwood", "Hinckley", "Melton"]


def test_areas_need_a_known_authority_and_a_name_once(app_ctx):
    partnership()
    before = table_counts()

    result = run_import("areas", AREAS, "RUTLAND,Oakham", "DERBY,Belper", "RUTLAND,", "RUTLAND,Oakham")

    assert result.errors == [
        "line 3: authority: no authority with code DERBY",
        "line 4: name: is required",
        "line 5: name: repeats line 2 (same authority and name)",
    ]
    assert table_counts() == before


def test_organisations_are_created_and_updated(app_ctx):
    places = partnership()

    result = run_import(
        "organisations",
        ORGANISATIONS,
        "SCH1,Brook Primary School,school,LEICESTERSHIRE,Melton,120001,primary,210,no",
        "POL1,Rutland Police,police,RUTLAND,,,,,yes",
    )

    assert result.summary == "imported 2 organisations (1 created, 1 updated)"
    school = db.session.get(Organisation, places["school"].id)
    assert (school.name, school.area.name, school.urn, school.phase, school.pupils) == (
        "Brook Primary School",
        "Melton",
        "120001",
        "primary",
        210,
    )
    police = db.session.scalars(sa.select(Organisation).filter_by(code="POL1")).one()
    assert (police.kind, police.authority.code, police.area, police.pupils, police.awareness_only) == (
        OrganisationKind.POLICE,
        "RUTLAND",
        None,
        None,
        True,
    )


def test_an_organisation_area_must_belong_to_its_authority(app_ctx):
    partnership()
    before = table_counts()

    result = run_import(
        "organisations",
        ORGANISATIONS,
        "SCH2,Good School,school,LEICESTERSHIRE,Charnwood,1,primary,100,no",
        "SCH3,Wrong Area,school,LEICESTER,Charnwood,,,,no",
        "ODD,Odd,bakery,NOWHERE,,,,lots,perhaps",
        "SCH4,Negative,school,RUTLAND,,,,-3,no",
        "SCH2,Again,school,RUTLAND,,,,,no",
    )

    assert result.errors == [
        "line 3: area: no area named Charnwood in authority LEICESTER",
        "line 4: kind: must be one of school, early_years, health, police, social_care, youth, voluntary, "
        'probation, prison, adult_services, gp, fe, other, not "bakery"',
        "line 4: authority: no authority with code NOWHERE",
        'line 4: pupils: must be a whole number, not "lots"',
        'line 4: awareness_only: must be yes or no, not "perhaps"',
        "line 5: pupils: must be at least 0, not -3",
        "line 6: code: repeats line 2 (same code)",
    ]
    assert table_counts() == before
