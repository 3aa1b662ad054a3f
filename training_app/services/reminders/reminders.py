"""Refresher, session and re-awareness reminders (SPEC 3.6, 3.8): what is due on a day, and sending it once.

Refreshers: a record's stage is `due_soon` from the course's lead time (default 90 days) before it expires, `due`
from expiry and `overdue` from 30 days after; a run sends a record's current stage if it was not sent before, so
stages passed without a run are never sent late (and `overdue` is sent only in the 90 days after it falls due, so
history imported long after its expiry mails no one). Only a record no later completion supersedes counts
(attendance/completions.open_records: a refresher's record supersedes the renewed course's), with the expiry
stored on it, and nobody with an active booking on a coming session of the course (or of one renewing it) is
reminded. Session reminders go to everyone booked the course's `session_reminder_days` (default 3) before day one,
never for a booking made after that point. Leavers (SPEC 3.1: `left_on` on or before the day) get neither.
Re-awareness reminders tell the coordinators of a signed-off service due again (in the 30 days from its date).

The scan is a few queries bounded by `training_records.expires_on` (indexed), so its cost follows the number of
records near a stage, not the size of the workforce. Each reminder is claimed in the reminder log by its unique
`dedupe_key` (INSERT ... ON CONFLICT DO NOTHING) in the same transaction as its email, so two runs at once, or a
rerun the same day, send each exactly once.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ...extensions import db
from ...models import (
    ACTIVE_STATUSES,
    Booking,
    BookingStatus,
    Course,
    OutgoingMail,
    Practitioner,
    ReminderKind,
    ReminderLog,
    ReminderStage,
    SessionStatus,
    TrainingRecord,
    TrainingSession,
)
from ...models.base import utcnow
from ..accounts.scope import coordinator_emails
from ..attendance.completions import courses_sharing_a_course, due_soon_from, open_records
from ..awareness.reawareness import due_for_reawareness
from ..common.batches import fetch_in
from ..common.calendar import london_to_utc
from ..workforce.in_post import not_left_by

OVERDUE_AFTER_DAYS = 30
OVERDUE_SENT_FOR_DAYS = 90
REAWARENESS_SENT_FOR_DAYS = 30
BATCH = 200
# Re-awareness reminders are about a service, not a person: they are not in the reminder log (whose rows belong to a
# practitioner) but kept unique by their outgoing mail's dedupe key.
AWARENESS = "awareness"
REAWARENESS_KEY = "reawareness"  # their dedupe keys begin with it
KINDS = (ReminderKind.REFRESHER.value, ReminderKind.SESSION.value, AWARENESS)
# Stages in the order a record passes through them.
REFRESHER_STAGES = (ReminderStage.DUE_SOON, ReminderStage.DUE, ReminderStage.OVERDUE)
TODAY = sa.bindparam("today", type_=sa.Date)  # the run's day, in the statements built once


@dataclass(frozen=True)
class Reminder:
    """One reminder to one address; `dedupe_key` is what makes it at most once."""

    kind: str  # a ReminderKind's value, or AWARENESS
    stage: ReminderStage
    dedupe_key: str
    email: str
    course_code: str
    course_id: int | None = None
    practitioner_id: int | None = None
    name: str = ""
    organisation_id: int | None = None
    training_record_id: int | None = None
    expires_on: date | None = None
    booking_id: int | None = None
    session_id: int | None = None
    starts_on: date | None = None
    sign_off_id: int | None = None
    due_on: date | None = None

    @property
    def line(self) -> str:
        """The command line's line for it: email, course code, stage (SPEC 4.2)."""
        stage = "reawareness" if self.kind == AWARENESS else self.stage.value
        return f"{self.email}\t{self.course_code}\t{stage}"


def refresher_stage(expires_on: date, today: date, lead_days: int) -> ReminderStage | None:
    """The stage a record expiring on `expires_on` is at today, or None outside every stage's window."""
    if expires_on > due_soon_from(today, lead_days):
        return None
    if today < expires_on:
        return ReminderStage.DUE_SOON
    overdue_from = expires_on + timedelta(days=OVERDUE_AFTER_DAYS)
    if today < overdue_from:
        return ReminderStage.DUE
    if today < overdue_from + timedelta(days=OVERDUE_SENT_FOR_DAYS):
        return ReminderStage.OVERDUE
    return None


def due_reminders(today: date, kinds: Collection[str] = KINDS) -> list[Reminder]:
    """Every reminder of these kinds a run on this day would send (nothing is written), by email and course."""
    due: list[Reminder] = []
    refresher_lead, session_days = db.session.execute(_longest_windows()).one()
    if ReminderKind.REFRESHER.value in kinds:
        due += due_refreshers(today, refresher_lead or 0)
    if ReminderKind.SESSION.value in kinds:
        due += due_session_reminders(today, session_days or 0)
    if AWARENESS in kinds:
        due += due_reawareness(today)
    return sorted(due, key=lambda r: (r.email, r.course_code, r.kind, r.dedupe_key))


