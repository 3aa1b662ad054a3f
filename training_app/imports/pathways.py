"""`pathways`: group,course,requirement,position; the courses each responsibility group takes, in order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..models import Course, Requirement, ResponsibilityGroup
from ..services.catalogue.pathways import PathwayStep, pathways_by_group, position_clashes, set_steps
from ..services.common.batches import fetch_in
from .base import Reader, Row


@dataclass
class StepRecord:
    """A checked pathways row."""

    row: Row
    step: PathwayStep


class PathwayReader(Reader):
    """Courses on groups' pathways by group code and course code; a course already there is moved or re-marked."""

    kind = "pathways"
    columns = ("group", "course", "requirement", "position")
    key_columns = ("group", "course")

    def load(self, rows: Sequence[Row]) -> None:
        self.groups = {group.code: group for group in db.session.scalars(sa.select(ResponsibilityGroup))}
        self.courses = {c.code: c for c in fetch_in(sa.select(Course), Course.code, (r["course"] for r in rows))}
        self.pathways = pathways_by_group(group.id for group in self.groups.values())

    def check(self, row: Row) -> StepRecord | None:
        group = row.ref("group", self.groups, "no responsibility group with code {}")
        course = row.ref("course", self.courses, "no course with code {}")
        requirement = row.choice("requirement", Requirement)
        position = row.integer("position", minimum=1, required=True)
        if not row.ok:
            return None
        step = PathwayStep(row.checked(group), row.checked(course), row.checked(requirement), row.checked(position))
        return StepRecord(row, step)

    def check_file(self, records: list[StepRecord]) -> None:
        rows = {id(record.step): record.row for record in records}
        for step, message in position_clashes([record.step for record in records], self.pathways):
            rows[id(step)].error("position", message)

    def write(self, records: list[StepRecord]) -> tuple[int, int]:
        return set_steps([record.step for record in records], self.pathways)
