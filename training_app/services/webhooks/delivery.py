"""POSTing webhook deliveries (SPEC 3.11): claim, send signed, record; retried after 1, 5, 30 and 120 minutes.

As outgoing mail does (services/mail/mail_delivery.py): a delivery is claimed `sending` with a claim token and
committed before it is POSTed, so of two deliverers at once (the scheduler's job and a request's after-commit
delivery, or two workers) only one sends it: on PostgreSQL the second UPDATE waits for the first row lock and then
finds the status changed; on SQLite the claiming transaction holds the write lock. The outcome is recorded only
while the claim token is still the row's. A 2xx marks it `delivered` (never sent again); anything else puts it back
`pending` for its next attempt, until the fifth marks it `failed`. One left `sending` by a process that died is not
sent again by itself (it may have arrived): an admin may send it again, with the same id.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session

from ...models import DeliveryStatus, Webhook, WebhookDelivery
from ...models.base import utcnow
from ..common.delivery_sessions import delivery_session, end_open_read
from ..mail.mail_delivery import BACKOFF_MINUTES, MAX_ATTEMPTS
from .urls import url_problem

TIMEOUT_SECONDS = 5
USER_AGENT = "training-app-webhooks/1"
MAX_ERROR = 2000


@dataclass(frozen=True)
class Outcome:
    """What one POST got: the receiver's status code (None when it never answered) and the error, if it failed."""

    status_code: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.error is None


