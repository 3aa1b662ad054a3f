"""Booking questions in the API (SPEC 3.4, 4.5): POST /sessions/{code}/bookings takes `needs`, and
GET /sessions/{code}/needs answers the session's trainers and coordinators only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import (
    make_authority,
    make_booking,
    make_organisation,
    make_practitioner,
    make_session,
    make_trainer,
)
from training_app.extensions import db
from training_app.models import AuditEvent, Booking, Role
from training_app.services.common.calendar import london_today

from .helpers import bearer, user_with_token


def _weekday(days_ahead: int) -> date:
    day = london_today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def world(app_ctx):
    """A session three weeks ahead trained by Tess, with Ann (needs given) and Ben (none) booked; Cat to book."""
    authority = make_authority()
    school = make_organisation(authority, code="SCH-N")
    ann, ben, cat = (make_practitioner(school, email=f"{name}@school.example") for name in ("ann", "ben", "cat"))
    tess, tess_token = user_with_token(Role.BOOKER, organisation=make_organisation(code="ELM"))
    session = make_session(code="NEEDS-API", days=(_weekday(21),), host=authority)
    session.trainers = [make_trainer("Tess", user=tess)]
    booked = make_booking(session, ann)
    booked.access_needs, booked.dietary_needs = "Hearing loop", "Vegan"
    make_booking(session, ben)
    db.session.commit()
    return {"tess": bearer(tess_token), "school": school, "authority": authority, "cat": cat.email}


def test_a_booking_made_through_the_api_keeps_its_needs_and_the_audit_only_that_they_were_given(
    client, headers_for, world
):
    answer = client.post(
        "/api/v1/sessions/NEEDS-API/bookings",
        json={"practitioner": world["cat"], "needs": {"access": "Large print\u0000 handouts", "dietary": None}},
        headers=headers_for(Role.COORDINATOR),
    )
    assert answer.status_code == 201, answer.json
    booking = db.session.get(Booking, answer.json["id"])
    assert (booking.access_needs, booking.dietary_needs) == ("Large print handouts", None)
    event = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "booking_made", AuditEvent.entity_id == booking.id)
    ).scalar_one()
    assert event.new_value["needs"] == "given" and "Large print" not in str(event.new_value)


@pytest.mark.parametrize(
    ("needs", "field"),
    [
        ({"access": "x" * 501}, "needs.access"),
        ({"dietary": "y" * 501}, "needs.dietary"),
        ({"allergies": "nuts"}, "needs.allergies"),
        ("vegan", "needs"),
        ({"access": 5}, "needs.access"),
    ],
)
def test_invalid_needs_are_refused_with_422_and_nothing_is_written(client, headers_for, world, needs, field):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Booking))
    answer = client.post(
        "/api/v1/sessions/NEEDS-API/bookings",
        json={"practitioner": world["cat"], "needs": needs},
        headers=headers_for(Role.COORDINATOR),
    )
    assert answer.status_code == 422
    assert answer.json["error"]["code"] and field in answer.json["error"]["fields"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == before


def test_the_sessions_trainer_and_coordinators_read_its_needs(client, headers_for, world):
    for headers in (world["tess"], headers_for(Role.COORDINATOR), headers_for(Role.ADMIN)):
        answer = client.get("/api/v1/sessions/NEEDS-API/needs", headers=headers)
        assert answer.status_code == 200
        assert answer.json == {
            "session": "NEEDS-API",
            "needs": [
                {"practitioner": "ann@school.example", "status": "booked", "access": "Hearing loop", "dietary": "Vegan"}
            ],
        }
    assert client.get("/api/v1/sessions/NOPE/needs", headers=headers_for(Role.COORDINATOR)).status_code == 404


def test_everyone_else_is_refused_the_needs(client, headers_for, world):
    others = [
        headers_for(Role.BOOKER, organisation=world["school"]),
        headers_for(Role.WORKFORCE_LEAD, authorities=[world["authority"]]),
        headers_for(Role.FINANCE),
        headers_for(Role.PRACTITIONER),
    ]
    for headers in others:
        answer = client.get("/api/v1/sessions/NEEDS-API/needs", headers=headers)
        assert answer.status_code == 403
        assert "Hearing loop" not in answer.get_data(as_text=True)


def test_the_openapi_document_describes_needs(client):
    document = client.get("/api/v1/openapi.json").json
    assert "needs" in document["components"]["schemas"]["NewBooking"]["properties"]
    assert "get" in document["paths"]["/sessions/{code}/needs"]
    assert document["components"]["schemas"]["SessionNeeds"]["required"] == ["session", "needs"]
