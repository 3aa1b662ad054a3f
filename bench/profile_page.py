"""Profile one page as one role in-process (issue 25): CPU a request, each statement's wall time, and a pyinstrument
tree. Not a timed test.

Run: `.venv/bin/python -m bench.profile_page DATABASE_URL ROLE PATH [--requests 30] [--tree]`, against data kept by
`bench.pages` (its users `<role>@pages.bench`), e.g. `sqlite:////abs/path/instance/bench-pages-national.sqlite3`.
CPU time (`time.process_time`) holds steady on a shared machine where wall time does not; SQLite's work is in it,
PostgreSQL's server is not (see the statements' wall times). The warm-up requests let psycopg prepare statements.
"""

from __future__ import annotations

import argparse
import collections
import time
from typing import Any

import sqlalchemy as sa

from bench.pages import PASSWORD
from training_app import create_app
from training_app.extensions import db

WARM_UP = 30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("role", help="coordinator, admin, workforce_lead, booker or finance")
    parser.add_argument("path", help="the page, e.g. / or /sessions/")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--tree", action="store_true", help="print pyinstrument's tree (pip install pyinstrument)")
    args = parser.parse_args()
    config = {"SQLALCHEMY_DATABASE_URI": args.database_url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False}
    app = create_app(config | {"SESSION_COOKIE_SECURE": False})
    client = app.test_client()
    signed_in = client.post("/sign-in", data={"email": f"{args.role}@pages.bench", "password": PASSWORD})
    if signed_in.status_code != 302:
        raise SystemExit(f"{args.role}@pages.bench could not sign in: {signed_in.status_code}")
    for _ in range(WARM_UP):
        page = client.get(args.path)
    if page.status_code != 200:
        raise SystemExit(f"{args.path} answered {page.status_code}")
    with app.app_context():
        engine = db.engine
    times: dict[str, list[float]] = collections.defaultdict(list)

    def before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        times[statement].append(time.perf_counter() - conn.info["bench_started"])

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.requests):
        client.get(args.path)
    wall, cpu = (time.perf_counter() - wall) / args.requests, (time.process_time() - cpu) / args.requests
    sa.event.remove(engine, "before_cursor_execute", before)
    sa.event.remove(engine, "after_cursor_execute", after)
    statements = sum(len(v) for v in times.values()) / args.requests
    in_sql = sum(sum(v) for v in times.values()) / args.requests
    size = len(page.data) / 1024
    print(f"{args.role} {args.path}: {cpu * 1000:.1f} ms CPU, {wall * 1000:.1f} ms wall a request, {size:.0f} KiB")
    print(f"{statements:.0f} statements a request, {in_sql * 1000:.1f} ms in SQL; the costliest:")
    for statement, runs in sorted(times.items(), key=lambda item: -sum(item[1]))[:6]:
        print(f"  {sum(runs) / args.requests * 1000:6.2f} ms  {' '.join(statement.split())[:150]}")
    if args.tree:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(args.requests):
            client.get(args.path)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False))


if __name__ == "__main__":
    main()
