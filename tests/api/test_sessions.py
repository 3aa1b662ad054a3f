"""GET /api/v1/sessions: places counted in SQL, London times, validated filters."""

from __future__ import annotations

from datetime import date, time

import pytest

from training_app.extensions import db
from training_app.models import BookingStatus, Role, SessionStatus

from ..factories import make_authority, make_course, make_session
from .helpers import book_new_practitioner


def listing(client, headers, **params):
    response = client.get("/api/v1/sessions", headers=headers, query_string=params)
    assert response.status_code == 200, response.json
    return response.json["sessions"]


def test_each_session_shows_its_places_and_its_days_in_london_time(client, headers_for, app_ctx):
    course = make_course("CAF")
    host = make_authority("RUTLAND")
    session = make_session(course, days=(date(2008, 10, 30), date(2008, 11, 6)), capacity=5, host=host, code="CAF-1")
    for status in (BookingStatus.BOOKED, BookingStatus.BOOKED, BookingStatus.WAITLISTED, BookingStatus.CANCELLED):
        book_new_practitioner(session, status)
    headers = headers_for(Role.ADMIN)

    [shown] = listing(client, headers)

    assert shown == {
        "code": "CAF-1",
        "course": "CAF",
        "status": "scheduled",
        "host_authority": "RUTLAND",
        "days": [
            {"date": "2008-10-30", "start": "2008-10-30T09:30:00+00:00", "end": "2008-10-30T16:00:00+00:00"},
            {"date": "2008-11-06", "start": "2008-11-06T09:30:00+00:00", "end": "2008-11-06T16:00:00+00:00"},
        ],
        "capacity": 5,
        "booked": 2,
        "waitlisted": 1,
        "spaces": 3,
    }


def test_summer_times_carry_the_british_summer_time_offset(client, headers_for, app_ctx):
    make_session(days=(date(2008, 7, 1),), start=time(13, 0), end=time(16, 30))
    [shown] = listing(client, headers_for(Role.PRACTITIONER))
    assert shown["days"] == [
        {"date": "2008-07-01", "start": "2008-07-01T13:00:00+01:00", "end": "2008-07-01T16:30:00+01:00"}
    ]


def test_places_used_after_the_register_count_and_spaces_never_go_below_zero(client, headers_for, app_ctx):
    session = make_session(capacity=2, status=SessionStatus.COMPLETED)
    for status in (BookingStatus.ATTENDED, BookingStatus.NO_SHOW, BookingStatus.ABSENT, BookingStatus.LATE_CANCELLED):
        book_new_practitioner(session, status)
    [shown] = listing(client, headers_for(Role.COORDINATOR))
    assert (shown["status"], shown["booked"], shown["waitlisted"], shown["spaces"]) == ("completed", 3, 0, 0)


def test_sessions_come_earliest_first(client, headers_for, app_ctx):
    make_session(code="LATER", days=(date(2009, 1, 20),))
    make_session(code="SOONER", days=(date(2008, 9, 10),))
    assert [s["code"] for s in listing(client, headers_for(Role.ADMIN))] == ["SOONER", "LATER"]


@pytest.fixture
def programme(app_ctx):
    """Sessions of two courses hosted by two authorities across autumn 2008."""
    caf, lp = make_course("CAF"), make_course("LP")
    city, county = make_authority("LEICESTER"), make_authority("LEICESTERSHIRE")
    make_session(caf, host=city, code="CAF-SEP", days=(date(2008, 9, 15),))
    make_session(caf, host=county, code="CAF-SEP-OCT", days=(date(2008, 9, 29), date(2008, 10, 6)))
    make_session(lp, host=county, code="LP-NOV", days=(date(2008, 11, 3),))
    db.session.commit()


