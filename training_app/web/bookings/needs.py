"""A booking's access and dietary needs (SPEC 3.4 booking questions): changed by the practitioner (or a coordinator)
on the booking's own page before the session starts. Reading the answers from a form is here too, for every page that
books; who may see them and every rule about them are services.booking.booking_needs'."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ...models import NEEDS_MAX_LENGTH, Booking, Role, utcnow
from ...permissions import allow
from ...services.booking.booking_checks import BookingRefused, Refusal
from ...services.booking.booking_needs import (
    Needs,
    NeedsInvalid,
    change_needs,
    change_problem,
    may_change_needs,
    needs_of,
    read_needs,
)
from ..loading import load
from .forms import ChangeNeedsForm, NeedsFields

bp = Blueprint("booking_needs", __name__, url_prefix="/bookings")


def needs_from_form(form: NeedsFields) -> Needs | None:
    """The answers a form's two questions give, or None with each problem added to its field."""
    try:
        return read_needs(form.access_needs.data, form.dietary_needs.data)
    except NeedsInvalid as invalid:
        fields = {"access": form.access_needs, "dietary": form.dietary_needs}
        for name, text in invalid.problems.items():
            fields[name].errors = [*fields[name].errors, text]
        return None


def needs_by_person(
    submitted: Mapping[str, str], people: Iterable[tuple[int, str]]
) -> tuple[dict[int, Needs], list[dict[str, str]]]:
    """Each chosen person's answers from a group booking form (fields `access-<id>` and `dietary-<id>`), and an
    error summary entry (naming the person) for each answer that cannot be kept."""
    needs: dict[int, Needs] = {}
    errors: list[dict[str, str]] = []
    for person_id, name in people:
        try:
            needs[person_id] = read_needs(submitted.get(f"access-{person_id}"), submitted.get(f"dietary-{person_id}"))
        except NeedsInvalid as invalid:
            for field, text in invalid.problems.items():
                errors.append({"text": f"{name}: {text}", "href": f"#{field}-{person_id}"})
    return needs, errors


@bp.route("/<number:booking_id>/needs", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.COORDINATOR, Role.PRACTITIONER)
def change_page(booking_id: int):
    """See and change a booking's access and dietary needs before its session starts: the practitioner's own
    booking, or any as a coordinator."""
    booking: Booking = load(Booking, booking_id, may_change_needs)
    form = ChangeNeedsForm()
    closed = change_problem(booking, utcnow())
    if not form.is_submitted():
        current = needs_of(booking)
        form.access_needs.data, form.dietary_needs.data = current.access or "", current.dietary or ""
    errors: list[dict[str, str]] = []
    if closed is None and form.validate_on_submit() and (needs := needs_from_form(form)) is not None:
        try:
            changed = change_needs(booking, needs, current_user._get_current_object())
        except BookingRefused as refused:
            if refused.kind == Refusal.FORBIDDEN:
                abort(403)
            errors = [{"text": f"The needs cannot be saved: {refused.message}", "href": "#access_needs"}]
        else:
            own = current_user.practitioner_id == booking.practitioner_id
            whose = "Your" if own else f"{booking.practitioner.full_name}'s"
            flash(f"{whose} needs have been saved." if changed else "Nothing changed.", "success")
            if current_user.role == Role.PRACTITIONER:
                return redirect(url_for("booking_requests.mine_page"))
            return redirect(url_for("sessions.show_page", code=booking.session.code))
    status = 422 if form.errors or errors else 200
    return render_template(
        "bookings/needs.html", booking=booking, form=form, errors=errors, closed=closed, max_length=NEEDS_MAX_LENGTH
    ), status
