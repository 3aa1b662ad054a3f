"""GET /api/v1/sessions/{code} (SPEC 4.5) and paging GET /api/v1/sessions with limit and offset."""

from __future__ import annotations

from datetime import date

import pytest

from training_app.models import BookingStatus, Role

from ..factories import make_area, make_authority, make_course, make_session, make_trainer, make_venue
from .helpers import book_new_practitioner


def test_one_session_shows_its_days_venue_trainers_and_places(client, headers_for, app_ctx):
    host = make_authority("RUTLAND")
    venue = make_venue("Oakham Library", capacity=18)
    session = make_session(
        make_course("CAF", title="CAF assessment"),
        days=(date(2008, 10, 30), date(2008, 11, 6)),
        capacity=3,
        host=host,
        code="CAF-1",
        venue=venue,
        host_area=make_area(host, "Oakham"),
    )
    session.trainers = [make_trainer("Sam Smith"), make_trainer("Ali Jones")]
    for status in (BookingStatus.BOOKED, BookingStatus.BOOKED, BookingStatus.BOOKED, BookingStatus.WAITLISTED):
        book_new_practitioner(session, status)
    headers = headers_for(Role.PRACTITIONER)

    response = client.get("/api/v1/sessions/CAF-1", headers=headers)

    assert response.status_code == 200
    assert response.json == {
        "code": "CAF-1",
        "course": "CAF",
        "course_title": "CAF assessment",
        "status": "scheduled",
        "host_authority": "RUTLAND",
        "host_area": "Oakham",
        "days": [
            {"date": "2008-10-30", "start": "2008-10-30T09:30:00+00:00", "end": "2008-10-30T16:00:00+00:00"},
            {"date": "2008-11-06", "start": "2008-11-06T09:30:00+00:00", "end": "2008-11-06T16:00:00+00:00"},
        ],
        "venue": {"name": "Oakham Library", "address": None, "postcode": None, "capacity": 18},
        "trainers": ["Ali Jones", "Sam Smith"],
        "capacity": 3,
        "booked": 3,
        "waitlisted": 1,
        "spaces": 0,
        "booking_closes_days": 0,
        "cancel_reason": None,
    }


def test_an_unknown_session_is_404_json(client, headers_for):
    response = client.get("/api/v1/sessions/NOPE-1", headers=headers_for(Role.BOOKER))
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_no_token_is_401(client):
    assert client.get("/api/v1/sessions/NOPE-1").status_code == 401


def test_sessions_come_a_page_at_a_time(client, headers_for, app_ctx):
    for n in range(5):
        make_session(code=f"S-{n}", days=(date(2008, 10, 1 + n),))
    headers = headers_for(Role.COORDINATOR)

    response = client.get("/api/v1/sessions?limit=2&offset=1", headers=headers)

    assert response.status_code == 200
    assert [s["code"] for s in response.json["sessions"]] == ["S-1", "S-2"]
    assert (response.json["total"], response.json["limit"], response.json["offset"]) == (5, 2, 1)
    assert client.get("/api/v1/sessions?offset=4", headers=headers).json["sessions"][0]["code"] == "S-4"


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "limit=ten", "offset=-1", "limit=1.5", "limit=99999999999"])
def test_limit_and_offset_are_bounded(client, headers_for, query):
    response = client.get(f"/api/v1/sessions?{query}", headers=headers_for(Role.ADMIN))
    assert response.status_code == 422
    name = query.partition("=")[0]
    assert "whole number" in response.json["error"]["fields"][name]
