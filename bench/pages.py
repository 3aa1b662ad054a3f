"""Benchmark: every dashboard and main page behind 4 gunicorn workers, each role signed in, beside `/health` (issue 25).

Run: `make bench-pages` or `.venv/bin/python -m bench.pages [--scale regional|national|realistic] [--keep FILE.sqlite3]
[--database-url URL [--reuse]] [--clients 32] [--seconds 10]`.

Generates a partnership with bench.generate and bench.reports' report data (areas, groups, booked and marked seats),
or reuses one kept from an earlier run (`--keep` for SQLite, `--reuse` for PostgreSQL: the national data takes many
minutes to make on two cores), adds one user per role, counts the dashboards' summaries as the scheduler would and
gathers the planner's statistics, then starts gunicorn and has `wrk` keep N connections busy on each page in turn,
signed in as the role that reads it, with `/health` first as the yardstick. Prints one row per page: requests/s, p50,
p99, answers that were not 2xx, the share of `/health`'s throughput and the slowest `/health` answer while the page was
under load (is the service still answered?), with the load average and the gunicorn workers killed by their timeout.
It is not a timed test.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import sqlalchemy as sa
from flask_migrate import upgrade

from bench.bookings import ERRORS, MILLISECONDS, WRK_FIGURES, _serve, _stop, _wrk
from bench.counting import fresh_database_url
from bench.generate import SCALES, generate, settle
from bench.reports import add_report_data
from training_app import create_app
from training_app.extensions import db
from training_app.jobs.tasks import dashboard_summaries
from training_app.models import Authority, Organisation, Practitioner, Role, User
from training_app.services.accounts.accounts import create_user
from training_app.services.common.statistics import gather_statistics

AGENT = "bench-pages"
PASSWORD = "bench pages password"  # noqa: S105 (the bench users of a scratch database)
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
# (page, path, role who reads it): the dashboards of every role that has one worth loading, then the main pages.
PAGES = [
    ("coordinator dashboard", "/", Role.COORDINATOR),
    ("admin dashboard", "/", Role.ADMIN),
    ("workforce lead dashboard", "/", Role.WORKFORCE_LEAD),
    ("booker dashboard", "/", Role.BOOKER),
    ("finance dashboard", "/", Role.FINANCE),
    ("/sessions/ (first page)", "/sessions/", Role.COORDINATOR),
    ("trained-by-area report", "/reports/trained-by-area", Role.COORDINATOR),
    ("trained-by-area report (lead)", "/reports/trained-by-area", Role.WORKFORCE_LEAD),
    ("coverage report", "/reports/coverage", Role.COORDINATOR),
    ("coverage report (lead)", "/reports/coverage", Role.WORKFORCE_LEAD),
    ("attendance report", "/reports/attendance-by-authority", Role.COORDINATOR),
    ("/reminders", "/reminders", Role.COORDINATOR),
    ("targets (booker)", "/targets", Role.BOOKER),
    ("targets (lead)", "/targets", Role.WORKFORCE_LEAD),
    ("booker's /staff", "/staff", Role.BOOKER),
]
PAGES_ROLES = sorted({role for _, _, role in PAGES}, key=lambda role: role.value)


def _users() -> dict[Role, str]:
    """One user per role: the lead over the first two authorities, the booker for the organisation with most staff."""
    found = dict(db.session.execute(sa.select(User.role, User.email).where(User.email.like("%@pages.bench"))).all())
    if len(found) == len(PAGES_ROLES):
        return found
    codes = list(db.session.execute(sa.select(Authority.code).order_by(Authority.id).limit(2)).scalars())
    busiest = db.session.execute(
        sa.select(Organisation.code)
        .join(Practitioner, Practitioner.organisation_id == Organisation.id)
        .group_by(Organisation.id, Organisation.code)
        .order_by(sa.func.count().desc())
        .limit(1)
    ).scalar_one()
    for role in PAGES_ROLES:
        create_user(
            f"{role.value}@pages.bench",
            role,
            PASSWORD,
            organisation_code=busiest if role == Role.BOOKER else None,
            authority_codes=codes if role == Role.WORKFORCE_LEAD else (),
        )
    db.session.commit()
    return {role: f"{role.value}@pages.bench" for role in PAGES_ROLES}


def _filled() -> bool:
    return bool(db.session.execute(sa.select(sa.exists().where(Practitioner.id.is_not(None)))).scalar())


def prepare(url: str, scale: str, reuse: bool) -> dict[Role, str]:
    """Migrate, generate (unless reusing), add the users, count the summaries and gather statistics."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        if reuse and _filled():
            settle()
            people = db.session.execute(sa.select(sa.func.count(Practitioner.id))).scalar_one()
            print(f"reusing {db.engine.url!r}: {people:,} practitioners")
        else:
            start = time.perf_counter()
            generated = generate(scale)
            marks = add_report_data(random.Random(8))
            print(
                f"generated {scale}: {generated.practitioners:,} practitioners, {generated.records:,} records, "
                f"{generated.sessions:,} sessions, {marks:,} register marks in {time.perf_counter() - start:.0f} s"
            )
        emails = _users()
        start = time.perf_counter()
        gather_statistics()
        print(f"statistics gathered in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        scopes = dashboard_summaries()
        print(
            f"{scopes} dashboard summaries and today's report answers counted in {time.perf_counter() - start:.1f} s "
            "(the scheduler's 10-minute job)"
        )
        db.session.remove()
        db.engine.dispose()
    return emails


def sign_in(base: str, email: str) -> str:
    """Sign in through the form; the session cookie to send."""
    client = requests.Session()
    client.headers["User-Agent"] = AGENT
    page = client.get(base + "/sign-in", timeout=60).text
    match = CSRF.search(page)
    if match is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    token = match.group(1) or match.group(2)
    answer = client.post(
        base + "/sign-in",
        data={"csrf_token": token, "email": email, "password": PASSWORD},
        allow_redirects=False,
        timeout=60,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"{email} could not sign in: {answer.status_code}")
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def _drain(base: str) -> None:
    """Wait until the workers have worked off what the last page's connections left queued (wrk stops sending, the
    server does not stop answering), so that the next single request is timed alone."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        start = time.perf_counter()
        try:
            requests.get(base + "/health", timeout=60)
        except requests.RequestException:
            continue
        if time.perf_counter() - start < 0.2:
            return


def _once(base: str, path: str, cookie: str) -> tuple[float, int, int]:
    """One request on its own: seconds, status and size of the page."""
    start = time.perf_counter()
    headers = {"Cookie": cookie, "User-Agent": AGENT}
    answer = requests.get(base + path, headers=headers, allow_redirects=False, timeout=600)
    return time.perf_counter() - start, answer.status_code, len(answer.content)


def run(scale: str, database_url: str | None, keep: Path | None, reuse: bool, clients: int, seconds: int) -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: `apt-get install wrk` (Debian) or `make bench-tools`")
    with tempfile.TemporaryDirectory() as folder:
        if keep is not None:
            keep.parent.mkdir(parents=True, exist_ok=True)
            url, reuse = "sqlite:///" + str(keep.resolve()), keep.exists()
        elif database_url is not None and reuse:
            url = database_url
        else:
            url = fresh_database_url(database_url, folder)
        emails = prepare(url, scale, reuse)
        processes, base = _serve(url, folder, "inline")
        try:
            cookies = {role: sign_in(base, email) for role, email in emails.items()}
            engine = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
            print(f"{engine}, 4 gunicorn workers, wrk with {clients} connections for {seconds} s a page")
            print(f"load average before: {_load()}")
            bare = _wrk(base + "/health", clients, seconds)
            rows = [("/health", "anyone", 0.0, 200, 0, bare)]
            for name, path, role in PAGES:
                _drain(base)
                single, status, size = _once(base, path, cookies[role])
                figures = None
                if status == 200:
                    with HealthWatch(base) as health:
                        figures = _wrk_with_cookie(base + path, clients, seconds, cookies[role])
                    figures["health"] = health.slowest
                rows.append((name, role.value, single, status, size, figures))
            print(f"load average after: {_load()}")
            _table(rows, bare["rate"])
            timeouts = (Path(folder) / "gunicorn.log").read_text().count("WORKER TIMEOUT")
            print(f"\ngunicorn worker timeouts during the run: {timeouts}")
        finally:
            _stop(processes)


SIGNED_IN_SCRIPT = """
wrk.headers["Cookie"] = "%(cookie)s"
wrk.headers["User-Agent"] = "%(agent)s"
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  not_200 = 0
end
function response(status, headers, body)
  if status ~= 200 then not_200 = not_200 + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("not_200") end
  io.write(string.format("not 200: %%d\\n", total))
end
"""
NOT_200 = re.compile(r"not 200: (\d+)")


class HealthWatch:
    """Asks `/health` every 0.2 s from a thread while a page is under load, keeping the slowest answer (a failure
    or no answer within 10 s counts as 10 s): whether the service stays answered while a page's requests run."""

    def __init__(self, base: str) -> None:
        self.base, self.slowest, self._stop = base, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> HealthWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            start = time.perf_counter()
            try:
                ok = requests.get(self.base + "/health", timeout=10).status_code == 200
            except requests.RequestException:
                ok = False
            self.slowest = max(self.slowest, time.perf_counter() - start if ok else 10.0)


def _wrk_with_cookie(url: str, clients: int, seconds: int, cookie: str) -> dict:
    """wrk on a page as a signed-in user: the session cookie and the user agent it was signed in with on every
    request (Flask-Login's session protection ends a session whose agent changes), counting answers other than 200
    (a redirect to the sign-in page would otherwise pass for a fast page)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(SIGNED_IN_SCRIPT % {"cookie": cookie, "agent": AGENT})
    try:
        output = subprocess.run(
            ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--latency", "--timeout", "30s", "-s", script.name, url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    figures = _figures(output)
    found = NOT_200.search(output)
    figures["not_2xx"] = int(found.group(1)) if found else -1
    return figures


def _figures(output: str) -> dict:
    """Throughput, p50 and p99 (ms), and socket errors from wrk's output."""
    figures: dict = {"errors": ""}
    for name, pattern in WRK_FIGURES.items():
        match = pattern.search(output)
        if match is None:
            raise RuntimeError(f"wrk printed no {name}:\n{output}")
        figures[name] = float(match.group(1)) * (MILLISECONDS[match.group(2)] if name.startswith("p") else 1)
    if found := ERRORS.search(output):
        figures["errors"] = found.group(1)
    return figures


def _table(rows: list[tuple], health_rate: float) -> None:
    print()
    print("| page | role | single request | size | requests/s | p50 | p99 | not 200 | of /health | slowest /health |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, role, single, status, size, figures in rows:
        if figures is None:
            print(f"| {name} | {role} | {single * 1000:,.0f} ms, status {status} | | | | | | |")
            continue
        once = f"{single * 1000:,.0f} ms" if single else ""
        print(
            f"| {name} | {role} | {once} | {size / 1024:,.0f} KiB | {figures['rate']:,.1f} | "
            f"{figures['p50']:,.0f} ms | {figures['p99']:,.0f} ms | {figures['not_2xx']:,}{_errors(figures)} | "
            f"{figures['rate'] / health_rate:.1%} | {_slowest(figures)} |"
        )


def _slowest(figures: dict) -> str:
    return f"{figures['health'] * 1000:,.0f} ms" if "health" in figures else ""


def _errors(figures: dict) -> str:
    return f"; socket errors: {figures['errors']}" if figures.get("errors") else ""


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="regional")
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (its schema is dropped unless --reuse)")
    parser.add_argument("--reuse", action="store_true", help="with --database-url: keep data an earlier run made")
    parser.add_argument("--keep", type=Path, help="an SQLite file: filled on the first run, reused on later ones")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    run(args.scale, args.database_url, args.keep, args.reuse, args.clients, args.seconds)


if __name__ == "__main__":
    main()
