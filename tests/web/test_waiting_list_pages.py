"""Coordinators see a session's waiting list and move someone with a reason (SPEC 3.4)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import make_booking, make_practitioner, make_session, make_user
from tests.web.helpers import h1_of, signed_in
from training_app.extensions import db
from training_app.models import Booking, BookingStatus, Role


@pytest.fixture
def waiting(app):
    with app.app_context():
        session = make_session(code="WL-1", capacity=1, days=(date(2030, 3, 4),))
        make_booking(session, make_practitioner(first_name="Held"))
        ids = [
            make_booking(session, make_practitioner(first_name=name, last_name="W"), BookingStatus.WAITLISTED, n).id
            for n, name in enumerate(("Ann", "Ben", "Cat"), start=1)
        ]
        coordinator = make_user(Role.COORDINATOR).email
        booker = make_user(Role.BOOKER).email
        db.session.commit()
        return {"ids": ids, "coordinator": coordinator, "booker": booker}


def test_a_coordinator_moves_someone_up_the_waiting_list_with_a_reason(app, client, waiting):
    signed_in(client, waiting["coordinator"])
    assert "See or reorder the waiting list" in client.get("/sessions/WL-1").get_data(as_text=True)
    listing = client.get("/bookings/waiting-list/WL-1")
    assert h1_of(listing) == "Waiting list for WL-1" and "Cat W" in listing.get_data(as_text=True)
    cat = waiting["ids"][2]
    page = client.get(f"/bookings/{cat}/move")
    assert h1_of(page) == "Move Cat W in the waiting list"
    assert "Cat W is number 3. Everyone between" in page.get_data(as_text=True)
    assert 'href="/bookings/waiting-list/WL-1"' in page.get_data(as_text=True)
    token = csrf_token_from(page.get_data(as_text=True))

    bad = client.post(f"/bookings/{cat}/move", data={"csrf_token": token, "position": "9", "reason": ""})
    assert bad.status_code == 422
    assert "There is a problem" in bad.get_data(as_text=True) and "Enter why they move" in bad.get_data(as_text=True)
    out = client.post(f"/bookings/{cat}/move", data={"csrf_token": token, "position": "9", "reason": "Urgent"})
    assert out.status_code == 422 and "Enter a position from 1 to 3" in out.get_data(as_text=True)
    odd = client.post(f"/bookings/{cat}/move", data={"csrf_token": token, "position": "٣", "reason": "Urgent"})
    assert odd.status_code == 422 and "whole number" in odd.get_data(as_text=True)

    done = client.post(
        f"/bookings/{cat}/move", data={"csrf_token": token, "position": "1", "reason": "Urgent"}, follow_redirects=True
    )
    assert "Cat W has moved from number 3 to number 1." in done.get_data(as_text=True)
    with app.app_context():
        order = db.session.execute(
            sa.select(Booking.id).filter_by(status=BookingStatus.WAITLISTED).order_by(Booking.waitlist_position)
        ).scalars()
        assert list(order) == [cat, waiting["ids"][0], waiting["ids"][1]]


def test_bookers_cannot_reorder_and_unknown_sessions_are_404(app, client, waiting):
    signed_in(client, waiting["booker"])
    assert client.get("/bookings/waiting-list/WL-1").status_code == 403
    assert client.get(f"/bookings/{waiting['ids'][0]}/move").status_code == 403
    other = app.test_client()
    signed_in(other, waiting["coordinator"])
    assert other.get("/bookings/waiting-list/NOPE").status_code == 404
