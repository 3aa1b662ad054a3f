"""Practitioners' own bookings (SPEC 3.4): booking themselves or asking their booker where the course allows, their
list of bookings and requests; and bookers' requests to approve or decline. Rules: services.booking.booking_requests."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from ...extensions import db
from ...models import Booking, BookingStatus, Role, SelfBooking, TrainingSession, User, utcnow
from ...permissions import allow
from ...services.booking.booking_checks import BookingRefused, Refusal, session_problem
from ...services.booking.booking_requests import (
    approve_request,
    book_myself,
    can_decide,
    decline_request,
    open_requests,
)
from ...services.booking.offers import open_offers
from ...services.common.calendar import london_today
from ...services.common.lookups import session_with_code
from ...services.reporting.dashboards import booking_rows
from ..loading import load
from .forms import BookMyselfForm, DeclineRequestForm
from .needs import needs_from_form

bp = Blueprint("booking_requests", __name__, url_prefix="/bookings")

DECIDERS = (Role.ADMIN, Role.COORDINATOR, Role.BOOKER)
MINE = (BookingStatus.BOOKED, BookingStatus.WAITLISTED, BookingStatus.OFFERED, BookingStatus.REQUESTED)
LISTED = 200


@bp.get("/mine")
@allow(Role.PRACTITIONER)
def mine_page():
    """A practitioner's coming bookings, places on waiting lists and requests waiting for their booker."""
    user: User = current_user
    if user.practitioner_id is None:
        return render_template("bookings/mine.html", rows=[], offers=[])
    query = booking_rows().where(
        Booking.practitioner_id == user.practitioner_id,
        Booking.status.in_(MINE),
        TrainingSession.ends_on >= london_today(),
    )
    rows = db.session.execute(query.order_by(TrainingSession.starts_on, TrainingSession.code)).all()
    return render_template("bookings/mine.html", rows=rows, offers=open_offers(user))


@bp.route("/self/<code>", methods=["GET", "POST"])
@allow(Role.PRACTITIONER)
def book_myself_page(code: str):
    """Book a place on a session yourself, or ask your booker for one, where the course allows it."""
    session = session_with_code(code)
    if session is None:
        abort(404)
    if session.course.self_booking == SelfBooking.NO:
        abort(403)
    form = BookMyselfForm()
    errors = []
    problem = session_problem(session, utcnow())
    if problem is None and form.validate_on_submit() and (needs := needs_from_form(form)) is not None:
        try:
            booking = book_myself(session, current_user._get_current_object(), needs=needs)
        except BookingRefused as refused:
            if refused.kind == Refusal.FORBIDDEN:
                abort(403)
            errors = [{"text": f"You cannot book this session: {refused.message}", "href": "#submit"}]
        else:
            flash(_booked_message(booking), "success")
            return redirect(url_for("booking_requests.mine_page"))
    status = 422 if errors or form.errors else 200
    return render_template(
        "bookings/self.html", session=session, form=form, errors=errors, closed=problem and problem.message
    ), status


@bp.get("/requests")
@allow(DECIDERS)
def requests_page():
    """Practitioners' requests for places waiting for a decision: a booker's own staff's, or everyone's."""
    requests = db.session.scalars(open_requests(current_user).limit(LISTED)).all()
    return render_template("bookings/requests.html", requests=requests, form=FlaskForm(), limit=LISTED)


@bp.post("/<number:booking_id>/approve")
@allow(DECIDERS)
def approve(booking_id: int):
    """Approve a request: a place if one is free now, else the waiting list."""
    booking = load(Booking, booking_id, can_decide)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        approve_request(booking, current_user._get_current_object())
    except BookingRefused as refused:
        flash(f"{booking.practitioner.full_name}'s request cannot be approved: {refused.message}.", "error")
    else:
        where = (
            "has a place"
            if booking.status == BookingStatus.BOOKED
            else f"is number {booking.waitlist_position} on the waiting list"
        )
        flash(f"Approved: {booking.practitioner.full_name} {where} on {booking.session.code}.", "success")
    return redirect(url_for("booking_requests.requests_page"))


@bp.route("/<number:booking_id>/decline", methods=["GET", "POST"])
@allow(DECIDERS)
def decline_page(booking_id: int):
    """Decline a request, saying why."""
    booking = load(Booking, booking_id, can_decide)
    form = DeclineRequestForm()
    if form.validate_on_submit():
        try:
            decline_request(booking, current_user._get_current_object(), form.reason.data or "")
        except BookingRefused as refused:
            form.reason.errors.append(refused.message)
        else:
            flash(f"{booking.practitioner.full_name}'s request has been declined; they have been told why.", "success")
            return redirect(url_for("booking_requests.requests_page"))
    status = 422 if form.errors else 200
    return render_template("bookings/decline.html", booking=booking, form=form), status


def _booked_message(booking: Booking) -> str:
    code = booking.session.code
    if booking.status == BookingStatus.REQUESTED:
        return (
            f"Your request for a place on {code} has been sent to your booker. It holds no place until they approve it."
        )
    if booking.status == BookingStatus.WAITLISTED:
        return f"{code} is full: you are number {booking.waitlist_position} on its waiting list."
    return f"You have a place on {code}. A confirmation email is on its way."
