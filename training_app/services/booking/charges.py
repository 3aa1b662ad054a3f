"""Charges for late cancellations and no-shows (SPEC 3.4): from the course's policy, per half day or day; waived
when a named substitute attended in the person's place, or by a coordinator with a reason (audited).

`charge_late_cancellation` and `charge_no_show` add the charge in the caller's transaction (the cancellation's, or
the register's when a booking becomes `no_show`); `waive_charge` and `waive_for_substitute` commit their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import (
    AttendanceMark,
    AuditAction,
    Booking,
    BookingStatus,
    Charge,
    ChargeReason,
    Course,
    MarkStatus,
    Organisation,
    Practitioner,
    TrainingSession,
    User,
)
from ...models.sessions import is_half_day
from ..accounts import audit
from ..accounts.scope import is_staff, within_organisation_scope
from ..common.locks import lock_row

SUBSTITUTE_ATTENDED = "A colleague attended in their place"
MAX_REASON = 400


class ChargeRefused(ValueError):
    """A waiver breaks a rule; the message says which."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def session_charge_pence(session: TrainingSession) -> int:
    """What a wasted place on the session costs: the course's half-day or day charge for each of its days."""
    course = session.course
    return sum(
        course.charge_half_day_pence if is_half_day(day.minutes) else course.charge_day_pence for day in session.days
    )


def charge_late_cancellation(booking: Booking, session: TrainingSession) -> int:
    """Record the charge a late cancellation carries for the practitioner's organisation; its amount."""
    return _add_charge(booking, session, ChargeReason.LATE_CANCELLED).amount_pence


def charge_no_show(booking: Booking) -> Charge:
    """Record the charge a no-show carries, in the caller's transaction (the register's); idempotent: a booking
    already charged keeps its one charge. Waived at once when the named substitute attended."""
    existing = db.session.scalar(sa.select(Charge).where(Charge.booking_id == booking.id))
    if existing is not None:
        return existing
    charge = _add_charge(booking, booking.session, ChargeReason.NO_SHOW)
    if booking.substitute_id is not None and substitute_attended(booking.session_id, booking.substitute_id):
        charge.waived_reason = SUBSTITUTE_ATTENDED
    return charge


def _add_charge(booking: Booking, session: TrainingSession, reason: ChargeReason) -> Charge:
    charge = Charge(
        booking_id=booking.id,
        organisation_id=booking.practitioner.organisation_id,
        reason=reason,
        amount_pence=session_charge_pence(session),
    )
    db.session.add(charge)
    db.session.flush()
    return charge


def substitute_attended(session_id: int, practitioner_id: int) -> bool:
    """Whether the practitioner attended the session (completed it, or was marked attended or partial on a day)."""
    attended = (
        sa.select(Booking.id)
        .where(Booking.session_id == session_id, Booking.practitioner_id == practitioner_id)
        .where(
            sa.or_(
                Booking.status == BookingStatus.ATTENDED,
                Booking.id.in_(
                    sa.select(AttendanceMark.booking_id).where(
                        AttendanceMark.status.in_((MarkStatus.ATTENDED, MarkStatus.PARTIAL))
                    )
                ),
            )
        )
        .limit(1)
    )
    return db.session.scalar(attended) is not None


def waive_charge(charge: Charge, by: User, reason: str) -> Charge:
    """A coordinator waives a charge, saying why; audited and committed."""
    if not is_staff(by):
        raise ChargeRefused("charge", "only a coordinator may waive a charge")
    reason = " ".join(reason.split())
    if not reason:
        raise ChargeRefused("reason", "Enter why the charge is waived")
    if len(reason) > MAX_REASON:
        raise ChargeRefused("reason", f"Reason must be {MAX_REASON} characters or fewer")
    return _waive(_locked(charge.id), by, reason)


def waive_for_substitute(charge: Charge, substitute: Practitioner, by: User) -> Charge:
    """Waive a charge because a named colleague of the same organisation attended the session instead; audited
    and committed. The booker or a coordinator names them; the register must show they attended."""
    # The session first, as the register locks it before changing its bookings and their charges: the same order
    # here (session, booking, charge) so a register saved at the same moment cannot deadlock with this.
    lock_row(TrainingSession, charge.booking.session_id)
    charge = _locked(charge.id)
    booking = charge.booking
    person = booking.practitioner
    if not within_organisation_scope(by, charge.organisation_id):
        raise ChargeRefused("charge", "is not one of your organisation's charges")
    if substitute.id == person.id or substitute.organisation_id != person.organisation_id:
        raise ChargeRefused("substitute", f"must be a colleague of {person.full_name} at the same organisation")
    if not substitute_attended(booking.session_id, substitute.id):
        raise ChargeRefused("substitute", f"{substitute.full_name} did not attend session {booking.session.code}")
    booking.substitute_id = substitute.id
    return _waive(charge, by, f"{SUBSTITUTE_ATTENDED}: {substitute.full_name}")


