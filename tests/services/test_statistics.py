"""The planner's statistics (issue 25) are gathered after a large import and by the nightly housekeeping, so plans
at a million practitioners do not depend on luck; a small import (a one-row form) leaves them to the night."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_authority
from tests.imports.helpers import run_import
from training_app.extensions import db
from training_app.imports.service import import_csv
from training_app.services.common import statistics
from training_app.services.reminders.housekeeping import housekeep


def rows_the_planner_expects(table: str) -> int | None:
    """How many rows the statistics say the table holds (None: never gathered)."""
    if db.engine.dialect.name == "sqlite":
        if not db.session.execute(sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
            return None
        stat = db.session.execute(sa.text("SELECT stat FROM sqlite_stat1 WHERE tbl = :t"), {"t": table}).scalar()
        return None if stat is None else int(stat.split()[0])
    tuples = db.session.execute(sa.text("SELECT reltuples FROM pg_class WHERE relname = :t"), {"t": table}).scalar()
    return None if tuples is None or tuples < 0 else int(tuples)


@pytest.fixture(autouse=True)
def gathering(app, app_ctx):
    """Statistics gathered for these tests only, and forgotten after them: gathered over a test database, whose tables
    are emptied by DELETE, they would tell PostgreSQL's planner every table is empty for the tests that follow."""
    app.config["GATHER_STATISTICS"] = True
    yield
    app.config["GATHER_STATISTICS"] = False
    db.session.rollback()
    if db.engine.dialect.name == "sqlite":
        db.session.execute(sa.text("DROP TABLE IF EXISTS sqlite_stat1"))
        db.session.execute(sa.text("DROP TABLE IF EXISTS sqlite_stat4"))
    else:  # back to never analysed (the test database's superuser may write the catalogue)
        public = "SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace"
        db.session.execute(sa.text(f"DELETE FROM pg_statistic WHERE starelid IN ({public})"))
        db.session.execute(sa.text(f"UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE oid IN ({public})"))
    db.session.commit()


def test_nightly_housekeeping_gathers_the_statistics(app_ctx):
    for _ in range(7):
        make_authority()
    db.session.commit()

    housekeep(date(2026, 6, 1))

    assert rows_the_planner_expects("authorities") == 7


def test_a_large_import_gathers_them_and_a_small_one_or_a_dry_run_does_not(app_ctx, monkeypatch):
    monkeypatch.setattr(statistics, "ROWS_WORTH_GATHERING", 3)
    header = "code,name,partner,display_order"
    assert run_import("authorities", header, "A,Alpha,yes,1", "B,Beta,yes,2", "C,Gamma,no,3").ok
    assert rows_the_planner_expects("authorities") == 3

    assert run_import("authorities", header, "D,Delta,yes,4", "E,Epsilon,yes,5").ok  # two rows: left to the night
    dry = import_csv("authorities", f"{header}\nF,Phi,yes,6\nG,Gam,yes,7\nH,Eta,yes,8\n", dry_run=True)
    assert dry.ok

    assert rows_the_planner_expects("authorities") == 3
