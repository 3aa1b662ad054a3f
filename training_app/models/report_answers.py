"""Report answers kept for the data as it stands (issue 25): a report page counts the workforce once per change of
the data, not once per request. `report_generation` is raised by every commit that writes to a table the reports
count; an answer kept under an older generation is never shown."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model, UTCDateTime


class ReportGeneration(Model):
    """One row (id 1): how many committed transactions have changed what the reports count."""

    __tablename__ = "report_generation"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(sa.BigInteger)


class ReportAnswer(Model):
    """A report's answer for one date and scope (`all`, or a workforce lead's authority ids as `1,4`), counted at
    `counted_at` under data `generation`; `claimed_generation` and `claimed_at` say a count is under way."""

    __tablename__ = "report_answers"
    __table_args__ = (sa.UniqueConstraint("report", "as_of", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report: Mapped[str] = mapped_column(sa.String(60))
    as_of: Mapped[date] = mapped_column(sa.Date)
    scope: Mapped[str] = mapped_column(sa.String(400))
    generation: Mapped[int | None] = mapped_column(sa.BigInteger)
    counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer: Mapped[Any | None] = mapped_column(sa.JSON)
    claimed_generation: Mapped[int | None] = mapped_column(sa.BigInteger)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
