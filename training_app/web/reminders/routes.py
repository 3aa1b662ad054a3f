"""The reminders page (SPEC 3.6): whether the scheduler that sends them is running, what the next run would send,
the log of what was sent, and the emails a coordinator must look at (left `sending` by a stopped process, or failed
after every retry)."""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, flash, redirect, render_template, url_for

from ...permissions import STAFF, allow
from ...services.common.calendar import london_today
from ...services.mail import mail_delivery
from ...services.reminders.reminder_log import reminder_log
from ...services.reminders.reminders import due_reminders
from ...services.reminders.scheduler_heartbeat import STOPPED_AFTER, scheduler_status

bp = Blueprint("reminders", __name__, url_prefix="/reminders")
PREVIEW_ROWS = 200


@bp.get("")
@allow(STAFF)
def reminders_page():
    """Whether the scheduler is running (its heartbeat), the next run's reminders (counted by kind and stage, the
    first few listed), the log, stuck and failed mail."""
    today = london_today()
    due = due_reminders(today)
    counts = Counter((reminder.kind, reminder.stage.value) for reminder in due)
    stuck, failed = mail_delivery.mail_to_check()
    return render_template(
        "reminders/index.html",
        today=today,
        due=due[:PREVIEW_ROWS],
        due_total=len(due),
        counts=sorted(counts.items()),
        log=reminder_log(50),
        stuck=stuck,
        failed=failed,
        scheduler=scheduler_status(),
        stopped_minutes=int(STOPPED_AFTER.total_seconds() // 60),
    )


@bp.post("/mail/<number:mail_id>/send-again")
@allow(STAFF)
def send_again(mail_id: int):
    """Put a stuck or failed email back in the queue, after the coordinator checked it never arrived."""
    if mail_delivery.send_again(mail_id):
        flash("The email is queued and will be sent within a minute.", "success")
    else:
        flash("That email is no longer stuck or failed: nothing was changed.", "info")
    return redirect(url_for("reminders.reminders_page"))
