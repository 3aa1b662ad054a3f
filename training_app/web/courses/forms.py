"""Forms for courses, venues and the pathway editor: field-level checks only; the rules live in the services."""

from __future__ import annotations

import re
from decimal import Decimal

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import Field, HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from ...models import CourseKind, Requirement, SelfBooking, WaitlistOrder

WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
POUNDS = re.compile(r"£?([0-9]{1,8})(?:\.([0-9]{2}))?")
KIND_LABELS = {
    CourseKind.AWARENESS: "Awareness",
    CourseKind.AWARENESS_PLUS: "Awareness plus",
    CourseKind.CAF_PRACTITIONER: "CAF practitioner",
    CourseKind.LEAD_PROFESSIONAL: "Lead professional",
    CourseKind.INFORMATION_SHARING: "Information sharing",
    CourseKind.MANAGERS_BRIEFING: "Managers' briefing",
    CourseKind.REFRESHER: "Refresher",
    CourseKind.OTHER: "Other",
}
WAITLIST_ORDER_LABELS = {
    WaitlistOrder.FIRST_COME: "First come, first served",
    WaitlistOrder.PATHWAY_NEED: "By pathway need: people whose pathway requires the course go first",
}
SELF_BOOKING_LABELS = {
    SelfBooking.NO: "No: a booker or coordinator books",
    SelfBooking.YES: "Yes: practitioners book themselves",
    SelfBooking.WITH_APPROVAL: "Yes, with their organisation's booker's approval",
}
REQUIREMENT_LABELS = {
    Requirement.REQUIRED: "Required",
    Requirement.RECOMMENDED: "Recommended",
    Requirement.OPTIONAL: "Optional",
}


