"""A session's waiting list for coordinators (SPEC 3.4): who waits in what order, and moving someone with a
recorded reason. The rule is services.booking.booking_changes.move_on_waiting_list."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ...models import Booking, BookingStatus
from ...permissions import STAFF, allow
from ...services.booking.booking_changes import move_on_waiting_list
from ...services.booking.booking_checks import BookingRefused
from ...services.booking.waiting_list import waiting_list_rows
from ...services.common.lookups import session_with_code
from ..loading import in_reach, load
from .forms import MoveOnWaitingListForm

bp = Blueprint("waiting_list", __name__, url_prefix="/bookings")


@bp.get("/waiting-list/<code>")
@allow(STAFF)
def waiting_list_page(code: str):
    """The session's waiting list in order, each person with a link to move them."""
    session = in_reach(session_with_code(code))
    rows = waiting_list_rows(session.id)
    return render_template("bookings/waiting_list.html", session=session, rows=rows)


@bp.route("/<number:booking_id>/move", methods=["GET", "POST"])
@allow(STAFF)
def move_page(booking_id: int):
    """Move someone to another position of their session's waiting list, saying why."""
    booking = load(Booking, booking_id)
    if booking.status != BookingStatus.WAITLISTED:
        abort(404)
    form = MoveOnWaitingListForm()
    if form.validate_on_submit():
        text = (form.position.data or "").strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 6:
            form.position.errors.append("Enter the new position as a whole number")
        else:
            try:
                old = move_on_waiting_list(booking, int(text), current_user._get_current_object(), form.reason.data)
            except BookingRefused as refused:
                field = form.reason if refused.field == "reason" else form.position
                field.errors.append(refused.message)
            else:
                name, code = booking.practitioner.full_name, booking.session.code
                flash(f"{name} has moved from number {old} to number {booking.waitlist_position}.", "success")
                return redirect(url_for("waiting_list.waiting_list_page", code=code))
    status = 422 if form.errors else 200
    return render_template("bookings/move.html", booking=booking, form=form), status
