"""Benchmark: the trained-by-area count (SPEC 3.9) at realistic and national scale.

Run: `make bench` or `.venv/bin/python -m bench.counting [--scale realistic|national] [--database-url URL]`.
Builds a scratch database with the migrations, fills it with bench.generate, then times the service.
It prints figures; it is not a timed test.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from bench.generate import SCALES, generate
from training_app import create_app
from training_app.extensions import db
from training_app.services.reporting.counting import trained_by_area


def fresh_database_url(requested: str | None, folder: str) -> str:
    if requested is None:
        return "sqlite:///" + str(Path(folder) / "bench.sqlite3")
    if requested.startswith("postgresql"):
        engine = sa.create_engine(requested)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
    return requested


def _time(fn, repeats: int) -> tuple[float, float]:
    """Median and best wall time in seconds over `repeats` runs."""
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), min(timings)


def run(scale: str, database_url: str | None, repeats: int) -> None:
    """Generate, then time the count with and without a workforce lead's scope."""
    with tempfile.TemporaryDirectory() as folder:
        url = fresh_database_url(database_url, folder)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            start = time.perf_counter()
            generated = generate(scale)
            print(
                f"{scale}: {generated.practitioners:,} practitioners, {generated.records:,} records, "
                f"{generated.sessions:,} sessions generated in {time.perf_counter() - start:.1f} s "
                f"({db.engine.dialect.name})"
            )
            as_of = date(2008, 8, 31)
            rows = trained_by_area(as_of)
            median, best = _time(lambda: trained_by_area(as_of), repeats)
            print(
                f"trained_by_area, all authorities: {len(rows)} rows, total {rows[-1].trained:,}; "
                f"median {median * 1000:.0f} ms, best {best * 1000:.0f} ms over {repeats} runs"
            )
            scope = {1, 2}
            median, best = _time(lambda: trained_by_area(as_of, scope), repeats)
            print(f"trained_by_area, scoped to 2 authorities: median {median * 1000:.0f} ms, best {best * 1000:.0f} ms")
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), action="append")
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (its schema is dropped)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    for scale in args.scale or ["realistic"]:
        run(scale, args.database_url, args.repeats)


if __name__ == "__main__":
    main()
