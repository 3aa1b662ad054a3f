"""Forms for targets: field-level checks only; the rules (scope, percent, groups, dates) live in
services/workforce/targets."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import Form, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import Length, Optional, Regexp

from ..awareness.forms import one_of_the_choices
from ..dates import DateBoxesField


def _stripped(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class TargetForm(FlaskForm):
    """An organisation's or an authority's target: groups, course, percentage and the date to reach it by."""

    organisation = StringField(
        "Organisation code",
        description="The code of the organisation the target is for. Leave it empty for an authority's target.",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[Length(max=40, message="Organisation code must be 40 characters or fewer")],
    )
    authority = SelectField(
        "Authority",
        description="Or the authority whose staff the target counts (joint staff count in each of theirs).",
        widget=GovSelect(),
        choices=[],
        validate_choice=False,
        validators=[one_of_the_choices("Select an authority from the list")],
    )
    groups = SelectMultipleField(
        "Responsibility groups",
        widget=GovCheckboxesInput(),
        choices=[],
        validate_choice=False,
        validators=[one_of_the_choices("Select responsibility groups from the list")],
    )
    course = SelectField(
        "Course",
        widget=GovSelect(),
        choices=[],
        validate_choice=False,
        validators=[one_of_the_choices("Select a course from the list")],
    )
    percent = StringField(
        "Percentage of staff to hold a current record",
        description="A whole number from 1 to 100.",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[
            Optional(),
            Regexp(r"^[0-9]{1,3}$", message="Percentage must be a whole number from 1 to 100"),
        ],
    )
    due_on = DateBoxesField(
        "Date to reach it by",
        description="For example, 31 3 2027",
        missing="Enter the date to reach the target by",
    )
    submit = SubmitField("Save target", widget=GovSubmitInput())


class TargetsAsOfForm(Form):
    """The day progress is counted on; sent with GET, so the address can be bookmarked."""

    as_of = DateBoxesField(
        "Show progress on",
        description="For example, 31 3 2027",
        missing="Enter the date to show progress on",
        iso=True,
    )
