"""The choice a report page's buttons send: every week, every month or stop."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import AnyOf, InputRequired

CHOICES = ("weekly", "monthly", "stop")


class ReportEmailForm(FlaskForm):
    """Which button was pressed (`frequency`), and whether it was pressed on the list page (`back=list`)."""

    frequency = StringField(
        "How often",
        validators=[
            InputRequired("Choose every week, every month or stop"),
            AnyOf(CHOICES, "Choose every week, every month or stop"),
        ],
    )
    back = StringField("Back to")
