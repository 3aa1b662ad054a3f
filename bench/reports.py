"""Benchmark: the issue 8 reports beside a bare GROUP BY of the same question, measured in the same run.

Run: `.venv/bin/python -m bench.reports [--scale realistic|national] [--database-url URL] [--keep FILE]`.
`--keep FILE` fills an SQLite file once and reuses it on later runs (the national data takes minutes to make).
Fills a scratch database with bench.generate, then adds what the reports read and the generator leaves out: areas,
responsibility groups with a pathway requiring the course, and a place with a register mark for most sessions'
seats. Prints figures; it is not a timed test.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from bench.counting import _time, fresh_database_url
from bench.generate import CHUNK, SCALES, generate
from training_app import create_app
from training_app.exports.people_lists import write_still_to_train
from training_app.exports.trained_by_area import write_trained_by_area
from training_app.extensions import db
from training_app.models import (
    Area,
    AttendanceMark,
    Authority,
    Booking,
    Organisation,
    Pathway,
    PathwayCourse,
    Practitioner,
    Requirement,
    ResponsibilityGroup,
    SessionDay,
    TrainingSession,
)
from training_app.services.attendance_counts import attendance_by_authority
from training_app.services.counting import trained_by_area
from training_app.services.coverage import coverage_grid

AS_OF = date(2008, 8, 31)
ORGANISATIONS, PEOPLE = Organisation.__table__, Practitioner.__table__


def add_report_data(rng: random.Random) -> int:
    """Areas (four per authority), groups 1-8 for everyone, a pathway for group 3 and 5, booked and marked seats."""
    authorities = list(db.session.execute(sa.select(Authority.id)).scalars())
    db.session.execute(
        sa.insert(Area), [{"authority_id": a, "name": f"Area {a}-{n}"} for a in authorities for n in range(4)]
    )
    areas: dict[int, list[int]] = {}
    for area_id, authority_id in db.session.execute(sa.select(Area.id, Area.authority_id)):
        areas.setdefault(authority_id, []).append(area_id)
    organisations = db.session.execute(sa.select(Organisation.id, Organisation.authority_id)).all()
    db.session.execute(
        sa.update(ORGANISATIONS).where(ORGANISATIONS.c.id == sa.bindparam("oid")).values(area_id=sa.bindparam("aid")),
        [{"oid": oid, "aid": rng.choice(areas[authority])} for oid, authority in organisations],
    )
    groups = dict(db.session.execute(sa.select(ResponsibilityGroup.code, ResponsibilityGroup.id)).all())
    for code in ("3", "5"):
        pathway = Pathway(group_id=groups[code], name=f"Group {code}")
        course_id = db.session.execute(sa.text("SELECT id FROM courses WHERE code = 'CAF'")).scalar_one()
        pathway.steps = [PathwayCourse(course_id=course_id, requirement=Requirement.REQUIRED, position=1)]
        db.session.add(pathway)
    group_ids = list(groups.values())
    people = list(db.session.execute(sa.select(Practitioner.id)).scalars())
    db.session.execute(
        sa.update(PEOPLE).where(PEOPLE.c.id == sa.bindparam("pid")).values(group_id=sa.bindparam("gid")),
        [{"pid": pid, "gid": rng.choice(group_ids)} for pid in people],
    )
    return _marks(people, rng)


def _marks(people: list[int], rng: random.Random) -> int:
    """Fifteen booked seats per session, each marked attended, partial or absent."""
    sessions = db.session.execute(
        sa.select(TrainingSession.id, TrainingSession.course_id, SessionDay.id).join(
            SessionDay, SessionDay.session_id == TrainingSession.id
        )
    ).all()
    bookings, marks, next_id = [], [], 1
    for session_id, course_id, day_id in sessions:
        for person in rng.sample(people, 15):
            status = rng.choices(["attended", "partial", "absent"], [8, 1, 1])[0]
            bookings.append(
                {"id": next_id, "session_id": session_id, "practitioner_id": person, "course_id": course_id}
                | {"status": "attended" if status != "absent" else "no_show", "walk_in": False}
            )
            marks.append({"booking_id": next_id, "session_day_id": day_id, "status": status})
            next_id += 1
    for start in range(0, len(bookings), CHUNK):
        db.session.execute(sa.insert(Booking.__table__), bookings[start : start + CHUNK])
        db.session.execute(sa.insert(AttendanceMark.__table__), marks[start : start + CHUNK])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
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


def run(scale: str, database_url: str | None, repeats: int, keep: Path | None = None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        reuse = keep is not None and keep.exists()
        url = "sqlite:///" + str(keep) if keep is not None else fresh_database_url(database_url, folder)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            if reuse:
                people = db.session.execute(sa.select(sa.func.count(Practitioner.id))).scalar_one()
                print(f"reusing {keep} ({db.engine.dialect.name}): {people:,} practitioners")
            else:
                start = time.perf_counter()
                generated = generate(scale)
                marks = add_report_data(random.Random(8))
                print(
                    f"{scale} ({db.engine.dialect.name}): {generated.practitioners:,} practitioners, "
                    f"{generated.records:,} records, {marks:,} register marks in {time.perf_counter() - start:.1f} s"
                )
            bare, _ = _time(bare_group_by, repeats)
            out = Path(folder) / "out.xlsx"
            timings = {
                "bare GROUP BY": bare,
                "trained_by_area (the JSON's rows)": _time(lambda: trained_by_area(AS_OF), repeats)[0],
                "coverage_grid": _time(lambda: coverage_grid(AS_OF), repeats)[0],
                "attendance_by_authority (2008)": _time(
                    lambda: attendance_by_authority(date(2008, 1, 1), date(2008, 12, 31)), repeats
                )[0],
                "trained-by-area workbook": _time(lambda: write_trained_by_area(out, AS_OF), max(1, repeats // 2))[0],
            }
            for name, seconds in timings.items():
                print(f"{name}: median {seconds * 1000:.0f} ms ({seconds / bare:.1f}x the bare GROUP BY)")
            start = time.perf_counter()
            rows = write_still_to_train(out, AS_OF)
            elapsed = time.perf_counter() - start
            print(f"still-to-train export: {rows:,} rows in {elapsed:.2f} s ({rows / max(elapsed, 1e-9):,.0f} rows/s)")
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="realistic")
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (its schema is dropped)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="an SQLite file: filled on the first run, reused on later ones")
    args = parser.parse_args()
    run(args.scale, args.database_url, args.repeats, args.keep)


if __name__ == "__main__":
    main()
