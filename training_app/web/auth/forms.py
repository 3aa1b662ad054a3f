"""The sign-in form."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from ...validation import email_problem


def _email_format(value: str) -> None:
    if value and email_problem(value):
        raise ValidationError("Enter an email address in the correct format, like name@example.com")


class SignInForm(FlaskForm):
    """Email address and password."""

    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[lambda value: value.strip() if value else value],
        validators=[
            DataRequired(message="Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            lambda form, field: _email_format(field.data),
        ],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message="Enter your password"),
            Length(max=200, message="Password must be 200 characters or fewer"),
        ],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())
