"""Imports of practitioners, with their set of authorities."""

from __future__ import annotations

import sqlalchemy as sa

from tests.factories import make_practitioner
from tests.imports.helpers import batch_statements, partnership, run_import, table_counts
from training_app.extensions import db
from training_app.models import CoverCategory, Practitioner, authority_key_for

HEADER = "email,first_name,last_name,job_title,organisation,group,authorities,cover_category"


def practitioner(email: str) -> Practitioner:
    db.session.expire_all()
    return db.session.scalars(sa.select(Practitioner).filter_by(email=email)).one()


def test_practitioners_are_created_with_their_authorities(app_ctx):
    places = partnership()

    result = run_import(
        "practitioners",
        HEADER,
        "Pat.Smith@Example.org,Pat,Smith,Class teacher,SCH1,3, LEICESTERSHIRE ;LEICESTER;LEICESTERSHIRE,teacher",
        "sam@example.org,Sam,Jones,,,,RUTLAND,",
    )

    assert result.summary == "imported 2 practitioners (2 created, 0 updated)"
    pat = practitioner("pat.smith@example.org")
    assert (pat.first_name, pat.last_name, pat.job_title) == ("Pat", "Smith", "Class teacher")
    assert (pat.organisation.code, pat.group.code, pat.cover_category) == ("SCH1", "3", CoverCategory.TEACHER)
    assert [a.code for a in pat.authorities] == ["LEICESTER", "LEICESTERSHIRE"]
    assert pat.authority_key == authority_key_for([places["shire"].id, places["city"].id])
    sam = practitioner("sam@example.org")
    assert (sam.organisation, sam.group, sam.job_title, sam.cover_category) == (None, None, None, CoverCategory.NONE)
    assert sam.authority_key == str(places["rutland"].id)


def test_an_existing_email_updates_the_practitioner_and_replaces_the_authorities(app_ctx):
    places = partnership()
    make_practitioner(places["school"], [places["shire"], places["city"]], email="pat@example.org")
    db.session.commit()

    result = run_import("practitioners", HEADER, "PAT@example.org,Patricia,Smith,Head,HLT1,8,RUTLAND,none")

    assert result.summary == "imported 1 practitioners (0 created, 1 updated)"
    pat = practitioner("pat@example.org")
    assert (pat.first_name, pat.job_title, pat.organisation.code, pat.group.code) == ("Patricia", "Head", "HLT1", "8")
    assert [a.code for a in pat.authorities] == ["RUTLAND"]
    assert pat.authority_key == str(places["rutland"].id)


def test_bad_practitioner_rows_are_all_reported_and_nothing_is_written(app_ctx):
    partnership()
    before = table_counts()

    result = run_import(
        "practitioners",
        HEADER,
        "good@example.org,Good,Row,,SCH1,1,LEICESTER,",
        "not-an-email,Bad,Email,,,,LEICESTER,",
        "x@example.org,,Nofirst,,NOSUCH,9,LEICESTER;DERBY;YORK,supply",
        "y@example.org,No,Authorities,,,, ; ,",
        "GOOD@example.org,Repeat,Email,,,,LEICESTER,",
    )

    assert result.errors[0].startswith('line 3: email: "not-an-email" is not a valid email address')
    assert result.errors[1:] == [
        "line 4: first_name: is required",
        "line 4: organisation: no organisation with code NOSUCH",
        "line 4: group: no responsibility group with code 9",
        "line 4: authorities: no authority with code DERBY, YORK",
        'line 4: cover_category: must be one of teacher, teaching_assistant, none, not "supply"',
        "line 5: authorities: at least one authority code is required",
        "line 6: email: repeats line 2 (same email)",
    ]
    assert table_counts() == before


def test_practitioner_import_runs_a_fixed_number_of_queries(app_ctx, count_statements):
    partnership()

    def import_rows(start: int, count: int) -> int:
        rows = [
            f"p{n}@example.org,P,{n},,SCH1,{n % 8 + 1},LEICESTER;RUTLAND,teacher" for n in range(start, start + count)
        ]
        with count_statements() as statements:
            assert run_import("practitioners", HEADER, *rows).ok
        return batch_statements(statements)

    assert import_rows(0, 10) == import_rows(1000, 100)
