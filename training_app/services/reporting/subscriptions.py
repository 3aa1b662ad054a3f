"""Report subscriptions (SPEC 3.11): who may have which report's workbook emailed, every week (Mondays) or every
month (the 1st) at 07:30 London time, and the periods those emails cover. Sending them is `subscription_mail`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from ...extensions import db
from ...models import AuditAction, Frequency, ReportSubscription, Role, SubscribedReport, User
from ...models.base import utcnow
from ...permissions import REPORT_READERS, TARGET_READERS
from ..accounts import audit
from ..common.calendar import london_to_utc, to_london
from ..common.locks import fresh, lock_row

SEND_AT = time(7, 30)  # London time, on Mondays and on the 1st

# Each report's name in a subject line and who may read it: the roles its page lets in, so an email never holds more
# than the page would show (the scope within a role is the page's too: services/accounts/scope).
TITLES: dict[SubscribedReport, str] = {
    SubscribedReport.TRAINED_BY_AREA: "Trained by area",
    SubscribedReport.STILL_TO_TRAIN: "Still to train",
    SubscribedReport.TARGETS: "Targets",
    SubscribedReport.ATTENDANCE_BY_AUTHORITY: "Attendance by authority",
}
READERS: dict[SubscribedReport, frozenset[Role]] = {
    SubscribedReport.TRAINED_BY_AREA: REPORT_READERS,
    SubscribedReport.STILL_TO_TRAIN: REPORT_READERS,
    SubscribedReport.TARGETS: TARGET_READERS,
    SubscribedReport.ATTENDANCE_BY_AUTHORITY: REPORT_READERS,
}
FREQUENCY_TEXT = {Frequency.WEEKLY: "every week, on Mondays", Frequency.MONTHLY: "every month, on the 1st"}


class SubscriptionRefused(Exception):
    """The user may not read that report (a 403)."""


@dataclass(frozen=True)
class Period:
    """A week (Monday to Sunday) or a calendar month; its email goes from its first day at 07:30 London time."""

    frequency: Frequency
    first_day: date
    last_day: date

    @property
    def key(self) -> str:
        """The period in the email's dedupe key: ISO week `2026-W50`, or month `2026-12`."""
        if self.frequency is Frequency.WEEKLY:
            year, week, _ = self.first_day.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.first_day:%Y-%m}"

    @property
    def label(self) -> str:
        """In words: "week beginning 7 December 2026", "December 2026"."""
        if self.frequency is Frequency.WEEKLY:
            return f"week beginning {self.first_day:%-d %B %Y}"
        return f"{self.first_day:%B %Y}"

    @property
    def label_in_sentence(self) -> str:
        """As a sentence says it: "the week beginning 7 December 2026", "December 2026"."""
        return f"the {self.label}" if self.frequency is Frequency.WEEKLY else self.label

    @property
    def sends_at(self) -> datetime:
        """When its email is due: the first day at 07:30 in London, as UTC."""
        return london_to_utc(self.first_day, SEND_AT)

    def previous(self) -> Period:
        """The period before: the last whole week or month when this one's email goes (what attendance covers)."""
        return period_containing(self.frequency, self.first_day - timedelta(days=1))

    def following(self) -> Period:
        """The period after this one."""
        return period_containing(self.frequency, self.last_day + timedelta(days=1))


def period_containing(frequency: Frequency, day: date) -> Period:
    """The week (from Monday) or month that holds the day."""
    if frequency is Frequency.WEEKLY:
        monday = day - timedelta(days=day.weekday())
        return Period(frequency, monday, monday + timedelta(days=6))
    first = day.replace(day=1)
    following = (first + timedelta(days=31)).replace(day=1)
    return Period(frequency, first, following - timedelta(days=1))


def current_period(frequency: Frequency, now: datetime) -> Period | None:
    """The period whose email is due at `now`: the one holding now's London date once its 07:30 has come (a later
    run in the same period still finds it), else None (Monday or the 1st before 07:30)."""
    period = period_containing(frequency, to_london(now).date())
    return period if period.sends_at <= now else None


def first_sending(frequency: Frequency, since: datetime) -> datetime:
    """When the first email of a subscription chosen at `since` goes: the next Monday or 1st at 07:30."""
    period = period_containing(frequency, to_london(since).date())
    return period.sends_at if period.sends_at > since else period.following().sends_at


