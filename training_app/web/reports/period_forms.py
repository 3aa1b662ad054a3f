"""The period (and session) a report covers, asked as two optional GOV.UK date inputs in a GET form.

The boxes are named `from` and `to`, as the API's parameters, so `?from=2008-10-01&to=2008-10-31` works too.
"""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import Form, StringField, ValidationError
from wtforms.validators import Length, Optional

from ..dates import DateBoxesField


class PeriodForm(Form):
    """From and to (both inclusive, either may be left out) and, optionally, one session's code; sent with GET."""

    start = DateBoxesField("From", name="from", description="For example, 1 10 2008", missing=None, iso=True)
    end = DateBoxesField("To", name="to", description="For example, 31 10 2008", missing=None, iso=True)
    session = StringField(
        "Session code (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=40, message="A session code is at most 40 characters")],
    )

    def validate_end(self, field: DateBoxesField) -> None:
        """The end must be on or after the start."""
        start = self.start.data
        if start and field.data and field.data < start:
            raise ValidationError(f"The end date must be the same as or after {start.day} {start:%B %Y}")
