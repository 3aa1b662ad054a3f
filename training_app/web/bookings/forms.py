"""Forms for booking staff onto a session and cancelling a booking."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

MAX_PEOPLE = 50


class BookStaffForm(FlaskForm):
    """Whom to book: ticked from the booker's staff list, or (coordinators) email addresses one per line."""

    staff = SelectMultipleField("Who do you want to book?", coerce=int, widget=GovCheckboxesInput(), choices=[])
    emails = TextAreaField(
        "Email addresses",
        widget=GovTextArea(),
        description="One practitioner's email address on each line.",
        validators=[Optional(), Length(max=MAX_PEOPLE * 256, message="Enter at most 50 email addresses")],
    )
    check = SubmitField("Check places", widget=GovSubmitInput())
    confirm = SubmitField("Confirm bookings", widget=GovSubmitInput())


class CancelBookingForm(FlaskForm):
    """Why the booking is cancelled (optional)."""

    reason = TextAreaField(
        "Reason (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=400, message="Reason must be 400 characters or fewer")],
    )
    submit = SubmitField("Cancel booking", widget=GovSubmitInput())


class TransferForm(FlaskForm):
    """Which other session of the course to move the booking to."""

    session = RadioField(
        "Which session should the booking move to?",
        widget=GovRadioInput(),
        choices=[],
        validators=[InputRequired(message="Select the session to move the booking to")],
    )
    seen_on = HiddenField()  # the session the page showed the booking on: a move made meanwhile is not undone
    submit = SubmitField("Move booking", widget=GovSubmitInput())


class SubstituteForm(FlaskForm):
    """Which colleague takes the place instead."""

    colleague = RadioField(
        "Who should go instead?",
        widget=GovRadioInput(),
        coerce=int,
        choices=[],
        validators=[InputRequired(message="Select the colleague who should go instead")],
    )
    submit = SubmitField("Give them the place", widget=GovSubmitInput())


class DeclineRequestForm(FlaskForm):
    """Why a practitioner's request for a place is declined (they are told)."""

    reason = TextAreaField(
        "Why are you declining the request?",
        widget=GovTextArea(),
        description="The practitioner is told this reason by email.",
        validators=[
            InputRequired(message="Enter why the request is declined"),
            Length(max=400, message="Reason must be 400 characters or fewer"),
        ],
    )
    submit = SubmitField("Decline request", widget=GovSubmitInput())


ACCESS_HINT = (
    "For example, step-free access, a hearing loop or large print. Only the trainers and coordinators see this."
)
DIETARY_HINT = "For example, vegetarian, halal or a food allergy. Only the trainers and coordinators see this."


class NeedsFields(FlaskForm):
    """The two booking questions (SPEC 3.4), both optional; their length is checked by booking_needs.read_needs."""

    access_needs = TextAreaField("Access needs (optional)", widget=GovTextArea(), description=ACCESS_HINT)
    dietary_needs = TextAreaField("Dietary needs (optional)", widget=GovTextArea(), description=DIETARY_HINT)


class BookMyselfForm(NeedsFields):
    """Confirm booking (or asking for) a place on one session, with any access or dietary needs."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class ChangeNeedsForm(NeedsFields):
    """A booking's access and dietary needs, changed before the session."""

    submit = SubmitField("Save needs", widget=GovSubmitInput())


class MoveOnWaitingListForm(FlaskForm):
    """Where in the waiting list someone moves to, and why (recorded)."""

    position = StringField(
        "New position",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the new position as a whole number")],
    )
    reason = TextAreaField(
        "Why are they moving?",
        widget=GovTextArea(),
        description="Recorded in the audit log.",
        validators=[
            InputRequired(message="Enter why they move"),
            Length(max=400, message="Reason must be 400 characters or fewer"),
        ],
    )
    submit = SubmitField("Move", widget=GovSubmitInput())


class WaiveChargeForm(FlaskForm):
    """Why a coordinator waives a charge (recorded)."""

    reason = TextAreaField(
        "Why is the charge waived?",
        widget=GovTextArea(),
        description="Recorded with the charge and in the audit log.",
        validators=[
            InputRequired(message="Enter why the charge is waived"),
            Length(max=400, message="Reason must be 400 characters or fewer"),
        ],
    )
    submit = SubmitField("Waive charge", widget=GovSubmitInput())
