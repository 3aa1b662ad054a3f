"""The scheduler's heartbeat: running while it has run a job in the last few minutes, stopped after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from training_app.services.reminders.scheduler_heartbeat import STOPPED_AFTER, record_heartbeat, scheduler_status

pytestmark = pytest.mark.usefixtures("app_ctx")
NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def test_a_scheduler_that_never_ran_is_not_running():
    status = scheduler_status(NOW)
    assert not status.running and status.last_ran_at is None


def test_running_until_it_has_been_quiet_for_longer_than_the_limit():
    record_heartbeat("deliver_mail", now=NOW)
    record_heartbeat("housekeeping", now=NOW + timedelta(seconds=15))  # the one row moves on
    status = scheduler_status(NOW + timedelta(seconds=15) + STOPPED_AFTER)
    assert status.running and status.last_job == "housekeeping"
    assert status.last_ran_at == NOW + timedelta(seconds=15)
    assert not scheduler_status(NOW + timedelta(seconds=16) + STOPPED_AFTER).running
