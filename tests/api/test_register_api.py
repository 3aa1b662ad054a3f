"""PUT /api/v1/sessions/{code}/register (SPEC 4.5): all or nothing, 422 naming each bad entry, 403 out of role."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import make_booking, make_course, make_organisation, make_practitioner, make_session
from training_app.extensions import db
from training_app.models import AttendanceMark, BookingStatus, Certificate, Role
from training_app.services.common.calendar import london_today

URL = "/api/v1/sessions/REG-1/register"


@pytest.fixture
def session_running(app_ctx):
    """A two-day session that began yesterday, with two people booked."""
    today = london_today()
    session = make_session(course=make_course(code="CAF"), code="REG-1", days=(today - timedelta(days=1), today))
    school = make_organisation(code="SCH-R")
    people = [make_practitioner(organisation=school, email=f"p{n}@example.org") for n in (1, 2)]
    bookings = [make_booking(session, person) for person in people]
    db.session.commit()
    return {
        "session": session,
        "bookings": bookings,
        "days": [d.isoformat() for d in (today - timedelta(days=1), today)],
    }


def _marks() -> int:
    return db.session.scalar(sa.select(sa.func.count(AttendanceMark.id)))


def test_a_coordinator_marks_the_register_and_completions_are_reported(client, headers_for, session_running):
    yesterday, today = session_running["days"]
    entries = [
        {"practitioner": "p1@example.org", "day": yesterday, "status": "attended"},
        {"practitioner": "p1@example.org", "day": today, "status": "attended"},
        {"practitioner": "p2@example.org", "day": yesterday, "status": "partial", "time": "11:05", "notes": "late"},
        {"practitioner": "p2@example.org", "day": today, "status": "absent"},
    ]
    response = client.put(URL, json={"entries": entries}, headers=headers_for(Role.COORDINATOR))
    assert response.status_code == 200, response.json
    assert response.json == {
        "session": "REG-1",
        "changed": 4,
        "completed": ["p1@example.org"],
        "no_shows": ["p2@example.org"],
        "withdrawn": [],
    }
    first, second = session_running["bookings"]
    db.session.expire_all()
    assert (first.status, second.status) == (BookingStatus.ATTENDED, BookingStatus.NO_SHOW)
    assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 1


def test_bad_entries_are_each_named_and_nothing_is_written(client, headers_for, session_running):
    yesterday, _ = session_running["days"]
    entries = [
        {"practitioner": "p1@example.org", "day": yesterday, "status": "attended"},
        {"practitioner": "p1@example.org", "day": "2001-01-01", "status": "attended"},
        {"practitioner": "nobody@example.org", "day": yesterday, "status": "attended"},
        {"practitioner": "p2@example.org", "day": yesterday, "status": "late"},
        {"practitioner": "p1@example.org", "day": session_running["days"][1], "status": "partial", "time": None},
    ]
    response = client.put(URL, json={"entries": entries}, headers=headers_for(Role.COORDINATOR))
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert set(fields) == {"entries[1].day", "entries[2].practitioner", "entries[3].status", "entries[4].time"}
    first = session_running["bookings"][0].practitioner.full_name
    assert fields["entries[4].time"] == f"Give the time {first} arrived or left"
    assert "is not a day of session REG-1" in fields["entries[1].day"]
    assert _marks() == 0


def test_shapes_the_api_refuses_before_reading_the_register(client, headers_for, session_running):
    headers = headers_for(Role.COORDINATOR)
    assert client.put(URL, json={"entries": []}, headers=headers).json["error"]["fields"] == {
        "entries": "Give 'entries' as a non-empty list of {practitioner, day, status}."
    }
    bad = client.put(URL, json={"entries": [{"practitioner": 1, "day": "x", "extra": 1}, 5]}, headers=headers)
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {
        "entries[0].practitioner",
        "entries[0].status",
        "entries[0].extra",
        "entries[1]",
    }
    assert (
        client.put(
            "/api/v1/sessions/NOPE/register",
            json={"entries": [{"practitioner": "a", "day": "b", "status": "c"}]},
            headers=headers,
        ).status_code
        == 404
    )
    assert _marks() == 0


def test_a_register_not_open_yet_is_a_422(client, headers_for, app_ctx):
    future = london_today() + timedelta(days=10)
    session = make_session(code="REG-2", days=(future,))
    make_booking(session, make_practitioner(email="f@example.org"))
    db.session.commit()
    entry = {"practitioner": "f@example.org", "day": future.isoformat(), "status": "attended"}
    response = client.put("/api/v1/sessions/REG-2/register", json={"entries": [entry]}, headers=headers_for())
    assert response.status_code == 422
    assert "opens on its first day" in response.json["error"]["fields"]["session"]


@pytest.mark.parametrize("role", [Role.BOOKER, Role.WORKFORCE_LEAD, Role.FINANCE, Role.PRACTITIONER])
def test_anyone_but_a_coordinator_or_the_sessions_trainer_gets_403(client, headers_for, session_running, role):
    yesterday, _ = session_running["days"]
    entry = {"practitioner": "p1@example.org", "day": yesterday, "status": "attended"}
    fields = {"organisation": make_organisation()} if role == Role.BOOKER else {}
    response = client.put(URL, json={"entries": [entry]}, headers=headers_for(role, **fields))
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    assert _marks() == 0


def test_not_marked_takes_a_mark_away_and_undoes_the_completion(client, headers_for, session_running):
    yesterday, today = session_running["days"]
    headers = headers_for(Role.COORDINATOR)
    both = [{"practitioner": "p1@example.org", "day": day, "status": "attended"} for day in (yesterday, today)]
    assert client.put(URL, json={"entries": both}, headers=headers).json["completed"] == ["p1@example.org"]
    cleared = [{"practitioner": "p1@example.org", "day": today, "status": "not_marked"}]
    response = client.put(URL, json={"entries": cleared}, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json == {
        "session": "REG-1",
        "changed": 1,
        "completed": [],
        "no_shows": [],
        "withdrawn": ["p1@example.org"],
    }
    assert _marks() == 1
    assert db.session.scalars(sa.select(Certificate.revoked_at)).one() is not None
