"""Imports of courses and their prerequisites."""

from __future__ import annotations

import sqlalchemy as sa

from tests.imports.helpers import partnership, run_import, table_counts
from training_app.extensions import db
from training_app.models import Course, CourseKind

HEADER = "code,title,kind,validity_months,counts_as_trained,prerequisites"


def course(code: str) -> Course:
    db.session.expire_all()
    return db.session.scalars(sa.select(Course).filter_by(code=code)).one()


def test_courses_are_created_with_prerequisites_from_the_database_and_the_same_file(app_ctx):
    partnership()

    result = run_import(
        "courses",
        HEADER,
        "LP,Lead professional,lead_professional,24,no,CAF; ISH",
        "ISH,Information sharing,information_sharing,,no,AWA",
        "CAF,CAF practitioner (2008),caf_practitioner,12,yes,",
    )

    assert result.summary == "imported 3 courses (2 created, 1 updated)"
    lead = course("LP")
    assert (lead.title, lead.kind, lead.validity_months, lead.counts_as_trained) == (
        "Lead professional",
        CourseKind.LEAD_PROFESSIONAL,
        24,
        False,
    )
    assert [c.code for c in lead.prerequisites] == ["CAF", "ISH"]
    assert [c.code for c in course("ISH").prerequisites] == ["AWA"]
    caf = course("CAF")
    assert (caf.title, caf.validity_months, caf.prerequisites) == ("CAF practitioner (2008)", 12, [])


def test_a_reimport_replaces_the_prerequisites(app_ctx):
    partnership()
    assert run_import("courses", HEADER, "LP,Lead professional,lead_professional,,no,CAF;AWA").ok

    result = run_import("courses", HEADER, "LP,Lead professional,lead_professional,,no,AWA")

    assert result.summary == "imported 1 courses (0 created, 1 updated)"
    assert [c.code for c in course("LP").prerequisites] == ["AWA"]


def test_bad_course_rows_are_all_reported(app_ctx):
    partnership()
    before = table_counts()

    result = run_import(
        "courses",
        HEADER,
        "NEW,New course,other,,no,",
        "SELF,Itself,other,,no,SELF",
        "X1,Unknown prerequisite,webinar,0,maybe,NOPE;AWA",
        ",No code,other,twelve,yes,",
        "NEW,Again,other,,no,",
    )

    assert result.errors == [
        "line 3: prerequisites: a course cannot be its own prerequisite",
        "line 4: kind: must be one of awareness, awareness_plus, caf_practitioner, lead_professional, "
        'information_sharing, managers_briefing, refresher, other, not "webinar"',
        "line 4: validity_months: must be at least 1, not 0",
        'line 4: counts_as_trained: must be yes or no, not "maybe"',
        "line 5: code: is required",
        'line 5: validity_months: must be a whole number, not "twelve"',
        "line 6: code: repeats line 2 (same code)",
    ]
    assert table_counts() == before


def test_unknown_prerequisites_and_loops_are_reported(app_ctx):
    partnership()
    assert run_import("courses", HEADER, "B,Second,other,,no,AWA").ok

    result = run_import("courses", HEADER, "A,First,other,,no,B;NOPE", "AWA,Awareness,awareness,,no,A")

    assert result.errors == [
        "line 2: prerequisites: no course with code NOPE",
        "line 2: prerequisites: the prerequisites lead back to A (a loop)",
        "line 3: prerequisites: the prerequisites lead back to AWA (a loop)",
    ]
    assert course("AWA").prerequisites == []
