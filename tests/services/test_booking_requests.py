"""Practitioners booking themselves (SPEC 3.4, issue 7): `yes` books, `with_approval` asks their booker, who approves
(a place or the waiting list as places stand then) or declines with a reason; `no` refuses. Cancelling their own."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import make_booking, make_course, make_organisation, make_practitioner, make_session, make_user
from tests.outbox import body_of, emails_to
from training_app.extensions import db
from training_app.models import AuditEvent, Booking, BookingStatus, Role, SelfBooking
from training_app.services.booking.booking_checks import BookingRefused, Refusal
from training_app.services.booking.booking_requests import approve_request, book_myself, decline_request, open_requests
from training_app.services.booking.bookings import book_place, cancel_booking
from training_app.services.booking.places import places_of
from training_app.services.common.calendar import london_today
from training_app.services.sessions.scheduling import cancel_session

pytestmark = pytest.mark.usefixtures("app_ctx")


def _weekday(days_ahead: int) -> date:
    day = london_today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _setting(rule: SelfBooking, capacity: int = 2, email: str = "pia@ash.example"):
    school = make_organisation(code=f"ASH-{rule.value}", name="Ash School")
    course = make_course(code=f"C-{rule.value}", self_booking=rule)
    session = make_session(course=course, code=f"S-{rule.value}", capacity=capacity, days=(_weekday(21),))
    person = make_practitioner(organisation=school, first_name="Pia", last_name="Ash", email=email)
    me = make_user(Role.PRACTITIONER, email=f"user-{email}", practitioner_id=person.id)
    booker = make_user(Role.BOOKER, organisation=school, email=f"booker-{email}")
    db.session.commit()
    return session, person, me, booker


def test_where_the_course_says_yes_a_practitioner_books_their_own_place():
    session, person, me, _ = _setting(SelfBooking.YES)
    booking = book_myself(session, me)
    assert (booking.status, booking.practitioner_id, booking.booked_by_id) == (BookingStatus.BOOKED, person.id, me.id)


def test_where_the_course_says_no_a_practitioner_cannot_book_or_ask():
    session, person, me, _ = _setting(SelfBooking.NO)
    with pytest.raises(BookingRefused) as refused:
        book_myself(session, me)
    assert refused.value.kind == Refusal.FORBIDDEN and "booked for you by your organisation's booker" in str(
        refused.value
    )
    with pytest.raises(BookingRefused, match="does not let practitioners book"):
        book_place(session, person, me)  # the same rule, whatever the entry point
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0


def test_with_approval_the_request_holds_no_place_and_the_booker_is_asked(app):
    session, person, me, booker = _setting(SelfBooking.WITH_APPROVAL, email="ask@ash.example")
    booking = book_myself(session, me)
    assert booking.status == BookingStatus.REQUESTED and booking.waitlist_position is None
    assert places_of(session.id).taken == 0
    [message] = [m for m in emails_to(app, "ask@ash.example") if m["Subject"].startswith("Approval needed")]
    assert "booker-ask@ash.example" in message["Cc"] and "has asked for a place" in body_of(message)
    assert db.session.execute(open_requests(booker)).scalars().all() == [booking]
    with pytest.raises(BookingRefused) as again:
        book_myself(session, me)
    assert again.value.kind == Refusal.CONFLICT


def test_the_booker_approves_and_gets_a_place_while_one_is_free(app):
    session, person, me, booker = _setting(SelfBooking.WITH_APPROVAL, email="yes@ash.example")
    request = book_myself(session, me)
    approved = approve_request(request, booker)
    assert (approved.status, approved.waitlist_position) == (BookingStatus.BOOKED, None)
    assert any(m["Subject"].startswith("Booked:") for m in emails_to(app, "yes@ash.example"))
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "booking_approved")).scalar_one()
    assert event.user_id == booker.id and event.new_value == {"status": "booked", "position": None}


def test_approving_when_the_session_filled_meanwhile_puts_them_on_the_waiting_list():
    session, person, me, booker = _setting(SelfBooking.WITH_APPROVAL, capacity=1, email="late@ash.example")
    request = book_myself(session, me)
    make_booking(session, make_practitioner())
    make_booking(session, make_practitioner(), BookingStatus.WAITLISTED, position=1)
    db.session.commit()
    approved = approve_request(request, booker)
    assert (approved.status, approved.waitlist_position) == (BookingStatus.WAITLISTED, 2)
    assert places_of(session.id).taken == 1


def test_the_booker_declines_with_a_reason_and_the_practitioner_is_told(app):
    session, person, me, booker = _setting(SelfBooking.WITH_APPROVAL, email="no@ash.example")
    request = book_myself(session, me)
    with pytest.raises(BookingRefused, match="Enter why"):
        decline_request(request, booker, "  ")
    declined = decline_request(request, booker, "Cover cannot be found that week")
    assert (declined.status, declined.cancel_reason) == (BookingStatus.DECLINED, "Cover cannot be found that week")
    [message] = [m for m in emails_to(app, "no@ash.example") if m["Subject"].startswith("Request declined")]
    assert "Cover cannot be found that week" in body_of(message)
    with pytest.raises(BookingRefused) as twice:
        approve_request(declined, booker)
    assert twice.value.kind == Refusal.CONFLICT
    assert book_myself(session, me).status == BookingStatus.REQUESTED  # they may ask again


def test_another_organisations_booker_cannot_decide_and_a_coordinator_can():
    session, person, me, _ = _setting(SelfBooking.WITH_APPROVAL, email="scope@ash.example")
    stranger = make_user(Role.BOOKER, organisation=make_organisation())
    coordinator = make_user(Role.COORDINATOR)
    request = book_myself(session, me)
    for decide in (lambda: approve_request(request, stranger), lambda: decline_request(request, stranger, "No")):
        with pytest.raises(BookingRefused) as refused:
            decide()
        assert refused.value.kind == Refusal.FORBIDDEN
    assert db.session.execute(open_requests(stranger)).scalars().all() == []
    assert approve_request(request, coordinator).status == BookingStatus.BOOKED


def test_a_practitioner_cancels_their_own_booking_within_the_window_and_withdraws_a_request():
    session, person, me, booker = _setting(SelfBooking.YES, email="own@ash.example")
    booking = book_myself(session, me)
    assert cancel_booking(booking, me).booking.status == BookingStatus.CANCELLED
    soon = make_session(course=session.course, code="SOON", days=(london_today() + timedelta(days=1),))
    late = make_booking(soon, person)
    db.session.commit()
    with pytest.raises(BookingRefused, match="too late to cancel yourself"):
        cancel_booking(late, me)
    other = make_booking(session, make_practitioner())
    db.session.commit()
    with pytest.raises(BookingRefused) as refused:
        cancel_booking(other, me)
    assert refused.value.kind == Refusal.FORBIDDEN

    asking, _, asker, _ = _setting(SelfBooking.WITH_APPROVAL, email="withdraw@ash.example")
    request = book_myself(asking, asker)
    done = cancel_booking(request, asker)
    assert (done.booking.status, done.charge_pence, done.promoted) == (BookingStatus.CANCELLED, None, None)


def test_cancelling_the_session_cancels_its_requests_too():
    session, person, me, booker = _setting(SelfBooking.WITH_APPROVAL, email="gone@ash.example")
    request = book_myself(session, me)
    cancel_session(session.code, "Trainer unwell", make_user(Role.COORDINATOR))
    db.session.refresh(request)
    assert request.status == BookingStatus.CANCELLED
    assert db.session.execute(open_requests(booker)).scalars().all() == []
