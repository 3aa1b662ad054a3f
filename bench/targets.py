"""Benchmark: the progress of a target for every organisation (SPEC 3.10) beside a bare GROUP BY of the same question.

Run: `.venv/bin/python -m bench.targets [--scale realistic|regional|national] [--database-url URL] [--repeats N]`.
Fills a scratch database with bench.generate, gives everyone a responsibility group, then sets a target for every
organisation (groups 3 and 5, CAF, 80%) and one per authority, as bulk rows. Times, in rounds (so each ratio compares
timings taken under the same load): the bare GROUP BY (staff in the groups per organisation and how many hold an
unexpired CAF record, one statement over the practitioners), and the targets service counting every target a page of
500 at a time (one statement a page, as the workbook and the API do). Prints figures; it is not a timed test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import date

import sqlalchemy as sa
from flask_migrate import upgrade

from bench.counting import fresh_database_url
from bench.generate import SCALES, generate, insert_rows, settle, update_column
from bench.reports import _load, _once
from training_app import create_app
from training_app.extensions import db
from training_app.models import Authority, Organisation, Practitioner, ResponsibilityGroup, Target, target_groups
from training_app.runtime import freeze_startup_objects
from training_app.services.workforce.target_progress import target_progress
from training_app.services.workforce.targets import count_targets, targets_for

AS_OF = date(2008, 8, 31)
SET_ON, DUE_ON = date(2008, 1, 1), date(2009, 12, 31)
GROUPS = ("3", "5")
PAGE = 500


def add_targets(rng: random.Random) -> int:
    """Everyone a group (1-8), then a target for every organisation and every authority; returns how many."""
    groups = dict(db.session.execute(sa.select(ResponsibilityGroup.code, ResponsibilityGroup.id)).all())
    people = list(db.session.execute(sa.select(Practitioner.id).order_by(Practitioner.id)).scalars())
    update_column(Practitioner.__table__, "group_id", {pid: rng.choice(list(groups.values())) for pid in people})
    course_id = db.session.execute(sa.text("SELECT id FROM courses WHERE code = 'CAF'")).scalar_one()
    organisations = list(db.session.execute(sa.select(Organisation.id).order_by(Organisation.id)).scalars())
    authorities = list(db.session.execute(sa.select(Authority.id).order_by(Authority.id)).scalars())
    rows = [{"organisation_id": oid, "authority_id": None} for oid in organisations]
    rows += [{"organisation_id": None, "authority_id": aid} for aid in authorities]
    common = {"course_id": course_id, "percent": 80, "due_on": DUE_ON, "set_on": SET_ON, "set_by_id": None}
    insert_rows(Target, [{"id": n, **row, **common} for n, row in enumerate(rows, start=1)])
    links = [{"target_id": n, "group_id": groups[code]} for n in range(1, len(rows) + 1) for code in GROUPS]
    insert_rows(target_groups, links)
    db.session.commit()
    settle()
    return len(rows)


def bare_group_by() -> int:
    """The question as one bare GROUP BY: staff in the groups per organisation, and how many hold an unexpired CAF
    record (no in-post dates, no latest-completion rule, no authorities' targets). The holders are joined as a
    derived table: written as `CASE WHEN p.id IN (...)`, PostgreSQL at 1M could not hash the subquery within
    work_mem and ran it once per person (over 5 minutes before it was stopped)."""
    rows = db.session.execute(
        sa.text(
            "SELECT p.organisation_id, COUNT(*), COUNT(c.practitioner_id) FROM practitioners p "
            "JOIN responsibility_groups g ON g.id = p.group_id "
            "LEFT JOIN (SELECT DISTINCT practitioner_id FROM training_records WHERE course_id = 1 "
            "AND completed_on <= :as_of AND (expires_on IS NULL OR expires_on > :as_of)) c ON c.practitioner_id = p.id "
            "WHERE g.code IN ('3', '5') GROUP BY p.organisation_id"
        ),
        {"as_of": AS_OF},
    ).all()
    return len(rows)


def every_targets_progress() -> int:
    """Every target's progress through the service, a page of PAGE targets per statement."""
    counted = 0
    for offset in range(0, count_targets(None), PAGE):
        targets = targets_for(None, PAGE, offset)
        counted += len(target_progress(targets, AS_OF))
        db.session.expunge_all()
    return counted


def every_targets_statements(pages: list[list[Target]]) -> int:
    """The progress statements alone, for targets already loaded (what the SQL costs, without the ORM's loading)."""
    return sum(len(target_progress(targets, AS_OF)) for targets in pages)


def measure(repeats: int) -> None:
    print(f"load before: {_load()}")
    pages = [targets_for(None, PAGE, offset) for offset in range(0, count_targets(None), PAGE)]
    rounds: dict[str, list[float]] = {"bare": [], "service": [], "statements": []}
    for _ in range(repeats):
        rounds["bare"].append(_once(bare_group_by))
        rounds["statements"].append(_once(lambda: every_targets_statements(pages)))
        rounds["service"].append(_once(every_targets_progress))
    bare, service, statements = (statistics.median(rounds[name]) for name in ("bare", "service", "statements"))
    print(f"bare GROUP BY (staff and current holders per organisation): {bare * 1000:.0f} ms, median of {repeats}")
    print(
        f"progress statements of every target, {len(pages)} pages of {PAGE}: median {statements * 1000:.0f} ms "
        f"= {statements / bare:.2f}x the bare GROUP BY"
    )
    print(
        f"the same with the targets loaded page by page (as the workbook and the API): median {service * 1000:.0f} ms "
        f"= {service / bare:.2f}x the bare GROUP BY"
    )
    first = targets_for(None, PAGE)
    one_page = statistics.median(_once(lambda: target_progress(first, AS_OF)) for _ in range(repeats))
    print(f"one page of {len(first)} targets (the /targets page's statement): median {one_page * 1000:.0f} ms")
    print(f"load after: {_load()}")


def run(scale: str, database_url: str | None, repeats: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = fresh_database_url(database_url, folder)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            freeze_startup_objects()
            start = time.perf_counter()
            generated = generate(scale)
            targets = add_targets(random.Random(22))
            print(
                f"{scale} ({db.engine.dialect.name}): {generated.practitioners:,} practitioners, "
                f"{generated.records:,} records, {targets:,} targets in {time.perf_counter() - start:.1f} s"
            )
            measure(repeats)
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="realistic")
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (its schema is dropped)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    run(args.scale, args.database_url, args.repeats)


if __name__ == "__main__":
    main()
