"""Waiting-list offers (SPEC 3.4, issue 21): where a course holds offers, a freed place is offered to the first person
waiting for `offer_hours`, counts as taken while open, and is booked on acceptance or passes on when declined or
when it lapses; no offer is answered twice, after it ended, or once the session has started."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import make_course, make_organisation, make_practitioner, make_session, make_user
from tests.outbox import body_of, emails_to
from training_app.extensions import db
from training_app.models import AuditEvent, Booking, BookingStatus, Role, utcnow
from training_app.services.booking.booking_checks import BookingRefused, Refusal
from training_app.services.booking.bookings import book_place, cancel_booking
from training_app.services.booking.offers import accept_offer, decline_offer, lapse_offers, open_offers
from training_app.services.booking.places import places_of
from training_app.services.common.calendar import london_today

pytestmark = pytest.mark.usefixtures("app_ctx")


def _weekday(days_ahead: int) -> date:
    day = london_today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def full(app_ctx):
    """A session of a course holding offers for 24 hours, its one place taken, two people waiting."""
    school = make_organisation(code="SCH-1")
    booker = make_user(Role.BOOKER, email="booker@school.example", organisation=school)
    coordinator = make_user(Role.COORDINATOR)
    course = make_course(code="CAF", offer_hours=24)
    session = make_session(course=course, code="CAF-1", capacity=1, days=(_weekday(21),))
    people = {
        name: make_practitioner(organisation=school, email=f"{name}@school.example", first_name=name.title())
        for name in ("ann", "ben", "cat", "dan")
    }
    db.session.commit()
    bookings = {name: book_place(session, people[name], coordinator) for name in ("ann", "ben", "cat")}
    return {"session": session, "coordinator": coordinator, "booker": booker, "people": people, **bookings}


def _status(booking: Booking) -> tuple[str, int | None]:
    db.session.expire_all()
    fresh = db.session.get(Booking, booking.id)
    return fresh.status.value, fresh.waitlist_position


def test_a_cancellation_offers_the_place_to_the_first_waiting_who_holds_it_against_new_bookings(app, full):
    before = utcnow()
    done = cancel_booking(full["ann"], full["coordinator"])

    assert done.promoted is not None and done.promoted.id == full["ben"].id
    assert _status(full["ben"]) == ("offered", None)
    assert _status(full["cat"]) == ("waitlisted", 1)
    expires = db.session.get(Booking, full["ben"].id).offer_expires_at
    assert before + timedelta(hours=24) <= expires <= utcnow() + timedelta(hours=24)
    assert places_of(full["session"].id).taken == 1  # the offer holds the place
    late = book_place(full["session"], full["people"]["dan"], full["coordinator"])
    assert (late.status, late.waitlist_position) == (BookingStatus.WAITLISTED, 2)
    [offer] = [m for m in emails_to(app, "ben@school.example") if m["Subject"].startswith("A place is offered")]
    assert "booker@school.example" in offer["Cc"]
    body = body_of(offer)
    assert f"/bookings/{full['ben'].id}/offer/accept" in body and f"/bookings/{full['ben'].id}/offer/decline" in body
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity_id == full["ben"].id)).all()
    assert "booking_offered" in actions


def test_accepting_books_the_place_once_with_a_calendar_invitation(app, full):
    cancel_booking(full["ann"], full["coordinator"])
    ben = db.session.get(Booking, full["ben"].id)

    accept_offer(ben, full["booker"])

    assert _status(full["ben"]) == ("booked", None)
    [booked] = [m for m in emails_to(app, "ben@school.example") if m["Subject"].startswith("Booked:")]
    assert any(part.get_content_type() == "text/calendar" for part in booked.iter_attachments())
    with pytest.raises(BookingRefused) as again:
        accept_offer(db.session.get(Booking, full["ben"].id), full["booker"])
    assert again.value.kind == Refusal.CONFLICT and "already been accepted" in again.value.message
    assert places_of(full["session"].id).taken == 1
    assert _status(full["cat"]) == ("waitlisted", 1)


def test_declining_passes_the_offer_to_the_next_and_the_declined_offer_cannot_be_accepted(app, full):
    cancel_booking(full["ann"], full["coordinator"])
    ben_user = make_user(Role.PRACTITIONER, email="ben-user@school.example", practitioner=full["people"]["ben"])
    db.session.commit()

    done = decline_offer(db.session.get(Booking, full["ben"].id), ben_user)

    assert done.passed_to is not None and done.passed_to.id == full["cat"].id
    assert _status(full["ben"]) == ("offer_declined", None)
    assert _status(full["cat"]) == ("offered", None)
    assert places_of(full["session"].id).taken == 1
    assert any(m["Subject"].startswith("A place is offered") for m in emails_to(app, "cat@school.example"))
    with pytest.raises(BookingRefused) as late:
        accept_offer(db.session.get(Booking, full["ben"].id), ben_user)
    assert late.value.kind == Refusal.CONFLICT and "declined" in late.value.message
    assert _status(full["ben"]) == ("offer_declined", None)


def test_the_scheduler_lapses_offers_that_ran_out_and_passes_them_on_once(app, full):
    cancel_booking(full["ann"], full["coordinator"])
    later = utcnow() + timedelta(hours=25)

    assert lapse_offers(utcnow()) == 0  # not yet run out
    assert lapse_offers(later) == 1
    assert lapse_offers(later) == 0  # run again: nothing more

    assert _status(full["ben"]) == ("offer_lapsed", None)
    assert _status(full["cat"]) == ("offered", None)
    cat = db.session.get(Booking, full["cat"].id)
    assert cat.offer_expires_at >= later + timedelta(hours=23)
    with pytest.raises(BookingRefused) as lapsed:
        accept_offer(db.session.get(Booking, full["ben"].id), full["booker"], now=later)
    assert lapsed.value.kind == Refusal.CONFLICT and "lapsed" in lapsed.value.message
    assert any(m["Subject"].startswith("Offer lapsed") for m in emails_to(app, "ben@school.example"))


def test_an_offer_run_out_but_not_yet_lapsed_cannot_be_accepted(full):
    cancel_booking(full["ann"], full["coordinator"])

    with pytest.raises(BookingRefused) as refused:
        accept_offer(db.session.get(Booking, full["ben"].id), full["booker"], now=utcnow() + timedelta(hours=25))

    assert refused.value.kind == Refusal.CONFLICT and "lapsed at" in refused.value.message
    assert _status(full["ben"]) == ("offered", None)


def test_no_offer_is_accepted_or_made_once_the_session_has_started(full):
    cancel_booking(full["ann"], full["coordinator"])
    session = full["session"]
    started = session.days[0].starts_at + timedelta(minutes=1)

    with pytest.raises(BookingRefused) as refused:
        accept_offer(db.session.get(Booking, full["ben"].id), full["booker"], now=started)
    assert refused.value.kind == Refusal.CONFLICT and "has started" in refused.value.message
    assert _status(full["ben"]) == ("offered", None)

    assert lapse_offers(started) == 1  # the offer ends at the start, and nobody is offered the place after it
    assert _status(full["ben"]) == ("offer_lapsed", None)
    assert _status(full["cat"]) == ("waitlisted", 1)
    assert places_of(session.id).taken == 0


def test_a_course_without_offer_hours_still_promotes_at_once(app_ctx):
    coordinator = make_user(Role.COORDINATOR)
    session = make_session(course=make_course(code="NOOF"), code="NOOF-1", capacity=1, days=(_weekday(21),))
    ann, ben = make_practitioner(), make_practitioner()
    db.session.commit()
    first = book_place(session, ann, coordinator)
    waiting = book_place(session, ben, coordinator)

    cancel_booking(first, coordinator)

    assert _status(waiting) == ("booked", None)


def test_open_offers_are_listed_for_the_person_their_booker_and_nobody_else(full):
    cancel_booking(full["ann"], full["coordinator"])
    other_booker = make_user(Role.BOOKER, email="other@elsewhere.example")
    ben_user = make_user(Role.PRACTITIONER, email="ben-user@school.example", practitioner=full["people"]["ben"])
    cat_user = make_user(Role.PRACTITIONER, email="cat-user@school.example", practitioner=full["people"]["cat"])
    db.session.commit()

    assert [offer.booking_id for offer in open_offers(full["booker"])] == [full["ben"].id]
    assert [offer.booking_id for offer in open_offers(ben_user)] == [full["ben"].id]
    assert open_offers(cat_user) == []
    assert open_offers(other_booker) == []
    with pytest.raises(BookingRefused) as refused:
        accept_offer(db.session.get(Booking, full["ben"].id), other_booker)
    assert refused.value.kind == Refusal.FORBIDDEN
    with pytest.raises(BookingRefused):
        accept_offer(db.session.get(Booking, full["ben"].id), cat_user)
    assert _status(full["ben"]) == ("offered", None)


def test_a_transfer_away_makes_an_offer_and_an_offer_is_not_transferred(full):
    from training_app.services.booking.booking_changes import transfer_booking

    other = make_session(course=full["session"].course, code="CAF-2", capacity=5, days=(_weekday(28),))
    db.session.commit()

    transfer_booking(db.session.get(Booking, full["ann"].id), "CAF-2", full["coordinator"])

    assert _status(full["ben"]) == ("offered", None)
    with pytest.raises(BookingRefused) as refused:
        transfer_booking(db.session.get(Booking, full["ben"].id), "CAF-2", full["coordinator"])
    assert "accept or decline it first" in refused.value.message
    assert other.id


def test_an_offer_made_shortly_before_the_start_runs_out_at_the_start(full):
    starts = full["session"].days[0].starts_at

    cancel_booking(full["ann"], full["coordinator"], now=starts - timedelta(hours=2))

    assert db.session.get(Booking, full["ben"].id).offer_expires_at == starts


def test_cancelling_an_offered_booking_passes_the_place_on_without_a_charge(full):
    cancel_booking(full["ann"], full["coordinator"])

    done = cancel_booking(db.session.get(Booking, full["ben"].id), full["booker"])

    assert done.charge_pence is None and done.promoted is not None and done.promoted.id == full["cat"].id
    assert _status(full["ben"]) == ("cancelled", None) and _status(full["cat"]) == ("offered", None)


def test_the_scheduled_job_lapses_an_offer_that_ran_out(app, full):
    from training_app.jobs import tasks

    cancel_booking(full["ann"], full["coordinator"])
    db.session.get(Booking, full["ben"].id).offer_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    assert tasks.waiting_list_offers() == 1

    assert _status(full["ben"]) == ("offer_lapsed", None) and _status(full["cat"]) == ("offered", None)
    lapsed = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity_id == full["ben"].id, AuditEvent.action == "booking_offer_lapsed")
    ).one()
    assert lapsed.actor == "scheduler"


def _calendar_methods(message) -> list[str]:
    """The METHOD of each calendar attached to an email (none for an email that carries no calendar)."""
    return [
        part.get_content_type() + ";" + part.get_param("method", "")
        for part in message.iter_attachments()
        if part.get_content_type() == "text/calendar"
    ]


def test_cancelling_an_offer_or_a_waiting_place_sends_no_calendar_cancel_but_a_place_does(app, full):
    cancel_booking(full["ann"], full["coordinator"])  # ben is offered the place; cat waits
    cancel_booking(db.session.get(Booking, full["ben"].id), full["coordinator"])  # the offer passes to cat
    cancel_booking(db.session.get(Booking, full["cat"].id), full["coordinator"])

    def cancelled(email: str):
        """The latest cancellation email to them (the outbox keeps this module's earlier tests' too)."""
        return [m for m in emails_to(app, email) if m["Subject"].startswith("Cancelled:")][-1]

    assert _calendar_methods(cancelled("ann@school.example")) == ["text/calendar;CANCEL"]
    assert _calendar_methods(cancelled("ben@school.example")) == []  # an offer was never in their calendar
    assert _calendar_methods(cancelled("cat@school.example")) == []
