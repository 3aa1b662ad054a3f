"""The CSV upload form and the confirmation that carries the checked file back."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSelect, GovSubmitInput
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ...imports.service import KINDS


def kind_label(kind: str) -> str:
    """An import kind for people: 'training-records' -> 'Training records'."""
    text = kind.replace("-", " ")
    return text[:1].upper() + text[1:]


class UploadForm(FlaskForm):
    """What kind of records the file holds, and the file."""

    kind = SelectField(
        "What the file holds",
        widget=GovSelect(),
        choices=[SelectChoice(kind, kind_label(kind)) for kind in KINDS],
        validators=[DataRequired(message="Select what the file holds")],
    )
    file = FileField(
        "CSV file",
        widget=GovFileInput(),
        description="UTF-8 CSV with a header row, as in the example files below.",
        validators=[FileRequired(message="Select a CSV file")],
    )
    submit = SubmitField("Check the file", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """The checked file, carried back unchanged (it is checked again as it is imported)."""

    kind = HiddenField(validators=[DataRequired()])
    content = HiddenField(validators=[DataRequired()])
    confirmation = HiddenField(validators=[Optional(), Length(max=64)])  # this check: imported once however often sent
    submit = SubmitField("Import", widget=GovSubmitInput())