def may_read(user: User, report: SubscribedReport) -> bool:
    """Whether the user's role may read this report (their scope then says which rows)."""
    return user.role in READERS[report]


def may_receive(user: User, report: SubscribedReport) -> bool:
    """Whether a user may have this report emailed now: an active account whose role may read it."""
    return user.active and may_read(user, report)


def reports_open_to(user: User) -> list[SubscribedReport]:
    """The reports a user may subscribe to, in the order the list page shows them."""
    return [report for report in SubscribedReport if may_receive(user, report)]


def subscriptions_of(user_id: int) -> dict[SubscribedReport, ReportSubscription]:
    """A user's subscriptions by report (one statement)."""
    query = sa.select(ReportSubscription).where(ReportSubscription.user_id == user_id)
    return {subscription.report: subscription for subscription in db.session.scalars(query)}


@dataclass(frozen=True)
class SubscriptionChange:
    """What a request to subscribe or stop did: the frequency before and after (None: not subscribed) and, when
    subscribed, when the first email goes."""

    report: SubscribedReport
    old: Frequency | None
    new: Frequency | None
    first_email_at: datetime | None


def set_subscription(user: User, report: SubscribedReport, frequency: Frequency | None) -> SubscriptionChange:
    """Subscribe a user to a report at a frequency, change its frequency, or (None) stop it; audited and committed.
    The user's row is locked and the subscription read afresh, so two requests at once are taken one after the
    other. SubscriptionRefused when the user may not read the report."""
    user = lock_row(User, user.id)
    if not may_receive(user, report):
        raise SubscriptionRefused(f"You cannot see the {TITLES[report].lower()} report, so it cannot be emailed to you")
    query = fresh(sa.select(ReportSubscription).where(ReportSubscription.user_id == user.id))
    subscription = db.session.scalars(query.where(ReportSubscription.report == report)).one_or_none()
    old = subscription.frequency if subscription else None
    change = SubscriptionChange(report, old, frequency, None)
    # What the page is told is read before the commit: once the lock is let go, a request at the same moment may
    # stop the subscription and delete its row.
    if old == frequency:
        done = change if subscription is None else _with_first_email(change, subscription)
        db.session.commit()
        return done
    now = utcnow()
    if frequency is None:
        assert subscription is not None  # old differs from None
        db.session.delete(subscription)
    elif subscription is None:
        subscription = ReportSubscription(user=user, report=report, frequency=frequency, created_at=now)
        subscription.frequency_since = now
        db.session.add(subscription)
    else:
        subscription.frequency, subscription.frequency_since = frequency, now
    db.session.flush()
    audit.record(
        user, AuditAction.REPORT_SUBSCRIPTION_CHANGED, subscription, _values(report, old), _values(report, frequency)
    )
    done = change if frequency is None else _with_first_email(change, subscription)
    db.session.commit()
    return done


def _with_first_email(change: SubscriptionChange, subscription: ReportSubscription) -> SubscriptionChange:
    first = first_sending(subscription.frequency, subscription.frequency_since)
    return SubscriptionChange(change.report, change.old, change.new, first)


def _values(report: SubscribedReport, frequency: Frequency | None) -> dict[str, str] | None:
    return None if frequency is None else {"report": report.value, "frequency": frequency.value}


def end_subscription(subscription_id: int, reason: str) -> bool:
    """End a subscription whose user may no longer read its report (their role changed), audited as done by the
    system and committed; False when it is gone already or the user may read it again."""
    # The user's row first, as `set_subscription` locks it, so the two never wait for each other.
    user_id = db.session.scalar(sa.select(ReportSubscription.user_id).where(ReportSubscription.id == subscription_id))
    user = lock_row(User, user_id) if user_id is not None else None
    query = fresh(sa.select(ReportSubscription).where(ReportSubscription.id == subscription_id))
    subscription = db.session.scalars(query).one_or_none() if user is not None else None
    if user is None or subscription is None or may_read(user, subscription.report):
        db.session.commit()
        return False
    old = _values(subscription.report, subscription.frequency)
    audit.record(None, AuditAction.REPORT_SUBSCRIPTION_ENDED, subscription, old, {"reason": reason})
    db.session.delete(subscription)
    db.session.commit()
    return True