@functools.cache
def _longest_windows() -> sa.Select[*tuple[Any, ...]]:
    """The longest refresher lead and session reminder window of any course, in one statement built once."""
    return sa.select(sa.func.max(Course.reminder_lead_days), sa.func.max(Course.session_reminder_days))


def due_refreshers(today: date, longest_lead: int | None = None) -> list[Reminder]:
    """Records at a stage today that no later completion supersedes (a refresher supersedes the renewed course's
    record), of people not booked on a coming session of a course that counts for one the record counts for."""
    if longest_lead is None:
        longest_lead = db.session.execute(_longest_windows()).one()[0] or 0
    params = {
        "today": today,
        "expired_after": today - timedelta(days=OVERDUE_AFTER_DAYS + OVERDUE_SENT_FOR_DAYS),
        "expires_by": today + timedelta(days=longest_lead),
        "overdue_by": today - timedelta(days=OVERDUE_AFTER_DAYS),
    }
    query = _refresher_query()
    due = []
    for row in db.session.execute(query, params):
        record_id, expires_on, practitioner_id, email, first, last, organisation_id, course_id, code, lead = row
        stage = refresher_stage(expires_on, today, lead) if expires_on is not None else None
        if stage is None:
            continue
        due.append(
            Reminder(
                ReminderKind.REFRESHER.value,
                stage,
                f"refresher:{record_id}:{stage.value}",
                email,
                code,
                course_id=course_id,
                practitioner_id=practitioner_id,
                name=f"{first} {last}".strip(),
                organisation_id=organisation_id,
                training_record_id=record_id,
                expires_on=expires_on,
            )
        )
    return due


@functools.cache
def _refresher_query() -> sa.Select[*tuple[Any, ...]]:
    """due_refreshers' statement, built once (issue 25: building it took more of the reminders page than running it);
    `today` and the window's days are bound per run."""
    today = TODAY
    record = TrainingRecord
    in_window = sa.and_(
        record.expires_on > sa.bindparam("expired_after", type_=sa.Date),
        record.expires_on <= sa.bindparam("expires_by", type_=sa.Date),
    )
    near_a_stage = sa.select(record.practitioner_id).where(in_window)
    # The stage in SQL, the course's lead time apart (refresher_stage drops what is not yet due soon), for the key
    # its reminder is logged under: the log is read in the same statement, however many reminders are due.
    stage_in_sql = sa.case(
        (record.expires_on > today, ReminderStage.DUE_SOON.value),
        (record.expires_on > sa.bindparam("overdue_by", type_=sa.Date), ReminderStage.DUE.value),
        else_=ReminderStage.OVERDUE.value,
    )
    key = sa.literal("refresher:", sa.String) + sa.cast(record.id, sa.String) + ":" + stage_in_sql
    booked = (
        sa.select(Booking.id)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .where(
            Booking.practitioner_id == record.practitioner_id,
            Booking.course_id.in_(courses_sharing_a_course(record.course_id)),
            Booking.status.in_(ACTIVE_STATUSES),
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.ends_on >= today,
        )
    )
    return (
        sa.select(
            record.id,
            record.expires_on,
            record.practitioner_id,
            Practitioner.email,
            Practitioner.first_name,
            Practitioner.last_name,
            Practitioner.organisation_id,
            Course.id,
            Course.code,
            Course.reminder_lead_days,
        )
        .join(Practitioner, Practitioner.id == record.practitioner_id)
        .join(Course, Course.id == record.course_id)
        .where(
            in_window,
            record.id.in_(open_records(near_a_stage)),
            ~sa.exists(booked),
            _not_logged(key),
            not_left_by(today),
        )
        .order_by(Practitioner.email, Course.code)
    )


def due_session_reminders(today: date, longest: int | None = None) -> list[Reminder]:
    """Places on sessions starting within their course's reminder days, booked before the reminder's day began
    (`longest`: the longest window of any course, when the caller has read it)."""
    if longest is None:
        longest = db.session.execute(_longest_windows()).one()[1] or 0
    query = _session_reminder_query()
    params = {"today": today, "starts_by": today + timedelta(days=longest)}
    due = []
    for row in db.session.execute(query, params):
        booking_id, created_at, practitioner_id, email, first, last, organisation_id = row[:7]
        session_id, starts_on, course_id, code, days = row[7:]
        if starts_on is None:
            continue
        reminder_day = starts_on - timedelta(days=days)
        if reminder_day > today or created_at >= london_to_utc(reminder_day, time(0, 0)):
            continue
        due.append(
            Reminder(
                ReminderKind.SESSION.value,
                ReminderStage.UPCOMING,
                f"session:{booking_id}:upcoming",
                email,
                code,
                course_id=course_id,
                practitioner_id=practitioner_id,
                name=f"{first} {last}".strip(),
                organisation_id=organisation_id,
                booking_id=booking_id,
                session_id=session_id,
                starts_on=starts_on,
            )
        )
    return due


