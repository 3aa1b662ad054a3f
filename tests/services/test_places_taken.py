"""services.places.places_taken: the places taken per session, as session_places counts them, for reports."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_booking, make_practitioner, make_session
from training_app.extensions import db
from training_app.models import BookingStatus, TrainingSession
from training_app.services.places import places_taken, session_places

pytestmark = pytest.mark.usefixtures("app_ctx")


def test_places_taken_counts_what_session_places_counts_and_narrows_to_the_sessions_given():
    full = make_session(capacity=10, days=(date(2008, 10, 1),))
    for status in BookingStatus:
        make_booking(full, make_practitioner(), status, position=1 if status == BookingStatus.WAITLISTED else None)
    other = make_session(capacity=10, days=(date(2009, 3, 1),))
    make_booking(other, make_practitioner())
    make_session(days=(date(2009, 4, 1),))  # no bookings

    def taken(subquery: sa.Subquery) -> dict[int, int]:
        return dict(db.session.execute(sa.select(subquery.c.session_id, subquery.c.taken)).all())

    assert taken(places_taken()) == taken(session_places()) == {full.id: 4, other.id: 1}
    later = sa.select(TrainingSession.id).where(TrainingSession.starts_on > date(2008, 12, 31))
    assert taken(places_taken(later)) == {other.id: 1}
    assert taken(places_taken([full.id])) == {full.id: 4}
