"""Settings an administrator changes from a page (the retention period for personal data, say), one row each."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model, UTCDateTime, utcnow


class Setting(Model):
    """One named setting; `services.accounts.settings` knows each name, its type, bounds and default."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(200))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
