"""The scheduled tasks: each small, idempotent and also runnable from the command line (`reminders run`)."""

from __future__ import annotations

from flask import current_app

from ..models import ReminderKind
from ..models.base import utcnow
from ..services.booking.booking_needs import erase_old_needs
from ..services.booking.offers import lapse_offers
from ..services.common.calendar import london_today
from ..services.evaluation.evaluations import remind_evaluations
from ..services.mail.mail_delivery import deliver_pending
from ..services.reminders.housekeeping import housekeep
from ..services.reminders.reminders import AWARENESS, run_reminders
from ..services.reporting.kept_reports import count_todays_reports
from ..services.reporting.subscription_mail import send_due_subscriptions
from ..services.reporting.summaries import refresh_summaries
from ..services.sessions.minimum_numbers import alert_below_minimum
from ..services.webhooks.delivery import deliver_due


def refresher_reminders() -> int:
    """Refresher and re-awareness reminders due today (07:00); their emails go out as each batch commits."""
    sent = run_reminders(london_today(), kinds=(ReminderKind.REFRESHER.value, AWARENESS))
    current_app.logger.info("refresher reminders: sent %s", len(sent))
    return len(sent)


def session_reminders() -> int:
    """Reminders of sessions starting in their course's reminder days."""
    sent = run_reminders(london_today(), kinds=(ReminderKind.SESSION.value,))
    current_app.logger.info("session reminders: sent %s", len(sent))
    return len(sent)


def evaluation_reminders() -> int:
    """One reminder to everyone asked to evaluate a course 7 days ago or more who has not (07:20)."""
    reminded = remind_evaluations()
    current_app.logger.info("evaluation reminders: sent %s", reminded)
    return reminded


def minimum_numbers() -> int:
    """Tell coordinators of sessions below their minimum whose notice day has come, once each (07:30)."""
    told = alert_below_minimum(london_today())
    current_app.logger.info("sessions below their minimum: told of %s", told)
    return told


def report_subscriptions() -> int:
    """Email each report subscription due this week or month its workbook, once per period (07:30 daily: Mondays
    and the 1st send; a later day sends what a missed run left)."""
    outcome = send_due_subscriptions(utcnow())
    current_app.logger.info(
        "report subscriptions: sent %s, sent before %s, switched off %s, ended %s, failed %s",
        len(outcome.sent),
        outcome.already_sent,
        outcome.switched_off,
        outcome.ended,
        outcome.failed,
    )
    return len(outcome.sent)


def waiting_list_offers() -> int:
    """Lapse the waiting-list offers that ran out (or whose session started), passing each place on (every 5 min)."""
    lapsed = lapse_offers()
    if lapsed:
        current_app.logger.info("waiting-list offers: %s lapsed", lapsed)
    return lapsed


def deliver_mail() -> int:
    """Deliver anything queued and due: a retry, what a crash left, or everything with MAIL_DELIVERY=scheduler."""
    return len(deliver_pending())


def deliver_webhooks() -> int:
    """POST every webhook delivery whose attempt is due: retries, and what a crash or MAIL_DELIVERY=scheduler left."""
    return len(deliver_due())


def housekeeping() -> None:
    """Nightly: expired sign-in records and links, completed sessions, old delivered mail, statistics; the access
    and dietary needs of sessions that ended 30 days ago erased; then the dashboards' summaries counted afresh for
    the new day."""
    today = london_today()
    done = housekeep(today)
    current_app.logger.info("housekeeping: %s", done)
    erased = erase_old_needs(today)
    current_app.logger.info("housekeeping: needs erased from %s bookings", erased)
    dashboard_summaries()


def dashboard_summaries() -> int:
    """Count the dashboards' whole-workforce figures again for every scope kept (every 10 minutes), then today's
    report answers of every scope where the data changed since they were counted, ahead of the first visit."""
    scopes = refresh_summaries()
    current_app.logger.info("dashboard summaries: %s scopes counted", scopes)
    reports = count_todays_reports(london_today())
    current_app.logger.info("report answers: %s scopes up to date", reports)
    return scopes
