"""The demo's live targets (SPEC 3.10, 5): on the load day the targets page shows one met, one on track and one
behind, the booker's school and the lead's authority among them, and the 2008 table stands."""

from __future__ import annotations

from datetime import date

import pytest

from tests.reference import TRAINED_BY_AREA_2008_08_31
from training_app.models import Role, User
from training_app.services.reporting.counting import AreaRow, trained_by_area
from training_app.services.workforce.target_progress import target_progress
from training_app.services.workforce.targets import TargetStatus, targets_for

TODAY = date(2026, 12, 1)


@pytest.fixture
def live(app):
    """The demo pinned to 1 December 2026 (one seed for this module's one test: seeding takes seconds)."""
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output


def test_targets_met_on_track_and_behind_on_the_load_day_and_the_2008_table_stands(app_ctx, live):
    targets = targets_for(None)
    progress = target_progress(targets, TODAY)
    statuses = {progress[target.id].status for target in targets}

    assert {TargetStatus.MET, TargetStatus.ON_TRACK, TargetStatus.BEHIND} <= statuses
    booker = User.query.filter_by(role=Role.BOOKER).one()
    lead = User.query.filter_by(role=Role.WORKFORCE_LEAD).one()
    assert targets_for(booker) and targets_for(lead)
    assert trained_by_area(date(2008, 8, 31)) == [AreaRow(*row) for row in TRAINED_BY_AREA_2008_08_31]
