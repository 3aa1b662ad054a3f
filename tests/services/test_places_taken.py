"""services.booking.places.taken_on: the places taken on each session, as session_places counts them, for reports."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_booking, make_practitioner, make_session
from training_app.extensions import db
from training_app.models import BookingStatus, TrainingSession
from training_app.services.booking.places import places_left, session_places, taken_on

pytestmark = pytest.mark.usefixtures("app_ctx")


def test_taken_on_counts_what_session_places_counts_for_each_session():
    full = make_session(capacity=10, days=(date(2008, 10, 1),))
    for status in BookingStatus:
        make_booking(full, make_practitioner(), status, position=1 if status == BookingStatus.WAITLISTED else None)
    other = make_session(capacity=10, days=(date(2009, 3, 1),))
    make_booking(other, make_practitioner())
    empty = make_session(days=(date(2009, 4, 1),))  # no bookings

    places = session_places()
    counted = dict(db.session.execute(sa.select(places.c.session_id, places.c.taken)).all())
    taken = dict(db.session.execute(sa.select(TrainingSession.id, taken_on(TrainingSession.id))).all())
    assert taken == {full.id: 5, other.id: 1, empty.id: 0}  # booked, attended, absent, no_show and an open offer
    assert taken == {session_id: counted.get(session_id, 0) for session_id in taken}


@pytest.mark.parametrize(("capacity", "taken", "left"), [(10, 4, 6), (3, 3, 0), (2, 5, 0), (0, 0, 0)])
def test_places_left_is_capacity_less_taken_never_below_zero_in_python_and_in_sql(capacity, taken, left):
    assert places_left(capacity, taken) == left
    in_sql = places_left(sa.literal(capacity, sa.Integer), sa.literal(taken, sa.Integer))
    assert db.session.scalar(sa.select(in_sql)) == left
