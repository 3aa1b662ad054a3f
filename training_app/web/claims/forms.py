"""Forms for supply-cover claims: field-level checks only; the rules live in services/claims."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from ...services.claims import MAX_INVOICE, MAX_REASON, MAX_SUPPLIER
from ..courses.forms import pounds


def _stripped(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class StartClaimForm(FlaskForm):
    """Start a draft claim for one year's fund."""

    financial_year = HiddenField()
    submit = SubmitField("Start a claim", widget=GovSubmitInput())


class EvidenceForm(FlaskForm):
    """The invoice behind one retrospective day: supplier, reference, amount and the file."""

    line = RadioField("Which day is this invoice for?", coerce=int, widget=GovRadioInput(), choices=[])
    supplier = StringField(
        "Supplier",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[
            DataRequired(message="Enter the supplier"),
            Length(max=MAX_SUPPLIER, message=f"Supplier must be {MAX_SUPPLIER} characters or fewer"),
        ],
    )
    invoice = StringField(
        "Invoice reference",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[
            DataRequired(message="Enter the invoice reference"),
            Length(max=MAX_INVOICE, message=f"Invoice reference must be {MAX_INVOICE} characters or fewer"),
        ],
    )
    amount = StringField(
        "Invoice amount in pounds",
        description="For example 180.00. The claim pays the lesser of this and the rate.",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[pounds("invoice amount")],
    )
    file = FileField("Upload the invoice", description="A PDF, PNG or JPEG, smaller than 5MB.", widget=GovFileInput())
    submit = SubmitField("Add evidence", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    """A move with nothing to fill in: submit, approve, mark paid (CSRF only)."""

    submit = SubmitField("Continue", widget=GovSubmitInput())


class RejectForm(FlaskForm):
    """Why finance reject the claim."""

    reason = TextAreaField(
        "Reason for rejecting",
        widget=GovTextArea(),
        validators=[
            DataRequired(message="Enter the reason for rejecting the claim"),
            Length(max=MAX_REASON, message=f"Reason must be {MAX_REASON} characters or fewer"),
        ],
    )
    submit = SubmitField("Reject claim", widget=GovSubmitInput(), render_kw={"class": "govuk-button--warning"})
