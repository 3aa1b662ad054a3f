"""A course title saved before titles were checked at input may hold a line break: booking and cancelling still
answer, and the emails still go out, their subjects on one line (SPEC 3.4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import make_booking, make_course, make_organisation, make_practitioner, make_session, make_user
from tests.outbox import emails_to
from tests.web.helpers import signed_in
from training_app.extensions import db
from training_app.models import Booking, BookingStatus, Practitioner, Role, TrainingSession
from training_app.services.common.calendar import london_today

LEGACY_TITLE = "Safeguarding\nPart 2\r"  # inserted directly, as rows saved before the check are


def _weekday(days_ahead: int) -> date:
    day = london_today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def legacy(app):
    """A school's booker, two of its staff, and a session of a course whose title holds line breaks."""
    with app.app_context():
        school = make_organisation(name="Hope Valley Primary", code="LEGACY-SCH")
        ann, ben = (
            make_practitioner(
                organisation=school, first_name=name, last_name="Teacher", email=f"{name}@legacy-school.example"
            )
            for name in ("ann", "ben")
        )
        course = make_course("LEGACY", title=LEGACY_TITLE)
        session = make_session(course=course, code="LEGACY-1", capacity=1, days=(_weekday(21),))
        booker = make_user(Role.BOOKER, organisation=school, email="bm@legacy-school.example")
        db.session.commit()
        return {"ann": ann.id, "ben": ben.id, "session": session.id, "booker": booker.email}


def _book(client, staff_id: int):
    page = client.get("/bookings/new/LEGACY-1")
    assert page.status_code == 200
    data = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), "staff": [staff_id], "confirm": "Confirm"}
    return client.post("/bookings/new/LEGACY-1", data=data)


def test_a_place_on_the_waiting_list_of_a_legacy_title_is_emailed_with_a_one_line_subject(app, client, legacy):
    with app.app_context():  # the one place is Ben's
        make_booking(db.session.get(TrainingSession, legacy["session"]), db.session.get(Practitioner, legacy["ben"]))
        db.session.commit()
    signed_in(client, legacy["booker"])

    answer = _book(client, legacy["ann"])

    assert answer.status_code == 302
    [email] = emails_to(app, "ann@legacy-school.example")
    assert email["Subject"] == "On the waiting list: Safeguarding Part 2 (LEGACY-1)"
    with app.app_context():
        assert db.session.scalar(sa.select(Booking.status).where(Booking.practitioner_id == legacy["ann"])) == (
            BookingStatus.WAITLISTED
        )


def test_booking_cancelling_and_the_calendar_of_a_legacy_title_answer_and_email(app, client, legacy):
    signed_in(client, legacy["booker"])  # Ben, whose outbox no other test here writes to

    booked = _book(client, legacy["ben"])
    calendar = client.get("/sessions/LEGACY-1/calendar.ics")
    with app.app_context():
        booking_id = db.session.scalar(sa.select(Booking.id).where(Booking.practitioner_id == legacy["ben"]))
    page = client.get(f"/bookings/{booking_id}/cancel")
    cancelled = client.post(
        f"/bookings/{booking_id}/cancel",
        data={"csrf_token": csrf_token_from(page.get_data(as_text=True)), "reason": "Ofsted visit"},
    )

    assert (booked.status_code, calendar.status_code, cancelled.status_code) == (302, 200, 302)
    subjects = [email["Subject"] for email in emails_to(app, "ben@legacy-school.example")]
    assert subjects == ["Booked: Safeguarding Part 2 (LEGACY-1)", "Cancelled: Safeguarding Part 2 (LEGACY-1)"]
    assert b"Safeguarding Part 2" in calendar.data.replace(b"\r\n ", b"")  # unfolded: the title on one line
