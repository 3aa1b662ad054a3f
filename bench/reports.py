"""Benchmark: the issue 8 reports beside a bare GROUP BY of the same question, measured in the same run.

Run: `.venv/bin/python -m bench.reports [--scale realistic|national] [--database-url URL [--reuse]] [--keep FILE]`.
`--keep FILE` fills an SQLite file once and reuses it on later runs (the national data takes minutes to make);
`--reuse` does the same for a PostgreSQL database (loaded with COPY). Fills a scratch database with bench.generate,
then adds what the reports read and the generator leaves out: areas, awareness-only GP practices, responsibility
groups with a pathway requiring the course, and a place with a register mark for most sessions' seats.

Times the bare GROUP BY, the trained-by-area JSON (the endpoint's body) and the workbook in rounds, one of each per
round, so each ratio compares timings taken under the same load; then the coverage grid, attendance by authority
and the still-to-train export, with their figures and the load averages. Prints figures; it is not a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from datetime import date
from datetime import time as time_of_day
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from bench.counting import _time, fresh_database_url
from bench.generate import SCALES, generate, insert_rows, settle, update_column
from training_app import create_app
from training_app.api.reports import row_json
from training_app.exports.people_lists import write_still_to_train
from training_app.exports.trained_by_area import write_trained_by_area
from training_app.extensions import db
from training_app.models import (
    Area,
    AttendanceMark,
    Authority,
    Booking,
    Organisation,
    OrganisationKind,
    Pathway,
    PathwayCourse,
    Practitioner,
    Requirement,
    ResponsibilityGroup,
    SessionDay,
    TrainingSession,
)
from training_app.runtime import freeze_startup_objects
from training_app.services.reporting.attendance_counts import attendance_by_authority
from training_app.services.reporting.counting import trained_by_area
from training_app.services.reporting.coverage import coverage_grid

AS_OF = date(2008, 8, 31)
ORGANISATIONS, PEOPLE = Organisation.__table__, Practitioner.__table__


def add_report_data(rng: random.Random) -> int:
    """Areas (four per authority), GP practices awareness-only (SPEC 3.8; one organisation in 13), groups 1-8 for
    everyone, a pathway for group 3 and 5, booked and marked seats."""
    db.session.execute(
        sa.update(Organisation).where(Organisation.kind == OrganisationKind.GP).values(awareness_only=True)
    )
    authorities = list(db.session.execute(sa.select(Authority.id)).scalars())
    db.session.execute(
        sa.insert(Area), [{"authority_id": a, "name": f"Area {a}-{n}"} for a in authorities for n in range(4)]
    )
    areas: dict[int, list[int]] = {}
    for area_id, authority_id in db.session.execute(sa.select(Area.id, Area.authority_id)):
        areas.setdefault(authority_id, []).append(area_id)
    organisations = db.session.execute(
        sa.select(Organisation.id, Organisation.authority_id).order_by(Organisation.id)
    ).all()
    update_column(ORGANISATIONS, "area_id", {oid: rng.choice(areas[authority]) for oid, authority in organisations})
    groups = dict(db.session.execute(sa.select(ResponsibilityGroup.code, ResponsibilityGroup.id)).all())
    for code in ("3", "5"):
        pathway = Pathway(group_id=groups[code], name=f"Group {code}")
        course_id = db.session.execute(sa.text("SELECT id FROM courses WHERE code = 'CAF'")).scalar_one()
        pathway.steps = [PathwayCourse(course_id=course_id, requirement=Requirement.REQUIRED, position=1)]
        db.session.add(pathway)
    group_ids = list(groups.values())
    people = list(db.session.execute(sa.select(Practitioner.id).order_by(Practitioner.id)).scalars())
    update_column(PEOPLE, "group_id", {pid: rng.choice(group_ids) for pid in people})
    return _marks(people, rng)


def _marks(people: list[int], rng: random.Random) -> int:
    """Fifteen booked seats per session, each marked attended, partial or absent."""
    sessions = db.session.execute(
        sa.select(TrainingSession.id, TrainingSession.course_id, SessionDay.id)
        .join(SessionDay, SessionDay.session_id == TrainingSession.id)
        .order_by(SessionDay.id)
    ).all()
    bookings, marks, next_id = [], [], 1
    for session_id, course_id, day_id in sessions:
        for person in rng.sample(people, 15):
            status = rng.choices(["attended", "partial", "absent"], [8, 1, 1])[0]
            bookings.append(
                {"id": next_id, "session_id": session_id, "practitioner_id": person, "course_id": course_id}
                | {"status": "attended" if status != "absent" else "no_show", "walk_in": False}
            )
            late = time_of_day(10, 30) if status == "partial" else None  # a partial day has its time (issue 18)
            marks.append({"booking_id": next_id, "session_day_id": day_id, "status": status, "noted_time": late})
            next_id += 1
    insert_rows(Booking, bookings)
    insert_rows(AttendanceMark, marks)
    db.session.commit()
    settle()
    return len(marks)


def bare_group_by() -> None:
    """The trained-by-area question as one bare GROUP BY, for comparison."""
    db.session.execute(
        sa.text(
            "SELECT authority_key, COUNT(*) FROM practitioners WHERE id IN (SELECT practitioner_id FROM "
            "training_records WHERE course_id = 1 AND completed_on <= :as_of) GROUP BY authority_key"
        ),
        {"as_of": AS_OF},
    ).all()


def trained_by_area_json() -> bytes:
    """What GET /api/v1/reports/trained-by-area answers for everyone: the rows as the endpoint writes them."""
    return json.dumps({"as_of": AS_OF.isoformat(), "rows": [row_json(row) for row in trained_by_area(AS_OF)]}).encode()


def measure(app, out: Path, repeats: int) -> None:
    """Rounds of bare GROUP BY, JSON and workbook (so each ratio compares timings taken under the same load), then
    coverage, attendance by authority and the still-to-train export; medians, with the machine's load."""
    print(f"load before: {_load()}")
    rounds: dict[str, list[float]] = {"bare": [], "json": [], "workbook": []}
    for _ in range(repeats):
        rounds["bare"].append(_once(bare_group_by))
        rounds["json"].append(_once(trained_by_area_json))
        rounds["workbook"].append(_once(lambda: write_trained_by_area(out, AS_OF)))
    bare, json_s, workbook = (statistics.median(rounds[name]) for name in ("bare", "json", "workbook"))
    print(f"bare GROUP BY: median {bare * 1000:.0f} ms over {repeats} rounds")
    print(
        f"trained-by-area JSON: median {json_s * 1000:.0f} ms = {json_s / bare:.2f}x the bare GROUP BY "
        "(target 1.5x, under 2 s)"
    )
    print(
        f"trained-by-area workbook: median {workbook * 1000:.0f} ms = {workbook / bare:.2f}x the bare GROUP BY "
        "(target 3x)"
    )
    print(f"load after the rounds: {_load()}")
    grid = coverage_grid(AS_OF)
    seconds, _ = _time(lambda: coverage_grid(AS_OF), repeats)
    total = grid.total
    print(
        f"coverage grid: median {seconds * 1000:.0f} ms ({len(grid.areas)} areas x {len(grid.groups)} groups; "
        f"{total.current:,} of {total.required:,} required trained and current, {total.percent}%)"
    )
    rows = attendance_by_authority(date(2008, 1, 1), date(2008, 12, 31))
    seconds, _ = _time(lambda: attendance_by_authority(date(2008, 1, 1), date(2008, 12, 31)), repeats)
    print(
        f"attendance by authority, 2008: median {seconds * 1000:.0f} ms "
        f"({len(rows) - 1:,} rows, {rows[-1].attended:,} attendees)"
    )
    start = time.perf_counter()
    written = write_still_to_train(out, AS_OF)
    elapsed = time.perf_counter() - start
    print(f"still-to-train export: {written:,} rows in {elapsed:.2f} s ({written / max(elapsed, 1e-9):,.0f} rows/s)")
    print(f"load at the end: {_load()}")


