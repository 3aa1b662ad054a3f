"""Pathways (SPEC 3.2): the courses each responsibility group takes, and where a practitioner stands on each.

A course's status comes from the practitioner's latest completion of it (attendance/completions: a record of it, or of
a course that renews it, with the expiry stored on that record): none is `not_started` (`booked` while
they hold an active booking on a session of it that has not ended); a course that never expires stays
`current`; otherwise it is `due_soon` from the course's reminder lead time before expiry and `expired` from
the expiry date on, and a booking on a coming session turns those two into `booked`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import (
    ACTIVE_STATUSES,
    Booking,
    Course,
    Pathway,
    PathwayCourse,
    PathwayStatus,
    Practitioner,
    Requirement,
    ResponsibilityGroup,
    SessionStatus,
    TrainingSession,
)
from ..attendance.completions import COUNTS_FOR, course_status, latest_completions


@dataclass(frozen=True)
class CourseOnPathway:
    """One course of a practitioner's pathway with their status, dates, and the session they are booked on."""

    course: Course
    requirement: Requirement
    position: int
    status: PathwayStatus
    completed_on: date | None
    expires_on: date | None
    session_code: str | None


@dataclass(frozen=True)
class PractitionerPathway:
    """A practitioner's group and every course its pathway lists, in pathway order."""

    practitioner: Practitioner
    group: ResponsibilityGroup | None
    courses: list[CourseOnPathway]


def pathway_of(practitioner: Practitioner, today: date) -> PractitionerPathway:
    """Where the practitioner stands on each course of their group's pathway: three queries in all."""
    if practitioner.group_id is None:
        return PractitionerPathway(practitioner, None, [])
    steps = _steps(practitioner.group_id)
    course_ids = [step.course_id for step in steps]
    latest = _latest_completions(practitioner.id, course_ids)
    booked = _coming_bookings(practitioner.id, course_ids, today)
    courses = []
    for step in steps:
        completed_on, expires_on = latest.get(step.course_id, (None, None))
        session_code = booked.get(step.course_id)
        status = course_status(
            completed_on, expires_on, step.course.reminder_lead_days, session_code is not None, today
        )
        dates = (completed_on, expires_on, session_code)
        courses.append(CourseOnPathway(step.course, step.requirement, step.position, status, *dates))
    return PractitionerPathway(practitioner, practitioner.group, courses)


def _steps(group_id: int) -> list[PathwayCourse]:
    query = (
        sa.select(PathwayCourse)
        .join(Pathway, Pathway.id == PathwayCourse.pathway_id)
        .join(Course, Course.id == PathwayCourse.course_id)
        .where(Pathway.group_id == group_id)
        .order_by(PathwayCourse.position)
    )
    return list(db.session.scalars(query))


def _latest_completions(practitioner_id: int, course_ids: list[int]) -> dict[int, tuple[date, date | None]]:
    """The latest completion of each course (a refresher's counts for the course it renews) and its stored expiry."""
    latest = latest_completions([practitioner_id], course_ids)
    query = sa.select(latest.c.course_id, latest.c.completed_on, latest.c.expires_on)
    return {row.course_id: (row.completed_on, row.expires_on) for row in db.session.execute(query)}


def _coming_bookings(practitioner_id: int, course_ids: list[int], today: date) -> dict[int, str]:
    """The session the practitioner holds an active booking on that has not ended, for each course its course counts
    for (a booked refresher is booked for the course it renews)."""
    counted = COUNTS_FOR.c.counts_for
    query = (
        sa.select(counted, TrainingSession.code)
        .select_from(Booking)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .join(COUNTS_FOR, COUNTS_FOR.c.course_id == Booking.course_id)
        .where(
            Booking.practitioner_id == practitioner_id,
            counted.in_(course_ids),
            Booking.status.in_(ACTIVE_STATUSES),
            TrainingSession.status != SessionStatus.CANCELLED,
            TrainingSession.ends_on >= today,
        )
        .order_by(counted, TrainingSession.starts_on.desc())  # the soonest session wins below
    )
    return {row[0]: row[1] for row in db.session.execute(query)}


