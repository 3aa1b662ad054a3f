"""Training records and certificates: completing a booking, and when a record expires (SPEC 3.5, 3.6)."""

from __future__ import annotations

import base64
import calendar
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app

from ...extensions import db
from ...models import (
    AttendanceMark,
    AuditAction,
    Booking,
    BookingStatus,
    Certificate,
    Charge,
    ChargeReason,
    MarkStatus,
    RecordSource,
    TrainingRecord,
    User,
    utcnow,
)
from ..accounts import audit
from ..booking.charges import charge_no_show
from ..common.batches import Query, fetch_in
from ..evaluation.evaluations import ask_for_evaluations
from ..webhooks.events import record_training_records


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# The longest validity a course may have: with completions within calendar.LATEST_DATE, every expiry stays far
# inside the years Python's date holds, so add_months can never overflow.
MAX_VALIDITY_MONTHS = 100 * 12  # also a CHECK on courses (migration 0004)


def expiry_for(completed_on: date, validity_months: int | None) -> date | None:
    """When a record completed on a date expires: completion plus the course's validity; None if it never does."""
    return add_months(completed_on, validity_months) if validity_months else None


def certificate_number(record_id: int, issue: int = 1) -> str:
    """The printed number of a record's certificate: unique because the record id is (a later issue for the same
    id, after a revoked one, carries its issue number), then a check code keyed by the app's secret, so nobody can
    walk the public verification page through every number and read who was trained."""
    base = f"CERT-{record_id:06d}" if issue == 1 else f"CERT-{record_id:06d}-{issue}"
    key = str(current_app.config["SECRET_KEY"]).encode()
    check = base64.b32encode(hmac.new(key, base.encode(), hashlib.sha256).digest())[:CHECK_LENGTH].decode()
    return f"{base}-{check}"


CHECK_LENGTH = 6  # 30 bits: guessing a valid number takes about a billion tries


# The booking statuses of people on a session's register: holding a place, whether marked yet or not.
ON_REGISTER = (BookingStatus.BOOKED, BookingStatus.ATTENDED, BookingStatus.ABSENT, BookingStatus.NO_SHOW)


def status_from_marks(day_ids: Sequence[int], marks: dict[int, MarkStatus]) -> BookingStatus:
    """The one completion rule (SPEC 3.5): every day attended completes the booking; a day absent makes it a
    no-show; otherwise (days still to mark, or partial days) it stays booked."""
    statuses = [marks.get(day_id) for day_id in day_ids]
    if statuses and all(status == MarkStatus.ATTENDED for status in statuses):
        return BookingStatus.ATTENDED
    if MarkStatus.ABSENT in statuses:
        return BookingStatus.NO_SHOW
    return BookingStatus.BOOKED


@dataclass
class Settlement:
    """What settling bookings after their marks changed did, for messages and tests."""

    completed: list[Booking] = field(default_factory=list)
    no_shows: list[Booking] = field(default_factory=list)
    withdrawn: list[Booking] = field(default_factory=list)


def settle_bookings(bookings: Sequence[Booking], by: User | str, now: datetime | None = None) -> Settlement:
    """Give each booking the status its marks say (status_from_marks), in the caller's transaction: a completion
    records the training and issues a certificate; leaving completion withdraws both (revoking the certificate);
    a no-show carries its charge for the days missed. Every change of status is audited."""
    now = now or utcnow()
    db.session.flush()
    marks = _marks_by_booking([booking.id for booking in bookings])
    done = Settlement()
    for booking in bookings:
        old = booking.status
        new = status_from_marks([day.id for day in booking.session.days], marks.get(booking.id, {}))
        if new == old:
            continue
        if old == BookingStatus.ATTENDED:
            withdraw_completion(booking, by, now)
            done.withdrawn.append(booking)
        if old == BookingStatus.NO_SHOW:
            _withdraw_no_show_charge(booking, by)
        booking.status = new
        if new == BookingStatus.NO_SHOW:
            charge_no_show(booking)
        if new == BookingStatus.ATTENDED:
            done.completed.append(booking)
        elif new == BookingStatus.NO_SHOW:
            done.no_shows.append(booking)
        audit.record(
            by, AuditAction.BOOKING_STATUS_FROM_REGISTER, booking, {"status": old.value}, {"status": new.value}
        )
    record_completions(done.completed)
    return done


