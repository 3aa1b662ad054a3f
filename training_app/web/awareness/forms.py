"""Forms for awareness sign-offs and presentations: field-level checks only; the rules live in
services/awareness/awareness."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import Field, Form, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from ...models import OrganisationKind
from ...models.awareness import SignOffStatus
from ...services.awareness.awareness import completed_month
from ...services.awareness.presentations import MAX_HEADCOUNT, sector_label
from ...services.common.calendar import DateProblemKind
from ..dates import DateBoxesField

STATUS_LABELS = {
    SignOffStatus.PLANNED: "Planned",
    SignOffStatus.DELIVERED: "Delivered",
    SignOffStatus.SIGNED_OFF: "Signed off",
}
SECTOR_CHOICES = [SelectChoice(kind.value, sector_label(kind)) for kind in OrganisationKind]


def _stripped(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def one_of_the_choices(message: str):
    """A validator that a select holds one of its own choices (an unknown value is named, not a crash)."""

    def check(form: Form, field: Field) -> None:
        values = field.data if isinstance(field.data, list) else [field.data]
        allowed = {str(choice.value) for choice in field.choices}
        if any(str(value) not in allowed for value in values if value):
            raise ValidationError(message)

    return check


COMPLETED_MESSAGES = {
    DateProblemKind.FORMAT: "Date completed must be a real date or month",
    DateProblemKind.NOT_REAL: "Date completed must be a real date or month",
    DateProblemKind.YEAR_DIGITS: "Year must include 4 numbers",
    DateProblemKind.OUT_OF_RANGE: "Date completed must be between 1900 and 2100",
}


class SignOffForm(FlaskForm):
    """One service's awareness sign-off."""

    service = StringField(
        "Service or sector",
        description="For example, Adult Services Coalville, or All GP practices in Leicestershire and Rutland.",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[
            DataRequired(message="Enter the service"),
            Length(max=200, message="Service must be 200 characters or fewer"),
        ],
    )
    sector = SelectField(
        "Sector",
        widget=GovSelect(),
        choices=[SelectChoice("", "Choose a sector"), *SECTOR_CHOICES],
        validate_choice=False,
        validators=[DataRequired(message="Select the sector"), one_of_the_choices("Select a sector from the list")],
    )
    authorities = SelectMultipleField(
        "Authorities covered",
        widget=GovCheckboxesInput(),
        choices=[],
        validate_choice=False,
        validators=[one_of_the_choices("Select authorities from the list")],
    )
    contact_name = StringField(
        "Named contact",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[
            DataRequired(message="Enter the named contact"),
            Length(max=200, message="Named contact must be 200 characters or fewer"),
        ],
    )
    contact_role = StringField(
        "Contact's role (optional)",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[Length(max=200, message="Role must be 200 characters or fewer")],
    )
    package = StringField(
        "Awareness package",
        widget=GovTextInput(),
        filters=[_stripped],
        default="Leicestershire Awareness Package",
        validators=[
            DataRequired(message="Enter the package"),
            Length(max=200, message="Package must be 200 characters or fewer"),
        ],
    )
    version = StringField(
        "Package version (optional)",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[Length(max=40, message="Version must be 40 characters or fewer")],
    )
    completed = DateBoxesField(
        "Date completed",
        description="Leave the day empty if only the month is known. For example, 10 2007.",
        missing="Enter the month the awareness package was completed",
        subject="Date completed",
        messages=COMPLETED_MESSAGES,
        month_date=completed_month,
    )
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=[SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()],
        default=SignOffStatus.SIGNED_OFF.value,
        validate_choice=False,
        validators=[one_of_the_choices("Select a status from the list")],
    )
    signed_off_by = StringField(
        "Signed off by (optional)",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[Length(max=200, message="Signed off by must be 200 characters or fewer")],
    )
    notes = TextAreaField(
        "Evidence notes (optional)",
        widget=GovTextArea(),
        validators=[Length(max=10_000, message="Evidence notes must be 10,000 characters or fewer")],
    )
    evidence = FileField(
        "Evidence file (optional)",
        description="A PDF, Word or Excel file, or a PNG or JPEG picture, smaller than 5MB.",
        widget=GovFileInput(),
    )
    submit = SubmitField("Save sign-off", widget=GovSubmitInput())


class AwarenessOnlyForm(FlaskForm):
    """Mark an organisation awareness-only, or not."""

    organisation = StringField(
        "Organisation code",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[
            DataRequired(message="Enter the organisation's code"),
            Length(max=40, message="Code must be 40 characters or fewer"),
        ],
    )
    awareness_only = RadioField(
        "Awareness only?",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("yes", "Yes: its staff need awareness only and leave every “still to train” count"),
            SelectChoice("no", "No"),
        ],
        default="yes",
        validate_choice=False,
        validators=[one_of_the_choices("Select yes or no")],
    )
    submit_awareness_only = SubmitField("Save", widget=GovSubmitInput())


class PresentationForm(FlaskForm):
    """One awareness presentation: people counted, not names."""

    presented_on = StringField(
        "Date (YYYY-MM-DD)",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[DataRequired(message="Enter the date")],
    )
    audience = StringField(
        "Audience",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[
            DataRequired(message="Enter who the audience was"),
            Length(max=200, message="Audience must be 200 characters or fewer"),
        ],
    )
    sector = SelectField(
        "Sector (optional)",
        widget=GovSelect(),
        choices=[SelectChoice("", "No sector"), *SECTOR_CHOICES],
        validate_choice=False,
        validators=[one_of_the_choices("Select a sector from the list")],
    )
    area = StringField("Area or authority code (optional)", widget=GovTextInput(), filters=[_stripped])
    presenter = StringField(
        "Presenter (optional)",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[Length(max=200, message="Presenter must be 200 characters or fewer")],
    )
    headcount = StringField(
        "Headcount",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[DataRequired(message="Enter the headcount")],
    )
    submit = SubmitField("Save presentation", widget=GovSubmitInput())

    def validate_headcount(self, field: Field) -> None:
        """A whole number from 0."""
        text = field.data or ""
        if not (text.isascii() and text.isdigit()) or len(text) > 6 or int(text) > MAX_HEADCOUNT:
            raise ValidationError(f"Headcount must be a whole number from 0 to {MAX_HEADCOUNT:,}")
