"""Scheduling sessions (SPEC 3.3): errors that block, warnings to confirm, edits, duplicates, cancellation."""

from __future__ import annotations

import email
from datetime import UTC, date, datetime, time
from email import policy
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from tests.factories import (
    make_area,
    make_authority,
    make_booking,
    make_course,
    make_practitioner,
    make_session,
    make_trainer,
    make_user,
    make_venue,
)
from training_app.extensions import db
from training_app.models import AuditEvent, Booking, BookingStatus, Role, SessionStatus, TrainingSession
from training_app.services.sessions import scheduling
from training_app.services.sessions.scheduling import DayPlan, SchedulingRefused, SessionPlan

# Thursday 1 October 2026 in London; British Summer Time ends on Sunday 25 October 2026.
NOW = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
FRIDAY, MONDAY = date(2026, 10, 23), date(2026, 10, 26)
CHRISTMAS = date(2026, 12, 25)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(app_ctx):
    """A coordinator, a course, an authority with an area, a venue for 20 and a trainer."""
    authority = make_authority("LEICESTER")
    return {
        "by": make_user(Role.COORDINATOR),
        "course": make_course("CAF"),
        "authority": authority,
        "area": make_area(authority, "City"),
        "venue": make_venue("Town Hall", capacity=20),
        "trainer": make_trainer("Sam Trainer"),
    }


def plan(world, days=((FRIDAY, time(9, 30), time(16, 0)),), capacity=12, **fields) -> SessionPlan:
    values = {
        "course_id": world["course"].id,
        "days": tuple(DayPlan(*day) for day in days),
        "capacity": capacity,
        "host_authority_id": world["authority"].id,
        "host_area_id": world["area"].id,
        "venue_id": world["venue"].id,
        "trainer_ids": (world["trainer"].id,),
        "booking_closes_days": 2,
    }
    return SessionPlan(**(values | fields))


def problems_of(excinfo) -> dict[str, str]:
    return {problem.field: problem.message for problem in excinfo.value.problems}


def outbox_messages(app, since: set[str]) -> list[email.message.EmailMessage]:
    folder = Path(app.config["MAIL_OUTBOX"])
    paths = sorted(path for path in folder.glob("*.eml") if path.name not in since) if folder.exists() else []
    return [email.message_from_bytes(path.read_bytes(), policy=policy.default) for path in paths]


def outbox_names(app) -> set[str]:
    folder = Path(app.config["MAIL_OUTBOX"])
    return {path.name for path in folder.glob("*.eml")} if folder.exists() else set()


def test_a_two_day_session_across_the_clock_change_is_stored_in_utc(world):
    days = ((FRIDAY, time(9, 30), time(16, 0)), (MONDAY, time(9, 30), time(16, 0)))
    result = scheduling.create_session(plan(world, days), world["by"])
    assert result.saved and result.warnings == []
    session = db.session.scalars(sa.select(TrainingSession)).one()
    assert session.code == "CAF-2026-001"
    assert [(d.date, d.starts_at.astimezone(UTC).hour) for d in session.days] == [(FRIDAY, 8), (MONDAY, 9)]
    assert (session.starts_on, session.ends_on) == (FRIDAY, MONDAY)
    assert [t.name for t in session.trainers] == ["Sam Trainer"]
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "session_created")).one()
    assert event.new_value["days"] == ["2026-10-23 09:30-16:00", "2026-10-26 09:30-16:00"]


def test_codes_follow_on_for_the_course(world):
    scheduling.create_session(plan(world), world["by"])
    second = scheduling.create_session(plan(world, ((MONDAY, time(9, 30), time(12, 0)),)), world["by"])
    assert second.session.code == "CAF-2026-002"


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"days": ((FRIDAY, time(16, 0), time(9, 30)),)}, "days", "must end after it starts"),
        ({"days": ((date(2026, 9, 30), time(9, 30), time(16, 0)),)}, "days", "is in the past"),
        ({"days": ()}, "days", "at least one day"),
        ({"capacity": 0}, "capacity", "between 1 and"),
        ({"course_id": 99999}, "course", "course that exists"),
        ({"venue_id": 99999}, "venue", "venue that exists"),
        ({"trainer_ids": (99999,)}, "trainers", "trainers that exist"),
        ({"host_authority_id": 99999}, "host_authority", "authority that exists"),
        ({"code": "bad code"}, "code", "capital letters"),
    ],
)
def test_errors_block_and_save_nothing(world, fields, field, words):
    days = fields.pop("days", ((FRIDAY, time(9, 30), time(16, 0)),))
    with pytest.raises(SchedulingRefused) as excinfo:
        scheduling.create_session(plan(world, days, **fields), world["by"], confirmed=True)
    assert words in problems_of(excinfo)[field]
    assert db.session.scalar(sa.select(sa.func.count(TrainingSession.id))) == 0