@functools.cache
def _session_reminder_query() -> sa.Select[*tuple[Any, ...]]:
    """due_session_reminders' statement, built once; `today` and the last first day it looks at are bound per run."""
    today = TODAY
    return (
        sa.select(
            Booking.id,
            Booking.created_at,
            Booking.practitioner_id,
            Practitioner.email,
            Practitioner.first_name,
            Practitioner.last_name,
            Practitioner.organisation_id,
            TrainingSession.id,
            TrainingSession.starts_on,
            Course.id,
            Course.code,
            Course.session_reminder_days,
        )
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        # The session's course (the booking's is a copy of it): the planner then finds the sessions starting soon
        # through their (course, first day) index and their bookings through (session, status), instead of reading
        # every booking of every course (issue 25: 0.2 s at 600,000 bookings).
        .join(Course, Course.id == TrainingSession.course_id)
        .join(Practitioner, Practitioner.id == Booking.practitioner_id)
        .where(
            Booking.status == BookingStatus.BOOKED,
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.starts_on > today,
            TrainingSession.starts_on <= sa.bindparam("starts_by", type_=sa.Date),
            _not_logged(sa.literal("session:", sa.String) + sa.cast(Booking.id, sa.String) + ":upcoming"),
            not_left_by(today),
        )
        .order_by(Practitioner.email, Course.code)
    )


def due_reawareness(today: date) -> list[Reminder]:
    """One reminder to each coordinator for every signed-off service whose re-awareness fell due in the last 30 days."""
    window_start = today - timedelta(days=REAWARENESS_SENT_FOR_DAYS)
    services = [(s, day) for s, day in due_for_reawareness(today) if day > window_start]
    if not services:
        return []
    coordinators = coordinator_emails()
    reminders = [
        Reminder(
            AWARENESS,
            ReminderStage.DUE,
            f"{REAWARENESS_KEY}:{sign_off.id}:{due_on.isoformat()}:{email}",
            email,
            sign_off.package,
            name=sign_off.service,
            sign_off_id=sign_off.id,
            due_on=due_on,
        )
        for sign_off, due_on in services
        for email in coordinators
    ]
    return _not_queued(reminders)


def run_reminders(today: date, dry_run: bool = False, kinds: Collection[str] = KINDS) -> list[Reminder]:
    """Send what is due today, each reminder once (its log row and its email in one transaction, batch by batch);
    a dry run only lists them. Returns the reminders sent (or that would be)."""
    from . import reminder_mail

    due = due_reminders(today, kinds)
    if dry_run:
        db.session.rollback()
        return due
    sent: list[Reminder] = []
    composer = reminder_mail.Composer(due, today)
    db.session.commit()  # end the scan's read: each batch below is its own write transaction
    for start in range(0, len(due), BATCH):
        for reminder in due[start : start + BATCH]:
            if _claim(reminder, today) and composer.queue(reminder):
                sent.append(reminder)
        db.session.commit()  # its emails are delivered right after this commit
    return sent


def _not_logged(key: sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
    """No reminder was logged under this key (the log's unique index answers it for each row found)."""
    return ~sa.exists().where(ReminderLog.dedupe_key == key)


def _not_queued(due: Sequence[Reminder]) -> list[Reminder]:
    """Drop re-awareness reminders already queued as mail under their key (one per service and coordinator, so a
    few; the workforce's reminders are checked against the log in their own query)."""
    queued = set(fetch_in(sa.select(OutgoingMail.dedupe_key), OutgoingMail.dedupe_key, [r.dedupe_key for r in due]))
    return [r for r in due if r.dedupe_key not in queued]


def _claim(reminder: Reminder, today: date) -> bool:
    """Write the reminder's log row unless its key is already there (another run took it): whether this run did."""
    if reminder.kind == AWARENESS:
        return True  # no practitioner to log against: the outgoing mail's own dedupe key guards it
    values: dict[str, Any] = {
        "dedupe_key": reminder.dedupe_key,
        "kind": ReminderKind(reminder.kind),
        "stage": reminder.stage,
        "practitioner_id": reminder.practitioner_id,
        "training_record_id": reminder.training_record_id,
        "booking_id": reminder.booking_id,
        "run_date": today,
        "sent_at": utcnow(),
    }
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(ReminderLog)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(ReminderLog.id)
    )
    return db.session.execute(statement).scalar_one_or_none() is not None
