"""A coordinator moves someone within a waiting list (SPEC 3.4, issue 7), saying why: audited, positions gapless."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_booking, make_practitioner, make_session, make_user
from training_app.extensions import db
from training_app.models import AuditEvent, Booking, BookingStatus, Role
from training_app.services.booking.booking_changes import move_on_waiting_list
from training_app.services.booking.booking_checks import BookingRefused, Refusal

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def queue():
    session = make_session(code="Q-1", capacity=1, days=(date(2030, 3, 4),))
    make_booking(session, make_practitioner(first_name="Held"))
    waiting = [
        make_booking(session, make_practitioner(first_name=name), BookingStatus.WAITLISTED, position=n)
        for n, name in enumerate(("Ann", "Ben", "Cat", "Dee", "Eve"), start=1)
    ]
    db.session.commit()
    return {"session": session, "waiting": waiting, "coordinator": make_user(Role.COORDINATOR)}


def _order(session_id: int) -> list[str]:
    db.session.expire_all()
    query = (
        sa.select(Booking)
        .where(Booking.session_id == session_id, Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.waitlist_position)
    )
    return [f"{b.waitlist_position}:{b.practitioner.first_name}" for b in db.session.scalars(query)]


def test_moving_someone_up_shifts_those_between_down(queue):
    dee = queue["waiting"][3]
    assert move_on_waiting_list(dee, 1, queue["coordinator"], "Safeguarding lead: needed first") == 4
    assert _order(queue["session"].id) == ["1:Dee", "2:Ann", "3:Ben", "4:Cat", "5:Eve"]
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "waitlist_moved")).scalar_one()
    assert (event.old_value, event.new_value) == (
        {"position": 4},
        {"position": 1, "reason": "Safeguarding lead: needed first"},
    )


def test_moving_someone_down_shifts_those_between_up(queue):
    move_on_waiting_list(queue["waiting"][0], 5, queue["coordinator"], "Asked to wait for a later date")
    assert _order(queue["session"].id) == ["1:Ben", "2:Cat", "3:Dee", "4:Eve", "5:Ann"]
    with pytest.raises(BookingRefused, match="is already number 3"):  # Dee: a move that changes nothing
        move_on_waiting_list(queue["waiting"][3], 3, queue["coordinator"], "No change")
    assert _order(queue["session"].id) == ["1:Ben", "2:Cat", "3:Dee", "4:Eve", "5:Ann"]


def test_a_move_needs_a_reason_a_real_position_a_waiting_booking_and_a_coordinator(queue):
    ann, coordinator = queue["waiting"][0], queue["coordinator"]
    with pytest.raises(BookingRefused, match="Enter why"):
        move_on_waiting_list(ann, 2, coordinator, "  ")
    for position in (0, 6):
        with pytest.raises(BookingRefused, match="from 1 to 5"):
            move_on_waiting_list(ann, position, coordinator, "Because")
    booker = make_user(Role.BOOKER)
    with pytest.raises(BookingRefused) as refused:
        move_on_waiting_list(ann, 2, booker, "Because")
    assert refused.value.kind == Refusal.FORBIDDEN
    held = db.session.execute(sa.select(Booking).filter_by(status=BookingStatus.BOOKED)).scalar_one()
    with pytest.raises(BookingRefused, match="not on the waiting list"):
        move_on_waiting_list(held, 1, coordinator, "Because")
    assert _order(queue["session"].id) == ["1:Ann", "2:Ben", "3:Cat", "4:Dee", "5:Eve"]
