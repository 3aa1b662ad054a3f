"""The booking pages: a booker books several staff after seeing who gets a place, and cancels (SPEC 3.4)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import make_booking, make_organisation, make_practitioner, make_session, make_user
from tests.web.helpers import h1_of, signed_in
from training_app.extensions import db
from training_app.models import Booking, BookingStatus, Practitioner, Role
from training_app.services.common.calendar import london_today


def _weekday(days_ahead: int) -> date:
    day = london_today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def school(app):
    """A school with three staff, a booker, and a session with two places left."""
    with app.app_context():
        school = make_organisation(name="Hope Valley Primary", code="HVP")
        staff = [
            make_practitioner(
                organisation=school, first_name=name, last_name="Teacher", email=f"{name.lower()}@hvp.example"
            )
            for name in ("Ann", "Ben", "Cat")
        ]
        session = make_session(code="CAF-50", capacity=3, days=(_weekday(21),))
        make_booking(session, make_practitioner(organisation=make_organisation(code="ELSE"), first_name="Zed"))
        booker = make_user(Role.BOOKER, organisation=school, email="bm@hvp.example")
        db.session.commit()
        return {"staff_ids": [p.id for p in staff], "booker": booker.email}


def _statuses():
    rows = db.session.execute(
        sa.select(Booking.practitioner_id, Booking.status, Booking.waitlist_position).order_by(Booking.id)
    ).all()
    return [(status.value, position) for _, status, position in rows]


def test_a_booker_sees_who_gets_a_place_before_confirming_then_books_them(app, client, school):
    signed_in(client, school["booker"])
    assert 'href="/bookings/new/CAF-50"' in client.get("/sessions/CAF-50").get_data(as_text=True)
    page = client.get("/bookings/new/CAF-50")
    assert page.status_code == 200 and h1_of(page) == "Book staff on CAF-50"
    assert "2 of 3 places left" in page.get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), "staff": school["staff_ids"]}

    preview = client.post("/bookings/new/CAF-50", data={**form, "check": "Check places"})
    text = preview.get_data(as_text=True)
    assert [m.strip() for m in re.findall(r"(Gets a place|Goes on the waiting list, number \d)", text)] == [
        "Gets a place",
        "Gets a place",
        "Goes on the waiting list, number 1",
    ]
    with app.app_context():
        assert len(_statuses()) == 1  # checking books nobody

    done = client.post("/bookings/new/CAF-50", data={**form, "confirm": "Confirm bookings"}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "Booked: Ann Teacher, Ben Teacher." in text
    assert "On the waiting list: Cat Teacher (number 1)." in text
    with app.app_context():
        assert _statuses() == [("booked", None), ("booked", None), ("booked", None), ("waitlisted", 1)]
    assert "Zed" not in text  # the list shows only the school's own staff


def test_one_refusal_does_not_stop_the_others_and_says_why(app, client, school):
    with app.app_context():
        ann = db.session.get(Practitioner, school["staff_ids"][0])
        make_booking(make_session(course=make_session(code="X").course, code="CAF-51", days=(_weekday(21),)), ann)
        db.session.commit()
    signed_in(client, school["booker"])
    token = csrf_token_from(client.get("/bookings/new/CAF-50").get_data(as_text=True))

    done = client.post(
        "/bookings/new/CAF-50",
        data={"csrf_token": token, "staff": school["staff_ids"], "confirm": "Confirm bookings"},
        follow_redirects=True,
    )

    text = done.get_data(as_text=True)
    assert "Booked: Ben Teacher, Cat Teacher." in text
    assert "Not booked: Ann Teacher is already booked on session CAF-51, which overlaps this one." in text


def test_choosing_nobody_or_an_unknown_email_shows_the_error_summary_and_books_nothing(app, client, school):
    signed_in(client, school["booker"])
    token = csrf_token_from(client.get("/bookings/new/CAF-50").get_data(as_text=True))
    empty = client.post("/bookings/new/CAF-50", data={"csrf_token": token, "check": "Check places"})
    assert empty.status_code == 422 and "Select at least one member of staff" in empty.get_data(as_text=True)

    with app.app_context():
        coordinator = make_user(Role.COORDINATOR).email
        db.session.commit()
    other = app.test_client()
    signed_in(other, coordinator)
    token = csrf_token_from(other.get("/bookings/new/CAF-50").get_data(as_text=True))
    unknown = other.post(
        "/bookings/new/CAF-50",
        data={"csrf_token": token, "emails": "ann@hvp.example\nnobody@hvp.example", "check": "1"},
    )
    text = unknown.get_data(as_text=True)
    assert unknown.status_code == 422
    assert "There is a problem" in text and "No practitioner has the email address nobody@hvp.example" in text
    with app.app_context():
        assert len(_statuses()) == 1


def test_cancelling_promotes_the_first_waiting_and_other_schools_bookings_are_out_of_reach(app, client, school):
    with app.app_context():
        full = make_session(code="FULL", capacity=1, days=(_weekday(28),))
        ann, ben = (db.session.get(Practitioner, i) for i in school["staff_ids"][:2])
        mine = make_booking(full, ann).id
        make_booking(full, ben, BookingStatus.WAITLISTED, position=1)
        theirs = db.session.scalar(sa.select(Booking.id).where(Booking.session.has(code="CAF-50")))
        db.session.commit()
    signed_in(client, school["booker"])
    listing = client.get("/bookings/").get_data(as_text=True)
    assert "Ann Teacher" in listing and "Waiting list, number 1" in listing and "Zed" not in listing
    page = client.get(f"/bookings/{mine}/cancel")
    assert h1_of(page).replace("&#39;", "'") == "Cancel Ann Teacher's booking"

    done = client.post(
        f"/bookings/{mine}/cancel",
        data={"csrf_token": csrf_token_from(page.get_data(as_text=True)), "reason": "Ofsted visit"},
        follow_redirects=True,
    )

    assert "Ben Teacher has been given the place from the waiting list." in done.get_data(as_text=True)
    assert client.get(f"/bookings/{theirs}/cancel").status_code == 403
    with app.app_context():
        assert db.session.get(Booking, mine).status == BookingStatus.CANCELLED
        assert db.session.get(Booking, mine).cancel_reason == "Ofsted visit"


def test_a_cancelled_session_takes_no_bookings(app, client, school):
    with app.app_context():
        make_session(code="GONE", days=(_weekday(21),), status="cancelled")
        make_session(code="PAST", days=(london_today() - timedelta(days=7),))
        db.session.commit()
    signed_in(client, school["booker"])
    for code in ("GONE", "PAST"):
        assert "/bookings/new/" not in client.get(f"/sessions/{code}").get_data(as_text=True)  # no Book staff button

    page = client.get("/bookings/new/GONE").get_data(as_text=True)

    assert "This session cannot take bookings: session GONE has been cancelled." in page
    assert "Check places" not in page
    assert client.get("/bookings/new/NO-SUCH").status_code == 404


def test_a_booker_moves_a_booking_to_another_session_and_sends_a_colleague_instead(app, client, school):
    with app.app_context():
        course = make_session(code="SEED").course
        first = make_session(course=course, code="MOVE-1", days=(_weekday(21),))
        make_session(course=course, code="MOVE-2", days=(_weekday(35),))
        make_session(course=course, code="MOVE-3", days=(_weekday(42),))
        ann, ben = (db.session.get(Practitioner, i) for i in school["staff_ids"][:2])
        moving = make_booking(first, ann).id
        staying = make_booking(first, ben).id
        db.session.commit()
    signed_in(client, school["booker"])
    page = client.get(f"/bookings/{moving}/transfer")
    assert "MOVE-2" in page.get_data(as_text=True) and "SEED" not in page.get_data(as_text=True)
    assert re.search(r'name="seen_on"[^>]*value="MOVE-1"', page.get_data(as_text=True))  # where the page shows it
    sent_from_page = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), "session": "MOVE-2"}

    moved = client.post(
        f"/bookings/{moving}/transfer", data=sent_from_page | {"seen_on": "MOVE-1"}, follow_redirects=True
    )
    # a second tab of the same page, sent after: the booking is not where that page showed it
    again = client.post(
        f"/bookings/{moving}/transfer", data=sent_from_page | {"session": "MOVE-3", "seen_on": "MOVE-1"}
    )
    form = client.get(f"/bookings/{staying}/substitute")
    sent = client.post(
        f"/bookings/{staying}/substitute",
        data={"csrf_token": csrf_token_from(form.get_data(as_text=True)), "colleague": school["staff_ids"][2]},
        follow_redirects=True,
    )

    assert "Ann Teacher's booking has moved to MOVE-2." in moved.get_data(as_text=True).replace("&#39;", "'")
    assert again.status_code == 422 and "has just moved to session MOVE-2" in again.get_data(as_text=True)
    assert "Cat Teacher has Ben Teacher's place on MOVE-1." in sent.get_data(as_text=True).replace("&#39;", "'")
    with app.app_context():
        assert db.session.get(Booking, moving).session.code == "MOVE-2"
        assert db.session.get(Booking, staying).status == BookingStatus.CANCELLED
    empty = client.post(
        f"/bookings/{moving}/transfer", data={"csrf_token": csrf_token_from(page.get_data(as_text=True))}
    )
    assert empty.status_code == 422 and "Select the session to move the booking to" in empty.get_data(as_text=True)


def test_confirming_a_group_looks_nothing_up_person_by_person(app, client, school, count_statements):
    with app.app_context():
        hvp = db.session.get(Practitioner, school["staff_ids"][0]).organisation
        more = [make_practitioner(organisation=hvp, first_name=f"Extra{n}").id for n in range(17)]
        db.session.commit()
    signed_in(client, school["booker"])
    token = csrf_token_from(client.get("/bookings/new/CAF-50").get_data(as_text=True))
    lookups = []
    for staff in ([school["staff_ids"][0]], school["staff_ids"][1:] + more):
        with count_statements() as statements:
            done = client.post("/bookings/new/CAF-50", data={"csrf_token": token, "staff": staff, "confirm": "Confirm"})
        assert done.status_code == 302
        lookups.append(len(statements.starting("SELECT")))
    assert lookups[0] == lookups[1]  # one person or nineteen: the same lookups
    with app.app_context():
        assert [status for status, _ in _statuses()].count("waitlisted") == 18
