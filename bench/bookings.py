"""Benchmark: booking places over the API behind 4 gunicorn workers, beside the bare /health route (issue 7).

Run: `make bench-bookings` or `.venv/bin/python -m bench.bookings [--database-url URL] [--clients 32]
[--seconds 15] [--mail-delivery inline|scheduler]`.

Builds a scratch database with the migrations, 50 coming sessions of 20 places and more practitioners than can be
booked in the time, starts gunicorn (4 sync workers), then has `wrk` (C, so the client is not what is measured)
keep N connections busy: first on GET /health, then on POST /api/v1/sessions/{code}/bookings, each request a new
practitioner on the next session. It prints requests per second and p50/p99 latency for both, their ratio, and
checks afterwards that no session holds more than its places and that every waiting list runs 1..n without gaps.
With `--mail-delivery scheduler` the emails are left to `flask scheduler`, which runs beside gunicorn and delivers
them in batches. It prints figures; it is not a timed test.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

import requests
import sqlalchemy as sa
from flask_migrate import upgrade

from bench.counting import fresh_database_url
from training_app import create_app
from training_app.extensions import db
from training_app.models import (
    Authority,
    Booking,
    BookingStatus,
    Course,
    CourseKind,
    Organisation,
    OrganisationKind,
    OutgoingMail,
    Practitioner,
    Role,
    SessionDay,
    TrainingSession,
)
from training_app.services.accounts.accounts import create_user, issue_api_token
from training_app.services.common.calendar import london_to_utc, london_today

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SESSIONS, CAPACITY, THREADS = 50, 20, 2
LISTENING = re.compile(r"Listening at: (http://127\.0\.0\.1:\d+)")
# Each wrk thread books practitioners thread, thread + THREADS, thread + 2 * THREADS ... onto session n % 50.
BOOKING_SCRIPT = """
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  token = args[id + 1]
  n = id
end
function request()
  local person = n
  n = n + %(threads)d
  local path = string.format("/api/v1/sessions/B-%%03d/bookings", person %% %(sessions)d)
  local body = string.format('{"practitioner": "p%%d@bench.example"}', person)
  local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
  return wrk.format("POST", path, headers, body)
end
"""
WRK_FIGURES = {
    "rate": re.compile(r"Requests/sec:\s+([\d.]+)"),
    "requests": re.compile(r"(\d+) requests in"),
    "p50": re.compile(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", re.M),
    "p99": re.compile(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", re.M),
}
NOT_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
ERRORS = re.compile(r"Socket errors: (.*)")
MILLISECONDS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _build(url: str, people: int) -> list[str]:
    """Migrate and fill the scratch database; returns one API token per wrk thread."""
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
        db.session.flush()
        db.session.execute(
            sa.insert(Practitioner),
            [
                {"email": f"p{n}@bench.example", "first_name": "P", "last_name": str(n), "organisation_id": school.id}
                for n in range(people)
            ],
        )
        tokens = [
            issue_api_token(create_user(f"c{n}@bench.example", Role.COORDINATOR, "bench password"))
            for n in range(THREADS)
        ]
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return tokens


def _serve(url: str, folder: str, mail_delivery: str) -> tuple[list[subprocess.Popen], str]:
    """gunicorn with 4 workers (and, for scheduler delivery, `flask scheduler` beside it) and its address."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": "0"}
    env |= {"MAIL_OUTBOX": str(Path(folder) / "outbox"), "INSTANCE_PATH": folder, "MAIL_DELIVERY": mail_delivery}
    log = Path(folder) / "gunicorn.log"
    command = [str(BIN / "gunicorn"), "--workers", "4", "--bind", "127.0.0.1:0", "--error-logfile", "-", "wsgi:app"]
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)]
    if mail_delivery == "scheduler":
        scheduler_log = (Path(folder) / "scheduler.log").open("w")
        scheduler = [str(BIN / "flask"), "--app", "training_app", "scheduler"]
        processes.append(subprocess.Popen(scheduler, cwd=ROOT, env=env, stdout=scheduler_log, stderr=subprocess.STDOUT))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        match = LISTENING.search(log.read_text())
        if match:
            try:
                requests.get(match.group(1) + "/health", timeout=5)
                return processes, match.group(1)
            except requests.RequestException:
                pass
        time.sleep(0.2)
    _stop(processes)
    raise RuntimeError(log.read_text())


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)


