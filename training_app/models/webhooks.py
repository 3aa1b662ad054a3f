"""Webhooks (SPEC 3.11): URLs an admin registered for events, and each event's delivery to each of them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, UTCDateTime, enum_column, utcnow
from .users import User


class WebhookEvent(enum.StrEnum):
    """What a webhook may subscribe to; each is recorded by the one service that makes the change."""

    BOOKING_CREATED = "booking.created"
    BOOKING_CANCELLED = "booking.cancelled"
    BOOKING_PROMOTED = "booking.promoted"
    TRAINING_RECORD_CREATED = "training_record.created"
    CLAIM_APPROVED = "claim.approved"


class DeliveryStatus(enum.StrEnum):
    """`pending` waits for its next attempt; `sending` was claimed by one deliverer and is being POSTed (one left
    there by a process that died is never sent again by itself: an admin may send it again); `delivered` got a 2xx;
    `failed` after its last retry."""

    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"


class Webhook(Model):
    """A URL told of the events it subscribed to, each body signed with its shared secret (kept to sign, never
    shown again once registered); paused ones are told nothing."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    secret: Mapped[str] = mapped_column(sa.String(200))
    events: Mapped[list[str]] = mapped_column(sa.JSON)
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()

    def values(self) -> dict[str, Any]:
        """What the audit trail and the API show of it (never the secret)."""
        return {"url": self.url, "events": list(self.events), "active": self.active}


class WebhookDelivery(Model):
    """One event for one webhook: its body as first written (the signature covers these bytes, and every retry
    sends them again with the same id), its attempts and what the receiver answered."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("webhook_id", "event_id"),
        sa.Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(sa.ForeignKey("webhooks.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[str] = mapped_column(sa.String(36))
    event: Mapped[str] = mapped_column(sa.String(40))
    payload: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, "webhook_delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
