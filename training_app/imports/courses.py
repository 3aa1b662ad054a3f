"""`courses`: code,title,kind,validity_months,counts_as_trained,prerequisites, and optionally renews, minimum_places
(SPEC 3.3; an empty cell: no minimum), certificate_after_evaluation (yes/no) and offer_hours (hours a freed place is
offered for; an empty cell gives freed places at once); a file without one of these columns leaves that setting of its
courses alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Course, CourseKind
from ..services.attendance.records import MAX_VALIDITY_MONTHS
from ..services.catalogue.courses import MAX_MINIMUM_PLACES, leads_back, offer_hours_problem, renewal_problem
from .base import Reader, Row, shown_codes


@dataclass
class CourseRecord:
    """A checked courses row; prerequisites are codes, resolved once every course in the file exists."""

    row: Row
    code: str
    title: str
    kind: CourseKind
    validity_months: int | None
    counts_as_trained: bool
    prerequisites: list[str]
    renews: str | None  # None: the file has no `renews` column, so the course keeps what it renews
    certificate_after_evaluation: bool | None = None  # None: no such column (or an empty cell), setting kept
    sets_minimum: bool = False  # the file has a `minimum_places` column: the course takes minimum_places
    minimum_places: int | None = None  # None: no minimum (an empty cell)
    offer_hours: int | None = None
    sets_offer_hours: bool = False  # False: the file has no `offer_hours` column, so the course keeps its setting


class CourseReader(Reader):
    """Courses by code; prerequisites may name courses in the database or anywhere in the same file."""

    kind = "courses"
    columns = ("code", "title", "kind", "validity_months", "counts_as_trained", "prerequisites")
    optional_columns = ("renews", "minimum_places", "certificate_after_evaluation", "offer_hours")
    key_columns = ("code",)

    def load(self, rows: Sequence[Row]) -> None:
        # The whole catalogue (a few hundred courses at most), so a loop of prerequisites is seen in full.
        courses = sa.select(Course).options(selectinload(Course.prerequisites), selectinload(Course.renews))
        self.existing = {course.code: course for course in db.session.scalars(courses)}
        self.file_codes = {row["code"] for row in rows}

    def check(self, row: Row) -> CourseRecord | None:
        code = row.code("code", 40)
        title = row.text("title", 200)
        kind = row.choice("kind", CourseKind)
        validity_months = self._validity(row)
        counts_as_trained = row.yes_no("counts_as_trained")
        prerequisites = row.code_list("prerequisites")
        if code is not None and code in prerequisites:
            row.error("prerequisites", "a course cannot be its own prerequisite")
        renews = (row.text("renews", 40, required=False) or "") if "renews" in row.cells else None
        withholds = None
        if row.cells.get("certificate_after_evaluation", "").strip():
            withholds = row.yes_no("certificate_after_evaluation")
        minimum = self._minimum(row)
        offer_hours = row.integer("offer_hours") if "offer_hours" in row.cells else None
        if offer_hours is not None and (problem := offer_hours_problem(offer_hours)):
            row.error("offer_hours", problem)
        if not row.ok:
            return None
        return CourseRecord(
            row,
            row.checked(code),
            row.checked(title),
            row.checked(kind),
            validity_months,
            row.checked(counts_as_trained),
            prerequisites,
            renews,
            withholds,
            sets_minimum="minimum_places" in row.cells,
            minimum_places=minimum,
            offer_hours=offer_hours,
            sets_offer_hours="offer_hours" in row.cells,
        )

    @staticmethod
    def _minimum(row: Row) -> int | None:
        """The course's minimum places (SPEC 3.3), as the course form takes it: 1 to 10,000, or empty for none."""
        if "minimum_places" not in row.cells:
            return None
        minimum = row.integer("minimum_places", minimum=1)
        if minimum is not None and minimum > MAX_MINIMUM_PLACES:
            row.error("minimum_places", f"must be at most {MAX_MINIMUM_PLACES:,}, not {minimum}")
            return None
        return minimum

    @staticmethod
    def _validity(row: Row) -> int | None:
        validity_months = row.integer("validity_months", minimum=1)
        if validity_months is not None and validity_months > MAX_VALIDITY_MONTHS:
            row.error(
                "validity_months",
                f"must be at most {MAX_VALIDITY_MONTHS} ({MAX_VALIDITY_MONTHS // 12} years), not {validity_months}",
            )
            return None
        return validity_months

    def check_file(self, records: list[CourseRecord]) -> None:
        known = self.file_codes | self.existing.keys()
        for record in records:
            unknown = [code for code in record.prerequisites if code not in known]
            if unknown:
                record.row.error("prerequisites", f"no course with code {shown_codes(unknown)}")
        graph = {code: [p.code for p in course.prerequisites] for code, course in self.existing.items()}
        graph.update({record.code: record.prerequisites for record in records})
        for record in records:
            if leads_back(record.code, graph):
                record.row.error("prerequisites", f"the prerequisites lead back to {record.code} (a loop)")
        self._check_renewals(records, known)

    def _check_renewals(self, records: list[CourseRecord], known: set[str]) -> None:
        """What renews what once the file is in, checked by the courses service's rule (no self, chain or loop)."""
        renewing = {code: course.renews.code for code, course in self.existing.items() if course.renews is not None}
        for record in records:
            if record.renews is not None:
                renewing.pop(record.code, None)
                if record.renews:
                    renewing[record.code] = record.renews
        for record in records:
            if record.renews:
                others = {code: renews for code, renews in renewing.items() if code != record.code}
                problem = renewal_problem(record.code, record.renews, others, known)
                if problem:
                    record.row.error("renews", problem)

    def write(self, records: list[CourseRecord]) -> tuple[int, int]:
        courses, created = dict(self.existing), 0
        for record in records:
            course = courses.get(record.code)
            if course is None:
                course = courses[record.code] = Course(code=record.code)
                db.session.add(course)
                created += 1
            course.title, course.kind = record.title, record.kind
            course.validity_months, course.counts_as_trained = record.validity_months, record.counts_as_trained
            if record.certificate_after_evaluation is not None:
                course.certificate_after_evaluation = record.certificate_after_evaluation
            if record.sets_minimum:
                course.minimum_places = record.minimum_places
            if record.sets_offer_hours:
                course.offer_hours = record.offer_hours
        for record in records:
            courses[record.code].prerequisites = [courses[code] for code in record.prerequisites]
            if record.renews is not None:
                courses[record.code].renews = courses[record.renews] if record.renews else None
        return created, len(records) - created