@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({}, ["CAF-SEP", "CAF-SEP-OCT", "LP-NOV"]),
        ({"course": "CAF"}, ["CAF-SEP", "CAF-SEP-OCT"]),
        ({"authority": "LEICESTERSHIRE"}, ["CAF-SEP-OCT", "LP-NOV"]),
        ({"course": "CAF", "authority": "LEICESTERSHIRE"}, ["CAF-SEP-OCT"]),
        ({"from": "2008-10-01"}, ["CAF-SEP-OCT", "LP-NOV"]),
        ({"to": "2008-09-30"}, ["CAF-SEP", "CAF-SEP-OCT"]),
        ({"from": "2008-10-01", "to": "2008-10-31"}, ["CAF-SEP-OCT"]),
        ({"from": "2008-11-03", "to": "2008-11-03"}, ["LP-NOV"]),
        ({"from": "2009-01-01"}, []),
        ({"course": "", "authority": "", "from": "", "to": ""}, ["CAF-SEP", "CAF-SEP-OCT", "LP-NOV"]),
    ],
)
def test_filters_narrow_the_listing(client, headers_for, programme, params, codes):
    assert [s["code"] for s in listing(client, headers_for(Role.BOOKER), **params)] == codes


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"course": "NOPE"}, {"course"}),
        ({"authority": "NOTTINGHAM"}, {"authority"}),
        ({"from": "2008-02-30"}, {"from"}),
        ({"to": "01/10/2008"}, {"to"}),
        ({"from": "20081001"}, {"from"}),
        ({"from": "2008-10-31", "to": "2008-10-01"}, {"to"}),
        ({"course": "NOPE", "authority": "NOPE", "from": "soon", "to": "later"}, {"course", "authority", "from", "to"}),
    ],
)
def test_bad_filters_are_a_422_naming_each_one(client, headers_for, programme, params, fields):
    response = client.get("/api/v1/sessions", headers=headers_for(Role.ADMIN), query_string=params)
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_failed"
    assert set(error["fields"]) == fields
    assert all(error["fields"].values())


@pytest.mark.parametrize("role", list(Role))
def test_every_signed_in_role_may_list_sessions(client, headers_for, programme, role):
    extra = {"authorities": [make_authority()]} if role == Role.WORKFORCE_LEAD else {}
    assert len(listing(client, headers_for(role, **extra))) == 3


def test_the_number_of_queries_does_not_grow_with_the_sessions_listed(
    app, client, headers_for, app_ctx, count_statements
):
    headers = headers_for(Role.ADMIN)
    course = make_course("CAF")
    first = make_session(course)
    book_new_practitioner(first)
    db.session.commit()
    with count_statements() as statements:
        listing(client, headers, course="CAF")
    one = len(statements.mentioning("session"))

    for n in range(6):
        book_new_practitioner(make_session(course, days=(date(2008, 10, 2 + n), date(2008, 11, 2 + n))))
    db.session.commit()
    with count_statements() as statements:
        listing(client, headers, course="CAF")
    seven = len(statements.mentioning("session"))

    assert len(listing(client, headers)) == 7
    assert seven == one


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"from": "9999-12-31"}, {"from": "'from' must be between 1900-01-01 and 2100-12-31."}),
        ({"to": "0001-01-01"}, {"to": "'to' must be between 1900-01-01 and 2100-12-31."}),
        ({"from": "2008-W35-7"}, {"from": "'from' must be a real date written YYYY-MM-DD."}),
        ({"course": "CAF\x00"}, {"course": "No course has that code."}),
        ({"authority": "\x00"}, {"authority": "No authority has that code."}),
    ],
)
def test_dates_outside_the_supported_years_and_codes_no_database_can_hold_are_a_422(
    client, headers_for, programme, params, fields
):
    response = client.get("/api/v1/sessions", headers=headers_for(Role.ADMIN), query_string=params)

    assert response.status_code == 422
    assert response.json["error"]["fields"] == fields


def test_an_unknown_query_parameter_is_a_422_so_a_typo_does_not_list_everything(client, headers_for, programme):
    response = client.get("/api/v1/sessions", headers=headers_for(Role.ADMIN), query_string={"cours": "CAF"})

    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"cours": "Unknown field."}


def test_an_empty_date_filter_means_no_filter(client, headers_for, programme):
    everything = listing(client, headers_for(Role.ADMIN))

    assert listing(client, headers_for(Role.ADMIN), **{"from": "", "to": ""}) == everything


@pytest.mark.parametrize(
    ("limit", "offset", "shown", "total"),
    [(10, 0, 7, 7), (5, 0, 5, 7), (5, 5, 2, 7), (5, 10, 0, 7), (7, 0, 7, 7)],
)
def test_the_total_counts_every_matching_session_whatever_the_page(
    client, headers_for, app_ctx, limit, offset, shown, total
):
    course = make_course("PAGED")
    for n in range(7):
        make_session(course, days=(date(2008, 10, 1 + n),), code=f"PAGED-{n}")
    headers = headers_for(Role.ADMIN)
    response = client.get("/api/v1/sessions", headers=headers, query_string={"limit": limit, "offset": offset})
    assert response.status_code == 200, response.json
    assert (len(response.json["sessions"]), response.json["total"]) == (shown, total)