def _once(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _load() -> str:
    """The 1, 5 and 15 minute load averages (2 cores here): timings under load are slower, ratios less so."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _filled(url: str) -> bool:
    """Whether a database already holds a generated partnership with its report data (the bookings come last)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("bookings"):
                return False
            return conn.execute(sa.text("SELECT EXISTS (SELECT 1 FROM bookings)")).scalar_one() in (True, 1)
    finally:
        engine.dispose()


def _database(database_url: str | None, keep: Path | None, reuse: bool, folder: str) -> tuple[str, bool]:
    """The URL to run on, and whether its data is reused rather than generated."""
    if keep is not None:
        return "sqlite:///" + str(keep), keep.exists()
    if database_url is not None and reuse and _filled(database_url):
        return database_url, True
    return fresh_database_url(database_url, folder), False


def run(scale: str, database_url: str | None, repeats: int, keep: Path | None = None, reuse: bool = False) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url, reuse = _database(database_url, keep, reuse, folder)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            freeze_startup_objects()  # as wsgi.py does in every gunicorn worker
            if reuse:
                settle()  # a migration since the data was made may have rewritten rows (PostgreSQL: dead tuples)
                people = db.session.execute(sa.select(sa.func.count(Practitioner.id))).scalar_one()
                print(f"reusing the data in {db.engine.url!r} ({db.engine.dialect.name}): {people:,} practitioners")
            else:
                start = time.perf_counter()
                generated = generate(scale)
                marks = add_report_data(random.Random(8))
                print(
                    f"{scale} ({db.engine.dialect.name}): {generated.practitioners:,} practitioners, "
                    f"{generated.records:,} records, {marks:,} register marks in {time.perf_counter() - start:.1f} s"
                )
            measure(app, Path(folder) / "out.xlsx", repeats)
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="realistic")
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (its schema is dropped)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="an SQLite file: filled on the first run, reused on later ones")
    parser.add_argument("--reuse", action="store_true", help="with --database-url: keep data a previous run generated")
    args = parser.parse_args()
    run(args.scale, args.database_url, args.repeats, args.keep, args.reuse)


if __name__ == "__main__":
    main()
