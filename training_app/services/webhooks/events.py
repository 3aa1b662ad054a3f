"""Recording an event for the webhooks subscribed to it, in the transaction of the change that caused it.

`record_event` (and `record_events` for many of one kind) is called by the one service that makes each change:
a booking made (`book_place`, a group, a request approved, a walk-in, a substitute), cancelled (`cancel_place`, a
session cancelled, a substitution), promoted (`record_promotion`), a training record made (`record_completions`)
and a claim approved (`approve_claim`). It writes one delivery per active webhook subscribed to the event, so
a change rolled back leaves none, and hands them to delivery right after the commit, as outgoing mail does. The
active webhooks are read once per transaction (one SELECT, none again for the next event in the same change);
with none subscribed nothing is written.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from ...extensions import db
from ...models import Booking, Claim, Practitioner, TrainingRecord, Webhook, WebhookDelivery, WebhookEvent
from ...models.base import utcnow
from . import delivery

_HOOKS = "webhooks_active"  # (id, events) of the active webhooks, read once per transaction
_AFTER_COMMIT = "webhooks_after_commit"  # event ids whose deliveries go right after the commit

_INSERT = sa.insert(WebhookDelivery)


def record_event(name: WebhookEvent, data: dict[str, Any]) -> str | None:
    """Write this event's delivery for every active webhook subscribed to it, in the caller's transaction; the
    event's id, or None when no webhook wants it."""
    ids = record_events(name, [data])
    return ids[0] if ids else None


def record_events(name: WebhookEvent, items: Sequence[dict[str, Any]]) -> list[str]:
    """`record_event` for many events of one kind in one statement; their ids (none when nobody subscribed)."""
    session = db.session()
    hooks = [hook_id for hook_id, events in _active_hooks(session) if name.value in events]
    if not hooks or not items:
        return []
    now = utcnow()
    occurred_at = now.isoformat().replace("+00:00", "Z")
    rows, ids = [], []
    for data in items:
        event_id = str(uuid.uuid4())
        body = {"id": event_id, "event": name.value, "occurred_at": occurred_at, "data": data}
        payload = json.dumps(body, separators=(",", ":"), sort_keys=False)
        ids.append(event_id)
        rows += [_row(hook_id, event_id, name, payload, now) for hook_id in hooks]
    session.execute(_INSERT, rows)
    session.info.setdefault(_AFTER_COMMIT, []).extend(ids)
    return ids


def _row(hook_id: int, event_id: str, name: WebhookEvent, payload: str, now: datetime) -> dict[str, Any]:
    return {
        "webhook_id": hook_id,
        "event_id": event_id,
        "event": name.value,
        "payload": payload,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def _active_hooks(session: Session) -> list[tuple[int, list[str]]]:
    """The active webhooks and their events, read once in this transaction."""
    hooks = session.info.get(_HOOKS)
    if hooks is None:
        query = sa.select(Webhook.id, Webhook.events).where(Webhook.active.is_(True)).order_by(Webhook.id)
        hooks = [(row.id, list(row.events)) for row in session.execute(query)]
        session.info[_HOOKS] = hooks
    return hooks


def booking_data(booking: Booking) -> dict[str, Any]:
    """What a booking event says of the booking: its ids, status, session, course and practitioner."""
    session = booking.session
    return {
        "booking_id": booking.id,
        "status": booking.status.value,
        "waitlist_position": booking.waitlist_position,
        "session": session.code,
        "starts_on": session.starts_on.isoformat() if session.starts_on else None,
        "course": session.course.code,
        "practitioner_id": booking.practitioner_id,
        "practitioner_email": booking.practitioner.email,
    }


def record_booking_event(name: WebhookEvent, bookings: Sequence[Booking]) -> None:
    """One event of this kind per booking, in the caller's transaction."""
    if bookings:
        record_events(name, [booking_data(booking) for booking in bookings])


def record_training_records(records: Sequence[TrainingRecord]) -> None:
    """A `training_record.created` event for each new record (their practitioners' emails in one query)."""
    if not records or not any(WebhookEvent.TRAINING_RECORD_CREATED.value in events for _, events in _hooks_now()):
        return
    ids = {record.practitioner_id for record in records}
    query = sa.select(Practitioner.id, Practitioner.email).where(Practitioner.id.in_(ids))
    emails = {row.id: row.email for row in db.session.execute(query)}
    items = [
        {
            "training_record_id": record.id,
            "practitioner_id": record.practitioner_id,
            "practitioner_email": emails.get(record.practitioner_id),
            "course": record.course.code,
            "completed_on": record.completed_on.isoformat(),
            "expires_on": record.expires_on.isoformat() if record.expires_on else None,
            "booking_id": record.booking_id,
        }
        for record in records
    ]
    record_events(WebhookEvent.TRAINING_RECORD_CREATED, items)


def record_claim_approved(claim: Claim) -> None:
    """A `claim.approved` event: the claim, its school, fund and total."""
    data = {
        "claim_id": claim.id,
        "organisation": claim.organisation.code,
        "financial_year": claim.fund.financial_year,
        "total_pence": claim.total_pence,
        "decided_at": claim.decided_at.isoformat().replace("+00:00", "Z") if claim.decided_at else None,
    }
    record_event(WebhookEvent.CLAIM_APPROVED, data)


def _hooks_now() -> list[tuple[int, list[str]]]:
    return _active_hooks(db.session())


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session: Session) -> None:
    recorded = session.info.pop(_AFTER_COMMIT, None)
    if recorded:
        delivery.deliver_after_commit(recorded)


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction: its reading of the webhooks is over
        session.info.pop(_HOOKS, None)
        session.info.pop(_AFTER_COMMIT, None)
