"""Waiting-list offers (SPEC 3.4): the page the offer email links to, where the person offered a freed place (or
their booker) accepts or declines it. The rules are services.booking.offers (accept_offer, decline_offer)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from ...models import Booking, Role, User
from ...permissions import allow
from ...services.booking.booking_checks import BookingRefused, Refusal
from ...services.booking.offers import accept_offer, decline_offer, may_answer
from ..loading import load

bp = Blueprint("booking_offers", __name__, url_prefix="/bookings")

ANSWERING = (Role.ADMIN, Role.COORDINATOR, Role.BOOKER, Role.PRACTITIONER)


@bp.get("/<number:booking_id>/offer")
@bp.get("/<number:booking_id>/offer/<any(accept, decline):answer>")
@allow(ANSWERING)
def offer_page(booking_id: int, answer: str = ""):
    """The offer: who it is for, the session, until when; Accept and Decline buttons (the email's links open it)."""
    booking = load(Booking, booking_id, may_answer)
    return render_template("bookings/offer.html", booking=booking, form=FlaskForm(), answer=answer, errors=[])


@bp.post("/<number:booking_id>/offer/accept")
@allow(ANSWERING)
def accept(booking_id: int):
    """Accept the offer: the place is booked."""
    return _answer(booking_id, "accept")


@bp.post("/<number:booking_id>/offer/decline")
@allow(ANSWERING)
def decline(booking_id: int):
    """Decline the offer: it passes to the next person waiting."""
    return _answer(booking_id, "decline")


def _answer(booking_id: int, answer: str):
    booking = load(Booking, booking_id, may_answer)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    user: User = current_user._get_current_object()
    try:
        if answer == "accept":
            accept_offer(booking, user)
        else:
            done = decline_offer(booking, user)
    except BookingRefused as refused:
        if refused.kind == Refusal.FORBIDDEN:
            abort(403)
        verb = "accepted" if answer == "accept" else "declined"
        errors = [{"text": f"This offer cannot be {verb}: {refused.message}.", "href": "#offer"}]
        page = render_template("bookings/offer.html", booking=booking, form=form, answer=answer, errors=errors)
        return page, 409
    name, code = booking.practitioner.full_name, booking.session.code
    if answer == "accept":
        flash(f"{name} has a place on {code}. A confirmation email is on its way.", "success")
    else:
        message = f"The place on {code} offered to {name} has been declined."
        if done.passed_to is not None:
            message += " It passes to the next person on the waiting list."
        flash(message, "success")
    return redirect(url_for(_bookings_list()))


def _bookings_list() -> str:
    """Where the user's bookings are listed: their own page for a practitioner."""
    return "booking_requests.mine_page" if current_user.role == Role.PRACTITIONER else "bookings.list_page"
