"""Synthetic partnerships for benchmarks: realistic (one partnership) and national (all of England) scale.

Writes straight into a migrated database with bulk inserts of column rows; deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, time, timedelta

import sqlalchemy as sa

from training_app.extensions import db
from training_app.models import (
    Authority,
    Course,
    CourseKind,
    Organisation,
    OrganisationKind,
    Practitioner,
    SessionDay,
    TrainingRecord,
    TrainingSession,
    authority_key_for,
)
from training_app.models.people import practitioner_authorities
from training_app.services.common.calendar import london_to_utc

SCALES = {
    "realistic": {"authorities": 4, "organisations": 600, "practitioners": 5_000, "sessions": 300},
    # a region: a tenth of the national figures, quick enough to make on a shared two-core machine
    "regional": {"authorities": 20, "organisations": 6_000, "practitioners": 100_000, "sessions": 4_000},
    "national": {"authorities": 152, "organisations": 60_000, "practitioners": 1_000_000, "sessions": 40_000},
}
CHUNK = 20_000


@dataclass(frozen=True)
class Generated:
    practitioners: int
    records: int
    sessions: int


def generate(scale: str, seed: int = 2008) -> Generated:
    """Fill an empty, migrated database with a partnership of the given scale."""
    spec = SCALES[scale]
    rng = random.Random(seed)
    authority_ids = _authorities(spec["authorities"])
    org_ids = _organisations(spec["organisations"], authority_ids, rng)
    course_id = _course()
    records = _practitioners(spec["practitioners"], org_ids, authority_ids, course_id, rng)
    _sessions(spec["sessions"], authority_ids, course_id, rng)
    db.session.commit()
    settle()
    return Generated(spec["practitioners"], records, spec["sessions"])


def settle() -> None:
    """On PostgreSQL, VACUUM ANALYZE after a bulk load, as autovacuum would: plans depend on the statistics, and
    index-only scans on the visibility map (without it they fetch every heap row)."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")


def insert_rows(model_or_table, rows: list[dict]) -> None:
    """Bulk insert column rows (all with the same keys): COPY on PostgreSQL, chunked multi-row inserts elsewhere."""
    target = model_or_table if isinstance(model_or_table, sa.Table) else model_or_table.__table__
    if not rows:
        return
    if db.engine.dialect.name == "postgresql":
        columns = list(rows[0])
        defaults = _python_defaults(target, columns)  # what sa.insert would fill in (created_at and the like)
        with _copy(f"COPY {target.name} ({', '.join([*columns, *defaults])}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([*(row[column] for column in columns), *defaults.values()])
        return
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(target), rows[start : start + CHUNK])


def update_column(table: sa.Table, column: str, values: dict[int, int]) -> None:
    """Set table.column per row id: on PostgreSQL through a COPY-filled temporary table and one UPDATE ... FROM."""
    if db.engine.dialect.name != "postgresql":
        db.session.execute(
            sa.update(table).where(table.c.id == sa.bindparam("row_id")).values({column: sa.bindparam("value")}),
            [{"row_id": row_id, "value": value} for row_id, value in values.items()],
        )
        return
    db.session.execute(sa.text("CREATE TEMPORARY TABLE bench_values (id bigint PRIMARY KEY, value bigint)"))
    with _copy("COPY bench_values (id, value) FROM STDIN") as copy:
        for row in values.items():
            copy.write_row(row)
    db.session.execute(
        sa.text(f"UPDATE {table.name} SET {column} = v.value FROM bench_values v WHERE {table.name}.id = v.id")
    )
    db.session.execute(sa.text("DROP TABLE bench_values"))


def _python_defaults(table: sa.Table, given: list[str]) -> dict[str, object]:
    """The client-side defaults of the columns not given, evaluated once (the same for every row of one load)."""
    defaults = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None or getattr(default, "is_sequence", False):
            continue
        defaults[column.name] = default.arg(None) if default.is_callable else default.arg
    return defaults


