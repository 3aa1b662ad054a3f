"""Outgoing mail: every email is written here in the transaction that caused it, then delivered (SPEC 6)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model, UTCDateTime, enum_column, utcnow


class MailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutgoingMail(Model):
    """One message, kept whole (headers, bodies, attachments) with a stable Message-ID.

    `queued` waits for its next attempt; `sending` was handed to the server and its outcome not yet recorded (one
    left there by a killed process is never sent again automatically: a coordinator checks it); `sent`; `failed`
    after the last retry. `dedupe_key`, when set, stops the same reminder being queued twice.
    """

    __tablename__ = "outgoing_mail"
    __table_args__ = (sa.Index("ix_outgoing_mail_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(sa.String(250), unique=True)
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    status: Mapped[MailStatus] = mapped_column(enum_column(MailStatus, "mail_status"), default=MailStatus.QUEUED)
    sender: Mapped[str] = mapped_column(sa.String(320))
    recipients: Mapped[str] = mapped_column(sa.Text)
    subject: Mapped[str] = mapped_column(sa.String(300))
    raw: Mapped[bytes] = mapped_column(sa.LargeBinary)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