def _locked(charge_id: int) -> Charge:
    """The charge as it is now, locked until the commit; refused when a corrected register has withdrawn it."""
    try:
        return lock_row(Charge, charge_id)
    except NoResultFound:
        raise ChargeRefused("charge", "no longer applies: the register was corrected") from None


def _waive(charge: Charge, by: User, reason: str) -> Charge:
    """Waive a charge the caller locked (`_locked`), so whether it is waived already was read as it is now."""
    if charge.waived_reason is not None:
        raise ChargeRefused("charge", f"was already waived: {charge.waived_reason}")
    charge.waived_reason = reason
    audit.record(by, AuditAction.CHARGE_WAIVED, charge, {"waived": False}, {"waived": True, "reason": reason})
    db.session.commit()
    return charge


@dataclass(frozen=True)
class ChargeRow:
    """One charge as lists and the export show it; money in pence."""

    id: int
    organisation_code: str | None
    organisation_name: str | None
    practitioner: str
    email: str
    session_code: str
    course_code: str
    starts_on: date | None
    reason: str
    amount_pence: int
    waived_reason: str | None

    @property
    def payable_pence(self) -> int:
        return 0 if self.waived_reason else self.amount_pence


def charges_query(
    organisation_id: int | None = None, date_from: date | None = None, date_to: date | None = None
) -> sa.Select[*tuple[Any, ...]]:
    """Charges with their organisation, person, session and course, by session start: one query, in SQL."""
    org = aliased(Organisation)
    query = (
        sa.select(
            Charge.id,
            org.code.label("code"),
            org.name.label("name"),
            (Practitioner.first_name + " " + Practitioner.last_name).label("practitioner"),
            Practitioner.email,
            TrainingSession.code.label("session_code"),
            Course.code.label("course_code"),
            TrainingSession.starts_on,
            Charge.reason,
            Charge.amount_pence,
            Charge.waived_reason,
        )
        .join(Booking, Booking.id == Charge.booking_id)
        .join(Practitioner, Practitioner.id == Booking.practitioner_id)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .join(Course, Course.id == TrainingSession.course_id)
        .outerjoin(org, org.id == Charge.organisation_id)
    )
    if organisation_id is not None:
        query = query.where(Charge.organisation_id == organisation_id)
    if date_from is not None:
        query = query.where(TrainingSession.starts_on >= date_from)
    if date_to is not None:
        query = query.where(TrainingSession.starts_on <= date_to)
    return query.order_by(org.code, TrainingSession.starts_on, TrainingSession.code, Practitioner.last_name, Charge.id)


def charge_rows(
    organisation_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int | None = None,
) -> list[ChargeRow]:
    """Every charge (of one organisation, for sessions starting in a period; at most `limit`) as rows."""
    rows = db.session.execute(charges_query(organisation_id, date_from, date_to).limit(limit)).all()
    return [
        ChargeRow(
            id=row.id,
            organisation_code=row.code,
            organisation_name=row.name,
            practitioner=row.practitioner,
            email=row.email,
            session_code=row.session_code,
            course_code=row.course_code,
            starts_on=row.starts_on,
            reason=ChargeReason(row.reason).value,
            amount_pence=row.amount_pence,
            waived_reason=row.waived_reason,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class ChargeTotal:
    """An organisation's charges in a period: how many, charged and still payable (waivers taken off), in pence."""

    organisation_code: str | None
    organisation_name: str | None
    charges: int
    charged_pence: int
    payable_pence: int


def payable_pence(
    waived_reason: Any = Charge.waived_reason,
    amount_pence: Any = Charge.amount_pence,
) -> sa.ColumnElement[int]:
    """SQL: what a charge still asks to be paid, its amount unless waived (the `charges` table's columns, or the
    same columns of a query over charges)."""
    return sa.case((waived_reason.is_(None), amount_pence), else_=0)


def charge_totals(
    organisation_id: int | None = None, date_from: date | None = None, date_to: date | None = None
) -> list[ChargeTotal]:
    """Charges per organisation, summed in SQL, by organisation code."""
    listed = charges_query(organisation_id, date_from, date_to).order_by(None).subquery()
    payable = payable_pence(listed.c.waived_reason, listed.c.amount_pence)
    query = (
        sa.select(
            listed.c.code,
            listed.c.name,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(listed.c.amount_pence), 0),
            sa.func.coalesce(sa.func.sum(payable), 0),
        )
        .group_by(listed.c.code, listed.c.name)
        .order_by(listed.c.code)
    )
    return [
        ChargeTotal(code, name, count, charged, due) for code, name, count, charged, due in db.session.execute(query)
    ]
