"""`flask reminders run [--today YYYY-MM-DD] [--dry-run]`, `flask reminders report-emails [--today YYYY-MM-DD]` and
`flask scheduler` (SPEC 4.2, 3.11)."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from ..models.base import utcnow
from ..services.common.calendar import DateProblem, london_to_utc, london_today, parse_iso_date
from ..services.mail.mail_delivery import deliver_pending
from ..services.reminders.reminders import run_reminders
from ..services.reporting.subscription_mail import send_due_subscriptions
from ..services.reporting.subscriptions import SEND_AT

reminders_cli = AppGroup("reminders", help="Refresher, session and re-awareness reminders.")


@reminders_cli.command("run")
@click.option("--today", "today_text", metavar="YYYY-MM-DD", help="The day to run for (default: today in London).")
@click.option("--dry-run", is_flag=True, help="List what would be sent; send and record nothing.")
def run_command(today_text: str | None, dry_run: bool) -> None:
    """Send the reminders due today: one line per reminder (email, course code, stage), then the count."""
    try:
        today = parse_iso_date(today_text) if today_text is not None else london_today()
    except DateProblem as problem:
        raise click.BadParameter(str(problem), param_hint="--today") from None
    reminders = run_reminders(today, dry_run=dry_run)
    for reminder in reminders:
        click.echo(reminder.line)
    if dry_run:
        click.echo(f"would send {len(reminders)} reminders")
        return
    deliver_pending()  # what the run queued went out after each commit; this catches any left (MAIL_DELIVERY=thread)
    click.echo(f"sent {len(reminders)} reminders")


@reminders_cli.command("report-emails")
@click.option("--today", "today_text", metavar="YYYY-MM-DD", help="Send as at 07:30 London time on this day.")
def report_emails_command(today_text: str | None) -> None:
    """Send the report subscriptions due now (the scheduler's 07:30 job): one line per email (email, report,
    period), then the count. Each goes once a period, however often this runs."""
    try:
        now = london_to_utc(parse_iso_date(today_text), SEND_AT) if today_text is not None else utcnow()
    except DateProblem as problem:
        raise click.BadParameter(str(problem), param_hint="--today") from None
    outcome = send_due_subscriptions(now)
    for line in outcome.lines:
        click.echo(line)
    deliver_pending()
    click.echo(f"sent {len(outcome.sent)} report emails")


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler process (one only: a second exits at once)."""
    from ..jobs.process import AlreadyRunning, run_scheduler
    from ..runtime import freeze_startup_objects

    freeze_startup_objects()  # a process that runs for months: its start-up objects need no collecting
    try:
        run_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]
    except AlreadyRunning as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    except (KeyboardInterrupt, SystemExit):
        pass
