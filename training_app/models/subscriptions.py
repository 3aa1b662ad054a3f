"""Report subscriptions (SPEC 3.11): a user asks for a report's workbook by email every week or every month."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, UTCDateTime, enum_column, utcnow
from .users import User


class SubscribedReport(enum.StrEnum):
    """The workbooks a user may have emailed to them, by the name their pages and `flask export` give them."""

    TRAINED_BY_AREA = "trained-by-area"
    STILL_TO_TRAIN = "still-to-train"
    TARGETS = "targets"
    ATTENDANCE_BY_AUTHORITY = "attendance-by-authority"


class Frequency(enum.StrEnum):
    """Every week (on Mondays) or every month (on the 1st), at 07:30 London time."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"


class ReportSubscription(Model):
    """One user's standing request for one report's workbook, scoped as they are when each email is built.

    `created_at` is when they first asked; `frequency_since` when they last chose the frequency, the first period
    sent being the first whose sending time (Monday or the 1st at 07:30) comes after it. Which emails went out is kept
    by the outgoing mail's dedupe key (`subscription:<id>:<period>`), so each period is sent once.
    """

    __tablename__ = "report_subscriptions"
    __table_args__ = (sa.UniqueConstraint("user_id", "report"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    report: Mapped[SubscribedReport] = mapped_column(enum_column(SubscribedReport, "subscribed_report"))
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency, "subscription_frequency"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    frequency_since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
