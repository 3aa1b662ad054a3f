"""Every .ics the product makes reads as the same UTC instants as the database in three independent readers
(SPEC 3.4): icalendar, vobject, and ical.js (Thunderbird's reader, run with node), for GMT and BST days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
import time_machine

from tests.api.helpers import bearer, user_with_token
from tests.calendar_readers import READERS, Instant
from tests.factories import (
    make_course,
    make_organisation,
    make_practitioner,
    make_session,
    make_trainer,
    make_user,
    make_venue,
)
from tests.outbox import emails_to
from training_app.extensions import db
from training_app.models import Role, TrainingSession
from training_app.services.booking.bookings import book_place, cancel_booking
from training_app.services.sessions import calendars, scheduling
from training_app.services.sessions.scheduling import DayPlan

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Made:
    """One .ics the product made, and the instants (UID, start, end in UTC) the database held when it was made."""

    kind: str
    content: bytes
    expected: list[Instant]


def _instants(session: TrainingSession) -> list[Instant]:
    db.session.refresh(session)
    return [
        (calendars.event_uid(session, number), day.starts_at.astimezone(UTC), day.ends_at.astimezone(UTC))
        for number, day in enumerate(session.days, start=1)
    ]


def _attachment(message) -> bytes:
    [part] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    content = part.get_content()
    return content.encode() if isinstance(content, str) else content


def every_kind_of_ics(app, client, days: tuple[date, date]) -> list[Made]:
    """A booking and its cancellation, a rebooking, the session's download and its trainer's feed, the session
    moved and then cancelled: each .ics as it was sent or served."""
    trainer = make_trainer("Sam Trainer")
    session = make_session(
        course=make_course(title="CAF assessment"),
        code=f"READ-{days[0]:%m}",
        days=days,
        venue=make_venue("Town Hall"),
        trainers=[trainer],
    )
    person = make_practitioner(organisation=make_organisation(), email=f"reader.{days[0]:%m}@school.example")
    coordinator = make_user(Role.COORDINATOR)
    _, token = user_with_token(Role.PRACTITIONER)
    db.session.commit()
    made = []
    booking = book_place(session, person, coordinator)
    made.append(Made("booking email", _attachment(emails_to(app, person.email)[-1]), _instants(session)))
    cancel_booking(booking, coordinator)
    made.append(Made("cancellation email", _attachment(emails_to(app, person.email)[-1]), _instants(session)))
    book_place(session, person, coordinator)
    download = client.get(f"/sessions/{session.code}/calendar.ics", headers=bearer(token))
    made.append(Made("session file", download.data, _instants(session)))
    feed = client.get(f"/calendar/{calendars.issue_feed_token(trainer, 'test')}.ics")
    made.append(Made("trainer feed", feed.data, _instants(session)))
    plan = scheduling.plan_of(session)
    moved = tuple(DayPlan(day.date, time(10, 0), time(16, 30)) for day in plan.days)
    scheduling.edit_session(session.code, plan.__class__(**{**plan.__dict__, "days": moved}), coordinator, True)
    made.append(Made("session change email", _attachment(emails_to(app, person.email)[-1]), _instants(session)))
    scheduling.cancel_session(session.code, "Trainer unwell", coordinator)
    made.append(Made("session cancellation email", _attachment(emails_to(app, person.email)[-1]), _instants(session)))
    return made


@pytest.mark.parametrize(
    "days",
    [(date(2027, 1, 14), date(2027, 1, 15)), (date(2027, 7, 15), date(2027, 7, 16))],
    ids=["GMT-January", "BST-July"],
)
def test_every_calendar_reads_as_the_databases_instants_in_three_readers(app, app_ctx, client, tmp_path, days):
    with time_machine.travel(NOW, tick=False):
        made = every_kind_of_ics(app, client, days)
    assert [item.kind for item in made] == [
        "booking email",
        "cancellation email",
        "session file",
        "trainer feed",
        "session change email",
        "session cancellation email",
    ]
    wrong = {}
    for reader, read_calendars in READERS.items():
        for item, read in zip(made, read_calendars([item.content for item in made], tmp_path), strict=True):
            if read != item.expected:
                wrong[item.kind, reader] = read
    assert wrong == {}
    assert made[0].expected != made[-1].expected  # the move is in the later files
