"""Leavers and returners (SPEC 3.1, issue 22): marking someone as left, in one audited unit of work, and their return.

Leaving on a date D (`left_on`, the first day they are no longer in post) cancels their bookings on sessions still
to start that run to D or later, free of the late-cancellation charge, each through the booking service's own
cancellation (`bookings.cancel_place`: the session locked, the freed place passed to the first person waiting, the
usual emails), and switches off their account if they have one (`accounts.switch_off`: sessions ended, API tokens
revoked). Their training records and certificates stay. Nobody books a leaver (`booking_checks`), and reminders skip
them (`in_post.not_left_by`).

**Decision (one `started_on` / `left_on` pair):** a practitioner's dates describe their latest spell in post. A
leaver who comes back is given a new `started_on` (on or after the day they left) and `left_on` is cleared: they
are in post again from that day. The earlier spell is kept in the audit trail (`practitioner_left`,
`practitioner_returned` with the old dates) and in their records, but no longer in the dates, so counts of staff
in post on a day of the earlier spell leave them out; their trained counts for those days go with it. Their
account is not switched back on by returning: an administrator does that (Users), so a returner's access is
given deliberately.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import (
    ACTIVE_STATUSES,
    AuditAction,
    Booking,
    Practitioner,
    SessionStatus,
    TrainingSession,
    User,
    utcnow,
)
from ..accounts import audit
from ..accounts.accounts import switch_off
from ..accounts.scope import acts_for, is_staff
from ..booking.bookings import Cancellation, cancel_place, lock_session
from ..booking.waiting_list import has_started
from ..common.calendar import london_today, to_london
from ..common.locks import lock_row

LEAVING_REASON = "Left the organisation"


class LeavingRefused(ValueError):
    """Marking someone as left (or back) breaks a rule; the message says which, for the field it names."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def may_change_dates(user: User, practitioner: Practitioner) -> bool:
    """Who may mark someone as left or back, or change their dates: staff, and their organisation's bookers."""
    return is_staff(user) or acts_for(user, practitioner.organisation_id)


def leaver_problem(practitioner: Practitioner, left_on: date) -> tuple[str, str] | None:
    """(field, message) saying why `practitioner` cannot be marked as leaving on `left_on`, or None."""
    if practitioner.left_on is not None:
        return "left_on", f"{practitioner.full_name} is already marked as leaving on {practitioner.left_on:%-d %B %Y}"
    return dates_problem(practitioner.started_on, left_on)


def return_problem(practitioner: Practitioner, started_on: date) -> tuple[str, str] | None:
    """(field, message) saying why `practitioner` cannot come back on `started_on`, or None."""
    if practitioner.left_on is None:
        return "started_on", f"{practitioner.full_name} has not left"
    if started_on < practitioner.left_on:
        left = f"{practitioner.left_on:%-d %B %Y}"
        return "started_on", f"The date they came back must be on or after the day they left, {left}"
    return None


def bookings_ended_by_leaving(practitioner_id: int, left_on: date, today: date | None = None) -> list[Booking]:
    """The bookings leaving on `left_on` cancels: booked or waiting on sessions not yet run whose last day is on
    or after it (a session they can no longer finish), by first day; with their sessions."""
    today = today or london_today()
    query = (
        sa.select(Booking)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .options(selectinload(Booking.session).selectinload(TrainingSession.days))
        .where(
            Booking.practitioner_id == practitioner_id,
            Booking.status.in_(ACTIVE_STATUSES),
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.starts_on >= today,
            TrainingSession.ends_on >= left_on,
        )
        .order_by(TrainingSession.starts_on, TrainingSession.id)
    )
    return list(db.session.scalars(query))


