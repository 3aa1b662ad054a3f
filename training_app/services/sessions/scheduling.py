"""Scheduling sessions (SPEC 3.3): create, edit, duplicate and cancel, with the warnings a coordinator confirms.

Each verb checks the plan (session_plans), returns the warnings unsaved unless they were confirmed, and
otherwise saves, audits and commits in one transaction; the people booked are told afterwards (session_mail).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import ACTIVE_STATUSES, AuditAction, Booking, BookingStatus, Course, SessionStatus, TrainingSession, User
from ...models.webhooks import WebhookEvent
from ..accounts import audit
from ..booking import booking_mail
from ..booking.bookings import lock_sessions, record_promotion
from ..booking.interest import tell_interested
from ..booking.places import Places, places_left, places_of
from ..booking.waiting_list import promote_first
from ..common.calendar import london_to_utc, to_london
from ..common.unique_keys import refused_if_taken
from ..webhooks.events import record_booking_event
from . import session_mail, session_plans
from .sessions import DayTimes, SessionProblem, change_problems, marked_day_ids, set_days

# What cancelling a session cancels: places, places on the waiting list and requests for a place.
STILL_TO_COME = (*ACTIVE_STATUSES, BookingStatus.REQUESTED)
NUMBERING_ATTEMPTS = 10  # numbered codes a new session tries while sessions scheduled at the same moment take them


@dataclass(frozen=True)
class DayPlan:
    """One day as a coordinator asks for it: a London date and wall-clock start and end."""

    date: date
    start: time
    end: time


@dataclass(frozen=True)
class SessionPlan:
    """Everything a coordinator sets on a session; ids refer to rows the form offered."""

    course_id: int
    days: tuple[DayPlan, ...]
    capacity: int
    host_authority_id: int
    host_area_id: int | None = None
    venue_id: int | None = None
    trainer_ids: tuple[int, ...] = ()
    booking_closes_days: int | None = None  # None: the course's booking window (SPEC 3.4: per course, default 2)
    minimum_places: int | None = None  # SPEC 3.3: the session's own minimum; None: the course's
    code: str = ""
    notes: str = ""


# True confirms any warning; a collection of warning messages confirms exactly those (the ones a page showed), so a
# warning that appears after the coordinator changed the form is shown before anything is saved.
Confirmation = bool | Collection[str]


def is_confirmed(warnings: Sequence[SessionProblem], confirmed: Confirmation) -> bool:
    """Whether every warning has been confirmed."""
    if isinstance(confirmed, bool):
        return confirmed or not warnings
    return all(warning.message in confirmed for warning in warnings)


class SchedulingRefused(ValueError):
    """The plan breaks a rule; every problem is listed, by field, and nothing was saved."""

    def __init__(self, problems: Sequence[SessionProblem]) -> None:
        super().__init__("; ".join(f"{problem.field}: {problem.message}" for problem in problems))
        self.problems = list(problems)


@dataclass
class Scheduled:
    """What a scheduling verb did: the saved session, or the warnings to confirm before anything is saved."""

    session: TrainingSession | None
    warnings: list[SessionProblem] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        return self.session is not None


def create_session(plan: SessionPlan, by: User, confirmed: Confirmation = False) -> Scheduled:
    """Schedule a new session; no day may be in the past. Warnings come back unsaved unless `confirmed`.

    A code the coordinator gave that a simultaneous request took first is refused as a taken code is; a numbered
    code the service chose is chosen again (the next number), a few times, before it is refused the same way."""
    for _ in range(NUMBERING_ATTEMPTS - 1):
        try:
            return _create_session(plan, by, confirmed, renumber=True)
        except _NumberTaken:
            continue
    return _create_session(plan, by, confirmed, renumber=False)


def _create_session(plan: SessionPlan, by: User, confirmed: Confirmation, renumber: bool) -> Scheduled:
    refs = session_plans.references(plan)
    problems = _new_session_problems(plan, refs)
    if problems:
        raise SchedulingRefused(problems)
    warnings = session_plans.plan_warnings(plan, refs.venue)
    if not is_confirmed(warnings, confirmed):
        return Scheduled(None, warnings)
    assert refs.course is not None and refs.authority is not None  # no problems means both exist
    first_day = min(day.date for day in plan.days)  # no problems means at least one day
    code = plan.code or next_code(refs.course, first_day.year)
    session = TrainingSession(code=code, status=SessionStatus.SCHEDULED)
    _apply(session, plan, refs)
    db.session.add(session)

    def taken() -> Exception:
        return (
            _NumberTaken() if renumber and not plan.code else SchedulingRefused([_code_taken_problem(code, plan.code)])
        )

    with refused_if_taken({"uq_sessions_code": taken}):
        db.session.flush()
        audit.record(by, AuditAction.SESSION_CREATED, session, None, snapshot(session))
        tell_interested([session.id])  # SPEC 3.4 Interest: everyone waiting for dates, once per session
        db.session.commit()
    return Scheduled(session, warnings)


class _NumberTaken(Exception):
    """The numbered code the service chose was taken by a session scheduled at the same moment."""


def edit_session(code: str, plan: SessionPlan, by: User, confirmed: Confirmation = False) -> Scheduled:
    """Change a scheduled session; a change of time or venue raises its SEQUENCE and tells everyone booked."""
    session = _locked(code)
    refs = session_plans.references(plan)
    places = places_of(session.id)
    problems = _change_problems(session, plan, refs, places)
    if problems:
        db.session.rollback()
        raise SchedulingRefused(problems)
    warnings = session_plans.plan_warnings(plan, refs.venue, exclude_id=session.id)
    if not is_confirmed(warnings, confirmed):
        db.session.rollback()
        return Scheduled(None, warnings)
    assert refs.course is not None and refs.authority is not None
    old, old_notes = snapshot(session), session.notes
    _apply(session, plan, refs)
    new = snapshot(session)
    moved = old["days"] != new["days"] or old["venue"] != new["venue"]
    if moved:
        session.sequence += 1
    if new != old or session.notes != old_notes:  # the same form saved twice (or at once) changes it once
        audit.record(by, AuditAction.SESSION_CHANGED, session, old, new)
    promoted = _fill_from_waiting_list(session, places_left(session.capacity, places.taken), by)
    # Emails join this transaction (outgoing_mail) and go once it commits: never lost, never sent twice.
    if moved and places.bookings:
        session_mail.tell_of_change(session)
    for booking in promoted:
        booking_mail.tell_of_promotion(booking)
    tell_interested([session.id])  # a change may open it for booking; each person is told of a session once
    db.session.commit()
    return Scheduled(session, warnings)


def plan_errors(plan: SessionPlan, editing: str | None = None) -> list[SessionProblem]:
    """Every problem that would stop a plan being saved, as a new session or as a change to the session coded
    `editing`, without saving or locking anything: a form shows them all at once (the verbs check again, locked)."""
    refs = session_plans.references(plan)
    if editing is None:
        return _new_session_problems(plan, refs)
    session = db.session.scalar(sa.select(TrainingSession).where(TrainingSession.code == editing))
    if session is None:
        return [SessionProblem("session", f"no session has the code {editing}")]
    return _change_problems(session, plan, refs, places_of(session.id))


def _new_session_problems(plan: SessionPlan, refs: session_plans.PlanReferences) -> list[SessionProblem]:
    problems = session_plans.plan_problems(plan, refs, new=True)
    if plan.code and _code_taken(plan.code):
        problems.append(_code_taken_problem(plan.code, plan.code))
    return problems


def _change_problems(
    session: TrainingSession, plan: SessionPlan, refs: session_plans.PlanReferences, places: Places
) -> list[SessionProblem]:
    problems = session_plans.plan_problems(plan, refs, new=False)
    if session.status is not SessionStatus.SCHEDULED:
        status = session.status.value
        problems.append(SessionProblem("session", f"session {session.code} is {status}, so it cannot change"))
    wanted = [day.date for day in plan.days]
    if refs.course is not None:
        problems += change_problems(session, refs.course, plan.capacity, wanted, places, marked_day_ids([session.id]))
    return problems


def _fill_from_waiting_list(session: TrainingSession, free: int, by: User) -> list[Booking]:
    """Give places freed by a raised capacity to the people waiting, first come first served (not once started)."""
    promoted: list[Booking] = []
    while len(promoted) < free:
        booking = promote_first(session)
        if booking is None:
            break
        record_promotion(by, booking)
        promoted.append(booking)
    return promoted


def duplicate_plan(session: TrainingSession, first_day: date) -> SessionPlan:
    """A plan for a copy of a session: same course, room, trainers and times, its days moved to start on `first_day`."""
    shift = first_day - (session.starts_on or first_day)
    days = tuple(
        DayPlan(day.date + shift, to_london(day.starts_at).time(), to_london(day.ends_at).time())
        for day in session.days
    )
    return replace(plan_of(session), days=days, code="")


def cancel_session(code: str, reason: str, by: User) -> TrainingSession:
    """Cancel a session: it and its bookings stay, the active bookings marked cancelled; everyone told."""
    reason = reason.strip()
    session = _locked(code)
    problems = []
    if not reason:
        problems.append(SessionProblem("reason", "enter the reason for cancelling the session"))
    elif len(reason) > 400:
        problems.append(SessionProblem("reason", "the reason must be 400 characters or fewer"))
    if session.status is not SessionStatus.SCHEDULED:
        problems.append(
            SessionProblem("session", f"session {code} is {session.status.value}, so it cannot be cancelled")
        )
    if problems:
        db.session.rollback()
        raise SchedulingRefused(problems)
    now = datetime.now(UTC)
    active = list(
        db.session.scalars(
            sa.select(Booking)
            .where(Booking.session_id == session.id, Booking.status.in_(STILL_TO_COME))
            .options(sa.orm.selectinload(Booking.practitioner))  # each is emailed, their bookers copied
        )
    )
    for booking in active:
        booking.status, booking.waitlist_position = BookingStatus.CANCELLED, None
        booking.cancelled_at, booking.cancel_reason = now, f"session cancelled: {reason}"[:400]
    old_status = session.status.value
    session.status, session.cancelled_at, session.cancel_reason = SessionStatus.CANCELLED, now, reason
    session.sequence += 1
    audit.record(
        by,
        AuditAction.SESSION_CANCELLED,
        session,
        {"status": old_status},
        {"status": "cancelled", "reason": reason, "bookings_cancelled": len(active)},
    )
    record_booking_event(WebhookEvent.BOOKING_CANCELLED, active)
    # Emails join this transaction (outgoing_mail) and go once it commits: never lost, never sent twice.
    session_mail.tell_of_cancellation(session, active)
    db.session.commit()
    return session


def plan_of(session: TrainingSession) -> SessionPlan:
    """The plan a session was saved with, to prefill its edit form."""
    return SessionPlan(
        course_id=session.course_id,
        days=tuple(
            DayPlan(day.date, to_london(day.starts_at).time(), to_london(day.ends_at).time()) for day in session.days
        ),
        capacity=session.capacity,
        host_authority_id=session.host_authority_id,
        host_area_id=session.host_area_id,
        venue_id=session.venue_id,
        trainer_ids=tuple(trainer.id for trainer in session.trainers),
        booking_closes_days=session.booking_closes_days,
        minimum_places=session.minimum_places,
        code=session.code,
        notes=session.notes,
    )


def next_code(course: Course, year: int) -> str:
    """The next free code for a course in a year (the session's, from its first day): CAF-2008-014 after
    CAF-2008-013."""
    prefix = f"{course.code}-{year}-"
    taken = db.session.scalars(sa.select(TrainingSession.code).where(TrainingSession.code.startswith(prefix)))
    numbers = [int(code[len(prefix) :]) for code in taken if code[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def snapshot(session: TrainingSession) -> dict[str, Any]:
    """What an audit event keeps of a session: its settings, days in London time and trainers."""
    return {
        "course": session.course.code if session.course else None,
        "capacity": session.capacity,
        "venue": session.venue.name if session.venue else None,
        "host_authority": session.host_authority.code if session.host_authority else None,
        "host_area": session.host_area.name if session.host_area else None,
        "booking_closes_days": session.booking_closes_days,
        "minimum_places": session.minimum_places,
        "trainers": sorted(trainer.name for trainer in session.trainers),
        "days": [f"{to_london(d.starts_at):%Y-%m-%d %H:%M}-{to_london(d.ends_at):%H:%M}" for d in session.days],
        "status": session.status.value,
    }


def _apply(session: TrainingSession, plan: SessionPlan, refs: session_plans.PlanReferences) -> None:
    assert refs.course is not None and refs.authority is not None
    session.course = refs.course
    session.capacity = plan.capacity
    session.host_authority = refs.authority
    session.host_area = refs.area
    session.venue = refs.venue
    session.trainers = refs.trainers
    closes = plan.booking_closes_days
    session.booking_closes_days = refs.course.booking_closes_days if closes is None else closes
    session.notes, session.minimum_places = plan.notes, plan.minimum_places
    days = [DayTimes(d.date, london_to_utc(d.date, d.start), london_to_utc(d.date, d.end)) for d in plan.days]
    set_days(session, sorted(days, key=lambda day: day.starts_at))


def _locked(code: str) -> TrainingSession:
    session = lock_sessions([code]).get(code)
    if session is None:
        raise SchedulingRefused([SessionProblem("session", f"no session has the code {code}")])
    return session


def _code_taken_problem(code: str, asked: str) -> SessionProblem:
    """A code already in use; one the service chose (none was asked for) was taken by a session scheduled at the
    same moment, so sending the form again chooses the next."""
    if asked:
        return SessionProblem("code", f"a session with the code {code} already exists")
    return SessionProblem("code", f"another session took the code {code} at the same moment: send the form again")


def _code_taken(code: str) -> bool:
    return bool(db.session.scalar(sa.select(sa.exists().where(TrainingSession.code == code))))
