"""Administration forms: inviting a user and changing a user's role and scope."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, RadioField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ...models import Role
from ..accounts.forms import email_format, strip

ROLE_CHOICES = [
    SelectChoice(Role.ADMIN.value, "Administrator"),
    SelectChoice(Role.COORDINATOR.value, "Training coordinator"),
    SelectChoice(Role.BOOKER.value, "Booker (for one organisation)"),
    SelectChoice(Role.WORKFORCE_LEAD.value, "Workforce lead (for one or more authorities)"),
    SelectChoice(Role.FINANCE.value, "Finance"),
    SelectChoice(Role.PRACTITIONER.value, "Practitioner (needs a practitioner record with the same email)"),
]


def upper(value: str | None) -> str | None:
    """Codes are written in capitals."""
    return value.strip().upper() if value else value


class AccessFields(FlaskForm):
    """Role, organisation (bookers) and authorities (workforce leads); services' accounts check they fit together."""

    role = RadioField(
        "Role", widget=GovRadioInput(), choices=ROLE_CHOICES, validators=[DataRequired(message="Select a role")]
    )
    organisation = StringField(
        "Organisation code",
        widget=GovTextInput(),
        description="Bookers only: the code of the organisation whose staff they book, for example LC-SCH-018.",
        filters=[upper],
        validators=[Optional(), Length(max=40, message="Organisation code must be 40 characters or fewer")],
    )
    authorities = SelectMultipleField(
        "Authorities", widget=GovCheckboxesInput(), description="Workforce leads only: the authorities they report on."
    )


class InviteForm(AccessFields):
    """Who to invite: their email address and name, then their role and scope."""

    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            DataRequired(message="Enter an email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            email_format,
        ],
    )
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Optional(), Length(max=200, message="Full name must be 200 characters or fewer")],
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class AccessForm(AccessFields):
    """A user's new role and scope."""

    submit = SubmitField("Save role and scope", widget=GovSubmitInput())
