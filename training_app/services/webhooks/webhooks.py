"""Registering, pausing, resuming and deleting webhooks, their delivery log and sending one again (admins).

Each change is audited and committed; a refusal raises WebhookError naming each bad field and writes nothing. The
secret is kept to sign the bodies and never shown again once registered (the audit trail does not keep it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from ...extensions import db
from ...models import AuditAction, DeliveryStatus, User, Webhook, WebhookDelivery, WebhookEvent
from ...models.base import utcnow
from ...validation import control_character_problem
from ..accounts import audit
from ..common.locks import locking
from .urls import url_problem

MIN_SECRET, MAX_SECRET = 16, 200
DELIVERIES_SHOWN = 100
EVENT_NAMES = tuple(event.value for event in WebhookEvent)


class WebhookError(ValueError):
    """A webhook change refused: a message per field (url, secret, events, webhook, delivery)."""

    def __init__(self, fields: dict[str, str], not_found: bool = False) -> None:
        super().__init__("; ".join(fields.values()))
        self.fields = fields
        self.not_found = not_found


def webhook_problems(url: str, secret: str, events: Iterable[str]) -> dict[str, str]:
    """Every problem with a webhook's URL, secret and events, by field (empty when it may be registered)."""
    problems: dict[str, str] = {}
    if problem := url_problem(url):
        problems["url"] = problem
    if not MIN_SECRET <= len(secret) <= MAX_SECRET:
        problems["secret"] = f"The secret must be {MIN_SECRET} to {MAX_SECRET} characters long"
    elif control_character_problem(secret) or secret != secret.strip():
        problems["secret"] = "The secret must not start or end with a space or contain control characters"  # noqa: S105
    chosen = list(events)
    if not chosen:
        problems["events"] = "Select at least one event"
    elif unknown := [name for name in chosen if name not in EVENT_NAMES]:
        problems["events"] = f"Unknown event {unknown[0]!r}: choose from {', '.join(EVENT_NAMES)}"
    return problems


def register_webhook(url: str, secret: str, events: Iterable[str], by: User) -> Webhook:
    """Register a URL for these events, signed with this secret; audited (without the secret) and committed."""
    url, chosen = url.strip(), list(dict.fromkeys(events))
    if problems := webhook_problems(url, secret, chosen):
        raise WebhookError(problems)
    webhook = Webhook(url=url, secret=secret, events=[name for name in EVENT_NAMES if name in chosen])
    webhook.created_by_id = by.id
    db.session.add(webhook)
    db.session.flush()
    audit.record(by, AuditAction.WEBHOOK_REGISTERED, webhook, new=webhook.values())
    db.session.commit()
    return webhook


def set_paused(webhook_id: int, paused: bool, by: User) -> Webhook:
    """Pause a webhook (nothing is recorded or sent for it meanwhile) or resume it; a change that changes nothing
    records nothing. Committed."""
    webhook = _locked(webhook_id)
    if webhook.active == paused:
        old = webhook.values()
        webhook.active = not paused
        action = AuditAction.WEBHOOK_PAUSED if paused else AuditAction.WEBHOOK_RESUMED
        audit.record(by, action, webhook, old, webhook.values())
    db.session.commit()
    return webhook


def delete_webhook(webhook_id: int, by: User) -> None:
    """Delete a webhook and its delivery log; audited and committed."""
    webhook = _locked(webhook_id)
    audit.record(by, AuditAction.WEBHOOK_DELETED, webhook, old=webhook.values())
    db.session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id))
    db.session.delete(webhook)
    db.session.commit()


def send_again(webhook_id: int, delivery_id: int, by: User) -> WebhookDelivery:
    """Put a delivered, failed or stuck delivery back in the queue, due now, with its id and body as they were
    (the receiver can tell it is the same event); a pending one is left as it is. Committed."""
    query = sa.select(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id, WebhookDelivery.webhook_id == webhook_id
    )
    delivery = db.session.scalars(locking(query)).one_or_none()
    if delivery is None:
        db.session.rollback()
        raise WebhookError({"delivery": "There is no such delivery for this webhook"}, not_found=True)
    if delivery.status != DeliveryStatus.PENDING:
        old = {"status": delivery.status.value, "attempts": delivery.attempts}
        delivery.status, delivery.attempts, delivery.next_attempt_at = DeliveryStatus.PENDING, 0, utcnow()
        delivery.claim_token, delivery.claimed_at = None, None
        audit.record(by, AuditAction.WEBHOOK_DELIVERY_REQUEUED, delivery, old, {"status": "pending"})
    db.session.commit()
    return delivery


def webhooks_listed() -> list[Webhook]:
    """Every webhook, oldest first."""
    return list(db.session.scalars(sa.select(Webhook).order_by(Webhook.id)))


def find_webhook(webhook_id: int) -> Webhook:
    """A webhook by id, or WebhookError (not found)."""
    webhook = db.session.get(Webhook, webhook_id)
    if webhook is None:
        raise WebhookError({"webhook": f"There is no webhook {webhook_id}"}, not_found=True)
    return webhook


def deliveries_of(webhook_id: int, limit: int = DELIVERIES_SHOWN) -> Sequence[WebhookDelivery]:
    """A webhook's latest deliveries, newest first."""
    query = sa.select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    return db.session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)).all()


def _locked(webhook_id: int) -> Webhook:
    """The webhook, locked and read afresh (two admins at once: the second sees what the first did)."""
    webhook = db.session.scalars(locking(sa.select(Webhook).where(Webhook.id == webhook_id))).one_or_none()
    if webhook is None:
        db.session.rollback()
        raise WebhookError({"webhook": f"There is no webhook {webhook_id}"}, not_found=True)
    return webhook
