"""Forms for the register: the marks themselves are read from the request (one radio group per person per day),
so the register form carries only its CSRF token; a walk-in and a historical training record are ordinary forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from ..dates import DateBoxesField


class RegisterForm(FlaskForm):
    """The register's marks (read by name from the request) and its save button."""

    save = SubmitField("Save the register", widget=GovSubmitInput())


class WalkInForm(FlaskForm):
    """Someone who came without a booking: their email; names and organisation when they are new."""

    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the walk-in's email address"), Length(max=254)],
    )
    first_name = StringField("First name (if they are new)", widget=GovTextInput(), validators=[Length(max=100)])
    last_name = StringField("Last name (if they are new)", widget=GovTextInput(), validators=[Length(max=100)])
    organisation = StringField(
        "Organisation code (if they are new)",
        widget=GovTextInput(),
        description="The code of the organisation they work for, for example a school's code.",
        validators=[Length(max=40)],
    )
    job_title = StringField("Job title (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    add = SubmitField("Add walk-in", widget=GovSubmitInput(), name="add_walk_in")


class HistoricalRecordForm(FlaskForm):
    """A training record from before the system, checked by the training-records import's reader."""

    course = SelectField("Course", widget=GovSelect(), choices=[], validators=[InputRequired("Select the course")])
    completed_on = StringField(
        "Completed on",
        widget=GovTextInput(),
        description="Written YYYY-MM-DD, for example 2007-03-14.",
        validators=[InputRequired(message="Enter the date the course was completed")],
    )
    source = StringField(
        "Source",
        widget=GovTextInput(),
        description="Where this record comes from, for example 'Leicestershire CAF register 2007'.",
        validators=[InputRequired(message="Enter where this record comes from"), Length(max=200)],
    )
    submit = SubmitField("Add training record", widget=GovSubmitInput())


class WorkforceDatesForm(FlaskForm):
    """When a practitioner started and left (SPEC 3.1): a coordinator's change, a return or a leaving."""

    started_on = DateBoxesField("Date they started (optional)", missing=None, subject="The date they started")
    left_on = DateBoxesField("Date they left (optional)", missing=None, subject="The date they left")
    submit = SubmitField("Save", widget=GovSubmitInput())