class Keep(enum.Enum):
    """Leave the date as it is (read once the row is locked)."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class DatesChange:
    """What changing someone's dates did: the bookings cancelled (with anyone promoted), whether an account was
    switched off, and the audit action (left, returned or dates changed; None when nothing changed)."""

    practitioner: Practitioner
    cancellations: list[Cancellation]
    account_switched_off: bool
    action: AuditAction | None


def dates_problem(started_on: date | None, left_on: date | None) -> tuple[str, str] | None:
    """(field, message) when the pair cannot be kept: nobody leaves before they start (the database's CHECK too)."""
    if started_on is not None and left_on is not None and left_on < started_on:
        return "left_on", f"The date they left must be on or after the day they started, {started_on:%-d %B %Y}"
    return None


def mark_left(practitioner: Practitioner, left_on: date, by: User, now: datetime | None = None) -> DatesChange:
    """Mark a practitioner as leaving on `left_on`, in one committed transaction: their coming bookings cancelled
    free with the places passed on, their account switched off, audited. Raises LeavingRefused (nothing written)."""
    return change_dates(practitioner, KEEP, left_on, by, now, check=lambda locked: leaver_problem(locked, left_on))


def mark_returned(practitioner: Practitioner, started_on: date, by: User) -> DatesChange:
    """A leaver comes back on `started_on`: their new spell in post starts then and `left_on` is cleared (see the
    module's decision); audited and committed. Raises LeavingRefused (nothing written)."""
    return change_dates(practitioner, started_on, None, by, check=lambda locked: return_problem(locked, started_on))


def change_dates(
    practitioner: Practitioner,
    started_on: date | None | Keep,
    left_on: date | None | Keep,
    by: User,
    now: datetime | None = None,
    check: Callable[[Practitioner], tuple[str, str] | None] = lambda _: None,
) -> DatesChange:
    """Set a practitioner's dates in one committed transaction (the staff and coordinators' forms, the API): a
    `left_on` newly given marks them as left (bookings ended by it cancelled free, the account switched off), one
    cleared marks them back; a date that is KEEP stays what the locked row holds; audited. `check` reads the locked
    row first. Raises LeavingRefused (nothing written)."""
    now = now or utcnow()
    if not may_change_dates(by, practitioner):
        raise LeavingRefused("practitioner", "is not one of your organisation's staff")
    if left_on not in (None, KEEP) and practitioner.left_on is None and by.practitioner_id == practitioner.id:
        raise LeavingRefused("left_on", "You cannot mark yourself as left: ask your training coordinator")
    locked, left_on = _lock_keeping(practitioner.id, left_on, to_london(now).date())
    started_on = locked.started_on if started_on is KEEP else started_on
    if problem := check(locked) or dates_problem(started_on, left_on):
        db.session.rollback()
        raise LeavingRefused(*problem)
    old, was_leaver = _dates(locked), locked.left_on is not None
    locked.started_on, locked.left_on = started_on, left_on
    db.session.flush()
    cancellations = _cancel_bookings(locked, left_on, by, now) if left_on is not None else []
    switched_off = left_on is not None and not was_leaver and _switch_off_account(locked, by)
    action = _action(was_leaver, left_on is not None, old != _dates(locked) or bool(cancellations))
    if action is not None:
        new = _dates(locked) | ({"bookings_cancelled": len(cancellations)} if cancellations else {})
        audit.record(by, action, locked, old, new | ({"account_switched_off": True} if switched_off else {}))
    db.session.commit()
    return DatesChange(locked, cancellations, switched_off, action)


LOCK_ATTEMPTS = 5


def _lock_keeping(practitioner_id: int, left_on: date | None | Keep, today: date) -> tuple[Practitioner, date | None]:
    """`_lock` for the date they leave, which when KEEP is what the row holds once locked: the sessions to lock are
    found from what it holds now, and if a change committed meanwhile moved it, start again."""
    for _ in range(LOCK_ATTEMPTS):
        held = db.session.scalar(sa.select(Practitioner.left_on).where(Practitioner.id == practitioner_id))
        wanted = held if left_on is KEEP else left_on
        locked = _lock(practitioner_id, wanted, today)
        if left_on is not KEEP or locked.left_on == held:
            return locked, wanted
        db.session.rollback()
    raise LeavingRefused("left_on", "Their dates kept changing: try again in a moment")


def _lock(practitioner_id: int, left_on: date | None, today: date) -> Practitioner:
    """Lock the sessions of the bookings leaving on `left_on` ends, then the person, as a booking locks them (the
    session, then the people it books, FOR SHARE), so the two never wait on each other: a booking being made holds
    the person until it commits, and leaving then cancels it; one made after reads them gone. A booking committed on
    another session between the first look and the person's lock would be locked out of order: then start again."""
    for _ in range(LOCK_ATTEMPTS):
        sessions = _ended_sessions(practitioner_id, left_on, today)
        for session_id in sorted(sessions):
            lock_session(session_id)
        locked = lock_row(Practitioner, practitioner_id)
        if _ended_sessions(practitioner_id, left_on, today) <= sessions:
            return locked
        db.session.rollback()
    raise LeavingRefused("left_on", "Their bookings kept changing: try again in a moment")


def _ended_sessions(practitioner_id: int, left_on: date | None, today: date) -> set[int]:
    if left_on is None:
        return set()
    return {booking.session_id for booking in bookings_ended_by_leaving(practitioner_id, left_on, today)}


def _action(was_leaver: bool, leaver: bool, changed: bool) -> AuditAction | None:
    if leaver and not was_leaver:
        return AuditAction.PRACTITIONER_LEFT
    if was_leaver and not leaver:
        return AuditAction.PRACTITIONER_RETURNED
    return AuditAction.PRACTITIONER_DATES_CHANGED if changed else None


def _switch_off_account(practitioner: Practitioner, by: User) -> bool:
    """Switch off the leaver's account, if they have one that is on."""
    account = db.session.scalar(sa.select(User).where(User.practitioner_id == practitioner.id))
    return account is not None and switch_off(account, by)


def _cancel_bookings(practitioner: Practitioner, left_on: date, by: User, now: datetime) -> list[Cancellation]:
    """Cancel, free of charge, each booking leaving ends (a session that began meanwhile keeps its register)."""
    cancellations = []
    for booking in bookings_ended_by_leaving(practitioner.id, left_on, to_london(now).date()):
        if has_started(booking.session, now):
            continue
        cancellations.append(cancel_place(booking, by, LEAVING_REASON, now, charge_late=False))
    return cancellations


def _dates(practitioner: Practitioner) -> dict[str, str | None]:
    """A practitioner's workforce dates as the audit log keeps them."""
    started, left = practitioner.started_on, practitioner.left_on
    return {"started_on": started.isoformat() if started else None, "left_on": left.isoformat() if left else None}
