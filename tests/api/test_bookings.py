"""POST /api/v1/sessions/{code}/bookings and DELETE /api/v1/bookings/{id} (SPEC 3.4, 4.5)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from tests.factories import (
    make_booking,
    make_course,
    make_organisation,
    make_practitioner,
    make_record,
    make_session,
    make_user,
    make_venue,
)
from tests.outbox import body_of, emails_to
from training_app.extensions import db
from training_app.models import AuditEvent, Booking, BookingStatus, Charge, Role
from training_app.services.booking.booking_checks import booking_closes_on
from training_app.services.common.calendar import london_today

from .helpers import bearer, user_with_token


def _weekday(days_ahead: int) -> date:
    """A Monday-to-Friday date about `days_ahead` days from today."""
    day = london_today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def school(app_ctx):
    return make_organisation(code="SCH-1")


def _book(client, headers, code, email, **extra):
    return client.post(f"/api/v1/sessions/{code}/bookings", json={"practitioner": email, **extra}, headers=headers)


def _statuses(code):
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Booking.status, Booking.waitlist_position)
        .join(Booking.session)
        .where(Booking.session.has(code=code))
        .order_by(Booking.id)
    )
    return [(status.value, position) for status, position in rows]


def test_places_are_booked_until_full_then_the_waiting_list_fills_in_order(client, headers_for, school):
    make_session(code="CAF-9", capacity=2, days=(_weekday(21),))
    people = [make_practitioner(organisation=school, email=f"p{n}@school.example") for n in range(4)]
    db.session.commit()
    headers = headers_for(Role.COORDINATOR)

    answers = [_book(client, headers, "CAF-9", person.email) for person in people]

    assert [a.status_code for a in answers] == [201] * 4
    assert [(a.json["status"], a.json["position"]) for a in answers] == [
        ("booked", None),
        ("booked", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "booking_made")) == 4


def test_cancelling_a_place_promotes_the_first_waiting_and_closes_the_gap(client, headers_for, school):
    make_session(code="CAF-9", capacity=1, days=(_weekday(21),))
    people = [make_practitioner(organisation=school, email=f"p{n}@school.example") for n in range(4)]
    db.session.commit()
    headers = headers_for(Role.COORDINATOR)
    ids = [_book(client, headers, "CAF-9", person.email).json["id"] for person in people]

    left_queue = client.delete(f"/api/v1/bookings/{ids[2]}", headers=headers)  # second in the queue gives up
    freed = client.delete(f"/api/v1/bookings/{ids[0]}", headers=headers)

    assert left_queue.json == {"id": ids[2], "status": "cancelled", "charge_pence": None, "promoted": None}
    assert freed.status_code == 200 and freed.json["promoted"] == ids[1]
    assert _statuses("CAF-9") == [("cancelled", None), ("booked", None), ("cancelled", None), ("waitlisted", 1)]
    again = client.delete(f"/api/v1/bookings/{ids[0]}", headers=headers)
    assert again.status_code == 409 and "already cancelled" in again.json["error"]["message"]


def test_a_late_cancellation_is_charged_by_the_course_policy(client, headers_for, school):
    course = make_course(charge_day_pence=5000, charge_half_day_pence=2500)
    soon = _weekday(1)
    make_session(course=course, code="SOON", days=(soon,), start=time(9, 30), end=time(12, 0), booking_closes_days=0)
    person = make_practitioner(organisation=school)
    db.session.commit()
    headers = headers_for(Role.COORDINATOR)
    booking_id = _book(client, headers, "SOON", person.email).json["id"]

    answer = client.delete(f"/api/v1/bookings/{booking_id}", headers=headers)

    assert answer.json["status"] == "late_cancelled" and answer.json["charge_pence"] == 2500  # a half day
    charge = db.session.execute(sa.select(Charge)).scalar_one()
    assert (charge.organisation_id, charge.amount_pence) == (school.id, 2500)


def test_duplicates_overlaps_and_other_organisations_are_refused_and_nothing_is_booked(client, headers_for, school):
    course = make_course(code="CAF")
    day = _weekday(21)
    make_session(course=course, code="CAF-1", days=(day,))
    make_session(course=course, code="CAF-2", days=(day + timedelta(days=7),))
    make_session(code="OTHER", days=(day,), start=time(13, 0), end=time(15, 0))
    person = make_practitioner(organisation=school, email="sam@school.example")
    outsider = make_practitioner(organisation=make_organisation(code="SCH-2"), email="out@elsewhere.example")
    db.session.commit()
    booker = headers_for(Role.BOOKER, organisation=school)
    assert _book(client, booker, "CAF-1", person.email).status_code == 201

    duplicate = _book(client, booker, "CAF-2", person.email)
    overlap = _book(client, booker, "OTHER", person.email)
    outside = _book(client, booker, "CAF-2", outsider.email)

    assert (
        duplicate.status_code == 409
        and "already has an active booking for course CAF" in duplicate.json["error"]["message"]
    )
    assert overlap.status_code == 409 and "CAF-1, which overlaps" in overlap.json["error"]["message"]
    assert outside.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 1


def test_cancelled_started_closed_and_prerequisite_sessions_are_422(client, headers_for, school):
    caf, lp = make_course(code="CAF"), make_course(code="LP")
    lp.prerequisites = [caf]
    make_session(course=caf, code="GONE", days=(_weekday(21),), status="cancelled")
    make_session(course=caf, code="TODAY", days=(london_today(),), start=time(0, 0), end=time(23, 59))
    make_session(course=caf, code="CLOSED", days=(_weekday(3),), booking_closes_days=5)
    make_session(course=lp, code="LP-1", days=(_weekday(21),))
    person = make_practitioner(organisation=school, email="sam@school.example")
    db.session.commit()
    coordinator = headers_for(Role.COORDINATOR)

    answers = {code: _book(client, coordinator, code, person.email) for code in ("GONE", "TODAY", "CLOSED", "LP-1")}

    assert {code: a.status_code for code, a in answers.items()} == dict.fromkeys(answers, 422)
    assert "has been cancelled" in answers["GONE"].json["error"]["message"]
    assert "has already started" in answers["TODAY"].json["error"]["message"]
    assert "closed on" in answers["CLOSED"].json["error"]["message"]
    assert "has not completed CAF" in answers["LP-1"].json["error"]["message"]
    override = _book(client, coordinator, "LP-1", person.email, prerequisite_override="Trained in Nottingham in 2007")
    assert override.status_code == 201
    assert db.session.get(Booking, override.json["id"]).prerequisite_override == "Trained in Nottingham in 2007"


def test_a_refusal_keeps_the_case_of_the_session_code_and_the_month_it_names(client, headers_for, school):
    make_session(code="CAF-2008-01", days=(_weekday(21),), status="cancelled")
    closed = make_session(code="CAF-2008-02", days=(_weekday(3),), booking_closes_days=5)
    person = make_practitioner(organisation=school, email="sam@school.example")
    db.session.commit()
    coordinator = headers_for(Role.COORDINATOR)

    cancelled = _book(client, coordinator, "CAF-2008-01", person.email)
    too_late = _book(client, coordinator, "CAF-2008-02", person.email)

    assert cancelled.json["error"]["message"] == "Session CAF-2008-01 has been cancelled."
    assert cancelled.json["error"]["fields"] == {"session": "Session CAF-2008-01 has been cancelled."}
    closes = booking_closes_on(closed)
    assert too_late.json["error"]["message"] == f"Booking for session CAF-2008-02 closed on {closes:%-d %B %Y}."


def test_a_completed_prerequisite_lets_the_booking_through(client, headers_for, school):
    caf, lp = make_course(code="CAF"), make_course(code="LP")
    lp.prerequisites = [caf]
    make_session(course=lp, code="LP-1", days=(_weekday(21),))
    person = make_practitioner(organisation=school, email="sam@school.example")
    make_record(person, caf, london_today() - timedelta(days=30))
    db.session.commit()

    assert _book(client, headers_for(Role.BOOKER, organisation=school), "LP-1", person.email).status_code == 201


def test_only_coordinators_override_prerequisites_and_bad_bodies_are_422(client, headers_for, school):
    caf, lp = make_course(code="CAF"), make_course(code="LP")
    lp.prerequisites = [caf]
    make_session(course=lp, code="LP-1", days=(_weekday(21),))
    person = make_practitioner(organisation=school, email="sam@school.example")
    db.session.commit()
    booker = headers_for(Role.BOOKER, organisation=school)

    refused = _book(client, booker, "LP-1", person.email, prerequisite_override="trust me")
    nobody = _book(client, booker, "LP-1", "nobody@school.example")
    typo = client.post("/api/v1/sessions/LP-1/bookings", json={"practitoner": person.email}, headers=booker)
    missing = _book(client, booker, "NO-SUCH", person.email)

    assert refused.status_code == 422 and "prerequisite_override" in refused.json["error"]["fields"]
    assert nobody.status_code == 422 and "practitioner" in nobody.json["error"]["fields"]
    assert typo.status_code == 422 and set(typo.json["error"]["fields"]) == {"practitoner", "practitioner"}
    assert missing.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0


def test_a_booker_cannot_cancel_another_organisations_booking(client, headers_for, school):
    session = make_session(code="CAF-9", days=(_weekday(21),))
    booking = make_booking(session, make_practitioner(organisation=make_organisation(code="SCH-2")))
    _, token = user_with_token(Role.BOOKER, organisation=school)
    db.session.commit()

    answer = client.delete(f"/api/v1/bookings/{booking.id}", headers=bearer(token))

    assert answer.status_code == 403
    assert _statuses("CAF-9") == [("booked", None)]
    assert client.delete("/api/v1/bookings/999999", headers=bearer(token)).status_code == 404


def _ics(message):
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_content())


def test_each_step_is_emailed_with_the_bookers_copied_and_a_calendar_file(app, client, headers_for, school):
    venue = make_venue(name="Council House")
    course = make_course(title="CAF practitioner training", joining_instructions="Bring your laptop.")
    make_session(course=course, code="MAIL-1", capacity=1, days=(_weekday(21),), venue=venue)
    first, second = (make_practitioner(organisation=school, email=f"{n}.mail@school.example") for n in ("one", "two"))
    booker = make_user(Role.BOOKER, organisation=school, email="bm@school.example")
    db.session.commit()
    headers = headers_for(Role.COORDINATOR)
    ids = [_book(client, headers, "MAIL-1", person.email).json["id"] for person in (first, second)]

    client.delete(f"/api/v1/bookings/{ids[0]}", headers=headers)

    to_first = emails_to(app, first.email)
    to_second = emails_to(app, second.email)
    assert [m["Subject"] for m in to_first] == [
        "Booked: CAF practitioner training (MAIL-1)",
        "Cancelled: CAF practitioner training (MAIL-1)",
    ]
    assert [m["Subject"] for m in to_second] == [
        "On the waiting list: CAF practitioner training (MAIL-1)",
        "A place for you: CAF practitioner training (MAIL-1)",
    ]
    assert all(booker.email in m["Cc"] for m in to_first + to_second)
    body = body_of(to_first[0])
    assert "Council House" in body and "Bring your laptop." in body
    assert _ics(to_first[0])["METHOD"] == "REQUEST" and _ics(to_first[1])["METHOD"] == "CANCEL"
    assert _ics(to_second[1])["METHOD"] == "REQUEST"
    assert not list(to_second[0].iter_attachments())  # waiting is no place in the calendar


def test_a_sessions_bookings_in_order_and_a_booker_sees_only_their_staff(client, headers_for, school):
    session = make_session(code="LIST-1", capacity=1, days=(_weekday(21),))
    mine = make_practitioner(organisation=school, email="mine@school.example")
    theirs = make_practitioner(organisation=make_organisation(code="SCH-9"), email="theirs@else.example")
    make_booking(session, theirs)
    make_booking(session, mine, BookingStatus.WAITLISTED, position=1)
    db.session.commit()

    everyone = client.get("/api/v1/sessions/LIST-1/bookings", headers=headers_for(Role.COORDINATOR))
    own = client.get("/api/v1/sessions/LIST-1/bookings", headers=headers_for(Role.BOOKER, organisation=school))

    assert [(b["practitioner"], b["status"], b["position"]) for b in everyone.json["bookings"]] == [
        ("theirs@else.example", "booked", None),
        ("mine@school.example", "waitlisted", 1),
    ]
    assert [b["practitioner"] for b in own.json["bookings"]] == ["mine@school.example"]
    assert client.get("/api/v1/sessions/LIST-1/bookings", headers=headers_for(Role.FINANCE)).status_code == 403
