"""Forms for supply-cover claims: field-level checks only; the rules live in services/claims/claims."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import Field, HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from ...services.claims.claims import MAX_INVOICE, MAX_REASON, MAX_SUPPLIER
from ...services.claims.deadlines import MAX_EXTENSION_REASON
from ..courses.forms import POUNDS, pounds, to_pence
from ..dates import DateBoxesField


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


def contribution_lines(form: FlaskForm, field: Field) -> None:
    """Each line 'partner, amount in pounds', a partner at most once."""
    seen = set()
    for number, line in enumerate((field.data or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, _, amount = line.rpartition(",")
        if not name.strip() or not POUNDS.fullmatch(amount.strip().replace(" ", "")):
            raise ValidationError(f"Line {number} of the contributions must be a partner, a comma and an amount")
        if name.strip() in seen:
            raise ValidationError(f"Line {number} of the contributions names {name.strip()} again")
        seen.add(name.strip())


def contributions_of(text: str | None) -> dict[str, int]:
    """Checked contribution lines as pence by partner."""
    pairs = (line.rpartition(",") for line in (text or "").splitlines() if line.strip())
    return {name.strip(): to_pence(amount.strip()) for name, _, amount in pairs}


class FundForm(FlaskForm):
    """A year's fund: amount, scheme start, claim deadline, the rate card and any partners' contributions."""

    financial_year = StringField(
        "Financial year",
        description="The year it starts in: 2026 for 2026-27.",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[Regexp(r"^[0-9]{4}$", message="Enter the financial year as 4 numbers, like 2026")],
    )
    amount = StringField("Fund in pounds", widget=GovTextInput(), filters=[_stripped], validators=[pounds("fund")])
    scheme_start = DateBoxesField(
        "Scheme start", description="Days before it need a supply invoice.", missing="Enter the scheme start", iso=True
    )
    claim_deadline = DateBoxesField("Claim deadline", missing="Enter the claim deadline", iso=True)
    teacher_half_day = StringField(
        "Teacher, half day", widget=GovTextInput(), filters=[_stripped], validators=[pounds("teacher half-day rate")]
    )
    teacher_day = StringField(
        "Teacher, day", widget=GovTextInput(), filters=[_stripped], validators=[pounds("teacher day rate")]
    )
    teaching_assistant_half_day = StringField(
        "Teaching assistant, half day",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[pounds("teaching assistant half-day rate")],
    )
    teaching_assistant_day = StringField(
        "Teaching assistant, day",
        widget=GovTextInput(),
        filters=[_stripped],
        validators=[pounds("teaching assistant day rate")],
    )
    contributions = TextAreaField(
        "Partners' contributions (optional)",
        description="Where budgets are pooled: one partner a line, a comma, then the amount, like Schools, 236000.00",
        widget=GovTextArea(),
        validators=[Length(max=10_000, message="Contributions must be 10,000 characters or fewer"), contribution_lines],
    )
    submit = SubmitField("Save fund", widget=GovSubmitInput())


class ExtensionForm(FlaskForm):
    """Finance's later claim deadline for one school under one fund, and why."""

    school = SelectField("School", widget=GovSelect(), choices=[], validate_choice=False)
    extended_to = DateBoxesField(
        "New deadline",
        description="For example, 31 1 2027.",
        missing="Enter the new deadline",
        subject="The new deadline",
    )
    reason = TextAreaField(
        "Reason for the extension",
        description="The school and finance see this.",
        widget=GovTextArea(),
        validators=[
            DataRequired(message="Enter the reason for the extension"),
            Length(max=MAX_EXTENSION_REASON, message=f"Reason must be {MAX_EXTENSION_REASON} characters or fewer"),
        ],
    )
    submit = SubmitField("Save the extension", widget=GovSubmitInput())