def _stripped(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def whole_number(label: str, required: bool = False):
    """A validator for a box that takes a whole number (empty allowed unless required)."""

    def check(form: FlaskForm, field: Field) -> None:
        if not field.data:
            if required:
                raise ValidationError(f"Enter {label}")
            return
        if not WHOLE_NUMBER.fullmatch(field.data):
            raise ValidationError(f"{label[0].upper()}{label[1:]} must be a whole number, like 36")

    return check


def number_or_none(text: str | None) -> int | None:
    """A checked whole-number box as an int, or None when empty."""
    return int(text) if text else None


def pounds(label: str):
    """A validator for an amount of money in pounds, like 25 or 25.00."""

    def check(form: FlaskForm, field: Field) -> None:
        if not field.data:
            raise ValidationError(f"Enter the {label}")
        if not POUNDS.fullmatch(field.data.replace(",", "")):
            raise ValidationError(f"The {label} must be an amount in pounds, like 25.00")

    return check


def to_pence(text: str) -> int:
    """A checked amount in pounds as integer pence."""
    return int(Decimal(text.replace(",", "").lstrip("£")) * 100)


def to_pounds(pence: int) -> str:
    """Pence as pounds for a form box, like 25.00."""
    return f"{pence // 100}.{pence % 100:02d}"


def code_list(text: str | None) -> list[str]:
    """Course codes typed separated by commas or spaces, in order, without repeats."""
    return list(dict.fromkeys(code for code in re.split(r"[\s,;]+", text or "") if code))


class CourseForm(FlaskForm):
    """A course's settings."""

    code = StringField(
        "Code",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[
            DataRequired(message="Enter a code"),
            Length(max=40, message="Code must be 40 characters or fewer"),
        ],
    )
    title = StringField(
        "Title",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[
            DataRequired(message="Enter a title"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
    )
    kind = SelectField(
        "Kind", widget=GovSelect(), choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()]
    )
    typical_duration_minutes = StringField(
        "Typical duration in minutes (optional)",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[whole_number("the typical duration")],
    )
    validity_months = StringField(
        "Validity in months (optional)",
        description="Leave empty if the training never expires.",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[whole_number("validity")],
    )
    reminder_lead_days = StringField(
        "Reminder lead time in days",
        description="How long before the training expires it is due for renewal.",
        widget=GovTextInput(),
        filters=[_stripped],
        default="90",
        validators=[whole_number("the reminder lead time", required=True)],
    )
    booking_closes_days = StringField(
        "Booking closes (working days before the first day)",
        description="New sessions of this course stop taking bookings this many working days before they start.",
        widget=GovTextInput(),
        filters=[_stripped],
        default="2",
        validators=[whole_number("the booking window", required=True)],
    )
    cancellation_window_days = StringField(
        "Late cancellation (working days before the first day)",
        description="A place cancelled later than this many working days before the first day is cancelled "
        "late and carries the charges below; weekends and bank holidays do not count.",
        widget=GovTextInput(),
        filters=[_stripped],
        default="2",
        validators=[whole_number("the cancellation window", required=True)],
    )
    counts_as_trained = RadioField(
        "Does this course make someone “trained to CAF assess”?",
        widget=GovRadioInput(),
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        default="no",
    )
    minimum_places = StringField(
        "Minimum places (optional)",
        description="Coordinators are told of a session with fewer places taken, so they can run it or cancel it.",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[whole_number("minimum places")],
    )
    minimum_notice_days = StringField(
        "Tell coordinators (working days before the first day)",
        widget=GovTextInput(),
        filters=[_stripped],
        default="10",
        validators=[whole_number("the working days before", required=True)],
    )
    offer_hours = StringField(
        "Hold a freed place as an offer for (hours, optional)",
        description="A place that comes free is offered to the first person waiting for this many hours; they accept "
        "or decline it, or it passes to the next. Leave empty to give freed places at once.",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[whole_number("the offer hours")],
    )
    certificate_after_evaluation = RadioField(
        "Is the certificate released only once the course has been evaluated?",
        description="Everyone who completes the course is asked to evaluate it. The training record counts from "
        "completion either way.",
        widget=GovRadioInput(),
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        default="no",
    )
    prerequisites = StringField(
        "Prerequisites (optional)",
        description="Codes of the courses to complete first, separated by commas, like AWARE, CAF.",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[Length(max=1000, message="Prerequisites must be 1000 characters or fewer")],
    )
    renews = StringField(
        "Renews (optional)",
        description="For a refresher: the code of the course it renews, like CAF. Completing this course then counts "
        "as completing that one for its status, expiry and reminders (with this course's validity).",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[Length(max=40, message="Renews must be a course code of 40 characters or fewer")],
    )
    charge_half_day = StringField(
        "Charge for a late cancellation or no-show, per half day, in pounds",
        widget=GovTextInput(),
        filters=[_stripped],
        default="25.00",
        validators=[pounds("charge per half day")],
    )
    charge_day = StringField(
        "Charge for a late cancellation or no-show, per day, in pounds",
        widget=GovTextInput(),
        filters=[_stripped],
        default="50.00",
        validators=[pounds("charge per day")],
    )
    self_booking = RadioField(
        "May practitioners book themselves?",
        widget=GovRadioInput(),
        choices=[SelectChoice(value.value, label) for value, label in SELF_BOOKING_LABELS.items()],
        default=SelfBooking.NO.value,
    )
    waitlist_order = RadioField(
        "How is a full session's waiting list ordered?",
        widget=GovRadioInput(),
        choices=[SelectChoice(value.value, label) for value, label in WAITLIST_ORDER_LABELS.items()],
        default=WaitlistOrder.FIRST_COME.value,
    )
    description = TextAreaField(
        "Description (optional)",
        widget=GovTextArea(),
        validators=[Length(max=5000, message="Description must be 5000 characters or fewer")],
    )
    joining_instructions = TextAreaField(
        "Joining instructions (optional)",
        description="Shown to everyone booked on a session of this course.",
        widget=GovTextArea(),
        validators=[Length(max=5000, message="Joining instructions must be 5000 characters or fewer")],
    )
    submit = SubmitField("Save course", widget=GovSubmitInput())


class VenueForm(FlaskForm):
    """A venue's settings."""

    name = StringField(
        "Name",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[
            DataRequired(message="Enter a name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    address = TextAreaField(
        "Address (optional)",
        widget=GovTextArea(),
        validators=[Length(max=400, message="Address must be 400 characters or fewer")],
    )
    postcode = StringField(
        "Postcode (optional)",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[Length(max=10, message="Enter a real postcode, like LE1 6ZG")],
    )
    capacity = StringField(
        "Room capacity",
        description="The most people the room holds.",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[whole_number("the room capacity", required=True)],
    )
    accessibility_notes = TextAreaField(
        "Accessibility notes (optional)",
        description="For example step-free access, a hearing loop, accessible toilets, parking.",
        widget=GovTextArea(),
        validators=[Length(max=5000, message="Accessibility notes must be 5000 characters or fewer")],
    )
    submit = SubmitField("Save venue", widget=GovSubmitInput())


class AddStepForm(FlaskForm):
    """A course to add to a group's pathway, and how much it is expected."""

    course = SelectField("Course", widget=GovSelect(), validate_choice=False)
    requirement = RadioField(
        "Requirement",
        widget=GovRadioInput(),
        choices=[SelectChoice(value.value, label) for value, label in REQUIREMENT_LABELS.items()],
        default=Requirement.REQUIRED.value,
    )
    submit = SubmitField("Add to pathway", widget=GovSubmitInput())

    def validate_course(self, field: Field) -> None:
        """Say so when no course was chosen."""
        if not field.data:
            raise ValidationError("Select a course")


class RequirementForm(FlaskForm):
    """A new requirement for one course on a pathway."""

    requirement = SelectField(
        "Requirement", choices=[SelectChoice(value.value, label) for value, label in REQUIREMENT_LABELS.items()]
    )


class RedateForm(FlaskForm):
    """Confirm re-dating a course's records: the number previewed travels with the button, so exactly it changes."""

    expected = HiddenField(
        validators=[DataRequired(), Regexp(WHOLE_NUMBER.pattern, message="Look at the preview again")]
    )
    submit = SubmitField("Re-date the records", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    """A button that changes something (move, remove, retire): only its CSRF token."""


class InterestForm(FlaskForm):
    """ "Tell me when there are dates": for the practitioner themself (the view fills it in) or a booker's chosen
    member of staff (the view offers them)."""

    practitioner = SelectField("Who wants to be told?", widget=GovSelect(), coerce=str, validate_choice=False)
    submit = SubmitField("Tell me when there are dates", widget=GovSubmitInput())


class WithdrawInterestForm(FlaskForm):
    """Withdraw someone's interest in a course."""

    practitioner = HiddenField()
    submit = SubmitField("Withdraw interest", widget=GovSubmitInput())
