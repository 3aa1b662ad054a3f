"""Calendar invitations follow iTIP (RFC 5546, SPEC 3.4): the service as ORGANIZER, the practitioner as ATTENDEE,
the same UIDs throughout, and a SEQUENCE that rises with every message a person gets, cancellations included."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest
import time_machine
from icalendar import Calendar

from tests.factories import make_course, make_organisation, make_practitioner, make_session, make_user
from tests.outbox import emails_to
from training_app.extensions import db
from training_app.models import Role
from training_app.services.booking.bookings import book_place, cancel_booking
from training_app.services.sessions import scheduling
from training_app.services.sessions.scheduling import DayPlan

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _calendar(message) -> Calendar:
    [part] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_content())


def _address(event, name: str) -> tuple[str, str | None] | None:
    """An ORGANIZER or ATTENDEE as its address and CN, or None when the event has none."""
    address = event.get(name)
    return None if address is None else (str(address), address.params.get("CN"))


def test_every_message_names_organizer_and_attendee_and_raises_the_sequence(app, app_ctx):
    session = make_session(code="INV-1", course=make_course(title="CAF assessment"), days=(date(2027, 1, 14),))
    ann = make_practitioner(organisation=make_organisation(), email="ann.invite@school.example")
    ann.first_name, ann.last_name = "Ann", "Invite"
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()

    booking = book_place(session, ann, coordinator)
    cancel_booking(booking, coordinator)
    book_place(session, ann, coordinator)
    plan = scheduling.plan_of(session)
    later = replace(plan, days=tuple(DayPlan(day.date, time(10, 0), time(16, 0)) for day in plan.days))
    scheduling.edit_session("INV-1", later, coordinator, confirmed=True)
    scheduling.cancel_session("INV-1", "Trainer unwell", coordinator)

    messages = emails_to(app, ann.email)
    assert [message["Subject"].split(":")[0] for message in messages] == [
        "Booked",
        "Cancelled",
        "Booked",
        "Changed",
        "Cancelled",
    ]
    calendars = [_calendar(message) for message in messages]
    assert [str(calendar["METHOD"]) for calendar in calendars] == ["REQUEST", "CANCEL", "REQUEST", "REQUEST", "CANCEL"]
    events = [event for calendar in calendars for event in calendar.walk("VEVENT")]
    sequences = [int(event["SEQUENCE"]) for event in events]
    assert {
        "uids": {str(event["UID"]) for event in events},
        "organizers": {_address(event, "ORGANIZER") for event in events},
        "attendees": {_address(event, "ATTENDEE") for event in events},
        "each SEQUENCE above the last": sequences == sorted(set(sequences)),
    } == {
        "uids": {"INV-1-day-1@127.0.0.1"},
        "organizers": {("mailto:training@council.example", "Children's workforce training")},
        "attendees": {("mailto:ann.invite@school.example", "Ann Invite")},
        "each SEQUENCE above the last": True,
    }, sequences


def test_each_person_told_of_a_change_gets_the_file_made_out_to_them(app, app_ctx):
    session = make_session(code="INV-2", days=(date(2027, 1, 14),))
    school = make_organisation()
    people = [make_practitioner(organisation=school, email=f"{name}.inv2@school.example") for name in ("bo", "cy")]
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    for person in people:
        book_place(session, person, coordinator)

    plan = scheduling.plan_of(session)
    later = replace(plan, days=tuple(DayPlan(day.date, time(10, 0), time(16, 0)) for day in plan.days))
    scheduling.edit_session("INV-2", later, coordinator, confirmed=True)

    for person in people:
        [booked, changed] = emails_to(app, person.email)
        [event] = _calendar(changed).walk("VEVENT")
        assert str(event["ATTENDEE"]) == f"mailto:{person.email}"
        assert int(event["SEQUENCE"]) > int(_calendar(booked).walk("VEVENT")[0]["SEQUENCE"])
