"""Imports of the awareness registers (SPEC 4.3): sign-offs by service, presentations by date and audience."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.awareness_data import awareness_world
from tests.imports.helpers import run_cli, run_import, table_counts
from training_app.extensions import db
from training_app.models import AwarenessPresentation, AwarenessSignOff, OrganisationKind
from training_app.models.awareness import SignOffStatus

SIGN_OFFS = "service,sector,authorities,contact_name,contact_role,package,version,completed_on,signed_off_by,notes"
PRESENTATIONS = "date,audience,sector,area,presenter,headcount"
PACKAGE = "Leicestershire Awareness Package"
KINDS = ", ".join(kind.value for kind in OrganisationKind)

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture(autouse=True)
def world(app_ctx):
    return awareness_world()


def sign_offs() -> list[tuple]:
    db.session.expire_all()
    query = sa.select(AwarenessSignOff).order_by(AwarenessSignOff.service)
    return [
        (
            s.service,
            s.sector_kind,
            sorted(a.code for a in s.authorities),
            s.contact_name,
            s.completed_on,
            s.completed_month_only,
            s.status,
        )
        for s in db.session.scalars(query)
    ]


def test_sign_offs_are_imported_with_months_and_authority_lists():
    result = run_import(
        "awareness-sign-offs",
        SIGN_OFFS,
        "Probation Service,probation,LEICESTER; LEICESTERSHIRE;RUTLAND,Martin Curran,Assistant Chief Officer,"
        f"{PACKAGE},2007.1,2007-10,Coordinator,Appendix B",
        f"GPs,gp,LEICESTERSHIRE;RUTLAND,All Practices in Leicestershire and Rutland,,{PACKAGE},,2007-10-15,,",
    )

    assert result.summary == "imported 2 awareness-sign-offs (2 created, 0 updated)", result.errors
    assert sign_offs() == [
        (
            "GPs",
            OrganisationKind.GP,
            ["LEICESTERSHIRE", "RUTLAND"],
            "All Practices in Leicestershire and Rutland",
            date(2007, 10, 15),
            False,
            SignOffStatus.SIGNED_OFF,
        ),
        (
            "Probation Service",
            OrganisationKind.PROBATION,
            ["LEICESTER", "LEICESTERSHIRE", "RUTLAND"],
            "Martin Curran",
            date(2007, 10, 31),
            True,
            SignOffStatus.SIGNED_OFF,
        ),
    ]


def test_an_existing_service_is_updated():
    assert run_import("awareness-sign-offs", SIGN_OFFS, f"GPs,gp,RUTLAND,Dr Who,,{PACKAGE},,2007-10,,").ok

    result = run_import("awareness-sign-offs", SIGN_OFFS, f"gps,gp,LEICESTERSHIRE,Dr Foster,,{PACKAGE},,2008-07,,")

    assert result.summary == "imported 1 awareness-sign-offs (0 created, 1 updated)"
    assert [(s[0], s[2], s[3], s[4]) for s in sign_offs()] == [
        ("GPs", ["LEICESTERSHIRE"], "Dr Foster", date(2008, 7, 31))
    ]


def test_a_bad_sign_off_file_lists_every_problem_by_line_and_imports_nothing():
    before = table_counts()

    result = run_import(
        "awareness-sign-offs",
        SIGN_OFFS,
        f"Probation Service,probation,LEICESTERSHIRE,Martin Curran,,{PACKAGE},,2007-10,,",
        f"School Governors,governors,DERBY,Raj Kachhela,,{PACKAGE},,2007-13,,",
        f"GPs,gp,,,,{PACKAGE},,2007-02-30,,",
        f"probation service,probation,RUTLAND,Someone,,{PACKAGE},,Oct-07,,",
    )

    assert not result.ok
    assert result.errors == [
        f'line 3: sector: must be one of {KINDS}, not "governors"',
        "line 3: authorities: no authority with code DERBY",
        "line 3: completed_on: 2007-13 is not a real month",
        "line 4: authorities: is required (authority codes separated by ;)",
        "line 4: contact_name: is required",
        "line 4: completed_on: 2007-02-30 is not a real date",
        "line 5: service: repeats line 2 (same service)",
        'line 5: completed_on: must be a date as YYYY-MM-DD or YYYY-MM, not "Oct-07"',
    ]
    assert table_counts() == before


def test_presentations_are_imported_by_date_and_audience_and_updated_when_repeated(world):
    result = run_import(
        "presentations",
        PRESENTATIONS,
        "2007-03-14,Staff meeting: Probation,probation,Melton,Helen Ward,18",
        "2007-03-15,Locality forum,,RUTLAND,,0",
    )
    assert result.summary == "imported 2 presentations (2 created, 0 updated)", result.errors

    again = run_import(
        "presentations", PRESENTATIONS, "2007-03-14,Staff meeting: Probation,probation,Melton,Helen Ward,20"
    )

    assert again.summary == "imported 1 presentations (0 created, 1 updated)"
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(
            AwarenessPresentation.presented_on,
            AwarenessPresentation.headcount,
            AwarenessPresentation.area_id,
            AwarenessPresentation.authority_id,
            AwarenessPresentation.sector_kind,
        ).order_by(AwarenessPresentation.presented_on)
    ).all()
    assert [tuple(r) for r in rows] == [
        (date(2007, 3, 14), 20, world["melton"].id, world["shire"].id, OrganisationKind.PROBATION),
        (date(2007, 3, 15), 0, None, world["rutland"].id, None),
    ]


def test_a_bad_presentations_file_lists_every_problem_and_imports_nothing():
    before = table_counts()

    result = run_import(
        "presentations",
        PRESENTATIONS,
        "2007-02-30,Staff meeting,,Melton,,-3",
        "2007-03-01,,doctors,Narnia,,ten",
        "2007-03-02,Briefing,,,,",
    )

    assert result.errors == [
        "line 2: date: 2007-02-30 is not a real date",
        "line 2: headcount: must be at least 0, not -3",
        "line 3: audience: is required",
        f'line 3: sector: must be one of {KINDS}, not "doctors"',
        "line 3: area: there is no area or authority called Narnia",
        'line 3: headcount: must be a whole number, not "ten"',
        "line 4: headcount: is required",
    ]
    assert table_counts() == before


def test_the_command_line_imports_sign_offs_and_fails_with_status_1(app, tmp_path):
    good = run_cli(app, tmp_path, "awareness-sign-offs", f"{SIGN_OFFS}\nGPs,gp,RUTLAND,Dr Who,,{PACKAGE},,2007-10,,\n")
    bad = run_cli(app, tmp_path, "awareness-sign-offs", f"{SIGN_OFFS}\nGPs,gp,RUTLAND,Dr Who,,{PACKAGE},,2007-99,,\n")

    assert good.exit_code == 0 and "imported 1 awareness-sign-offs" in good.output
    assert bad.exit_code == 1 and "line 2: completed_on: 2007-99 is not a real month" in bad.output
