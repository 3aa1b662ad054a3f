"""The data generation that report answers are kept under (issue 25): raised by every commit that writes to a table
the reports count, whichever way it writes, and by nothing else; answers rebuilt from JSON exactly."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tests.factories import make_authority, make_organisation, make_practitioner
from training_app.extensions import db
from training_app.models import Practitioner, Setting
from training_app.services.reporting.counting import AreaRow
from training_app.services.reporting.coverage import (
    CoverageArea,
    CoverageCell,
    CoverageGrid,
    CoverageGroup,
    CoverageOpening,
    OpeningReason,
)
from training_app.services.reporting.report_cache import current_generation, from_json, to_json
from training_app.services.reporting.report_rows import KindRow, StillToTrainRow


def test_an_orm_write_raises_the_generation_when_it_commits(app_ctx):
    before = current_generation()
    make_practitioner(make_organisation(make_authority()))
    assert current_generation() == before  # not yet committed
    db.session.commit()
    assert current_generation() == before + 1


def test_a_core_bulk_statement_raises_it_and_a_rollback_does_not(app_ctx):
    organisation = make_organisation(make_authority())
    db.session.commit()
    before = current_generation()
    db.session.execute(sa.update(Practitioner).values(first_name="Ann"))
    db.session.rollback()
    assert current_generation() == before
    db.session.execute(
        sa.insert(Practitioner),
        [
            {"first_name": "A", "last_name": f"B{n}", "email": f"ab{n}@example.org", "organisation_id": organisation.id}
            for n in range(3)
        ],
    )
    db.session.commit()
    assert current_generation() == before + 1


def test_writes_to_tables_no_report_counts_leave_it(app_ctx):
    before = current_generation()
    db.session.add(Setting(key="retention_years", value="7"))
    db.session.commit()
    assert current_generation() == before


def test_answers_come_back_from_json_as_they_went(app_ctx):
    rows = [AreaRow("Rutland", 3, 25, 0), AreaRow("Total Number Trained", 3)]
    grid = CoverageGrid(
        date(2008, 8, 31),
        [CoverageGroup(7, "3", "Group 3")],
        [CoverageArea(4, "Rutland", "Oakham", {7: CoverageCell(4, 7, 10, 6)})],
    )
    for kind, value in [
        (list[AreaRow], rows),
        (list[StillToTrainRow], [StillToTrainRow("Leicester", 1)]),
        (list[KindRow], [KindRow(None, 1, 2)]),
        (CoverageGrid, grid),
        (CoverageOpening, CoverageOpening(date(2008, 8, 31), OpeningReason.LATEST_TRAINING)),
    ]:
        assert from_json(kind, to_json(value)) == value
