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


RENEWS_HEADER = HEADER + ",renews"


def test_a_refresher_renews_a_course_from_the_database_or_the_same_file_and_a_file_without_the_column_keeps_it(app_ctx):
    partnership()

    result = run_import(
        "courses",
        RENEWS_HEADER,
        "CAF-REFRESH,CAF refresher,refresher,36,no,CAF,CAF",
        "LP-REFRESH,LP refresher,refresher,36,no,,LP",
        "LP,Lead professional,lead_professional,36,no,CAF,",
    )

    assert result.ok, result.errors
    assert course("CAF-REFRESH").renews.code == "CAF" and course("LP-REFRESH").renews.code == "LP"
    assert course("LP").renews is None
    assert run_import("courses", HEADER, "CAF-REFRESH,CAF refresher (2027),refresher,36,no,CAF").ok
    assert course("CAF-REFRESH").renews.code == "CAF"  # no renews column: left as it was
    assert run_import("courses", RENEWS_HEADER, "CAF-REFRESH,CAF refresher,refresher,36,no,CAF,").ok
    assert course("CAF-REFRESH").renews is None  # an empty cell: renews nothing now


def test_renewing_itself_a_refresher_or_in_a_loop_is_refused_and_nothing_is_imported(app_ctx):
    partnership()
    assert run_import("courses", RENEWS_HEADER, "CAF-REFRESH,CAF refresher,refresher,36,no,CAF,CAF").ok
    before = table_counts()

    result = run_import(
        "courses",
        RENEWS_HEADER,
        "SELF,Renews itself,refresher,12,no,,SELF",
        "TOP-UP,Top-up,refresher,12,no,,CAF-REFRESH",
        "CAF,CAF practitioner,caf_practitioner,36,yes,,CAF-REFRESH",
        "NEW,New course,other,,no,,NOPE",
        "AWA,Awareness,awareness,,no,,",
    )

    assert result.errors == [
        "line 2: renews: A course cannot renew itself.",
        "line 3: renews: CAF-REFRESH itself renews CAF: name the course it renews, CAF, instead.",
        "line 4: renews: CAF-REFRESH renews CAF, so CAF cannot renew CAF-REFRESH (a loop).",
        "line 5: renews: There is no course with code NOPE.",
    ]
    assert table_counts() == before and course("CAF").renews is None


def test_certificate_after_evaluation_is_set_by_its_column_and_kept_without_it(app_ctx):
    partnership()
    header = HEADER + ",certificate_after_evaluation"

    assert run_import("courses", header, "EVAL,Evaluated course,awareness,,no,,yes").ok
    assert course("EVAL").certificate_after_evaluation is True
    assert run_import("courses", HEADER, "EVAL,Evaluated course (2027),awareness,,no,").ok
    assert course("EVAL").certificate_after_evaluation is True  # no column: left as it was
    assert run_import("courses", header, "EVAL,Evaluated course,awareness,,no,,no").ok
    assert course("EVAL").certificate_after_evaluation is False
    bad = run_import("courses", header, "EVAL,Evaluated course,awareness,,no,,perhaps")
    assert not bad.ok and bad.errors == ['line 2: certificate_after_evaluation: must be yes or no, not "perhaps"']
    assert course("EVAL").certificate_after_evaluation is False


def test_minimum_places_is_set_by_its_column_and_kept_without_it(app_ctx):
    partnership()
    header = HEADER + ",minimum_places"

    assert run_import("courses", header, "MIN,Minimum course,awareness,,no,,6").ok
    assert course("MIN").minimum_places == 6
    assert run_import("courses", HEADER, "MIN,Minimum course (2027),awareness,,no,").ok
    assert course("MIN").minimum_places == 6  # no column: left as it was
    before = table_counts()
    bad = run_import(
        "courses",
        header,
        "MIN,Minimum course,awareness,,no,,0",
        "MORE,Another,awareness,,no,,10001",
        "WORDS,Another,awareness,,no,,six",
    )
    assert bad.errors == [
        "line 2: minimum_places: must be at least 1, not 0",
        "line 3: minimum_places: must be at most 10,000, not 10001",
        'line 4: minimum_places: must be a whole number, not "six"',
    ]
    assert table_counts() == before and course("MIN").minimum_places == 6
    assert run_import("courses", header, "MIN,Minimum course,awareness,,no,,").ok
    assert course("MIN").minimum_places is None  # an empty cell: no minimum now


OFFER_HEADER = HEADER + ",offer_hours"


def test_offer_hours_are_set_kept_when_the_column_is_missing_and_cleared_by_an_empty_cell(app_ctx):
    partnership()

    assert run_import("courses", OFFER_HEADER, "OFR,Offers course,other,,no,,48").ok
    assert course("OFR").offer_hours == 48
    assert run_import("courses", HEADER, "OFR,Offers course (2027),other,,no,").ok
    assert course("OFR").offer_hours == 48  # no offer_hours column: left as it was
    assert run_import("courses", OFFER_HEADER, "OFR,Offers course,other,,no,,").ok
    assert course("OFR").offer_hours is None  # an empty cell: freed places are given at once again


def test_bad_offer_hours_are_refused_and_nothing_is_imported(app_ctx):
    partnership()
    before = table_counts()

    result = run_import("courses", OFFER_HEADER, "A,A,other,,no,,0", "B,B,other,,no,,400", "C,C,other,,no,,soon")

    assert result.errors == [
        "line 2: offer_hours: Hold an offer for 1 to 336 hours, or leave it empty to give freed places at once.",
        "line 3: offer_hours: Hold an offer for 1 to 336 hours, or leave it empty to give freed places at once.",
        'line 4: offer_hours: must be a whole number, not "soon"',
    ]
    assert table_counts() == before
