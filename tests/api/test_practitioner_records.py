"""GET, POST and PUT /api/v1/practitioners (SPEC 3.1, 4.5): records with their workforce dates; someone added starts
today unless a date is given; a left_on marks them as left (bookings cancelled free, place passed on) and booking
them is refused; null with a new started_on marks them back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import (
    make_authority,
    make_booking,
    make_course,
    make_organisation,
    make_practitioner,
    make_session,
)
from training_app.extensions import db
from training_app.models import Booking, BookingStatus, Charge, Practitioner, Role
from training_app.services.common.calendar import london_today

URL = "/api/v1/practitioners"


def _weekday(days_ahead: int) -> date:
    day = london_today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def setting(app_ctx):
    """Oak's Ann (started 2020) booked on a full session with Bea waiting, and a session to book later."""
    county = make_authority("LEICESTERSHIRE")
    oak = make_organisation(county, code="OAK")
    make_organisation(county, code="ELM")
    course = make_course(code="CAF")
    ann = make_practitioner(
        organisation=oak, authorities=[county], email="ann@oak.example", started_on=date(2020, 1, 6)
    )
    bea = make_practitioner(organisation=oak, authorities=[county], email="bea@oak.example")
    full = make_session(course=course, code="CAF-1", capacity=1, days=(_weekday(1),))
    make_booking(full, ann)
    make_booking(full, bea, BookingStatus.WAITLISTED, position=1)
    make_session(course=make_course(code="LP"), code="LP-1", days=(_weekday(20),))
    db.session.commit()
    return {"oak": oak, "ann": ann.id, "bea": bea.id}


def test_a_record_reads_with_its_dates_and_whether_they_are_in_post(client, setting, headers_for):
    response = client.get(f"{URL}/Ann@Oak.example", headers=headers_for(Role.COORDINATOR))

    assert response.status_code == 200
    assert response.json == {
        "email": "ann@oak.example",
        "first_name": "Pat",
        "last_name": response.json["last_name"],
        "job_title": None,
        "organisation": "OAK",
        "group": None,
        "authorities": ["LEICESTERSHIRE"],
        "cover_category": "none",
        "started_on": "2020-01-06",
        "left_on": None,
        "in_post": True,
    }
    assert client.get(f"{URL}/nobody@oak.example", headers=headers_for(Role.COORDINATOR)).status_code == 404
    other = headers_for(Role.BOOKER, organisation=make_organisation(code="FIR"))
    assert client.get(f"{URL}/ann@oak.example", headers=other).status_code == 403


def test_someone_added_starts_today_unless_a_date_is_given(client, setting, headers_for):
    headers = headers_for(Role.BOOKER, organisation=setting["oak"])
    body = {"email": "Kim@Oak.example", "first_name": "Kim", "last_name": "Shaw", "authorities": ["LEICESTERSHIRE"]}

    added = client.post(URL, json=body, headers=headers)
    assert added.status_code == 201
    assert (added.json["organisation"], added.json["started_on"]) == ("OAK", london_today().isoformat())
    dated = client.post(URL, json={**body, "email": "lee@oak.example", "started_on": "2025-09-01"}, headers=headers)
    assert dated.status_code == 201 and dated.json["started_on"] == "2025-09-01"

    assert client.post(URL, json=body, headers=headers).status_code == 409
    elsewhere = client.post(URL, json={**body, "email": "mo@oak.example", "organisation": "ELM"}, headers=headers)
    assert elsewhere.status_code == 403
    backwards = {**body, "email": "ned@oak.example", "started_on": "2026-09-01", "left_on": "2026-08-31"}
    refused = client.post(URL, json=backwards, headers=headers)
    assert refused.status_code == 422
    assert refused.json["error"]["fields"] == {
        "left_on": "The date they left must be on or after the day they started, 1 September 2026"
    }
    unreal = client.post(URL, json={**body, "email": "ola@oak.example", "started_on": "2026-02-30"}, headers=headers)
    assert unreal.status_code == 422 and "started_on" in unreal.json["error"]["fields"]
    unknown = client.post(URL, json={**body, "email": "pia@oak.example", "authorities": ["NOPE"]}, headers=headers)
    assert unknown.status_code == 422 and "authorities" in unknown.json["error"]["fields"]
    emails = set(db.session.scalars(sa.select(Practitioner.email)))
    assert {"ned@oak.example", "ola@oak.example", "pia@oak.example"} & emails == set()


def test_a_left_on_marks_them_as_left_and_null_brings_them_back(client, setting, headers_for):
    headers = headers_for(Role.BOOKER, organisation=setting["oak"])
    today = london_today().isoformat()

    left = client.put(f"{URL}/ann@oak.example", json={"left_on": today}, headers=headers)
    assert left.status_code == 200 and (left.json["left_on"], left.json["in_post"]) == (today, False)
    db.session.expire_all()
    statuses = dict(db.session.execute(sa.select(Booking.practitioner_id, Booking.status)).all())
    assert statuses == {setting["ann"]: BookingStatus.CANCELLED, setting["bea"]: BookingStatus.BOOKED}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Charge)) == 0
    refused = client.post("/api/v1/sessions/LP-1/bookings", json={"practitioner": "ann@oak.example"}, headers=headers)
    assert refused.status_code == 422
    when = f"{london_today():%-d %B %Y}"
    assert refused.json["error"]["message"] == f"The practitioner left on {when} and cannot be booked."

    back = client.put(f"{URL}/ann@oak.example", json={"started_on": today, "left_on": None}, headers=headers)
    assert back.status_code == 200 and (back.json["started_on"], back.json["left_on"]) == (today, None)
    booked = client.post("/api/v1/sessions/LP-1/bookings", json={"practitioner": "ann@oak.example"}, headers=headers)
    assert booked.status_code == 201


def test_a_change_keeps_what_is_left_out_and_stays_within_the_bookers_organisation(client, setting, headers_for):
    headers = headers_for(Role.BOOKER, organisation=setting["oak"])
    changed = client.put(f"{URL}/ann@oak.example", json={"job_title": "Head"}, headers=headers)
    assert changed.status_code == 200
    assert (changed.json["job_title"], changed.json["started_on"], changed.json["authorities"]) == (
        "Head",
        "2020-01-06",
        ["LEICESTERSHIRE"],
    )
    moved = client.put(f"{URL}/ann@oak.example", json={"organisation": "ELM"}, headers=headers)
    assert moved.status_code == 403
    other = headers_for(Role.BOOKER, organisation=make_organisation(code="FIR"))
    assert client.put(f"{URL}/ann@oak.example", json={"job_title": "X"}, headers=other).status_code == 403
    reader = headers_for(Role.WORKFORCE_LEAD)
    assert client.put(f"{URL}/ann@oak.example", json={"job_title": "X"}, headers=reader).status_code == 403
