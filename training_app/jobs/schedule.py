"""The schedule as data: each job's id, the small idempotent task it runs, and its trigger (Europe/London)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import tasks

TIMEZONE = "Europe/London"


@dataclass(frozen=True)
class Job:
    """One scheduled task: APScheduler's trigger name and its arguments."""

    task: Callable[[], object]
    trigger: str
    arguments: dict[str, Any]


JOBS: dict[str, Job] = {
    "refresher-reminders": Job(tasks.refresher_reminders, "cron", {"hour": 7, "minute": 0}),
    "session-reminders": Job(tasks.session_reminders, "cron", {"hour": 7, "minute": 10}),
    "evaluation-reminders": Job(tasks.evaluation_reminders, "cron", {"hour": 7, "minute": 20}),
    "minimum-numbers": Job(tasks.minimum_numbers, "cron", {"hour": 7, "minute": 30}),
    "report-subscriptions": Job(tasks.report_subscriptions, "cron", {"hour": 7, "minute": 30}),
    "waiting-list-offers": Job(tasks.waiting_list_offers, "interval", {"minutes": 5}),
    "mail-delivery": Job(tasks.deliver_mail, "interval", {"seconds": 15}),
    "webhook-delivery": Job(tasks.deliver_webhooks, "interval", {"minutes": 1}),
    "housekeeping": Job(tasks.housekeeping, "cron", {"hour": 2, "minute": 30}),
    "dashboard-summaries": Job(tasks.dashboard_summaries, "interval", {"minutes": 10}),
}
