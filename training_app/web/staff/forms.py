"""The form for one member of a booker's staff; its values are checked again by the practitioners import's reader."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from ...models import CoverCategory
from ..dates import DateBoxesField

COVER_LABELS = {
    CoverCategory.TEACHER: "Teacher",
    CoverCategory.TEACHING_ASSISTANT: "Teaching assistant",
    CoverCategory.NONE: "Neither (no supply cover)",
}


def _strip(value: str | None) -> str:
    return value.strip() if value else ""


class StaffMemberForm(FlaskForm):
    """Name, email, job title, responsibility group, the authorities they work for and their cover category; the
    field names are the practitioners CSV columns, so the reader's messages land on the right field."""

    first_name = StringField(
        "First name",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[InputRequired(message="Enter their first name"), Length(max=100)],
    )
    last_name = StringField(
        "Last name",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[InputRequired(message="Enter their last name"), Length(max=100)],
    )
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[InputRequired(message="Enter their email address"), Length(max=254)],
    )
    job_title = StringField(
        "Job title (optional)", widget=GovTextInput(), filters=[_strip], validators=[Length(max=200)]
    )
    group = SelectField("Responsibility group", widget=GovSelect(), choices=[])
    authorities = SelectMultipleField(
        "Which authorities do they work for?",
        widget=GovCheckboxesInput(),
        choices=[],
        validators=[InputRequired(message="Select at least one authority")],
    )
    cover_category = RadioField(
        "Supply cover category",
        widget=GovRadioInput(),
        choices=[SelectChoice(category.value, label) for category, label in COVER_LABELS.items()],
        default=CoverCategory.NONE.value,
        validators=[InputRequired(message="Select their supply cover category")],
    )
    started_on = DateBoxesField("Date they started (optional)", missing=None, subject="The date they started")
    left_on = DateBoxesField("Date they left (optional)", missing=None, subject="The date they left")
    submit = SubmitField("Save", widget=GovSubmitInput())


class LeavingForm(FlaskForm):
    """The day someone left (the first day they are no longer in post); `confirm` is set on the check page."""

    left_on = DateBoxesField("Date they left", missing="Enter the date they left", subject="The date they left")
    confirm = HiddenField()
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ReturnForm(FlaskForm):
    """The day a leaver came back: their new start date."""

    started_on = DateBoxesField(
        "Date they came back", missing="Enter the date they came back", subject="The date they came back"
    )
    submit = SubmitField("Save", widget=GovSubmitInput())
