"""Sending report subscriptions (SPEC 3.11): each subscriber's workbook for the period, built by the same writers as
the report pages and `flask export` and scoped as the pages scope that user now, emailed once per period.

Once is the outgoing mail's dedupe key, `subscription:<id>:<period>`: a second run in the same period, or a second
scheduler at the same moment, inserts nothing (`queue_email`'s ON CONFLICT DO NOTHING). What was sent already is
looked up for all due subscriptions at once, so a second run builds no workbook. A switched-off account gets nothing
and keeps its subscriptions (for when it is switched on again); a user whose role may no longer read the report gets
nothing and the subscription is ended, audited as the system's doing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from ... import database
from ...exports.attendance_by_authority import write_attendance_by_authority
from ...exports.people_lists import write_still_to_train
from ...exports.targets import write_targets
from ...exports.trained_by_area import write_trained_by_area
from ...extensions import db
from ...models import Frequency, OutgoingMail, ReportSubscription, SubscribedReport, User
from ..accounts.scope import organisation_scope, report_scope
from ..common.batches import fetch_in
from ..common.calendar import to_london
from ..mail.mail import Attachment, queue_email
from .subscriptions import FREQUENCY_TEXT, TITLES, Period, current_period, end_subscription, may_read

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_PATH = "/report-emails"  # the page listing a user's report emails, where they stop them


@dataclass
class SendingOutcome:
    """What a run did: emails written, and the subscriptions it passed over and why."""

    sent: list[str] = field(default_factory=list)  # dedupe keys of the emails written
    lines: list[str] = field(default_factory=list)  # each as `email<TAB>report<TAB>period`, for the command line
    already_sent: int = 0
    switched_off: int = 0
    ended: int = 0
    failed: int = 0  # a workbook or an email that could not be written (logged; the next run tries again)


def dedupe_key(subscription: ReportSubscription, period: Period) -> str:
    """The outgoing mail's key that makes a subscription's email go once a period."""
    return f"subscription:{subscription.id}:{period.key}"


def send_due_subscriptions(now: datetime) -> SendingOutcome:
    """Email every subscription due at `now` its workbook, once per period; each email committed on its own, so one
    that fails (logged, counted, tried again by the next run) leaves the others sent. The scheduler's daily job
    (07:30 London); a later run in the same period sends what an earlier one missed."""
    outcome = SendingOutcome()
    with _keeping_loaded():
        due = due_subscriptions(now)
        sent = _already_sent([dedupe_key(subscription, period) for subscription, period in due])
        for subscription, period in due:
            try:
                _send_one(subscription, period, now, sent, outcome)
            except Exception:  # one subscriber's failure must not cost the others their email
                db.session.rollback()
                current_app.logger.exception("report subscription %s could not be sent", subscription.id)
                outcome.failed += 1
    return outcome


def due_subscriptions(now: datetime) -> list[tuple[ReportSubscription, Period]]:
    """Each subscription with its period whose email is due at `now`: the period's 07:30 has come and the frequency
    was chosen before it (one who subscribes on a Wednesday gets the next Monday's). Two statements, users and their
    authorities loaded."""
    due: list[tuple[ReportSubscription, Period]] = []
    with database.read_only():
        for frequency in Frequency:
            period = current_period(frequency, now)
            if period is None:
                continue
            query = (
                sa.select(ReportSubscription)
                .where(ReportSubscription.frequency == frequency, ReportSubscription.frequency_since < period.sends_at)
                .options(
                    selectinload(ReportSubscription.user).options(
                        selectinload(User.authorities), selectinload(User.organisation)
                    )
                )
                .order_by(ReportSubscription.id)
            )
            due.extend((subscription, period) for subscription in db.session.scalars(query))
        db.session.commit()
    return due


def _already_sent(keys: list[str]) -> set[str]:
    """Which of these dedupe keys the outgoing mail holds already (one statement per few thousand)."""
    with database.read_only():
        found = set(fetch_in(sa.select(OutgoingMail.dedupe_key), OutgoingMail.dedupe_key, keys))
        db.session.commit()
    return {key for key in found if key is not None}


def _send_one(
    subscription: ReportSubscription, period: Period, now: datetime, sent: set[str], outcome: SendingOutcome
) -> None:
    key, user = dedupe_key(subscription, period), subscription.user
    if key in sent:
        outcome.already_sent += 1
    elif not user.active:
        outcome.switched_off += 1
    elif not may_read(user, subscription.report):
        outcome.ended += end_subscription(subscription.id, f"the role {user.role.value} cannot read this report")
    else:
        with database.read_only():
            attachment = workbook_attachment(subscription.report, user, period, to_london(now).date())
            db.session.commit()
        subject, body = subject_and_body(subscription, period, attachment)
        if queue_email([user.email], subject, body, attachments=[attachment], dedupe_key=key) is not None:
            outcome.sent.append(key)
            outcome.lines.append(f"{user.email}\t{subscription.report.value}\t{period.key}")
        else:
            outcome.already_sent += 1  # another run wrote it while this one built the workbook
        db.session.commit()


def workbook_attachment(report: SubscribedReport, user: User, period: Period, today: date) -> Attachment:
    """The report's workbook for the user's current role and scope, as the pages' downloads write it: as of
    `today`, but attendance, which covers the last whole week or month before the period."""
    scope = report_scope(user)
    with tempfile.TemporaryDirectory() as folder:
        if report is SubscribedReport.ATTENDANCE_BY_AUTHORITY:
            covered = period.previous()
            name = f"attendance-by-authority-{covered.first_day.isoformat()}-to-{covered.last_day.isoformat()}.xlsx"
            write_attendance_by_authority(Path(folder) / name, covered.first_day, covered.last_day, None, scope)
        else:
            name = f"{report.value}-{today.isoformat()}.xlsx"
            path = Path(folder) / name
            if report is SubscribedReport.TRAINED_BY_AREA:
                write_trained_by_area(path, today, scope)
            elif report is SubscribedReport.STILL_TO_TRAIN:
                write_still_to_train(path, today, scope)
            else:
                write_targets(path, today, user)
        content = (Path(folder) / name).read_bytes()
    return Attachment(name, content, XLSX)


def subject_and_body(subscription: ReportSubscription, period: Period, attachment: Attachment) -> tuple[str, str]:
    """The email's subject (the report and the period) and its text: what is attached and how to stop it."""
    report, user = subscription.report, subscription.user
    title = TITLES[report]
    base = current_app.config["SERVICE_URL"].rstrip("/")
    scope = report_scope(user)
    whose = "everyone in the programme"
    if scope is not None:
        names = sorted(authority.name for authority in user.authorities)
        whose = "the people who work for " + (", ".join(names) if names else "none of the authorities (you have none)")
    elif organisation_scope(user) is not None and user.organisation is not None:
        whose = f"the targets of {user.organisation.name}"
    body = (
        f"Attached is the {title.lower()} workbook ({attachment.filename}) for {period.label_in_sentence}. "
        f"{_covers(report, period)} It holds what your account may see: {whose}.\n\n"
        f"You asked for it {FREQUENCY_TEXT[subscription.frequency]}, at 07:30.\n\n"
        f"To stop these emails, or change how often they come, go to your report emails:\n{base}{LIST_PATH}\n"
    )
    return f"{title}: {period.label}", body


def _covers(report: SubscribedReport, period: Period) -> str:
    if report is SubscribedReport.ATTENDANCE_BY_AUTHORITY:
        covered = period.previous()
        return (
            f"It counts the people who attended sessions from {covered.first_day:%-d %B %Y} to "
            f"{covered.last_day:%-d %B %Y}, each once under the exact set of authorities they work for."
        )
    if report is SubscribedReport.TRAINED_BY_AREA:
        return "It counts staff trained up to the day it was written, by area, group and kind of organisation."
    if report is SubscribedReport.STILL_TO_TRAIN:
        return "It lists everyone still to train on the day it was written, one row each."
    return "It shows every target with its progress on the day it was written."


@contextmanager
def _keeping_loaded() -> Iterator[None]:
    """Commits in the body keep what the run loaded (the subscriptions and their users), rather than loading each
    again after every email."""
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        yield
    finally:
        session.expire_on_commit = expire_on_commit