def _copy(statement: str):
    """A psycopg COPY ... FROM STDIN on the session's connection (inside its transaction)."""
    cursor = db.session.connection().connection.driver_connection.cursor()
    return cursor.copy(statement)


def _authorities(count: int) -> list[int]:
    insert_rows(
        Authority,
        [
            {"code": f"LA{i:03d}", "name": f"Authority {i:03d}", "partner": True, "display_order": i}
            for i in range(1, count + 1)
        ],
    )
    return list(db.session.execute(sa.select(Authority.id).order_by(Authority.id)).scalars())


def _organisations(count: int, authority_ids: list[int], rng: random.Random) -> list[int]:
    kinds = list(OrganisationKind)
    insert_rows(
        Organisation,
        [
            {
                "code": f"ORG{i:06d}",
                "name": f"Organisation {i}",
                "kind": rng.choice(kinds),
                "authority_id": rng.choice(authority_ids),
                "awareness_only": False,
            }
            for i in range(count)
        ],
    )
    return list(db.session.execute(sa.select(Organisation.id)).scalars())


def _course() -> int:
    db.session.execute(
        sa.insert(Course.__table__),
        [
            {
                "code": "CAF",
                "title": "CAF practitioner",
                "kind": CourseKind.CAF_PRACTITIONER,
                "counts_as_trained": True,
                "self_booking": "no",
                "cancellation_window_days": 2,
                "charge_half_day_pence": 2500,
                "charge_day_pence": 5000,
                "description": "",
                "validity_months": 36,
            }
        ],
    )
    return db.session.execute(sa.select(Course.id)).scalar_one()


def _authority_set(home: int, authority_ids: list[int], rng: random.Random) -> list[int]:
    """Most people work for one authority; about one in twenty for two, one in a hundred for three."""
    roll = rng.random()
    extra = 2 if roll < 0.01 else 1 if roll < 0.06 else 0
    return sorted({home, *rng.sample(authority_ids, extra)})


def _practitioners(count, org_ids, authority_ids, course_id, rng) -> int:
    org_authority = dict(db.session.execute(sa.select(Organisation.id, Organisation.authority_id)).all())
    people, links, records = [], [], []
    for i in range(1, count + 1):
        org = rng.choice(org_ids)
        authorities = _authority_set(org_authority[org], authority_ids, rng)
        people.append(
            {
                "id": i,
                "email": f"p{i}@bench.test",
                "first_name": "P",
                "last_name": str(i),
                "organisation_id": org,
                "cover_category": "none",
                "authority_key": authority_key_for(authorities),
            }
        )
        links.extend({"practitioner_id": i, "authority_id": a} for a in authorities)
        if rng.random() < 0.6:
            completed = date(2007, 5, 1) + timedelta(days=rng.randrange(700))
            records.append(
                {
                    "practitioner_id": i,
                    "course_id": course_id,
                    "completed_on": completed,
                    "expires_on": completed + timedelta(days=365 * 3),
                    "source": "import",
                }
            )
    insert_rows(Practitioner, people)
    insert_rows(practitioner_authorities, links)
    insert_rows(TrainingRecord, records)
    return len(records)


def _sessions(count, authority_ids, course_id, rng) -> None:
    sessions, days = [], []
    for i in range(1, count + 1):
        day = date(2008, 1, 7) + timedelta(days=rng.randrange(700))
        sessions.append(
            {
                "id": i,
                "code": f"B-{i:06d}",
                "course_id": course_id,
                "capacity": 20,
                "host_authority_id": rng.choice(authority_ids),
                "booking_closes_days": 0,
                "status": "scheduled",
                "starts_on": day,
                "ends_on": day,
                "notes": "",
            }
        )
        days.append(
            {
                "session_id": i,
                "date": day,
                "starts_at": london_to_utc(day, time(9, 30)),
                "ends_at": london_to_utc(day, time(16, 0)),
            }
        )
    insert_rows(TrainingSession, sessions)
    insert_rows(SessionDay, days)
