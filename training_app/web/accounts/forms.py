"""Forms for setting a password from a link, asking for a reset, and naming an API token."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ...validation import email_problem


def strip(value: str | None) -> str | None:
    """Leading and trailing spaces are never meant."""
    return value.strip() if value else value


def email_format(form: FlaskForm, field: EmailField) -> None:
    """The shared email syntax rule, in GOV.UK's words."""
    if field.data and email_problem(field.data):
        raise ValidationError("Enter an email address in the correct format, like name@example.com")


class PasswordResetRequestForm(FlaskForm):
    """The email address to send a reset link to."""

    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            DataRequired(message="Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            email_format,
        ],
    )
    submit = SubmitField("Send a reset link", widget=GovSubmitInput())


class SetPasswordForm(FlaskForm):
    """A new password, typed twice."""

    password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description="At least 10 characters. Three or more random words make a strong password.",
        validators=[DataRequired(message="Enter a new password")],
    )
    confirm = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message="Enter the new password again"),
            EqualTo("password", message="The passwords do not match: enter the same password twice"),
        ],
    )
    submit = SubmitField("Set password", widget=GovSubmitInput())


class ApiTokenForm(FlaskForm):
    """A name for a new API token, so its owner knows later what it was for."""

    name = StringField(
        "Token name",
        widget=GovTextInput(),
        description="What will use it, for example “Nightly export to the data warehouse”.",
        filters=[strip],
        validators=[
            DataRequired(message="Enter a name for the token"),
            Length(max=100, message="Token name must be 100 characters or fewer"),
        ],
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())
