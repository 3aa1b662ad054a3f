"""The demo's live bookings (SPEC 5, issue 7), made through the booking services: a coming session full with a
waiting list; the demo booker's school with staff booked, waiting and one requesting approval; a late cancellation
this morning, charged; and the 2008 figures exactly as they were."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from seeds.users import DEMO_PASSWORD
from tests.reference import TRAINED_BY_AREA_2008_08_31
from tests.web.helpers import signed_in
from training_app.extensions import db
from training_app.models import Booking, BookingStatus, Charge, ChargeReason, Practitioner, TrainingSession, User
from training_app.services.booking.booking_requests import open_requests
from training_app.services.booking.offers import open_offers
from training_app.services.booking.places import places_of
from training_app.services.reporting.counting import trained_by_area

TODAY = date(2026, 12, 1)


@pytest.fixture
def live(app):
    """The demo pinned to 1 December 2026 (one seed per test module would be kinder; seeding takes seconds)."""
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output


def _booker() -> User:
    return db.session.execute(sa.select(User).filter_by(email="booker@demo.test")).scalar_one()


def test_the_live_programme_has_a_full_session_and_the_bookers_school_booked_waiting_and_asking(app_ctx, live):
    coming = db.session.scalars(sa.select(TrainingSession).where(TrainingSession.starts_on > TODAY)).all()
    full = [s for s in coming if places_of(s.id).taken == s.capacity and places_of(s.id).waitlisted]
    assert full, "a coming session is full with a waiting list"
    positions = db.session.scalars(
        sa.select(Booking.waitlist_position)
        .where(Booking.session_id == full[0].id, Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.waitlist_position)
    ).all()
    assert positions == list(range(1, len(positions) + 1))

    school = _booker().organisation_id
    statuses = db.session.scalars(
        sa.select(Booking.status)
        .join(Practitioner, Practitioner.id == Booking.practitioner_id)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .where(Practitioner.organisation_id == school, TrainingSession.starts_on > TODAY)
    ).all()
    assert {BookingStatus.BOOKED, BookingStatus.WAITLISTED, BookingStatus.REQUESTED} <= set(statuses)
    [request] = db.session.scalars(open_requests(_booker())).all()
    assert request.practitioner_id == db.session.scalar(
        sa.select(User.practitioner_id).filter_by(email="practitioner@demo.test")
    )


def test_a_late_cancellation_this_morning_is_charged_to_the_bookers_school(app_ctx, live):
    charge = db.session.execute(sa.select(Charge).where(Charge.reason == ChargeReason.LATE_CANCELLED)).scalar_one()
    assert charge.organisation_id == _booker().organisation_id and charge.amount_pence == 5000
    assert charge.booking.status == BookingStatus.LATE_CANCELLED and charge.booking.session.starts_on == TODAY
    rows = [
        [row.label, row.trained, row.spaces_to_end_of_year, row.spaces_planned_next_year]
        for row in trained_by_area(date(2008, 8, 31))
    ]
    assert rows == TRAINED_BY_AREA_2008_08_31


def test_an_open_offer_to_the_bookers_staff_on_the_full_session_is_on_the_bookers_dashboard(app, app_ctx, live):
    [offer] = open_offers(_booker())
    booking = db.session.get(Booking, offer.booking_id)
    assert booking.status == BookingStatus.OFFERED and booking.course.offer_hours == 48
    session = booking.session
    assert places_of(session.id).taken == session.capacity and places_of(session.id).waitlisted
    page = signed_in(app.test_client(), "booker@demo.test", DEMO_PASSWORD).get("/").get_data(as_text=True)
    assert "Places offered from a waiting list" in page and f"/bookings/{booking.id}/offer/accept" in page
