"""The demo's live refreshers (SPEC 5): on the load day, reminders of every refresher stage are due."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from training_app.models import ReminderStage
from training_app.services.reminders.reminders import due_refreshers

TODAY = date(2026, 12, 1)


@pytest.fixture
def live(app):
    """The demo pinned to 1 December 2026 (one seed for this module's one test: seeding takes seconds)."""
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output


def test_reminders_of_every_stage_are_due_on_the_load_day_and_the_2008_table_stands(app, app_ctx, live):
    stages = Counter(reminder.stage for reminder in due_refreshers(TODAY))
    assert stages[ReminderStage.DUE_SOON] >= 3 and stages[ReminderStage.DUE] >= 3 and stages[ReminderStage.OVERDUE] >= 3
    dry = app.test_cli_runner().invoke(args=["reminders", "run", "--today", TODAY.isoformat(), "--dry-run"])
    assert dry.exit_code == 0 and "\tCAF-REFRESH\toverdue" in dry.output and "\tCAF-REFRESH\tdue_soon" in dry.output
