"""Benchmark: how long `seed demo` takes to load the demo partnership (SPEC 5: "loads in seconds").

Run: `make bench` or `.venv/bin/python -m bench.seed_demo [--database-url URL] [--repeats N]`.
Each run loads the demo into a freshly migrated scratch database. It prints figures; it is not a timed test.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from flask_migrate import upgrade

from bench.counting import fresh_database_url
from seeds import load_demo
from training_app import create_app
from training_app.extensions import db


def run(database_url: str | None, repeats: int) -> None:
    """Seed the demo `repeats` times, each into a fresh database, and print the median and best times."""
    timings = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as folder:
            app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url(database_url, folder), "SECRET_KEY": "x"})
            with app.app_context():
                upgrade()
                start = time.perf_counter()
                counts = load_demo()
                timings.append(time.perf_counter() - start)
                dialect = db.engine.dialect.name
                db.session.remove()
                db.engine.dispose()
    print(
        f"seed demo ({dialect}): {counts['practitioners']:,} practitioners, {counts['bookings']:,} bookings; "
        f"median {statistics.median(timings):.2f} s, best {min(timings):.2f} s over {repeats} runs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (its schema is dropped)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    run(args.database_url, args.repeats)


if __name__ == "__main__":
    main()
