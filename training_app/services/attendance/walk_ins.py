"""Walk-ins (SPEC 3.5): someone who came to a session without a booking goes on its register, as a booking marked
walk-in whose place counts like any other; someone new to the system is created in their organisation.

A leaver is not put on a register, as they cannot be booked (SPEC 3.1, `booking_checks.leavers_before_end`). Someone
new starts on the day they are added or, when the register is marked later, the session's first day, on which they
were evidently working (so the record their attendance makes falls within their time in post)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from ...extensions import db
from ...models import AuditAction, Booking, BookingStatus, Practitioner, TrainingSession, User, utcnow
from ...models.webhooks import WebhookEvent
from ...validation import control_character_problem, email_problem
from ..accounts import audit
from ..booking.booking_checks import leavers_before_end
from ..booking.bookings import PlaceLedger, lock_session
from ..common.calendar import to_london
from ..common.lookups import organisation_with_code, practitioner_with_email
from ..common.unique_keys import refused_if_taken
from ..webhooks.events import record_booking_event
from .records import ON_REGISTER
from .registers import Problem, RegisterRefused, can_mark_register, register_closed_reason


@dataclass(frozen=True)
class WalkIn:
    """Someone who came without a booking: an existing practitioner by email, or a new one in an organisation."""

    email: str
    first_name: str = ""
    last_name: str = ""
    organisation: str = ""  # the organisation's code, for a new practitioner
    job_title: str = ""


def add_walk_in(session: TrainingSession, walk_in: WalkIn, by: User, now: datetime | None = None) -> Booking:
    """Put a walk-in on the register, in one committed transaction: a booking marked walk-in (the place counts
    like any other), creating the practitioner in their organisation when they are new. RegisterRefused lists
    every problem; nothing is written then."""
    now = now or utcnow()
    if not can_mark_register(by, session):
        raise RegisterRefused([Problem(None, "session", "You are not a trainer of this session")], forbidden=True)
    locked = lock_session(session.id)
    closed = register_closed_reason(locked, to_london(now).date())
    if closed is not None:
        raise RegisterRefused([Problem(None, "session", closed)])
    practitioner = practitioner_with_email(walk_in.email)
    problems = _walk_in_problems(locked, walk_in, practitioner)
    if not problems and practitioner is None:
        today = to_london(now).date()
        practitioner = _new_practitioner(walk_in, by, min(today, locked.starts_on or today))
    if not problems and practitioner is not None:
        problems = [
            Problem(None, p.field, p.message)
            for p in PlaceLedger([locked], [practitioner.id]).take(locked, practitioner.id, BookingStatus.BOOKED)
        ]
    if problems or practitioner is None:
        db.session.rollback()
        raise RegisterRefused(problems)
    booking = Booking(
        session_id=locked.id,
        practitioner_id=practitioner.id,
        course_id=locked.course_id,
        status=BookingStatus.BOOKED,
        booked_by_id=by.id,
        walk_in=True,
    )
    db.session.add(booking)
    db.session.flush()
    audit.record(
        by, AuditAction.WALK_IN_ADDED, booking, None, {"session": locked.code, "practitioner": practitioner.email}
    )
    record_booking_event(WebhookEvent.BOOKING_CREATED, [booking])
    db.session.commit()
    return booking


def _walk_in_problems(session: TrainingSession, walk_in: WalkIn, practitioner: Practitioner | None) -> list[Problem]:
    """What stops this walk-in: a bad email, a new person without names or organisation, someone already there."""
    problem = email_problem(walk_in.email.strip())
    if problem is not None:
        return [Problem(None, "email", f"Enter a real email address: {problem}")]
    if practitioner is not None:
        on_register = sa.select(Booking.id).where(
            Booking.session_id == session.id,
            Booking.practitioner_id == practitioner.id,
            Booking.status.in_(ON_REGISTER),
        )
        if db.session.execute(on_register.limit(1)).first() is not None:
            return [Problem(None, "email", f"{practitioner.full_name} is already on the register")]
        if leaver := leavers_before_end(session, [practitioner.id]).get(practitioner.id):
            return [Problem(None, "email", f"{practitioner.full_name} {leaver}")]
        return []
    problems = []
    if not walk_in.first_name.strip():
        problems.append(Problem(None, "first_name", "Enter the walk-in's first name (they are new to the system)"))
    if not walk_in.last_name.strip():
        problems.append(Problem(None, "last_name", "Enter the walk-in's last name (they are new to the system)"))
    if len(walk_in.first_name) > 100 or len(walk_in.last_name) > 100 or len(walk_in.job_title) > 200:
        problems.append(Problem(None, "first_name", "Names must be 100 characters or fewer, job titles 200"))
    for field, label in (("first_name", "first name"), ("last_name", "last name"), ("job_title", "job title")):
        if problem := control_character_problem(getattr(walk_in, field)):
            problems.append(Problem(None, field, f"The {label} {problem}"))
    if organisation_with_code(walk_in.organisation.strip()) is None:
        message = f"No organisation has the code {walk_in.organisation!r}: enter the walk-in's organisation's code"
        problems.append(Problem(None, "organisation", message if walk_in.organisation else "Enter their organisation"))
    return problems


def _new_practitioner(walk_in: WalkIn, by: User, started_on: date) -> Practitioner:
    """A walk-in new to the system, in their organisation and working for its authority, in post from `started_on`."""
    organisation = organisation_with_code(walk_in.organisation.strip())
    assert organisation is not None  # checked by _walk_in_problems
    practitioner = Practitioner(
        email=walk_in.email.strip().lower(),
        first_name=" ".join(walk_in.first_name.split()),
        last_name=" ".join(walk_in.last_name.split()),
        job_title=" ".join(walk_in.job_title.split()) or None,
        organisation_id=organisation.id,
        started_on=started_on,
    )
    practitioner.set_authorities([organisation.authority])
    db.session.add(practitioner)
    added_meanwhile = Problem(None, "email", f"{walk_in.email} was added just now: add them again")
    with refused_if_taken({"uq_practitioners_email": lambda: RegisterRefused([added_meanwhile])}):
        db.session.flush()  # the same new person added by someone else at the same moment is refused
    new = {"email": practitioner.email, "walk_in": True, "started_on": started_on.isoformat()}
    audit.record(by, AuditAction.PRACTITIONER_CREATED, practitioner, None, new)
    return practitioner
