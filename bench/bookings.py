"""Benchmark: booking places over the API behind 4 gunicorn workers, beside the bare /health route (issue 7).

Run: `make bench-bookings` or `.venv/bin/python -m bench.bookings [--database-url URL] [--clients 32]`.
Builds a scratch database with the migrations, 50 coming sessions and enough practitioners that some queue,
starts gunicorn, then has N client threads book as fast as they can: bookings per second and p50/p99
latency, and the same clients on /health in the same run. It prints figures; it is not a timed test.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

import requests
from flask_migrate import upgrade

from bench.counting import fresh_database_url
from training_app import create_app
from training_app.extensions import db
from training_app.models import (
    Authority,
    Course,
    CourseKind,
    Organisation,
    OrganisationKind,
    Practitioner,
    Role,
    SessionDay,
    TrainingSession,
)
from training_app.services.accounts import create_user, issue_api_token
from training_app.services.calendar import london_to_utc, london_today

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SESSIONS, CAPACITY = 50, 20
LISTENING = re.compile(r"Listening at: (http://127\.0\.0\.1:\d+)")


def _build(url: str, people: int, clients: int) -> list[str]:
    """Migrate and fill the scratch database; returns one API token per client."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        authority = Authority(code="BENCH", name="Bench", partner=True, display_order=1)
        school = Organisation(code="SCH", name="Bench School", kind=OrganisationKind.SCHOOL, authority=authority)
        course = Course(code="CAF", title="CAF", kind=CourseKind.CAF_PRACTITIONER)
        db.session.add_all([authority, school, course])
        first = london_today() + timedelta(days=30)
        for n in range(SESSIONS):
            day = first + timedelta(days=n)
            session = TrainingSession(code=f"B-{n:03d}", course=course, capacity=CAPACITY, host_authority=authority)
            session.days = [
                SessionDay(date=day, starts_at=london_to_utc(day, clock(9)), ends_at=london_to_utc(day, clock(16)))
            ]
            session.refresh_span()
            db.session.add(session)
        db.session.add_all(
            Practitioner(email=f"p{n}@bench.example", first_name="P", last_name=str(n), organisation=school)
            for n in range(people)
        )
        tokens = [
            issue_api_token(create_user(f"c{n}@bench.example", Role.COORDINATOR, "bench password"))
            for n in range(clients)
        ]
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return tokens


def _serve(url: str, folder: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": "0"}
    env |= {"MAIL_OUTBOX": str(Path(folder) / "outbox"), "INSTANCE_PATH": folder}
    log = Path(folder) / "gunicorn.log"
    command = [str(BIN / "gunicorn"), "--workers", "4", "--bind", "127.0.0.1:0", "--error-logfile", "-", "wsgi:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        match = LISTENING.search(log.read_text())
        if match:
            try:
                requests.get(match.group(1) + "/health", timeout=5)
                return process, match.group(1)
            except requests.RequestException:
                pass
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError(log.read_text())


def _load(calls: list[list], clients: int) -> tuple[float, list[float], int]:
    """Run each client's calls in its own thread; wall time, every latency, and how many were not 2xx."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def client(mine: list) -> None:
        http = requests.Session()
        for call in mine:
            start = time.perf_counter()
            response = call(http)
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)
                failures[0] += response.status_code >= 300

    threads = [threading.Thread(target=client, args=(calls[n],)) for n in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, latencies, failures[0]


def _report(name: str, wall: float, latencies: list[float], failures: int) -> float:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    rate = len(latencies) / wall
    print(
        f"{name}: {len(latencies):,} requests in {wall:.1f} s = {rate:,.0f}/s; "
        f"p50 {statistics.median(ordered) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms; not 2xx: {failures}"
    )
    return rate


def run(database_url: str | None, clients: int, per_client: int) -> None:
    """Build, serve, then time bookings and /health with the same clients."""
    with tempfile.TemporaryDirectory() as folder:
        url = fresh_database_url(database_url, folder)
        people = clients * per_client
        tokens = _build(url, people, clients)
        process, base = _serve(url, folder)
        try:

            def book(token: str, n: int):
                body = {"practitioner": f"p{n}@bench.example"}
                headers = {"Authorization": f"Bearer {token}"}
                path = f"{base}/api/v1/sessions/B-{n % SESSIONS:03d}/bookings"
                return lambda http: http.post(path, json=body, headers=headers, timeout=60)

            bookings = [[book(tokens[c], c * per_client + i) for i in range(per_client)] for c in range(clients)]
            health = [[(lambda http: http.get(base + "/health", timeout=60))] * per_client for _ in range(clients)]
            print(f"{'sqlite' if url.startswith('sqlite') else 'postgresql'}, 4 gunicorn workers, {clients} clients")
            bare = _report("GET /health (bare route)", *_load(health, clients))
            booked = _report(f"POST bookings onto {SESSIONS} sessions", *_load(bookings, clients))
            print(f"bookings reach {booked / bare:.0%} of the bare route's throughput")
        finally:
            process.terminate()
            process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (its schema is dropped)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--per-client", type=int, default=40)
    args = parser.parse_args()
    run(args.database_url, args.clients, args.per_client)


if __name__ == "__main__":
    main()
