"""Completions and where they stand (SPEC 3.2, 3.6): the one definition of "the latest completion of a course" and the
one status rule, which pathways, the staff list, reminders, the dashboard plots, the refresher outlook and the API
all call.

A training record is a completion of its own course and, when that course renews another (`CAF-REFRESH` renews
`CAF`), of the renewed course too (`COUNTS_FOR`). The latest completion of a course is the latest record of the
course or of a course that renews it (later completion date first, then the later record). A record's expiry is the
one stored on it (`training_records.expires_on`, set when it was made from its course's validity then in force, or
re-dated since by a coordinator); nothing recomputes it from a course's validity as it is now. A completion counts
for the renewed course with that same stored expiry.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import Course, PathwayStatus, TrainingRecord

# (course_id, counts_for): every course counts for itself, and a renewing course for the course it renews too.
COUNTS_FOR = sa.union_all(
    sa.select(Course.id.label("course_id"), Course.id.label("counts_for")),
    sa.select(Course.id.label("course_id"), Course.renews_course_id.label("counts_for")).where(
        Course.renews_course_id.is_not(None)
    ),
).subquery("counts_for")

PractitionerFilter = Sequence[int] | sa.Select[Any] | sa.BindParameter[Any] | None  # a parameter: expanding, of ids


def due_soon_from(today: date, lead_days: int) -> date:
    """The latest expiry that is due soon today: a record expiring on or before it (and after today) is due soon.
    The one due-soon boundary (the course's reminder lead time before expiry), for Python and SQL alike."""
    return today + timedelta(days=lead_days)


def course_status(
    completed_on: date | None, expires_on: date | None, lead_days: int, booked: bool, today: date
) -> PathwayStatus:
    """The SPEC 3.2 status from the latest completion and its stored expiry, and whether a coming booking is held."""
    if completed_on is None:
        return PathwayStatus.BOOKED if booked else PathwayStatus.NOT_STARTED
    if expires_on is None:
        return PathwayStatus.CURRENT
    if today >= expires_on:
        return PathwayStatus.BOOKED if booked else PathwayStatus.EXPIRED
    if expires_on <= due_soon_from(today, lead_days):
        return PathwayStatus.BOOKED if booked else PathwayStatus.DUE_SOON
    return PathwayStatus.CURRENT


def _ranked(practitioners: PractitionerFilter, courses: Sequence[int] | None, as_of: date | None) -> sa.Subquery:
    """Every record as a completion of each course it counts for, ranked latest first within (practitioner, course)."""
    counted = COUNTS_FOR.c.counts_for
    rank = sa.func.row_number().over(
        partition_by=(TrainingRecord.practitioner_id, counted),
        order_by=(TrainingRecord.completed_on.desc(), TrainingRecord.id.desc()),
    )
    query = sa.select(
        TrainingRecord.practitioner_id,
        counted.label("course_id"),
        TrainingRecord.id.label("record_id"),
        TrainingRecord.course_id.label("record_course_id"),
        TrainingRecord.completed_on,
        TrainingRecord.expires_on,
        rank.label("rank"),
    ).join(COUNTS_FOR, COUNTS_FOR.c.course_id == TrainingRecord.course_id)
    if isinstance(practitioners, sa.Select):
        # Never correlated to the records ranked here: it selects people, whose every record is then ranked.
        query = query.where(TrainingRecord.practitioner_id.in_(practitioners.correlate(None)))
    elif practitioners is not None:
        query = query.where(TrainingRecord.practitioner_id.in_(practitioners))
    if courses is not None:
        query = query.where(counted.in_(courses))
    if as_of is not None:
        query = query.where(TrainingRecord.completed_on <= as_of)
    return query.subquery("ranked")


def latest_completions(
    practitioners: PractitionerFilter = None, courses: Sequence[int] | None = None, as_of: date | None = None
) -> sa.Subquery:
    """The latest completion of each course for each practitioner (optionally of these people and courses, completed
    by `as_of`): practitioner_id, course_id (the course completed for), record_id, record_course_id, completed_on,
    expires_on."""
    ranked = _ranked(practitioners, courses, as_of)
    columns = [column for column in ranked.c if column.key != "rank"]
    return sa.select(*columns).where(ranked.c.rank == 1).subquery("latest")


def open_records(practitioners: PractitionerFilter = None, as_of: date | None = None) -> sa.Select[Any]:
    """The ids of records no later completion supersedes: each is the latest completion of every course it counts
    for. A refresher supersedes the renewed course's older record, so that record is never reminded of again."""
    ranked = _ranked(practitioners, None, as_of)
    return sa.select(ranked.c.record_id).group_by(ranked.c.record_id).having(sa.func.max(ranked.c.rank) == 1)


def courses_counting_for(course_id: Any) -> sa.Select[Any]:
    """The ids of the courses whose completion (or a booking on them) counts for this course: itself and the courses
    that renew it. `course_id` may be a column, for a correlated subquery."""
    return sa.select(COUNTS_FOR.c.course_id).where(COUNTS_FOR.c.counts_for == course_id)


def _families() -> sa.Subquery:
    """(course_id, member): the courses that count for some course this one counts for (CAF and CAF-REFRESH for
    either), itself included."""
    mine, theirs = COUNTS_FOR.element.subquery("mine"), COUNTS_FOR.element.subquery("theirs")
    return (
        sa.select(mine.c.course_id.label("course_id"), theirs.c.course_id.label("member"))
        .join(theirs, theirs.c.counts_for == mine.c.counts_for)
        .distinct()
        .subquery("families")
    )


def courses_sharing_a_course(course_id: Any) -> sa.Select[Any]:
    """The ids of the courses that count for some course this one counts for: a booking on any of them renews what a
    record of this course is a completion of. `course_id` may be a column, for a correlated subquery."""
    families = _families()
    # Correlated past any select in between (reminders ask inside EXISTS): left to itself, SQLAlchemy would add the
    # column's table to this FROM, matching every record's course instead of the outer query's one.
    return sa.select(families.c.member).where(families.c.course_id == course_id).correlate_except(families)


def renewal_families(course_ids: Collection[int]) -> dict[int, list[int]]:
    """courses_sharing_a_course for each of these courses, in one query (CAF: CAF and CAF-REFRESH)."""
    families = _families()
    query = sa.select(families.c.course_id, families.c.member).where(families.c.course_id.in_(list(course_ids)))
    found: dict[int, list[int]] = {course_id: [] for course_id in course_ids}
    for course_id, member in db.session.execute(query.order_by(families.c.course_id, families.c.member)):
        found[course_id].append(member)
    return found


def standing(expires_on: Any, course_id: Any, today: date, courses: Sequence[tuple[int, int]]) -> Any:
    """0 current, 1 due soon, 2 expired, in SQL, for an expiry column and the course it is for: the same boundaries
    as course_status. `courses` are (course id, reminder lead days) of the courses the column may hold; each gets a
    branch, so the date arithmetic stays in Python and the same on SQLite and PostgreSQL."""
    branches: list[tuple[sa.ColumnElement[bool], int]] = [(expires_on.is_(None), 0), (expires_on <= today, 2)]
    branches += [
        (sa.and_(course_id == course, expires_on <= due_soon_from(today, lead)), 1) for course, lead in courses
    ]
    return sa.case(*branches, else_=0)