@dataclass(frozen=True)
class PathwayStep:
    """A course's place on a group's pathway, as asked for."""

    group: ResponsibilityGroup
    course: Course
    requirement: Requirement
    position: int


def pathways_by_group(group_ids: Iterable[int]) -> dict[int, Pathway]:
    """The pathways of these groups with their steps (groups without one are left out)."""
    query = (
        sa.select(Pathway)
        .options(selectinload(Pathway.steps).selectinload(PathwayCourse.course))
        .where(Pathway.group_id.in_(list(group_ids)))
    )
    return {pathway.group_id: pathway for pathway in db.session.scalars(query)}


def position_clashes(steps: Sequence[PathwayStep], pathways: dict[int, Pathway]) -> list[tuple[PathwayStep, str]]:
    """Steps whose position another course of the same group's pathway would hold, and why."""
    clashes = []
    for group_id, wanted in _by_group(steps).items():
        moving = {step.course.id for step in wanted}
        held = {
            existing.position: existing.course.code
            for existing in getattr(pathways.get(group_id), "steps", [])
            if existing.course_id not in moving
        }
        for step in wanted:
            holder = held.get(step.position)
            if holder is not None:
                clashes.append((step, f"position {step.position} of group {step.group.code}'s pathway is {holder}'s"))
            else:
                held[step.position] = step.course.code
    return clashes


def set_steps(steps: Sequence[PathwayStep], pathways: dict[int, Pathway]) -> tuple[int, int]:
    """Put courses on their groups' pathways (creating a pathway for a group without one); (created, updated).

    Positions are moved out of the way first, so courses may swap places in one go without a moment where two
    hold the same position.
    """
    created, moved = 0, []
    for group_id, wanted in _by_group(steps).items():
        pathway = pathways.get(group_id)
        if pathway is None:
            pathway = pathways[group_id] = Pathway(group=wanted[0].group, name=f"{wanted[0].group.name} pathway")
            db.session.add(pathway)
        existing = {step.course_id: step for step in pathway.steps}
        for step in wanted:
            row = existing.get(step.course.id)
            if row is None:
                pathway.steps.append(
                    PathwayCourse(course=step.course, requirement=step.requirement, position=step.position)
                )
                created += 1
            else:
                row.requirement, row.position = step.requirement, -row.id  # parked while others move
                moved.append((row, step.position))
    db.session.flush()
    for row, position in moved:
        row.position = position
    db.session.flush()
    return created, len(moved)


def _by_group(steps: Sequence[PathwayStep]) -> dict[int, list[PathwayStep]]:
    grouped: dict[int, list[PathwayStep]] = {}
    for step in steps:
        grouped.setdefault(step.group.id, []).append(step)
    return grouped


def remove_step(pathway: Pathway, course: Course) -> bool:
    """Take a course off a pathway (the others keep their positions); False when it was not on it."""
    step = next((step for step in pathway.steps if step.course_id == course.id), None)
    if step is None:
        return False
    pathway.steps.remove(step)
    db.session.flush()
    return True


def practitioner_with_email(email: str) -> Practitioner | None:
    """The practitioner with this email address (any case), or None."""
    email = email.strip().lower()
    if len(email) > 254 or "\x00" in email:
        return None
    return db.session.execute(sa.select(Practitioner).filter_by(email=email)).scalar_one_or_none()


TO_BOOK = frozenset({PathwayStatus.NOT_STARTED, PathwayStatus.DUE_SOON, PathwayStatus.EXPIRED})


def courses_to_book(pathway: PractitionerPathway) -> list[CourseOnPathway]:
    """The courses of a pathway the practitioner should book next: not started, due soon or expired."""
    return [course for course in pathway.courses if course.status in TO_BOOK]