def _wrk(url: str, clients: int, seconds: int, script: Path | None = None, arguments: list[str] = ()) -> dict:
    """Run wrk against one address; its throughput, latencies (ms) and failures."""
    command = ["wrk", f"-t{THREADS}", f"-c{clients}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url, "--", *arguments], capture_output=True, text=True, check=True).stdout
    figures: dict = {"not_2xx": 0, "errors": ""}
    for name, pattern in WRK_FIGURES.items():
        match = pattern.search(output)
        if match is None:
            raise RuntimeError(f"wrk printed no {name}:\n{output}")
        figures[name] = float(match.group(1)) * (MILLISECONDS[match.group(2)] if name.startswith("p") else 1)
    if found := NOT_2XX.search(output):
        figures["not_2xx"] = int(found.group(1))
    if found := ERRORS.search(output):
        figures["errors"] = found.group(1)
    return figures


def _report(name: str, figures: dict) -> None:
    failures = f"; not 2xx: {figures['not_2xx']:,}"
    if figures["errors"]:
        failures += f"; socket errors: {figures['errors']}"
    print(
        f"{name}: {figures['requests']:,.0f} requests = {figures['rate']:,.0f}/s; "
        f"p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms{failures}"
    )


def _check(url: str) -> str:
    """What the run left: bookings, and whether every session kept to its places with a gapless waiting list."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        held = conn.execute(
            sa.select(Booking.session_id, sa.func.count())
            .where(Booking.status == BookingStatus.BOOKED)
            .group_by(Booking.session_id)
        ).all()
        positions: dict[int, list[int]] = {}
        for session_id, position in conn.execute(
            sa.select(Booking.session_id, Booking.waitlist_position)
            .where(Booking.status == BookingStatus.WAITLISTED)
            .order_by(Booking.session_id, Booking.waitlist_position)
        ):
            positions.setdefault(session_id, []).append(position)
        mail = conn.execute(sa.select(OutgoingMail.status, sa.func.count()).group_by(OutgoingMail.status)).all()
    engine.dispose()
    over = [session_id for session_id, count in held if count > CAPACITY]
    gaps = [session_id for session_id, found in positions.items() if found != list(range(1, len(found) + 1))]
    booked, waiting = sum(count for _, count in held), sum(len(found) for found in positions.values())
    outcome = "capacity kept and waiting lists gapless" if not over and not gaps else f"OVER {over} GAPS {gaps}"
    emails = ", ".join(f"{count:,} {status.value}" for status, count in sorted(mail, key=lambda row: row[0].value))
    return f"{booked:,} booked, {waiting:,} waiting: {outcome}; emails {emails or 'none'}"


def run(database_url: str | None, clients: int, seconds: int, mail_delivery: str, people: int) -> None:
    """Build, serve, then load /health and the bookings with the same connections for the same time."""
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: `apt-get install wrk` (Debian) or `make bench-tools`")
    with tempfile.TemporaryDirectory() as folder:
        url = fresh_database_url(database_url, folder)
        tokens = _build(url, people)
        script = Path(folder) / "book.lua"
        script.write_text(BOOKING_SCRIPT % {"threads": THREADS, "sessions": SESSIONS})
        processes, base = _serve(url, folder, mail_delivery)
        try:
            engine = "sqlite" if url.startswith("sqlite") else "postgresql"
            print(f"{engine}, 4 gunicorn workers, wrk with {clients} connections for {seconds} s each")
            print(f"emails: MAIL_DELIVERY={mail_delivery}")
            bare = _wrk(base + "/health", clients, seconds)
            _report("GET /health (bare route)", bare)
            booked = _wrk(base, clients, seconds, script, tokens)
            _report(f"POST bookings onto {SESSIONS} sessions", booked)
            print(f"bookings reach {booked['rate'] / bare['rate']:.1%} of the bare route's throughput")
            if booked["requests"] >= people:
                print(f"warning: more requests than the {people:,} practitioners: raise --people")
            if mail_delivery == "scheduler":
                time.sleep(20)  # one more run of the mail-delivery job
        finally:
            _stop(processes)
        print(_check(url))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (its schema is dropped)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--people", type=int, default=40_000)
    parser.add_argument("--mail-delivery", choices=["inline", "thread", "scheduler"], default="inline")
    args = parser.parse_args()
    run(args.database_url, args.clients, args.seconds, args.mail_delivery, args.people)


if __name__ == "__main__":
    main()