def complete_marked(bookings: Sequence[Booking]) -> list[TrainingRecord]:
    """Complete those of these bookings whose every day is marked attended (status_from_marks): status attended,
    a training record and a certificate. For marks written in bulk (the bookings import's `attended`)."""
    db.session.flush()
    marks = _marks_by_booking([booking.id for booking in bookings])
    completed = [
        booking
        for booking in bookings
        if status_from_marks([day.id for day in booking.session.days], marks.get(booking.id, {}))
        == BookingStatus.ATTENDED
    ]
    for booking in completed:
        booking.status = BookingStatus.ATTENDED
    return record_completions(completed)


def withdraw_completion(booking: Booking, by: User | str, now: datetime) -> None:
    """Undo a completion whose marks changed: revoke the certificate (kept, so its number still verifies as
    revoked) and withdraw the record; a record imported before the booking took it over stays, unlinked."""
    record = db.session.execute(sa.select(TrainingRecord).filter_by(booking_id=booking.id)).scalar_one_or_none()
    if record is None:
        return
    certificate = db.session.execute(
        sa.select(Certificate).filter_by(training_record_id=record.id)
    ).scalar_one_or_none()
    if certificate is not None:
        certificate.revoked_at, certificate.training_record_id = now, None
        audit.record(
            by, AuditAction.CERTIFICATE_REVOKED, certificate, {"number": certificate.number}, {"revoked": True}
        )
    old = {"course_id": record.course_id, "completed_on": record.completed_on.isoformat(), "booking_id": booking.id}
    if record.source == RecordSource.IMPORT:
        record.booking_id = None
        audit.record(by, AuditAction.TRAINING_RECORD_UNLINKED, record, old, {"booking_id": None})
    else:
        audit.record(by, AuditAction.TRAINING_RECORD_WITHDRAWN, record, old, None)
        db.session.delete(record)
    db.session.flush()


def _withdraw_no_show_charge(booking: Booking, by: User | str) -> None:
    """A corrected register: the booking was not a no-show after all, so its no-show charge never applied."""
    charge = db.session.execute(
        sa.select(Charge).filter_by(booking_id=booking.id, reason=ChargeReason.NO_SHOW)
    ).scalar_one_or_none()
    if charge is not None:
        audit.record(by, AuditAction.CHARGE_WITHDRAWN, charge, {"amount_pence": charge.amount_pence}, None)
        db.session.delete(charge)
        db.session.flush()


def _marks_by_booking(booking_ids: Sequence[int]) -> dict[int, dict[int, MarkStatus]]:
    """Each booking's marks, by day id."""
    query = sa.select(AttendanceMark.booking_id, AttendanceMark.session_day_id, AttendanceMark.status)
    found: dict[int, dict[int, MarkStatus]] = {}
    for booking_id, day_id, status in fetch_in(query, AttendanceMark.booking_id, booking_ids, scalars=False):
        found.setdefault(booking_id, {})[day_id] = status
    return found


def record_completion(booking: Booking) -> TrainingRecord:
    """Record a completed booking: its training record and certificate, once however often it is called."""
    return record_completions([booking])[0]


def record_completions(bookings: Sequence[Booking]) -> list[TrainingRecord]:
    """Record many completed bookings with a fixed number of queries; each gets exactly one record."""
    if not bookings:
        return []
    db.session.flush()
    session_ids = {booking.session_id for booking in bookings}
    linked, unlinked = _existing_records(bookings, session_ids)
    records = [_record_for(booking, linked, unlinked) for booking in bookings]
    created = [record for record in records if record in db.session.new]
    db.session.flush()
    record_training_records(created)  # in the change's transaction, as its certificate is
    _issue_certificates(records, session_ids)
    ask_for_evaluations(bookings)  # once per booking (SPEC 3.5); history long past asks nobody
    return records


