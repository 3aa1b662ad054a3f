"""GET /api/v1/reports/attendance-by-authority: attendees by exact set of authorities, by role, scope and bad input."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import (
    make_authority,
    make_booking,
    make_course,
    make_mark,
    make_organisation,
    make_practitioner,
    make_session,
)
from training_app.extensions import db
from training_app.models import BookingStatus, MarkStatus, Role

from .test_openapi import conforms

URL = "/api/v1/reports/attendance-by-authority"


@pytest.fixture
def p(app_ctx):
    """A two-day session in October with a Leicestershire, a joint and a Rutland attendee, and one who was absent."""
    rutland = make_authority("RUTLAND", "Rutland", order=1)
    county = make_authority("LEICESTERSHIRE", "Leicestershire", order=2)
    city = make_authority("LEICESTER", "Leicester", order=3)
    school = make_organisation(county)
    session = make_session(make_course("CAF"), days=(date(2008, 10, 1), date(2008, 10, 2)), host=county, code="CAF-1")
    for authorities, status in [
        ([county], MarkStatus.ATTENDED),
        ([county, city], MarkStatus.PARTIAL),
        ([rutland], MarkStatus.ATTENDED),
        ([city], MarkStatus.ABSENT),
    ]:
        booking = make_booking(session, make_practitioner(school, authorities), BookingStatus.ATTENDED)
        make_mark(booking, session.days[0], status)
    db.session.commit()
    return {"rutland": rutland, "county": county, "city": city}


def rows(body):
    return [(row["label"], row["attended"]) for row in body["rows"]]


def test_the_session_rows_are_the_3_9_rows_with_the_total_last(client, p, headers_for):
    response = client.get(URL, query_string={"session": "CAF-1"}, headers=headers_for(Role.COORDINATOR))

    assert response.status_code == 200
    conforms(client.get("/api/v1/openapi.json").json, "AttendanceByAuthority", response.json)
    assert rows(response.json) == [
        ("Rutland", 1),
        ("Leicestershire", 1),
        ("Leicester", 0),
        ("Leicester and Leicestershire", 1),
        ("Total Attended", 3),
    ]


def test_a_period_counts_the_days_inside_it(client, p, headers_for):
    headers = headers_for(Role.ADMIN)

    inside = client.get(URL, query_string={"from": "2008-10-01", "to": "2008-10-01"}, headers=headers)
    after = client.get(URL, query_string={"from": "2008-10-02", "to": ""}, headers=headers)

    assert rows(inside.json)[-1] == ("Total Attended", 3)
    assert rows(after.json)[-1] == ("Total Attended", 0)


def test_a_workforce_lead_sees_only_their_authorities(client, p, headers_for):
    headers = headers_for(Role.WORKFORCE_LEAD, authorities=[p["city"]])

    response = client.get(URL, headers=headers)

    assert rows(response.json) == [("Leicester", 0), ("Leicester and Leicestershire", 1), ("Total Attended", 1)]


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({"from": "2008-10-02", "to": "2008-10-01"}, {"to": "'to' must be on or after 'from'."}),
        ({"from": "2008-02-30"}, {"from": "'from' must be a real date written YYYY-MM-DD."}),
        ({"to": "9999-01-01"}, {"to": "'to' must be between 1900-01-01 and 2100-12-31."}),
        ({"as_of": "2008-10-01"}, {"as_of": "Unknown field."}),
    ],
)
def test_bad_dates_and_unknown_parameters_are_a_422_naming_the_field(client, p, headers_for, query, fields):
    response = client.get(URL, query_string=query, headers=headers_for(Role.ADMIN))

    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_failed"
    assert response.json["error"]["fields"] == fields


@pytest.mark.parametrize("code", ["NO-SUCH", "x" * 500, "A\x00B"])
def test_an_unknown_session_is_a_404(client, p, headers_for, code):
    response = client.get(URL, query_string={"session": code}, headers=headers_for(Role.ADMIN))

    assert response.status_code == 404
    assert response.json["error"]["message"] == "There is no session with that code."


@pytest.mark.parametrize("role", [Role.BOOKER, Role.PRACTITIONER, Role.FINANCE])
def test_other_roles_are_refused(client, headers_for, role):
    assert client.get(URL, headers=headers_for(role)).status_code == 403
