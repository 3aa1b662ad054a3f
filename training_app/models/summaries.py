"""Dashboard figures counted over the whole workforce, kept as of a stated time (issue 25): the dashboards read these
instead of counting a million practitioners on every request."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model, UTCDateTime


class DashboardSummary(Model):
    """One scope's dashboard figures (`all`, or a workforce lead's authority ids as `1,4`), counted on `as_of` at
    `refreshed_at` by services.reporting.summaries; `figures` holds the counts by authority, area, group and status."""

    __tablename__ = "dashboard_summaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(sa.String(400), unique=True)
    as_of: Mapped[date] = mapped_column(sa.Date)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    figures: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
