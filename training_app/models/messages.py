"""A coordinator's message to everyone booked on a session (SPEC 3.4 Messages), kept with the session."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, UTCDateTime, utcnow
from .users import User


class SessionMessage(Model):
    """What was written, to whom (booked, and those waiting when asked), by whom and when."""

    __tablename__ = "session_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(150))
    body: Mapped[str] = mapped_column(sa.Text)
    include_waiting: Mapped[bool] = mapped_column(default=False)
    recipients: Mapped[int]
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sent_by: Mapped[User | None] = relationship()
