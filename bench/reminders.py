"""Benchmark: the refresher reminder scan at 1,000,000 and 4,000,000 practitioners with the same 10,000 records due.

Run: `.venv/bin/python -m bench.reminders [--practitioners 1000000 --practitioners 4000000] [--database-url URL]`.
Builds a scratch database with the migrations and bulk-loads practitioners, each with one record of a course that
expires after 36 months: DUE of them in the reminder windows around the day of the run (due soon, due, overdue),
the others expiring years before or after it. Then times `due_refreshers` (the scan) and `due_reminders` (the scan
plus the log lookup and the other kinds) with the query plan; the time should follow the number due (the index on
`training_records.expires_on`), not the number of practitioners. It prints figures; it is not a timed test.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import sqlalchemy as sa
from flask_migrate import upgrade

from bench.counting import fresh_database_url
from training_app import create_app
from training_app.extensions import db
from training_app.models import Authority, Course, CourseKind, Organisation, OrganisationKind
from training_app.services.reminders.reminders import due_refreshers, due_reminders

TODAY = date(2026, 6, 1)
DUE = 10_000
BATCH = 100_000
ORGANISATIONS = 200


def _setup() -> tuple[int, list[int]]:
    """One authority, some organisations and the course; returns the course id and the organisation ids."""
    db.session.execute(
        sa.insert(Authority.__table__), [{"code": "B", "name": "Bench", "partner": True, "display_order": 1}]
    )
    authority_id = db.session.execute(sa.select(Authority.id)).scalar_one()
    rows = [
        {"code": f"O{i}", "name": f"Org {i}", "kind": OrganisationKind.SCHOOL, "authority_id": authority_id}
        for i in range(ORGANISATIONS)
    ]
    db.session.execute(sa.insert(Organisation.__table__), [r | {"awareness_only": False} for r in rows])
    course = {
        "code": "CAF",
        "title": "CAF",
        "kind": CourseKind.CAF_PRACTITIONER,
        "counts_as_trained": True,
        "self_booking": "no",
        "cancellation_window_days": 2,
        "charge_half_day_pence": 2500,
        "charge_day_pence": 5000,
        "description": "",
        "validity_months": 36,
    }
    db.session.execute(sa.insert(Course.__table__), [course])
    db.session.commit()
    organisation_ids = list(db.session.scalars(sa.select(Organisation.id)))
    course_id = db.session.execute(sa.select(Course.id)).scalar_one()
    db.session.commit()  # end the read: the bulk load writes through a connection of its own
    return course_id, organisation_ids


def _expiry(i: int, total: int, rng: random.Random) -> date:
    """The first DUE people expire inside the windows (120 days back to 90 ahead); the rest well outside them."""
    if i <= DUE:
        return TODAY + timedelta(days=rng.randrange(-119, 90))
    if i % 2:
        return TODAY - timedelta(days=200 + rng.randrange(3000))
    return TODAY + timedelta(days=120 + rng.randrange(3000))


def _people(total: int, organisation_ids: list[int], course_id: int) -> Iterator[tuple[list[tuple], list[tuple]]]:
    rng = random.Random(2026)
    for start in range(1, total + 1, BATCH):
        people, records = [], []
        for i in range(start, min(start + BATCH, total + 1)):
            people.append((i, f"p{i:08d}@bench.test", "P", str(i), rng.choice(organisation_ids), "none", ""))
            expires = _expiry(i, total, rng)
            records.append((i, course_id, expires - timedelta(days=365 * 3), expires, "import", LOADED_AT))
        yield people, records


PEOPLE_COLUMNS = "id, email, first_name, last_name, organisation_id, cover_category, authority_key"
RECORD_COLUMNS = "practitioner_id, course_id, completed_on, expires_on, source, created_at"
LOADED_AT = "2026-01-01 00:00:00"


def _load(total: int, organisation_ids: list[int], course_id: int) -> None:
    """Bulk-load: COPY on PostgreSQL, executemany in big batches on SQLite (raw driver cursors)."""
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        postgresql = db.engine.dialect.name == "postgresql"
        if not postgresql:  # a big page cache, and no fsync while loading a scratch file
            cursor.execute("PRAGMA cache_size=-524288")
            cursor.execute("PRAGMA synchronous=OFF")
        for people, records in _people(total, organisation_ids, course_id):
            if postgresql:
                _copy(cursor, "practitioners", PEOPLE_COLUMNS, people)
                _copy(cursor, "training_records", RECORD_COLUMNS, records)
            else:
                cursor.executemany(f"INSERT INTO practitioners ({PEOPLE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", people)
                cursor.executemany(
                    f"INSERT INTO training_records ({RECORD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", records
                )
            connection.commit()
        cursor.execute("ANALYZE")
        connection.commit()
    finally:
        connection.close()


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _copy(cursor, table: str, columns: str, rows: list[tuple]) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(str(value) for value in row) + "\n")
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        copy.write(buffer.getvalue())


def _time(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        db.session.rollback()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), min(timings)


def _plan() -> str:
    """The scan's query plan, to show it reads through the expiry index."""
    statement = "EXPLAIN QUERY PLAN" if db.engine.dialect.name == "sqlite" else "EXPLAIN"
    window = "expires_on > :low AND expires_on <= :high"
    query = f"{statement} SELECT id FROM training_records WHERE {window}"
    low, high = TODAY - timedelta(days=120), TODAY + timedelta(days=90)
    rows = db.session.execute(sa.text(query), {"low": low, "high": high}).all()
    db.session.rollback()
    return " | ".join(str(row[-1]) for row in rows)


def run(total: int, database_url: str | None, repeats: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = fresh_database_url(database_url, folder)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            course_id, organisation_ids = _setup()
            start = time.perf_counter()
            _load(total, organisation_ids, course_id)
            loaded = time.perf_counter() - start
            print(f"{total:,} practitioners and records loaded in {loaded:.0f} s ({db.engine.dialect.name})")
            due = due_refreshers(TODAY)
            db.session.rollback()
            median, best = _time(lambda: due_refreshers(TODAY), repeats)
            print(f"  due_refreshers: {len(due):,} due; median {median:.2f} s, best {best:.2f} s over {repeats} runs")
            median, best = _time(lambda: due_reminders(TODAY), repeats)
            print(f"  due_reminders (with the log lookup and every kind): median {median:.2f} s, best {best:.2f} s")
            print(f"  plan: {_plan()}")
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practitioners", type=int, action="append")
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (its schema is dropped)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    for total in args.practitioners or [1_000_000, 4_000_000]:
        run(total, args.database_url, args.repeats)


if __name__ == "__main__":
    main()
