"""Bookings (SPEC 3.4): a booker's or coordinator's list, booking several staff onto a session after seeing who
gets a place and who waits, and cancelling. The rules are in
services/booking (bookings, group_booking)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...extensions import db
from ...models import (
    ACTIVE_STATUSES,
    NEEDS_MAX_LENGTH,
    Booking,
    BookingStatus,
    Practitioner,
    Role,
    SessionStatus,
    TrainingSession,
    User,
    utcnow,
)
from ...permissions import allow
from ...services.accounts.scope import (
    may_book_for_booking,
    organisation_scope,
    staff_in_organisation_scope,
)
from ...services.booking.booking_changes import substitute_colleague, transfer_booking
from ...services.booking.booking_checks import BookingRefused, session_problem
from ...services.booking.bookings import cancel_booking
from ...services.booking.group_booking import GroupOutcome, book_group, preview_group_booking
from ...services.booking.places import places_left, places_of
from ...services.booking.staff import colleagues_of, staff_choices
from ...services.common.calendar import london_today
from ...services.common.lookups import practitioners_with_emails, practitioners_with_ids, session_with_code
from ...services.reporting.dashboards import booking_rows
from ...services.sessions.sessions_query import SessionFilters, SessionSummary, list_sessions
from ...validation import email_problem
from ..filters import london_datetime
from ..loading import in_reach, load
from .forms import MAX_PEOPLE, BookStaffForm, CancelBookingForm, SubstituteForm, TransferForm
from .needs import needs_by_person

bp = Blueprint("bookings", __name__, url_prefix="/bookings")

BOOKERS = (Role.ADMIN, Role.COORDINATOR, Role.BOOKER)
LISTED = 200


@bp.get("/")
@allow(BOOKERS)
def list_page():
    """Coming bookings and places on waiting lists: a booker's own organisation's, or everyone's for staff."""
    query = booking_rows().where(Booking.status.in_(ACTIVE_STATUSES), TrainingSession.ends_on >= london_today())
    if (own_staff := staff_in_organisation_scope(current_user)) is not None:
        query = query.where(own_staff)
    rows = db.session.execute(
        query.order_by(TrainingSession.starts_on, TrainingSession.code, Practitioner.last_name).limit(LISTED)
    ).all()
    return render_template("bookings/list.html", rows=rows, limit=LISTED)


@bp.route("/new/<code>", methods=["GET", "POST"])
@allow(BOOKERS)
def new_page(code: str):
    """Book staff onto a session: tick them (or, as staff, give their emails), check places, then confirm, with each
    person's access and dietary needs (asked once the places are checked)."""
    session = in_reach(session_with_code(code))
    user: User = current_user._get_current_object()
    form = BookStaffForm()
    form.staff.choices = _staff_choices(user)
    problem = session_problem(session, utcnow())
    if problem is not None:
        return render_template("bookings/new.html", session=session, form=form, closed=problem.message)
    places = places_of(session.id)
    outcomes: list[GroupOutcome] = []
    needs_errors: list[dict[str, str]] = []
    if form.validate_on_submit():
        people = _chosen(form, user)
        needs, needs_errors = needs_by_person(request.form, [(person.id, person.full_name) for person in people])
        if people and form.confirm.data and not needs_errors:
            _flash_outcomes(book_group(session, people, user, needs=needs))
            return redirect(url_for("bookings.list_page"))
        if people:
            outcomes = preview_group_booking(session, people, user)
    status = 200 if not form.errors and not needs_errors else 422
    left = places_left(session.capacity, places.taken)
    page = render_template(
        "bookings/new.html",
        session=session,
        form=form,
        places=places,
        left=left,
        outcomes=outcomes,
        needs_errors=needs_errors,
        submitted=request.form,
        max_length=NEEDS_MAX_LENGTH,
    )
    return page, status


@bp.route("/<number:booking_id>/cancel", methods=["GET", "POST"])
@allow(BOOKERS, Role.PRACTITIONER)
def cancel_page(booking_id: int):
    """Cancel a booking, a place on the waiting list or a request, after saying what that means (a practitioner
    their own, within the window)."""
    booking = load(Booking, booking_id, may_book_for_booking)
    form = CancelBookingForm()
    errors = []
    if form.validate_on_submit():
        try:
            done = cancel_booking(booking, current_user._get_current_object(), form.reason.data or "")
        except BookingRefused as refused:
            errors = [{"text": f"This booking cannot be cancelled: {refused.message}", "href": "#reason"}]
        else:
            message = f"{done.booking.practitioner.full_name}'s booking on {done.booking.session.code} is cancelled."
            if done.charge_pence:
                message += f" It was late, so it is charged £{done.charge_pence / 100:,.2f}."
            if done.promoted is not None:
                message += f" {_given(done.promoted)}"
            flash(message, "success")
            return redirect(url_for(_bookings_list()))
    status = 422 if form.errors or errors else 200
    return render_template("bookings/cancel.html", booking=booking, form=form, errors=errors), status


def _given(promoted: Booking) -> str:
    """Who the freed place went to: booked at once, or offered (a course holding offers)."""
    name = promoted.practitioner.full_name
    if promoted.status == BookingStatus.OFFERED:
        until = london_datetime(promoted.offer_expires_at)
        return f"The place is offered to {name}, first on the waiting list, until {until}."
    return f"{name} has been given the place from the waiting list."


