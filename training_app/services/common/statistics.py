"""The planner's statistics (issue 25): gathered after imports and nightly, so that query plans at a million
practitioners do not depend on luck (a booker's staff list took 1.5 s on SQLite without them, 9 ms with)."""

from __future__ import annotations

from flask import current_app

from ...extensions import db

# An import of fewer rows than this leaves the statistics to the nightly run: a one-row form goes through the same
# import, and gathering for it would cost more than the row.
ROWS_WORTH_GATHERING = 1000
# SQLite reads about this many rows of each index (its recommended approximate ANALYZE), so gathering stays quick.
SQLITE_ANALYSIS_LIMIT = 1000


def gather_statistics() -> None:
    """ANALYZE every table (SQLite: approximately, then PRAGMA optimize), committed; not where GATHER_STATISTICS is
    off (the test database)."""
    if not current_app.config.get("GATHER_STATISTICS", True):
        return
    db.session.commit()
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(db.text(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}"))
        db.session.execute(db.text("ANALYZE"))
        db.session.execute(db.text("PRAGMA optimize"))
    else:
        db.session.execute(db.text("ANALYZE"))
    db.session.commit()


def gather_after_import(rows: int) -> bool:
    """Gather statistics when an import wrote enough rows to change the plans; whether it did."""
    if rows < ROWS_WORTH_GATHERING:
        return False
    gather_statistics()
    return True