def _records_of_sessions(session_ids: set[int]) -> Query:
    """The ids of records made from bookings on these sessions (a subquery, so no list of booking ids is sent)."""
    bookings = sa.select(Booking.id).where(Booking.session_id.in_(session_ids))
    return sa.select(TrainingRecord.id).where(TrainingRecord.booking_id.in_(bookings))


def _completed_on(booking: Booking) -> date:
    if booking.session.ends_on is None:
        raise ValueError(f"session {booking.session.code} has no days, so no booking on it can be completed")
    return booking.session.ends_on


def _existing_records(
    bookings: Sequence[Booking], session_ids: set[int]
) -> tuple[dict[int | None, TrainingRecord], dict[tuple[int, int, date], TrainingRecord]]:
    """Records already made from these bookings, and imported records of the same completions."""
    by_booking = sa.select(TrainingRecord).where(TrainingRecord.id.in_(_records_of_sessions(session_ids)))
    linked = {record.booking_id: record for record in db.session.scalars(by_booking)}
    same_completion = sa.select(TrainingRecord).where(
        TrainingRecord.booking_id.is_(None),
        TrainingRecord.course_id.in_({booking.course_id for booking in bookings}),
        TrainingRecord.completed_on.in_({_completed_on(booking) for booking in bookings}),
    )
    unlinked = {
        (record.practitioner_id, record.course_id, record.completed_on): record
        for record in db.session.scalars(same_completion)
    }
    return linked, unlinked


def _record_for(
    booking: Booking,
    linked: dict[int | None, TrainingRecord],
    unlinked: dict[tuple[int, int, date], TrainingRecord],
) -> TrainingRecord:
    """The booking's record: the one already made, an imported one of the same completion, or a new one."""
    completed_on = _completed_on(booking)
    record = linked.get(booking.id) or unlinked.pop((booking.practitioner_id, booking.course_id, completed_on), None)
    if record is None:
        record = TrainingRecord(
            practitioner_id=booking.practitioner_id,
            course_id=booking.course_id,
            completed_on=completed_on,
            # Set once, from the validity in force now (SPEC 3.2): a record taken over keeps its own date.
            expires_on=expiry_for(completed_on, booking.session.course.validity_months),
            source=RecordSource.BOOKING,
        )
        db.session.add(record)
    record.booking_id = booking.id
    return record


def _issue_certificates(records: list[TrainingRecord], session_ids: set[int]) -> None:
    issued = set(
        db.session.scalars(
            sa.select(Certificate.training_record_id).where(
                Certificate.training_record_id.in_(_records_of_sessions(session_ids))
            )
        )
    )
    to_issue = [record_id for record_id in dict.fromkeys(record.id for record in records) if record_id not in issued]
    taken = _revoked_numbers(to_issue)
    for record_id in to_issue:
        issue = 1
        while certificate_number(record_id, issue) in taken:
            issue += 1
        db.session.add(Certificate(training_record_id=record_id, number=certificate_number(record_id, issue)))
    db.session.flush()


def _revoked_numbers(record_ids: Sequence[int]) -> set[str]:
    """Numbers of revoked certificates that new ones for these record ids could clash with: a withdrawn record's
    id may be given again (SQLite reuses the highest rowid), and a revoked number is never given twice."""
    if not record_ids:
        return set()
    ids = {f"{record_id:06d}" for record_id in record_ids}
    revoked = sa.select(Certificate.number).where(Certificate.revoked_at.is_not(None))  # few: revoking is rare
    return {number for number in db.session.scalars(revoked) if number.split("-")[1] in ids}


def note_source(practitioner_id: int, course_id: int, completed_on: date, note: str, by: User) -> TrainingRecord | None:
    """Say where a historical record added by hand comes from (audited, committed); the record, or None."""
    record = db.session.execute(
        sa.select(TrainingRecord).filter_by(
            practitioner_id=practitioner_id, course_id=course_id, completed_on=completed_on
        )
    ).scalar_one_or_none()
    if record is None:
        return None
    note = " ".join(note.split())[:200]
    audit.record(
        by, AuditAction.TRAINING_RECORD_SOURCE_NOTED, record, {"source_note": record.source_note}, {"source_note": note}
    )
    record.source_note = note
    db.session.commit()
    return record
