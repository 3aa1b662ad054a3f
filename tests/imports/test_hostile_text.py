"""Imports refuse titles, names and codes that would break an email header, a calendar or a PDF, and codes outside
the codes' alphabet: the bad row is listed as `line N: column: message` and nothing is imported."""

from __future__ import annotations

import pytest

from tests.imports.helpers import partnership, run_import, table_counts

COURSES = "code,title,kind,validity_months,counts_as_trained,prerequisites"
SESSIONS = "code,course,date,start,end,venue,capacity,host_authority,host_area,status"
ORGANISATIONS = "code,name,kind,authority,area,urn,phase,pupils,awareness_only"
AUTHORITIES = "code,name,partner,display_order"
PRACTITIONERS = "email,first_name,last_name,job_title,organisation,group,authorities,cover_category"
ALPHABET = "must be capital letters, digits and hyphens, starting with a letter or digit, like CAF-REFRESH"
ONE_LINE = "must be on one line (it contains a line break)"


@pytest.mark.parametrize(
    ("kind", "header", "good", "bad", "error"),
    [
        (
            "courses",
            COURSES,
            "GOOD,A good course,other,,no,",
            '"LEGACY","Safeguarding\nPart 2",other,,no,',
            f'line 3: title: {ONE_LINE}: "Safeguarding\\nPart 2"',
        ),
        (
            "courses",
            COURSES,
            "GOOD,A good course,other,,no,",
            '"LEGACY","Safe\rguarding",other,,no,',
            f'line 3: title: {ONE_LINE}: "Safe\\rguarding"',
        ),
        (
            "courses",
            COURSES,
            "GOOD,A good course,other,,no,",
            "LEGACY,Safe\x0cguarding,other,,no,",
            'line 3: title: must not contain control characters (it contains U+000C): "Safe\\x0cguarding"',
        ),
        (
            "courses",
            COURSES,
            "GOOD,A good course,other,,no,",
            "SL/ASH,Slashed,other,,no,",
            f'line 3: code: {ALPHABET}, not "SL/ASH"',
        ),
        (
            "courses",
            COURSES,
            "GOOD,A good course,other,,no,",
            "..,Dots,other,,no,",
            f'line 3: code: {ALPHABET}, not ".."',
        ),
        (
            "sessions",
            SESSIONS,
            "CAF-1,CAF,2008-10-01,09:30,16:00,,10,LEICESTER,,scheduled",
            "caf/2,CAF,2008-10-02,09:30,16:00,,10,LEICESTER,,scheduled",
            f'line 3: code: {ALPHABET}, not "caf/2"',
        ),
        (
            "organisations",
            ORGANISATIONS,
            "SCH9,Hill Primary,school,LEICESTER,,,,,no",
            "SCH 10,Dale Primary,school,LEICESTER,,,,,no",
            f'line 3: code: {ALPHABET}, not "SCH 10"',
        ),
        (
            "organisations",
            ORGANISATIONS,
            "SCH9,Hill Primary,school,LEICESTER,,,,,no",
            "SCH10,Dale\u2028Primary,school,LEICESTER,,,,,no",
            f'line 3: name: {ONE_LINE}: "Dale\\u2028Primary"',
        ),
        (
            "authorities",
            AUTHORITIES,
            "NORTH,North,yes,5",
            "SO.UTH,South,yes,6",
            f'line 3: code: {ALPHABET}, not "SO.UTH"',
        ),
        (
            "practitioners",
            PRACTITIONERS,
            "ann@example.org,Ann,Avery,,SCH1,3,LEICESTERSHIRE,none",
            "ben@example.org,Ben\x1b[2J,Bell,,SCH1,3,LEICESTERSHIRE,none",
            'line 3: first_name: must not contain control characters (it contains U+001B): "Ben\\x1b[2J"',
        ),
    ],
)
def test_a_hostile_row_is_listed_and_nothing_is_imported(app_ctx, kind, header, good, bad, error):
    partnership()
    before = table_counts()

    result = run_import(kind, header, good, bad)

    assert result.errors == [error]
    assert table_counts() == before


def test_notes_may_hold_line_breaks_but_not_other_control_characters(app_ctx):
    partnership()
    header = "service,sector,authorities,contact_name,contact_role,package,version,completed_on,signed_off_by,notes"

    kept = run_import("awareness-sign-offs", header, 'Youth service,youth,LEICESTER,Sam,,CAF,,2008-01,,"One\nTwo"')
    refused = run_import("awareness-sign-offs", header, "Health visiting,health,LEICESTER,Kim,,CAF,,2008-01,,A\x00B")

    assert kept.ok, kept.errors
    assert not refused.ok
