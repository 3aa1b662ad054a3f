"""The live programme's fit with a council's IT (SPEC 3.11, 5): the workforce lead has the trained-by-area workbook
emailed every month and the coordinator the still-to-train list every week, and the administrator has registered the
HR system's webhook, paused until HR is ready, so each of their pages shows the feature in use.

Both go through their services (audited, committed). The webhook is paused, so the demo's bookings send nothing to an
address that does not exist; nothing here changes a record, so the 2008 figures cannot move.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from training_app.extensions import db
from training_app.models import User
from training_app.models.subscriptions import Frequency, SubscribedReport
from training_app.models.webhooks import WebhookEvent
from training_app.services.reporting.subscriptions import set_subscription
from training_app.services.webhooks.webhooks import register_webhook, set_paused

from .common import Demo

SUBSCRIPTIONS = (
    ("lead@demo.test", SubscribedReport.TRAINED_BY_AREA, Frequency.MONTHLY),
    ("coordinator@demo.test", SubscribedReport.STILL_TO_TRAIN, Frequency.WEEKLY),
)
HR_WEBHOOK = "https://hr.demo.invalid/hooks/training"  # .invalid: a name that never resolves (RFC 2606)
HR_EVENTS = (WebhookEvent.BOOKING_CREATED, WebhookEvent.BOOKING_CANCELLED, WebhookEvent.TRAINING_RECORD_CREATED)


def seed_live_council_it(demo: Demo, today: date) -> Counter:
    """The report emails and the paused webhook; returns how many of each."""
    for email, report, frequency in SUBSCRIPTIONS:
        user = db.session.get(User, demo.user_ids[email])
        assert user is not None
        set_subscription(user, report, frequency)
    admin = db.session.get(User, demo.user_ids["admin@demo.test"])
    assert admin is not None
    webhook = register_webhook(HR_WEBHOOK, "demo-shared-secret-for-hr-2026", [e.value for e in HR_EVENTS], admin)
    set_paused(webhook.id, True, admin)
    return Counter(report_subscriptions=len(SUBSCRIPTIONS), webhooks=1)