def signature(body: bytes, secret: str) -> str:
    """The X-Signature header: `sha256=` and the HMAC-SHA256 of the exact body bytes with the shared secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver_due(now: datetime | None = None, limit: int = 200) -> dict[int, DeliveryStatus]:
    """POST every pending delivery whose attempt is due, of active webhooks (the scheduler's job, every minute)."""
    now = now or utcnow()
    end_open_read("webhooks")
    with delivery_session() as session:
        due = session.scalars(_due(now).order_by(WebhookDelivery.id).limit(limit)).all()
        session.commit()
    return deliver(due, now) if due else {}


def deliver_events(event_ids: Sequence[str], now: datetime | None = None) -> dict[int, DeliveryStatus]:
    """POST the deliveries of these events, if still pending and due (right after the commit that recorded them)."""
    now = now or utcnow()
    with delivery_session() as session:
        ids = session.scalars(_due(now).where(WebhookDelivery.event_id.in_(list(event_ids)))).all()
        session.commit()
    return deliver(ids, now) if ids else {}


def deliver(delivery_ids: Sequence[int], now: datetime | None = None) -> dict[int, DeliveryStatus]:
    """Claim these deliveries (those another deliverer has not taken), POST each, record what came back."""
    now = now or utcnow()
    token = uuid.uuid4().hex
    with delivery_session() as session:
        claimed = _claim(session, delivery_ids, token, now)
        outcomes = {row.id: _post(row.url, row.secret, row.event_id, row.event, row.payload) for row in claimed}
        return _record(session, claimed, outcomes, token, now)


def deliver_after_commit(event_ids: list[str]) -> None:
    """Deliver what a transaction recorded, right after it committed, as its emails are (MAIL_DELIVERY: `inline`,
    `thread`, or `scheduler` leaving them to the job); never raises (the scheduler retries)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    mode = app.config.get("MAIL_DELIVERY")
    if mode == "scheduler":
        return
    if mode == "thread":
        threading.Thread(target=_deliver_in_thread, args=(app, list(event_ids)), daemon=True).start()
        return
    _deliver_logged(list(event_ids))


def _due(now: datetime) -> sa.Select[Any]:
    """Pending deliveries due by `now`, of webhooks not paused."""
    active = sa.select(Webhook.id).where(Webhook.active.is_(True))
    return sa.select(WebhookDelivery.id).where(
        WebhookDelivery.status == DeliveryStatus.PENDING,
        WebhookDelivery.next_attempt_at <= now,
        WebhookDelivery.webhook_id.in_(active),
    )


def _claim(session: Session, delivery_ids: Sequence[int], token: str, now: datetime) -> list[Any]:
    """Mark the still pending, due deliveries of active webhooks `sending` under this token, and commit; what
    sending needs of each (its webhook's URL and secret), in id order."""
    if not delivery_ids:
        return []
    session.execute(
        sa.update(WebhookDelivery)
        # The status is tested on the row updated itself, so PostgreSQL tests it again once a claim before it commits.
        .where(
            WebhookDelivery.id.in_(list(delivery_ids)),
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
            WebhookDelivery.webhook_id.in_(sa.select(Webhook.id).where(Webhook.active.is_(True))),
        )
        .values(
            status=DeliveryStatus.SENDING,
            attempts=WebhookDelivery.attempts + 1,
            claim_token=token,
            claimed_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    rows = session.execute(
        sa.select(
            WebhookDelivery.id,
            WebhookDelivery.event_id,
            WebhookDelivery.event,
            WebhookDelivery.payload,
            WebhookDelivery.attempts,
            Webhook.url,
            Webhook.secret,
        )
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(WebhookDelivery.claim_token == token)
        .order_by(WebhookDelivery.id)
    ).all()
    session.commit()
    return list(rows)


def _post(url: str, secret: str, event_id: str, event: str, payload: str) -> Outcome:
    """POST the body as JSON, signed; a 2xx is delivered, anything else (a redirect too) is not."""
    if problem := url_problem(url):
        return Outcome(None, f"not sent: {problem}")
    body = payload.encode()
    request = urllib.request.Request(  # noqa: S310 (the scheme was checked: http or https only)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Signature": signature(body, secret),
            "X-Webhook-Id": event_id,
            "X-Webhook-Event": event,
        },
    )
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            code = response.status
    except urllib.error.HTTPError as error:
        return Outcome(error.code, f"the receiver answered {error.code} {error.reason}")
    except (OSError, http.client.HTTPException, ValueError) as error:
        reason = getattr(error, "reason", error)
        return Outcome(None, f"could not reach the receiver: {reason}")
    if not 200 <= code < 300:
        return Outcome(code, f"the receiver answered {code}")
    return Outcome(code, None)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer that is not 2xx: following it could send the event somewhere never registered."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects())


def _record(
    session: Session, claimed: list[Any], outcomes: dict[int, Outcome], token: str, now: datetime
) -> dict[int, DeliveryStatus]:
    """Write each claimed delivery's outcome in one executemany, only where our claim still stands, and commit."""
    if not claimed:
        return {}
    statuses: dict[int, DeliveryStatus] = {}
    values = []
    for row in claimed:
        outcome = outcomes[row.id]
        status, next_at = _after(outcome, int(row.attempts), now)
        statuses[row.id] = status
        values.append(
            {
                "b_id": row.id,
                "b_token": token,
                "status": status.value,
                "next_attempt_at": next_at,
                "last_status_code": outcome.status_code,
                "last_error": outcome.error[:MAX_ERROR] if outcome.error else None,
                "delivered_at": now if outcome.delivered else None,
            }
        )
        if not outcome.delivered:
            current_app.logger.warning(
                "webhook delivery %s not delivered (attempt %s, now %s): %s",
                *(row.id, row.attempts, status, outcome.error),
            )
    table = cast(sa.Table, WebhookDelivery.__table__)
    session.execute(
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"), table.c.claim_token == sa.bindparam("b_token"))
        .values(
            status=sa.bindparam("status"),
            next_attempt_at=sa.bindparam("next_attempt_at"),
            last_status_code=sa.bindparam("last_status_code"),
            last_error=sa.bindparam("last_error"),
            delivered_at=sa.bindparam("delivered_at"),
            claim_token=None,
        ),
        values,
    )
    session.commit()
    return statuses


def _after(outcome: Outcome, tried: int, now: datetime) -> tuple[DeliveryStatus, datetime]:
    """The status after an attempt and when the next is due: 1, 5, 30 and 120 minutes after the 1st to 4th failure."""
    if outcome.delivered:
        return DeliveryStatus.DELIVERED, now
    if tried >= MAX_ATTEMPTS:
        return DeliveryStatus.FAILED, now
    return DeliveryStatus.PENDING, now + timedelta(minutes=BACKOFF_MINUTES[tried - 1])


def _deliver_logged(event_ids: list[str]) -> None:
    try:
        deliver_events(event_ids)
    except Exception:  # the deliveries stay pending; the scheduler's webhook-delivery job sends them
        current_app.logger.exception("webhook delivery after commit failed for events %s", event_ids)


def _deliver_in_thread(app: Flask, event_ids: list[str]) -> None:
    with app.app_context():
        _deliver_logged(event_ids)
