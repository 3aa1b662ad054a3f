"""Imports of sessions, one row per session day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import sqlalchemy as sa

from tests.factories import make_booking, make_practitioner, make_session, make_venue
from tests.imports.helpers import mark, partnership, run_import, table_counts
from training_app.extensions import db
from training_app.models import SessionStatus, TrainingSession, Venue

HEADER = "code,course,date,start,end,venue,capacity,host_authority,host_area,status"


def session(code: str) -> TrainingSession:
    db.session.expire_all()
    return db.session.scalars(sa.select(TrainingSession).filter_by(code=code)).one()


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_sessions_are_created_with_their_days_in_utc_and_new_venues(app_ctx):
    partnership()

    result = run_import(
        "sessions",
        HEADER,
        "CAF-2008-001,CAF,2008-03-28,09:30,16:00,Loughborough Hub,18,LEICESTERSHIRE,Charnwood,completed",
        "CAF-2008-001,CAF,2008-03-31,09:30,16:00,Loughborough Hub,18,LEICESTERSHIRE,Charnwood,completed",
        "AWA-2008-002,AWA,2008-10-01,13:00,15:30,Loughborough Hub,25,LEICESTER,,scheduled",
        "AWA-2008-003,AWA,2008-11-05,09:00,12:00,,12,RUTLAND,,cancelled",
    )

    assert result.summary == "imported 3 sessions (3 created, 0 updated)"
    caf = session("CAF-2008-001")
    assert (caf.course.code, caf.capacity, caf.host_authority.code, caf.host_area.name, caf.status) == (
        "CAF",
        18,
        "LEICESTERSHIRE",
        "Charnwood",
        SessionStatus.COMPLETED,
    )
    # 28 March 2008 is GMT; 31 March 2008 is BST, an hour ahead of UTC.
    assert [(d.date, d.starts_at, d.ends_at) for d in caf.days] == [
        (date(2008, 3, 28), utc(2008, 3, 28, 9, 30), utc(2008, 3, 28, 16, 0)),
        (date(2008, 3, 31), utc(2008, 3, 31, 8, 30), utc(2008, 3, 31, 15, 0)),
    ]
    assert (caf.starts_on, caf.ends_on) == (date(2008, 3, 28), date(2008, 3, 31))
    venues = db.session.execute(sa.select(Venue.name, Venue.capacity)).all()
    assert venues == [("Loughborough Hub", 25)]  # created once, with the largest capacity asked of it
    assert session("AWA-2008-003").venue is None


def test_an_existing_session_is_updated_and_its_days_replaced(app_ctx):
    places = partnership()
    venue = make_venue("Oakham Library", capacity=30)
    make_session(
        places["caf"],
        days=(date(2008, 10, 1), date(2008, 10, 2)),
        code="CAF-9",
        host=places["rutland"],
        venue=venue,
    )
    db.session.commit()

    result = run_import(
        "sessions",
        HEADER,
        "CAF-9,CAF,2008-10-02,10:00,15:00,Oakham Library,30,RUTLAND,,scheduled",
        "CAF-9,CAF,2008-10-09,10:00,15:00,Oakham Library,30,RUTLAND,,scheduled",
    )

    assert result.summary == "imported 1 sessions (0 created, 1 updated)"
    caf = session("CAF-9")
    assert caf.capacity == 30
    assert [(d.date, d.starts_at.time()) for d in caf.days] == [
        (date(2008, 10, 2), time(9, 0)),
        (date(2008, 10, 9), time(9, 0)),
    ]
    assert (caf.starts_on, caf.ends_on) == (date(2008, 10, 2), date(2008, 10, 9))
    assert table_counts()["session_days"] == 2


def test_bad_session_rows_are_all_reported(app_ctx):
    partnership()
    make_venue("Small Room", capacity=10)
    db.session.commit()
    before = table_counts()

    result = run_import(
        "sessions",
        HEADER,
        "S-1,CAF,2008-10-01,09:30,16:00,Small Room,10,LEICESTER,,scheduled",
        "S-2,NOPE,2008-02-30,9.30,24:00,Small Room,0,LEICESTER,Charnwood,open",
        "S-3,AWA,01/10/2008,16:00,09:30,Small Room,12,NOWHERE,,scheduled",
        "S-4,AWA,2008-10-03,10:00,10:00,,5,RUTLAND,,scheduled",
        "S-1,CAF,2008-10-01,09:30,16:00,Small Room,10,LEICESTER,,scheduled",
    )

    assert result.errors == [
        "line 3: course: no course with code NOPE",
        "line 3: date: 2008-02-30 is not a real date",
        'line 3: start: must be a time as HH:MM, not "9.30"',
        'line 3: end: must be a time as HH:MM, not "24:00"',
        "line 3: capacity: must be at least 1, not 0",
        "line 3: host_area: no area named Charnwood in authority LEICESTER",
        'line 3: status: must be one of scheduled, cancelled, completed, not "open"',
        'line 4: date: must be a date as YYYY-MM-DD, not "01/10/2008"',
        "line 4: host_authority: no authority with code NOWHERE",
        "line 5: end: must be after start (10:00), not 10:00",
        "line 6: date: repeats line 2 (same code and date)",
    ]
    assert table_counts() == before


def test_the_days_of_one_session_must_agree(app_ctx):
    partnership()

    result = run_import(
        "sessions",
        HEADER,
        "S-1,CAF,2008-10-01,09:30,16:00,Hall,10,LEICESTER,,scheduled",
        "S-1,AWA,2008-10-02,09:30,16:00,Hall,12,LEICESTER,,scheduled",
        "S-1,CAF,2008-10-03,09:30,16:00,Room,10,LEICESTERSHIRE,Melton,cancelled",
    )

    assert result.errors == [
        'line 3: course: "AWA" differs from line 2 ("CAF"): every day of session S-1 must have the same course',
        'line 3: capacity: "12" differs from line 2 ("10"): every day of session S-1 must have the same capacity',
        'line 4: venue: "Room" differs from line 2 ("Hall"): every day of session S-1 must have the same venue',
        'line 4: host_authority: "LEICESTERSHIRE" differs from line 2 ("LEICESTER"): '
        "every day of session S-1 must have the same host_authority",
        'line 4: host_area: "Melton" differs from line 2 (""): every day of session S-1 must have the same host_area',
        'line 4: status: "cancelled" differs from line 2 ("scheduled"): '
        "every day of session S-1 must have the same status",
    ]


def test_a_capacity_above_an_existing_venue_is_refused(app_ctx):
    partnership()
    make_venue("Small Room", capacity=10)
    db.session.commit()

    result = run_import("sessions", HEADER, "S-1,CAF,2008-10-01,09:30,16:00,Small Room,11,LEICESTER,,scheduled")

    assert result.errors == ["line 2: capacity: capacity 11 is above the capacity of venue Small Room (10)"]


def test_an_update_keeps_the_register_and_the_bookings_whole(app_ctx):
    places = partnership()
    existing = make_session(places["caf"], days=(date(2008, 10, 1), date(2008, 10, 2)), code="S-1", capacity=10)
    bookings = [make_booking(existing, make_practitioner(places["school"])) for _ in range(3)]
    mark(bookings[0], existing.days[1])
    db.session.commit()
    before = table_counts()

    result = run_import("sessions", HEADER, "S-1,AWA,2008-10-01,09:30,16:00,,2,LEICESTERSHIRE,,scheduled")

    assert result.errors == [
        "line 2: course: session S-1 already has bookings, so its course cannot change",
        "line 2: capacity: capacity 2 is below the 3 places taken on session S-1",
        "line 2: date: day 2008-10-02 of session S-1 has attendance marks, so it must stay in the file",
    ]
    assert table_counts() == before
    assert session("S-1").capacity == 10
