"""A real server on a free loopback port, on a fresh SQLite database built by `flask db upgrade`, and Chromium.

The data each test needs goes in through the same `flask` commands (`live_cli`), run in this process on the server's
database with the server's environment: starting a `flask` process costs seconds, and the tests made dozens.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from flask import Flask

from training_app import create_app
from training_app.extensions import db

ROOT = Path(__file__).resolve().parents[2]
ADMIN_EMAIL = "browser.admin@council.example"
ADMIN_PASSWORD = "browser test password"
# Where the running app keeps things tests read back, e.g. "outbox": the folder its emails are written to.
LIVE_PATHS: dict[str, Path] = {}
COORDINATOR_EMAIL = "browser.coordinator@council.example"  # same password as the admin
LIVE_ENV: dict[str, str] = {}  # the live server's environment, for tests that load data through the CLI
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def sign_in(page, base_url: str, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    """Sign in through the form and wait for the page its POST brings (the dashboard, or the form again with its
    errors): reading the page straight after the click could catch it between the two."""
    page.goto(base_url + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def _ensure_assets() -> None:
    """Build the GOV.UK Frontend assets when they are missing, or say how to."""
    if (ROOT / "static" / "css" / "app.css").exists():
        return
    npm = shutil.which("npm")
    if npm is None or not (ROOT / "node_modules" / "govuk-frontend").exists():
        pytest.fail("static/css/app.css is missing: run `npm ci && npm run build` in the repository root first")
    subprocess.run([npm, "run", "build"], cwd=ROOT, check=True, capture_output=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_CLI_APP: dict[str, Flask] = {}  # "app": the app `live_cli` runs commands on, built from LIVE_ENV on first use


def live_app() -> Flask:
    """The app on the live server's database, with its environment, in this process: what `live_cli` runs commands
    on, and where a test sets up what no command does (a trainer, a course's self-booking) through the services."""
    app = _CLI_APP.get("app")
    if app is None:
        assert LIVE_ENV, "live_app needs the live_server fixture"
        with mock.patch.dict(os.environ, LIVE_ENV, clear=True):  # settings are read from the environment
            app = _CLI_APP["app"] = create_app()
    return app


def live_cli(*args: str, stdin: str | None = None) -> str:
    """`flask --app training_app ARGS` on the live server's database, with its environment, run in this process;
    returns what the command printed on standard output, and fails the test with its output if it exits non-zero."""
    result = live_app().test_cli_runner().invoke(args=list(args), input=stdin)
    failure = f"flask {' '.join(args)} exited {result.exit_code}:\n{result.output}\n{result.exception!r}"
    assert result.exit_code == 0, failure
    return result.stdout


def load_world(folder: Path, csvs: dict[str, str], booker: tuple[str, str, str] | None = None) -> None:
    """Import each CSV (kind: text, in order) into the live server's database through `flask import`, and create
    the booker (email, organisation code, password) who signs in to it, as a council's first hour would."""
    for kind, text in csvs.items():
        path = folder / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        live_cli("import", kind, str(path))
    if booker is not None:
        email, organisation, password = booker
        live_cli(
            "users",
            "create",
            "--email",
            email,
            "--role",
            "booker",
            "--organisation",
            organisation,
            stdin=password + "\n",
        )


def _wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the app exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=1) as response:  # noqa: S310 (loopback only)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the app did not start within 30 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app served by werkzeug on 127.0.0.1, with one admin made through the users CLI; yields its base URL."""
    _ensure_assets()
    folder = tmp_path_factory.mktemp("live")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'browser.sqlite3'}",
        "INSTANCE_PATH": str(folder / "instance"),
        "SECRET_KEY": "browser-test-secret",
        "SESSION_COOKIE_SECURE": "0",  # plain http on loopback
        "MAIL_OUTBOX": str(folder / "outbox"),
    }
    env.pop("FLASK_DEBUG", None)
    LIVE_PATHS["outbox"] = folder / "outbox"
    LIVE_ENV.update(env)
    live_cli("db", "upgrade")
    live_cli("users", "create", "--email", ADMIN_EMAIL, "--role", "admin", stdin=ADMIN_PASSWORD + "\n")
    live_cli("users", "create", "--email", COORDINATOR_EMAIL, "--role", "coordinator", stdin=ADMIN_PASSWORD + "\n")
    port = _free_port()
    log = folder / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "training_app",
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-reload",
                "--no-debugger",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        cli_app = _CLI_APP.pop("app", None)
        if cli_app is not None:
            with cli_app.app_context():
                db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no `playwright install` needed)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium is missing: install it with `apt-get install -y chromium`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
