"""Forms for scheduling sessions: the session with its days, the cancellation, and the list's filters."""

from __future__ import annotations

import re
from datetime import time

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)

from ...services.sessions.session_plans import MAX_DAYS
from ..dates import DateBoxesField

TIME = re.compile(r"([01]?[0-9]|2[0-3])[:.]([0-5][0-9])")


def parse_time(text: str | None) -> time | None:
    """A wall-clock time written HH:MM (or H.MM), or None."""
    match = TIME.fullmatch((text or "").strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


class DayForm(Form):
    """One day of a session: its date and London start and end times."""

    date = DateBoxesField("Date", missing=None, partial="The date must include a day, month and year", checked=False)
    start = StringField("Starts at", widget=GovTextInput(), description="For example, 09:30")
    end = StringField("Ends at", widget=GovTextInput(), description="For example, 16:00")


class SessionForm(FlaskForm):
    """Everything a coordinator sets on a session; choices are filled in by the view."""

    code = StringField(
        "Session code",
        widget=GovTextInput(),
        description="Leave empty to number it from the course and year, for example CAF-2026-014",
    )
    course_id = SelectField("Course", widget=GovSelect(), validate_choice=False)
    days = FieldList(FormField(DayForm), min_entries=1, max_entries=MAX_DAYS)
    venue_id = SelectField("Venue", widget=GovSelect(), validate_choice=False)
    trainer_ids = SelectMultipleField("Trainers", widget=GovCheckboxesInput(), validate_choice=False)
    capacity = StringField("Capacity", widget=GovTextInput(), description="How many people can book a place")
    host_authority_id = SelectField("Host authority", widget=GovSelect(), validate_choice=False)
    host_area_id = SelectField("Host area", widget=GovSelect(), validate_choice=False)
    booking_closes_days = StringField(
        "Booking closes (working days before the first day)",
        widget=GovTextInput(),
        description="Leave empty to use the course's booking window (2 working days unless the course says).",
        default="",
    )
    minimum_places = StringField(
        "Minimum places (optional)",
        widget=GovTextInput(),
        description="Coordinators are told if fewer places are taken. Leave empty to use the course's minimum.",
        default="",
    )
    notes = TextAreaField("Notes", widget=GovTextArea())
    add_day = SubmitField("Add another day", widget=GovSubmitInput())
    submit = SubmitField("Save session", widget=GovSubmitInput())


class CancelForm(FlaskForm):
    """Why a session is cancelled: the reason is sent to everyone booked or waiting."""

    reason = TextAreaField(
        "Reason for cancelling", widget=GovTextArea(), description="Everyone booked or waiting is told"
    )
    submit = SubmitField("Cancel session", widget=GovSubmitInput())


class DuplicateForm(FlaskForm):
    """The first day of the copy; the other days keep their distance from it."""

    first_day = DateBoxesField(
        "First day of the new session",
        missing=None,
        partial="The date must include a day, month and year",
        checked=False,
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class FilterForm(Form):
    """The list's filters, sent with GET (they change nothing, so no CSRF token); sessions open for booking unless
    asked for the others too (SPEC 3.3)."""

    course = SelectField("Course", widget=GovSelect(), validate_choice=False)
    authority = SelectField("Host authority", widget=GovSelect(), validate_choice=False)
    area = SelectField("Host area", widget=GovSelect(), validate_choice=False)
    date_from = StringField("From", widget=GovTextInput(), description="For example, 2026-10-01")
    date_to = StringField("To", widget=GovTextInput(), description="For example, 2026-12-31")
    has_places = BooleanField("Only sessions with places", widget=GovCheckboxInput())
    include_closed = BooleanField(
        "Include sessions not open for booking",
        widget=GovCheckboxInput(),
        description="Past and cancelled sessions, and those whose booking has closed",
    )


class TrainerForm(FlaskForm):
    """A new trainer: a name and an email (a user's email links the trainer to that account)."""

    name = StringField("Name", widget=GovTextInput())
    email = StringField(
        "Email address", widget=GovTextInput(), description="Use their account's address if they sign in here"
    )
    submit = SubmitField("Add trainer", widget=GovSubmitInput())


class MessageForm(FlaskForm):
    """A coordinator's message to everyone booked on a session."""

    subject = StringField("Subject", widget=GovTextInput())
    body = TextAreaField("Message", widget=GovTextArea())
    include_waiting = BooleanField("Send it to those on the waiting list too", widget=GovCheckboxInput())
    submit = SubmitField("Send message", widget=GovSubmitInput())
