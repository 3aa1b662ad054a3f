"""Registering a webhook, and confirming its deletion."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice

from ...models import WebhookEvent
from ...services.webhooks.webhooks import MAX_SECRET, MIN_SECRET
from ..accounts.forms import strip

EVENT_CHOICES = [
    SelectChoice(WebhookEvent.BOOKING_CREATED.value, "A booking is made (booking.created)"),
    SelectChoice(WebhookEvent.BOOKING_CANCELLED.value, "A booking is cancelled (booking.cancelled)"),
    SelectChoice(WebhookEvent.BOOKING_PROMOTED.value, "Someone waiting is given a place (booking.promoted)"),
    SelectChoice(WebhookEvent.TRAINING_RECORD_CREATED.value, "A training record is made (training_record.created)"),
    SelectChoice(WebhookEvent.CLAIM_APPROVED.value, "Finance approve a claim (claim.approved)"),
]


class WebhookForm(FlaskForm):
    """A webhook's URL, shared secret and events; the rules are the service's (`webhook_problems`)."""

    url = StringField(
        "URL",
        widget=GovTextInput(),
        filters=[strip],
        description="Where to POST each event, starting https:// (or http://). Not this service's own address.",
    )
    secret = PasswordField(
        "Shared secret",
        widget=GovPasswordInput(),
        description=f"{MIN_SECRET} to {MAX_SECRET} characters. Each body is signed with it (X-Signature: "
        "sha256=...). It will not be shown again: keep it in the receiving system.",
    )
    events = SelectMultipleField("Events", widget=GovCheckboxesInput(), choices=EVENT_CHOICES, validate_choice=False)
    submit = SubmitField("Register webhook", widget=GovSubmitInput())


class DeleteForm(FlaskForm):
    """Confirm deleting a webhook and its log."""

    submit = SubmitField("Delete webhook", widget=GovSubmitInput())
