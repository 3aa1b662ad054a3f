"""Booking questions (SPEC 3.4, issue 21): a booking's access needs and dietary needs, free text given when booking
and changed by the person before the session starts. Who may see them is decided here alone (`may_see_needs`: the
session's trainers and coordinators), for the register, the session's page, the sign-in sheet and the API; no
export, workbook or CSV carries them. The audit trail records only whether needs were given, never what they say,
and the scheduler's housekeeping erases them 30 days after the session's last day (`erase_old_needs`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ...extensions import db
from ...models import (
    NEEDS_MAX_LENGTH,
    PLACE_HOLDING_STATUSES,
    AuditAction,
    AuditEvent,
    Booking,
    BookingStatus,
    Practitioner,
    Trainer,
    TrainingSession,
    User,
    utcnow,
)
from ...models.sessions import session_trainers
from ..accounts import audit
from ..accounts.scope import is_staff
from .booking_checks import BookingRefused, Refusal
from .bookings import lock_session_of
from .waiting_list import has_started

NEEDS_KEPT_DAYS = 30
QUESTIONS = {"access": "Access needs", "dietary": "Dietary needs"}
# Control characters other than a line break (and a tab, which becomes a space) are dropped from answers.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# Bookings whose needs the session's people may still act on: places, marks and the waiting list.
SHOWN_STATUSES = (*PLACE_HOLDING_STATUSES, BookingStatus.WAITLISTED)
CHANGEABLE_STATUSES = (BookingStatus.BOOKED, BookingStatus.WAITLISTED, BookingStatus.REQUESTED)


@dataclass(frozen=True)
class Needs:
    """A booking's answers to the two questions, cleaned (see `read_needs`); None where nothing was given."""

    access: str | None = None
    dietary: str | None = None

    @property
    def given(self) -> bool:
        return bool(self.access or self.dietary)

    def write_to(self, booking: Booking) -> None:
        """Put the answers on a booking."""
        booking.access_needs, booking.dietary_needs = self.access, self.dietary

    def audit_value(self) -> dict[str, str]:
        """What the audit trail keeps of the answers: only whether any were given, never what they say."""
        return {"needs": "given" if self.given else "none"}


NO_NEEDS = Needs()


class NeedsInvalid(Exception):
    """Answers that cannot be kept, with a message per question ("access", "dietary")."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def clean_answer(text: object) -> str | None:
    """An answer as kept: line breaks as `\\n`, tabs as spaces, other control characters dropped, blank lines at
    either end and spaces at line ends trimmed; None when nothing is left."""
    if text is None:
        return None
    value = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    value = _CONTROL.sub("", value)
    value = "\n".join(line.rstrip() for line in value.split("\n")).strip()
    return value or None


def read_needs(access: object = None, dietary: object = None) -> Needs:
    """The answers cleaned (`clean_answer`); NeedsInvalid names each that is longer than NEEDS_MAX_LENGTH."""
    answers = {"access": clean_answer(access), "dietary": clean_answer(dietary)}
    problems = {
        name: f"{QUESTIONS[name]} must be {NEEDS_MAX_LENGTH} characters or fewer"
        for name, value in answers.items()
        if value is not None and len(value) > NEEDS_MAX_LENGTH
    }
    if problems:
        raise NeedsInvalid(problems)
    return Needs(**answers)


def needs_of(booking: Booking) -> Needs:
    """The answers a booking carries."""
    return Needs(booking.access_needs, booking.dietary_needs)


def may_see_needs(user: User, session: TrainingSession) -> bool:
    """Who may see the needs of everyone on a session: coordinators (and administrators) and the session's own
    trainers; nobody else (not bookers, workforce leads, finance or other practitioners)."""
    if is_staff(user):
        return True
    query = (
        sa.select(Trainer.id)
        .join(session_trainers, session_trainers.c.trainer_id == Trainer.id)
        .where(session_trainers.c.session_id == session.id, Trainer.user_id == user.id)
    )
    return db.session.execute(query.limit(1)).first() is not None


@dataclass(frozen=True)
class NeedsRow:
    """One person's needs on a session, as trainers and coordinators are shown them."""

    booking_id: int
    name: str
    email: str
    status: BookingStatus
    access: str | None
    dietary: str | None


