"""Venues: the list, and forms to add and change a venue (sessions pick them; imports add them by name)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...models import Venue
from ...permissions import STAFF, allow
from ...services.catalogue import venues
from ..loading import load
from .forms import VenueForm

bp = Blueprint("venues", __name__, url_prefix="/venues")


@bp.get("")
@allow(STAFF)
def venue_list():
    """Every venue by name, with its room capacity and accessibility notes."""
    return render_template("courses/venues.html", venues=venues.all_venues())


@bp.route("/new", methods=["GET", "POST"])
@allow(STAFF)
def new_venue():
    """Add a venue."""
    form = VenueForm()
    if form.validate_on_submit() and _saved(form, None):
        flash(f"Venue {form.name.data} has been added.", "success")
        return redirect(url_for("venues.venue_list"))
    return render_template("courses/venue-form.html", form=form, venue=None)


@bp.route("/<number:venue_id>/edit", methods=["GET", "POST"])
@allow(STAFF)
def edit_venue(venue_id: int):
    """Change a venue."""
    venue = load(Venue, venue_id)
    form = VenueForm(data=_venue_data(venue)) if request.method == "GET" else VenueForm()
    if form.validate_on_submit() and _saved(form, venue):
        flash(f"Venue {venue.name} has been saved.", "success")
        return redirect(url_for("venues.venue_list"))
    return render_template("courses/venue-form.html", form=form, venue=venue)


def _saved(form: VenueForm, venue: Venue | None) -> bool:
    """Create or change the venue; on refusal put each problem on its box and say False."""
    settings = venues.VenueSettings(
        name=form.name.data,
        capacity=int(form.capacity.data),
        address=form.address.data or "",
        postcode=form.postcode.data or "",
        accessibility_notes=form.accessibility_notes.data or "",
    )
    try:
        if venue is None:
            venues.create_venue(settings, current_user)
        else:
            venues.edit_venue(venue, settings, current_user)
    except venues.VenueError as refused:
        for name, message in refused.fields.items():
            form[name].errors.append(message)
        return False
    return True


def _venue_data(venue: Venue) -> dict[str, object]:
    return {
        "name": venue.name,
        "address": venue.address or "",
        "postcode": venue.postcode or "",
        "capacity": str(venue.capacity),
        "accessibility_notes": venue.accessibility_notes,
    }
