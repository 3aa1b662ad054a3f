"""Single-use links emailed to set a password: an invitation (7 days) or a password reset (1 hour)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, UTCDateTime, enum_column, utcnow
from .users import User


class LinkPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (what a link is for, not a password)


class AccountLink(Model):
    """A link to set a password; only the SHA-256 of its secret is stored, and it works once before it expires."""

    __tablename__ = "account_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[LinkPurpose] = mapped_column(enum_column(LinkPurpose, "link_purpose"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class ResetRequest(Model):
    """A password reset asked for, counted per address and per IP to stop the form being used to flood a mailbox.

    Kept for every address asked about, with or without an account, so the limit tells nobody which have one; the
    address is stored hashed, since most of those asked about belong to nobody here.
    """

    __tablename__ = "reset_requests"
    __table_args__ = (
        sa.Index("ix_reset_requests_email_at", "email_hash", "at"),
        sa.Index("ix_reset_requests_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email_hash: Mapped[str] = mapped_column(sa.String(64))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
