"""A form for one reference record, with one box per CSV column of its kind (the reader checks the values)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ...imports.service import READERS

HINTS = {
    "partner": "yes or no: whether the authority is in the partnership",
    "display_order": "A whole number: report rows go in ascending order",
    "authority": "The authority's code, for example LEICESTER",
    "kind": "For example school, health, police, voluntary, gp or other",
    "area": "The area's name, within the authority",
    "urn": "Schools only: the unique reference number",
    "pupils": "Schools only: pupils on roll",
    "awareness_only": "yes or no: yes leaves the organisation out of still-to-train counts",
    "organisation": "The organisation's code",
    "group": "The responsibility group's code, 1 to 8",
    "authorities": "Authority codes separated by semicolons, for example LEICESTER;RUTLAND",
    "cover_category": "teacher, teaching_assistant or none",
}


def column_label(column: str) -> str:
    """A CSV column for people: 'display_order' -> 'Display order'."""
    text = column.replace("_", " ")
    return text[:1].upper() + text[1:]


def record_form(kind: str, data: dict[str, str] | None = None) -> Any:
    """A form with a text box per column of the kind, filled from `data` or from the request."""
    fields: dict[str, Any] = {
        column: StringField(
            column_label(column),
            widget=GovTextInput(),
            description=HINTS.get(column, ""),
            filters=[lambda value: value.strip() if value else ""],
            validators=[Length(max=1000, message=f"{column_label(column)} must be 1,000 characters or fewer")],
        )
        for column in READERS[kind].columns
    }
    fields["submit"] = SubmitField("Save", widget=GovSubmitInput())
    form_class = type(f"{kind.title().replace('-', '')}Form", (FlaskForm,), fields)
    return form_class(data=data)


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


class MergeForm(FlaskForm):
    """The duplicate record to fold into the one being looked at; `confirm` is set on the confirmation page."""

    duplicate = StringField(
        "Email address of the duplicate record",
        widget=GovTextInput(),
        description="Its bookings, attendance and training records move to this record, and it is deleted",
        filters=[_strip],
        validators=[
            DataRequired(message="Enter the email address of the duplicate record"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    confirm = HiddenField()
    submit = SubmitField("Continue", widget=GovSubmitInput())


class RetentionForm(FlaskForm):
    """How many years personal data is kept after someone's last booking or training."""

    years = StringField(
        "Retention period, in years",
        widget=GovTextInput(),
        description="People with no booking and no training for this long are offered for anonymising",
        filters=[_strip],
        validators=[Length(max=10, message="Retention period must be a whole number of years, like 6")],
    )
    submit = SubmitField("Save the retention period", widget=GovSubmitInput())
