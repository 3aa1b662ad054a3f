"""The audit log's filter, sent with GET (it changes nothing, so no CSRF token and a shareable address)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from wtforms import Form, IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from ..dates import DateBoxesField

MAX_ID = 2**31 - 1


class RecordNumberField(IntegerField):
    """A record's id, with the error worded for people."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Record number must be a whole number, like 42") from None


class AuditFilterForm(Form):
    """Who, what kind of record, which record, and between which London dates."""

    actor = StringField(
        "Who",
        widget=GovTextInput(),
        description="All or part of an email address, or system",
        filters=[lambda value: value.strip() if value else value],
        validators=[Optional(), Length(max=254, message="Who must be 254 characters or fewer")],
    )
    entity_type = SelectField("Kind of record", widget=GovSelect(), validators=[Optional()])
    entity_id = RecordNumberField(
        "Record number",
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(min=1, max=MAX_ID, message="Record number must be a whole number from 1")],
    )
    date_from = DateBoxesField("From", description="For example, 1 12 2026", missing=None, iso=True)
    date_to = DateBoxesField("To", description="For example, 31 12 2026", missing=None, iso=True)

    def validate_date_to(self, field: DateBoxesField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The To date must be the same as or after the From date")