def test_a_taken_code_is_refused(world):
    make_session(code="CAF-1")
    with pytest.raises(SchedulingRefused) as excinfo:
        scheduling.create_session(plan(world, code="CAF-1"), world["by"])
    assert "already exists" in problems_of(excinfo)["code"]


def test_bank_holiday_weekend_and_room_warnings_wait_for_confirmation(world):
    days = ((CHRISTMAS, time(9, 30), time(16, 0)), (date(2026, 12, 26), time(9, 30), time(16, 0)))
    first = scheduling.create_session(plan(world, days, capacity=25), world["by"])
    assert not first.saved
    messages = [warning.message for warning in first.warnings]
    assert messages == [
        "Friday 25 December 2026 is a bank holiday in England and Wales",
        "Saturday 26 December 2026 is a weekend day",
        "capacity 25 is above the capacity of venue Town Hall (20)",
    ]
    assert db.session.scalar(sa.select(sa.func.count(TrainingSession.id))) == 0
    confirmed = scheduling.create_session(plan(world, days, capacity=25), world["by"], confirmed=True)
    assert confirmed.saved and confirmed.session.capacity == 25


def test_venue_and_trainer_clashes_are_warnings(world):
    scheduling.create_session(plan(world), world["by"])
    overlapping = plan(world, ((FRIDAY, time(15, 0), time(17, 0)),))
    result = scheduling.create_session(overlapping, world["by"])
    assert [(w.field, w.message) for w in result.warnings] == [
        ("venue", "the venue is in use by session CAF-2026-001 on 23 October 2026"),
        ("trainers", "Sam Trainer is teaching session CAF-2026-001 on 23 October 2026"),
    ]
    after = plan(world, ((FRIDAY, time(16, 0), time(17, 0)),))
    assert scheduling.create_session(after, world["by"]).warnings == []


def test_a_cancelled_session_does_not_clash(world):
    first = scheduling.create_session(plan(world), world["by"]).session
    scheduling.cancel_session(first.code, "trainer ill", world["by"])
    assert scheduling.create_session(plan(world), world["by"]).warnings == []


def test_capacity_rises_but_never_below_places_taken(world):
    session = scheduling.create_session(plan(world, capacity=2), world["by"]).session
    for _ in range(2):
        make_booking(session, make_practitioner())
    db.session.commit()
    with pytest.raises(SchedulingRefused) as excinfo:
        scheduling.edit_session(session.code, plan(world, capacity=1), world["by"])
    assert problems_of(excinfo)["capacity"] == "capacity 1 is below the 2 places taken on session CAF-2026-001"
    assert db.session.get(TrainingSession, session.id).capacity == 2
    raised = scheduling.edit_session(session.code, plan(world, capacity=5), world["by"])
    assert raised.session.capacity == 5
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "session_changed")).one()
    assert (event.old_value["capacity"], event.new_value["capacity"]) == (2, 5)


def test_editing_the_time_emails_everyone_booked_with_a_higher_sequence(app, world):
    session = scheduling.create_session(plan(world, capacity=1), world["by"]).session
    booked = make_practitioner(email="booked@example.org")
    make_booking(session, booked)
    make_booking(session, make_practitioner(email="waiting@example.org"), BookingStatus.WAITLISTED, position=1)
    db.session.commit()
    before = outbox_names(app)
    moved = plan(world, ((FRIDAY, time(10, 0), time(16, 0)),), capacity=1)
    result = scheduling.edit_session(session.code, moved, world["by"])
    assert result.session.sequence == 1
    messages = outbox_messages(app, before)
    assert [message["To"] for message in messages] == ["booked@example.org"]
    ics = next(part for part in messages[0].iter_attachments()).get_content()
    text = ics if isinstance(ics, str) else ics.decode()
    assert "METHOD:REQUEST" in text and "SEQUENCE:1" in text and "DTSTART;TZID=Europe/London:20261023T100000" in text


def test_changing_only_capacity_keeps_the_sequence_and_sends_nothing(app, world):
    session = scheduling.create_session(plan(world), world["by"]).session
    make_booking(session, make_practitioner())
    db.session.commit()
    before = outbox_names(app)
    scheduling.edit_session(session.code, plan(world, capacity=15), world["by"])
    assert db.session.get(TrainingSession, session.id).sequence == 0
    assert outbox_messages(app, before) == []