def _bookings_list() -> str:
    """Where the user's bookings are listed: their own page for a practitioner."""
    return "booking_requests.mine_page" if current_user.role == Role.PRACTITIONER else "bookings.list_page"


def _staff_choices(user: User) -> list[tuple[int, str]]:
    """A booker's staff, by name, as checkbox choices; staff type email addresses instead."""
    own_staff = staff_in_organisation_scope(user)
    if own_staff is None:
        return []
    return staff_choices(own_staff)


def _chosen(form: BookStaffForm, user: User) -> list[Practitioner]:
    """The practitioners the form names, in order; problems are added to the form's fields."""
    if organisation_scope(user) is not None:
        ids = list(dict.fromkeys(form.staff.data or []))
        if not ids:
            form.staff.errors.append("Select at least one member of staff")
            return []
        found = practitioners_with_ids(ids)
        return [found[i] for i in ids if i in found]
    emails = list(dict.fromkeys(line.strip().lower() for line in (form.emails.data or "").splitlines() if line.strip()))
    if not emails:
        form.emails.errors.append("Enter at least one email address")
        return []
    if len(emails) > MAX_PEOPLE:
        form.emails.errors.append(f"Enter at most {MAX_PEOPLE} email addresses")
        return []
    bad = [email for email in emails if email_problem(email) or len(email) > 254]
    if bad:
        form.emails.errors.append(f"Enter email addresses in the correct format: {', '.join(bad[:3])}")
        return []
    by_email = practitioners_with_emails(emails)
    unknown = [email for email in emails if email not in by_email]
    if unknown:
        form.emails.errors.append(f"No practitioner has the email address {', '.join(unknown[:3])}")
        return []
    return [by_email[email] for email in emails]


def _flash_outcomes(outcomes: list[GroupOutcome]) -> None:
    booked = [o.name for o in outcomes if o.outcome == "booked"]
    waiting = [f"{o.name} (number {o.position})" for o in outcomes if o.outcome == "waitlisted"]
    if booked:
        flash(f"Booked: {', '.join(booked)}.", "success")
    if waiting:
        flash(f"On the waiting list: {', '.join(waiting)}.", "success")
    for outcome in outcomes:
        if outcome.refused:
            flash(f"Not booked: {outcome.reason}.", "info")


@bp.route("/<number:booking_id>/transfer", methods=["GET", "POST"])
@allow(BOOKERS)
def transfer_page(booking_id: int):
    """Move a booking to another coming session of its course, keeping its history."""
    booking = load(Booking, booking_id, may_book_for_booking)
    form = TransferForm()
    others = [
        summary
        for summary in list_sessions(SessionFilters(course=booking.session.course.code, open_on=london_today()))
        if summary.code != booking.session.code and summary.status == SessionStatus.SCHEDULED
    ]
    form.session.choices = [(s.code, f"{s.code}, {_first_day(s)}: {_places_text(s)}") for s in others]
    if not form.is_submitted():
        form.seen_on.data = booking.session.code
    errors = []
    if form.validate_on_submit():
        try:
            user = current_user._get_current_object()
            promoted = transfer_booking(booking, form.session.data, user, seen_on=form.seen_on.data or None)
        except BookingRefused as refused:
            errors = [{"text": f"The booking cannot move: {refused.message}", "href": "#session"}]
            form.seen_on.data = booking.session.code  # the page shows where it is now: sent again, it moves from there
        else:
            message = f"{booking.practitioner.full_name}'s booking has moved to {booking.session.code}."
            if promoted is not None:
                message += f" {_given(promoted)}"
            flash(message, "success")
            return redirect(url_for("bookings.list_page"))
    status = 422 if form.errors or errors else 200
    return render_template("bookings/transfer.html", booking=booking, form=form, errors=errors), status


@bp.route("/<number:booking_id>/substitute", methods=["GET", "POST"])
@allow(BOOKERS)
def substitute_page(booking_id: int):
    """Give a booked place to a named colleague of the same organisation instead of cancelling it."""
    booking = load(Booking, booking_id, may_book_for_booking)
    form = SubstituteForm()
    person = booking.practitioner
    colleagues = colleagues_of(person)
    form.colleague.choices = [(c.id, f"{c.first_name} {c.last_name}") for c in colleagues]
    errors = []
    if form.validate_on_submit():
        colleague = load(Practitioner, form.colleague.data)
        try:
            substitute_colleague(booking, colleague, current_user._get_current_object())
        except BookingRefused as refused:
            errors = [{"text": f"{colleague.full_name} cannot take the place: {refused.message}", "href": "#colleague"}]
        else:
            flash(f"{colleague.full_name} has {person.full_name}'s place on {booking.session.code}.", "success")
            return redirect(url_for("bookings.list_page"))
    status = 422 if form.errors or errors else 200
    return render_template("bookings/substitute.html", booking=booking, form=form, errors=errors), status


def _first_day(summary: SessionSummary) -> str:
    return f"{summary.days[0].date:%-d %B %Y}" if summary.days else "days to be set"


def _places_text(summary: SessionSummary) -> str:
    if summary.spaces:
        return f"{summary.spaces} place{'s' if summary.spaces != 1 else ''} left"
    return f"full, {summary.waitlisted} waiting"
