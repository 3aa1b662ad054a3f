"""Checking a session's plan before it is saved (SPEC 3.3): the errors that block saving and the warnings to confirm.

Errors are rows the plan names that do not exist, a retired course for a new session, a bad code, bad or past
days, and capacity or closing days out of bounds; warnings are a weekend or bank holiday, the room or a trainer in
use at an overlapping time, and more places than the room holds. Both come back as every problem by field, so the
form shows them all at once; the scheduling verbs in services/sessions/scheduling decide what to do with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ...extensions import db
from ...models import Area, Authority, Course, SessionDay, SessionStatus, Trainer, TrainingSession, Venue
from ...models.sessions import session_trainers
from ...validation import CODE_RULE, code_problem, control_character_problem
from ..common.calendar import DateProblem, check_supported, is_bank_holiday, london_to_utc, london_today
from .sessions import SessionProblem, room_problem

if TYPE_CHECKING:  # the plan is scheduling's; it imports this module, so at run time the annotations stay strings
    from .scheduling import DayPlan, SessionPlan

MAX_CAPACITY = 1000
MAX_CLOSES_DAYS = 60
MAX_DAYS = 20
MAX_CODE_LENGTH = 40
# A numbered code is the course's code, the year and a number (CAF-2026-014): nine characters after the course's.
MAX_NUMBERED_COURSE_CODE = MAX_CODE_LENGTH - len("-2026-014")


def plan_warnings(plan: SessionPlan, venue: Venue | None, exclude_id: int | None = None) -> list[SessionProblem]:
    """What the coordinator must confirm: the room or a trainer in use then, a weekend or bank holiday, a full room."""
    warnings = []
    for day in plan.days:
        if day.date.weekday() >= 5:
            warnings.append(SessionProblem("days", f"{day.date:%A %-d %B %Y} is a weekend day"))
        elif is_bank_holiday(day.date):
            warnings.append(SessionProblem("days", f"{day.date:%A %-d %B %Y} is a bank holiday in England and Wales"))
    warnings += _clash_warnings(plan, exclude_id)
    room = room_problem(plan.capacity, venue)
    if room is not None:
        warnings.append(room)
    return warnings


@dataclass(frozen=True)
class PlanReferences:
    """The rows a plan names, loaded once; `missing` lists the ones that do not exist."""

    course: Course | None
    authority: Authority | None
    area: Area | None
    venue: Venue | None
    trainers: list[Trainer]
    missing: list[SessionProblem]


def references(plan: SessionPlan) -> PlanReferences:
    """Load the rows the plan names; what does not exist is a problem, not an exception."""
    missing = []
    course = db.session.get(Course, plan.course_id) if plan.course_id else None
    if course is None:  # none chosen (id 0), or one that has gone since the form was drawn
        missing.append(SessionProblem("course", "choose a course that exists" if plan.course_id else "choose a course"))
    authority = db.session.get(Authority, plan.host_authority_id) if plan.host_authority_id else None
    if authority is None:
        message = "choose a host authority that exists" if plan.host_authority_id else "choose the host authority"
        missing.append(SessionProblem("host_authority", message))
    area = db.session.get(Area, plan.host_area_id) if plan.host_area_id is not None else None
    if plan.host_area_id is not None and (area is None or area.authority_id != plan.host_authority_id):
        missing.append(SessionProblem("host_area", "choose an area of the host authority"))
    venue = db.session.get(Venue, plan.venue_id) if plan.venue_id is not None else None
    if plan.venue_id is not None and venue is None:
        missing.append(SessionProblem("venue", "choose a venue that exists"))
    trainers = list(db.session.scalars(sa.select(Trainer).where(Trainer.id.in_(plan.trainer_ids))))
    if len(trainers) != len(set(plan.trainer_ids)):
        missing.append(SessionProblem("trainers", "choose trainers that exist"))
    return PlanReferences(course, authority, area, venue, trainers, missing)


def plan_problems(plan: SessionPlan, refs: PlanReferences, new: bool) -> list[SessionProblem]:
    """Errors that block saving: unknown rows, a bad code, bad days, capacity or closing days out of bounds."""
    problems = list(refs.missing)
    if new and refs.course is not None and refs.course.is_retired:
        problems.append(SessionProblem("course", f"course {refs.course.code} is retired, so it takes no new sessions"))
    if plan.code and (len(plan.code) > MAX_CODE_LENGTH or code_problem(plan.code)):
        problems.append(SessionProblem("code", f"a code is up to {MAX_CODE_LENGTH} {CODE_RULE}"))
    elif new and not plan.code and refs.course is not None and len(refs.course.code) > MAX_NUMBERED_COURSE_CODE:
        message = f"course {refs.course.code}'s code is too long to number its sessions from: enter a session code"
        problems.append(SessionProblem("code", message))
    if problem := control_character_problem(plan.notes, multiline=True):
        problems.append(SessionProblem("notes", f"the notes {problem}"))
    problems += _day_problems(plan.days, new)
    if not 1 <= plan.capacity <= MAX_CAPACITY:
        problems.append(SessionProblem("capacity", f"capacity must be between 1 and {MAX_CAPACITY}"))
    if plan.minimum_places is not None and not 1 <= plan.minimum_places <= max(plan.capacity, 1):
        message = f"the minimum places must be from 1 to the capacity ({plan.capacity}), or left empty"
        problems.append(SessionProblem("minimum_places", message))
    if plan.booking_closes_days is not None and not 0 <= plan.booking_closes_days <= MAX_CLOSES_DAYS:
        problems.append(
            SessionProblem("booking_closes_days", f"booking closes 0 to {MAX_CLOSES_DAYS} working days before")
        )
    return problems


def _day_problems(days: Sequence[DayPlan], new: bool) -> list[SessionProblem]:
    if not days:
        return [SessionProblem("days", "a session needs at least one day")]
    if len(days) > MAX_DAYS:
        return [SessionProblem("days", f"a session has at most {MAX_DAYS} days")]
    problems, today = [], london_today()
    if len({day.date for day in days}) != len(days):
        problems.append(SessionProblem("days", "each day of a session must be a different date"))
    for number, day in enumerate(days, start=1):
        try:
            check_supported(day.date)
        except DateProblem as problem:
            problems.append(SessionProblem("days", f"day {number} {problem}"))
            continue
        if day.end <= day.start:
            problems.append(SessionProblem("days", f"day {number} must end after it starts"))
        if new and day.date < today:
            problems.append(SessionProblem("days", f"day {number} ({day.date:%-d %B %Y}) is in the past"))
    return problems


def _clash_warnings(plan: SessionPlan, exclude_id: int | None) -> list[SessionProblem]:
    """Other scheduled sessions using the room or a trainer at an overlapping time: one query per kind."""
    spans = [(london_to_utc(d.date, d.start), london_to_utc(d.date, d.end)) for d in plan.days if d.end > d.start]
    if not spans:
        return []
    overlap = sa.or_(*(sa.and_(SessionDay.starts_at < end, SessionDay.ends_at > start) for start, end in spans))
    base = (
        sa.select(TrainingSession.code, SessionDay.date)
        .join(SessionDay, SessionDay.session_id == TrainingSession.id)
        .where(overlap, TrainingSession.status != SessionStatus.CANCELLED)
    )
    if exclude_id is not None:
        base = base.where(TrainingSession.id != exclude_id)
    warnings = []
    if plan.venue_id is not None:
        for code, day in db.session.execute(base.where(TrainingSession.venue_id == plan.venue_id).distinct()):
            warnings.append(SessionProblem("venue", f"the venue is in use by session {code} on {day:%-d %B %Y}"))
    if plan.trainer_ids:
        query = (
            base.add_columns(Trainer.name)
            .join(session_trainers, session_trainers.c.session_id == TrainingSession.id)
            .join(Trainer, Trainer.id == session_trainers.c.trainer_id)
            .where(Trainer.id.in_(plan.trainer_ids))
            .distinct()
        )
        for code, day, name in db.session.execute(query):
            warnings.append(SessionProblem("trainers", f"{name} is teaching session {code} on {day:%-d %B %Y}"))
    return warnings