def test_cancelling_keeps_the_bookings_and_tells_everyone_booked_or_waiting(app, world):
    session = scheduling.create_session(plan(world), world["by"]).session
    other = scheduling.create_session(plan(world, ((MONDAY, time(9, 30), time(16, 0)),)), world["by"]).session
    make_booking(session, make_practitioner(email="booked@example.org"))
    make_booking(session, make_practitioner(email="waiting@example.org"), BookingStatus.WAITLISTED, position=1)
    db.session.commit()
    before = outbox_names(app)
    scheduling.cancel_session(session.code, "The trainer is ill", world["by"])
    db.session.expire_all()
    cancelled = db.session.get(TrainingSession, session.id)
    assert (cancelled.status, cancelled.cancel_reason, cancelled.sequence) == (
        SessionStatus.CANCELLED,
        "The trainer is ill",
        1,
    )
    statuses = db.session.scalars(sa.select(Booking.status).where(Booking.session_id == session.id)).all()
    assert statuses == [BookingStatus.CANCELLED, BookingStatus.CANCELLED]
    messages = outbox_messages(app, before)
    assert sorted(message["To"] for message in messages) == ["booked@example.org", "waiting@example.org"]
    body = messages[0].get_body(("plain",)).get_content()
    assert "Reason: The trainer is ill" in body and f"- {other.code}, starting 26 October 2026: 12 places left" in body
    ics = next(part for part in messages[0].iter_attachments()).get_content()
    text = ics if isinstance(ics, str) else ics.decode()
    assert "METHOD:CANCEL" in text and "STATUS:CANCELLED" in text


def test_cancelling_needs_a_reason_and_a_scheduled_session(world):
    session = scheduling.create_session(plan(world), world["by"]).session
    with pytest.raises(SchedulingRefused) as excinfo:
        scheduling.cancel_session(session.code, "  ", world["by"])
    assert "reason" in problems_of(excinfo)
    scheduling.cancel_session(session.code, "no room", world["by"])
    with pytest.raises(SchedulingRefused) as excinfo:
        scheduling.cancel_session(session.code, "again", world["by"])
    assert problems_of(excinfo)["session"] == "session CAF-2026-001 is cancelled, so it cannot be cancelled"
    with pytest.raises(SchedulingRefused):
        scheduling.edit_session(session.code, plan(world), world["by"])


def test_duplicating_moves_the_days_and_keeps_the_rest(world):
    days = ((FRIDAY, time(9, 30), time(16, 0)), (MONDAY, time(9, 30), time(12, 30)))
    session = scheduling.create_session(plan(world, days), world["by"]).session
    copy = scheduling.duplicate_plan(session, date(2026, 11, 6))
    assert copy.code == "" and copy.venue_id == world["venue"].id and copy.trainer_ids == (world["trainer"].id,)
    assert copy.days == (
        DayPlan(date(2026, 11, 6), time(9, 30), time(16, 0)),
        DayPlan(date(2026, 11, 9), time(9, 30), time(12, 30)),
    )
    assert scheduling.create_session(copy, world["by"]).session.code == "CAF-2026-002"


def test_confirming_the_warnings_shown_saves_but_a_new_warning_is_shown_first(world):
    days = ((CHRISTMAS, time(9, 30), time(16, 0)),)
    shown = [w.message for w in scheduling.create_session(plan(world, days), world["by"]).warnings]
    bigger = scheduling.create_session(plan(world, days, capacity=25), world["by"], confirmed=shown)
    assert not bigger.saved and bigger.warnings[-1].field == "capacity"
    assert scheduling.create_session(plan(world, days), world["by"], confirmed=shown).saved


def test_a_retired_course_takes_no_new_sessions(world):
    world["course"].retired_at = NOW
    db.session.commit()
    with pytest.raises(SchedulingRefused) as excinfo:
        scheduling.create_session(plan(world), world["by"], confirmed=True)
    assert problems_of(excinfo)["course"] == "course CAF is retired, so it takes no new sessions"


def test_raising_capacity_promotes_the_waiting_list_in_order(app, world):
    session = scheduling.create_session(plan(world, capacity=1), world["by"]).session
    make_booking(session, make_practitioner())
    first = make_practitioner(email="first@example.org")
    second = make_practitioner(email="second@example.org")
    make_booking(session, first, BookingStatus.WAITLISTED, position=1)
    make_booking(session, second, BookingStatus.WAITLISTED, position=2)
    db.session.commit()
    before = outbox_names(app)
    scheduling.edit_session(session.code, plan(world, capacity=2), world["by"])
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Booking.practitioner_id, Booking.status, Booking.waitlist_position).where(
            Booking.practitioner_id.in_([first.id, second.id])
        )
    ).all()
    assert sorted(rows) == sorted([(first.id, BookingStatus.BOOKED, None), (second.id, BookingStatus.WAITLISTED, 1)])
    assert "first@example.org" in [message["To"] for message in outbox_messages(app, before)]
    promoted = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "booking_promoted").order_by(AuditEvent.id)
    ).all()
    assert len(promoted) == 1