def needs_of_session(session: TrainingSession) -> list[NeedsRow]:
    """The needs of everyone holding or waiting for a place on the session who gave any, by name; one query. Callers
    show them only where `may_see_needs` allows."""
    query = (
        sa.select(
            Booking.id,
            Practitioner.first_name,
            Practitioner.last_name,
            Practitioner.email,
            Booking.status,
            Booking.access_needs,
            Booking.dietary_needs,
        )
        .join(Practitioner, Practitioner.id == Booking.practitioner_id)
        .where(
            Booking.session_id == session.id,
            Booking.status.in_(SHOWN_STATUSES),
            sa.or_(Booking.access_needs.is_not(None), Booking.dietary_needs.is_not(None)),
        )
        .order_by(Practitioner.last_name, Practitioner.first_name, Practitioner.email)
    )
    return [
        NeedsRow(
            row.id, f"{row.first_name} {row.last_name}", row.email, row.status, row.access_needs, row.dietary_needs
        )
        for row in db.session.execute(query)
    ]


def may_change_needs(user: User, booking: Booking) -> bool:
    """Who changes a booking's needs: the practitioner it is for, or a coordinator."""
    if is_staff(user):
        return True
    return user.practitioner_id is not None and user.practitioner_id == booking.practitioner_id


def change_problem(booking: Booking, now: datetime) -> str | None:
    """Why a booking's needs can no longer be changed, or None: only a live booking, before its session starts."""
    if booking.status not in CHANGEABLE_STATUSES:
        return f"the booking is {booking.status.value.replace('_', ' ')}"
    if has_started(booking.session, now):
        return f"session {booking.session.code} has started"
    return None


def change_needs(booking: Booking, needs: Needs, by: User, now: datetime | None = None) -> bool:
    """Replace a booking's needs, under its session's lock; audited (whether needs are given, not what they say) and
    committed. False when nothing changed. BookingRefused (nothing written) when the user may not or it is too late."""
    now = now or utcnow()
    if not may_change_needs(by, booking):
        raise BookingRefused("booking", "is not your booking", Refusal.FORBIDDEN)
    lock_session_of(booking)
    if problem := change_problem(booking, now):
        db.session.rollback()
        raise BookingRefused("booking", f"needs can no longer be changed: {problem}", Refusal.CONFLICT)
    old = needs_of(booking)
    if old == needs:
        db.session.rollback()
        return False
    needs.write_to(booking)
    audit.record(by, AuditAction.BOOKING_NEEDS_CHANGED, booking, old.audit_value(), needs.audit_value())
    db.session.commit()
    return True


def erase_old_needs(today: date) -> int:
    """Erase the needs of every booking on a session whose last day was NEEDS_KEPT_DAYS or more before `today`: one
    audit event per session (how many bookings, never what they said), one UPDATE for all; committed. Returns how
    many bookings were erased; safe to run twice."""
    ended = sa.select(TrainingSession.id).where(TrainingSession.ends_on <= today - timedelta(days=NEEDS_KEPT_DAYS))
    held = sa.and_(
        Booking.session_id.in_(ended),
        sa.or_(Booking.access_needs.is_not(None), Booking.dietary_needs.is_not(None)),
    )
    per_session = db.session.execute(
        sa.select(Booking.session_id, sa.func.count()).where(held).group_by(Booking.session_id)
    ).all()
    if not per_session:
        return 0
    now = utcnow()
    events = [
        {
            "at": now,
            "actor": audit.SYSTEM,
            "action": AuditAction.BOOKING_NEEDS_ERASED.value,
            "entity_type": "session",
            "entity_id": session_id,
            "new_value": {"bookings": count, "kept_days": NEEDS_KEPT_DAYS},
        }
        for session_id, count in per_session
    ]
    db.session.execute(sa.insert(AuditEvent), events)
    erased = db.session.execute(
        sa.update(Booking).where(held).values(access_needs=None, dietary_needs=None),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return int(erased.rowcount)  # type: ignore[attr-defined]
