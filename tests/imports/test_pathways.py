"""`flask import pathways`: group,course,requirement,position (SPEC 4.3), all or nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import group, make_course
from training_app.extensions import db
from training_app.models import Pathway, PathwayCourse, Requirement

from .helpers import run_cli, run_import, table_counts

HEADER = "group,course,requirement,position"

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def courses():
    made = {code: make_course(code=code) for code in ("AWARE", "CAF", "LP")}
    db.session.commit()
    return made


def steps(code: str) -> list[tuple[str, Requirement, int]]:
    db.session.expire_all()
    query = (
        sa.select(PathwayCourse)
        .join(Pathway)
        .where(Pathway.group_id == group(code).id)
        .order_by(PathwayCourse.position)
    )
    return [(step.course.code, step.requirement, step.position) for step in db.session.scalars(query)]


def test_it_builds_each_groups_pathway_in_order(courses):
    result = run_import("pathways", HEADER, "3,CAF,required,2", "3,AWARE,required,1", "2,AWARE,recommended,1")

    assert result.ok, result.errors
    assert result.summary == "imported 3 pathways (3 created, 0 updated)"
    assert steps("3") == [("AWARE", Requirement.REQUIRED, 1), ("CAF", Requirement.REQUIRED, 2)]
    assert steps("2") == [("AWARE", Requirement.RECOMMENDED, 1)]


def test_courses_already_on_a_pathway_can_swap_places_and_change_requirement(courses):
    assert run_import("pathways", HEADER, "3,AWARE,required,1", "3,CAF,required,2", "3,LP,optional,3").ok

    result = run_import("pathways", HEADER, "3,CAF,required,1", "3,AWARE,recommended,2")

    assert result.summary == "imported 2 pathways (0 created, 2 updated)"
    assert steps("3") == [
        ("CAF", Requirement.REQUIRED, 1),
        ("AWARE", Requirement.RECOMMENDED, 2),
        ("LP", Requirement.OPTIONAL, 3),
    ]


def test_every_bad_row_is_listed_and_nothing_is_imported(courses):
    assert run_import("pathways", HEADER, "3,LP,optional,3").ok
    before = table_counts()

    result = run_import(
        "pathways",
        HEADER,
        "9,CAF,required,1",
        "3,NOPE,required,1",
        "3,CAF,mandatory,0",
        "3,AWARE,required,3",
        "3,AWARE,optional,4",
        "2,CAF,required,1",
        "2,AWARE,required,1",
    )

    assert result.errors == [
        "line 2: group: no responsibility group with code 9",
        "line 3: course: no course with code NOPE",
        'line 4: requirement: must be one of required, recommended, optional, not "mandatory"',
        "line 4: position: must be at least 1, not 0",
        "line 5: position: position 3 of group 3's pathway is LP's",
        "line 6: course: repeats line 5 (same group and course)",
        "line 8: position: position 1 of group 2's pathway is CAF's",
    ]
    assert table_counts() == before


def test_the_command_imports_a_pathways_file(app, tmp_path, courses):
    result = run_cli(app, tmp_path, "pathways", f"{HEADER}\n4,CAF,required,1\n")

    assert result.exit_code == 0, result.output
    assert "imported 1 pathways (1 created, 0 updated)" in result.output
    assert steps("4") == [("CAF", Requirement.REQUIRED, 1)]
