"""A real gunicorn serving the app on the test database, and a way to fire many requests at it at once."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import requests

from tests.conftest import csrf_token_from

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the virtualenv running the tests holds gunicorn and flask too
LISTENING = re.compile(r"Listening at: (http://127\.0\.0\.1:\d+)")
T = TypeVar("T")


def app_environment(database_url: str, workdir: Path) -> dict[str, str]:
    """What the server and the CLI need: the test's database, a fixed key, cookies over plain HTTP, files in workdir."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FLASK_", "MAIL_"))}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="concurrency-test-secret-key",
        SESSION_COOKIE_SECURE="0",
        MAIL_OUTBOX=str(workdir / "outbox"),
        INSTANCE_PATH=str(workdir / "instance"),
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class LiveServer:
    """A running gunicorn: where it answers, and what it has written to its log."""

    url: str
    env: dict[str, str]
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        """Everything gunicorn and the app have logged so far (errors and tracebacks go here)."""
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """Stop the master and its workers; kill them if they do not stop in time."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                # the server runs in its own process group, so this reaches only its workers
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def start_server(env: dict[str, str], workdir: Path, workers: int = 4, timeout: float = 90.0) -> LiveServer:
    """Start `gunicorn --workers N wsgi:app` on a free loopback port and wait until it answers /health."""
    log_path = workdir / "gunicorn.log"
    log = log_path.open("w")
    command = [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", "127.0.0.1:0", "--timeout", "120"]
    process = subprocess.Popen(  # port 0: the kernel picks a free port and gunicorn logs which
        [*command, "--graceful-timeout", "5", "--error-logfile", "-", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    server = LiveServer(url="", env=env, process=process, log_path=log_path)
    try:
        server.url = _wait_until_answering(server, timeout)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_until_answering(server: LiveServer, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}:\n{server.log()}")
        match = LISTENING.search(server.log())
        if match:
            try:
                if requests.get(match.group(1) + "/health", timeout=5).status_code == 200:
                    return match.group(1)
            except requests.RequestException:  # not listening yet, or too busy starting to answer in time
                pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer within {timeout} seconds:\n{server.log()}")


def signed_in(server: LiveServer, email: str, password: str) -> requests.Session:
    """A browser signed in to the server as this person (its own cookie, so its own CSRF token)."""
    browser = requests.Session()
    page = browser.get(server.url + "/sign-in", timeout=60)
    form = {"csrf_token": csrf_token_from(page.text), "email": email, "password": password}
    answer = browser.post(server.url + "/sign-in", data=form, allow_redirects=False, timeout=60)
    assert answer.status_code == 302, f"{email} could not sign in: {answer.status_code}"
    return browser


def form_token(browser: requests.Session, url: str) -> str:
    """Open a page as the browser would before sending its form; the form's CSRF token."""
    page = browser.get(url, timeout=60)
    assert page.status_code == 200, f"{url} answered {page.status_code}"
    return csrf_token_from(page.text)


def run_flask(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `flask --app training_app ARGS` against the same database as the server."""
    command = [str(BIN / "flask"), "--app", "training_app", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def all_at_once(calls: Sequence[Callable[[], T]], timeout: float = 120) -> list[T]:
    """Run every call in its own thread, all released together by a barrier; their results in order.

    Prepare whatever each call needs (sign-in pages, tokens) before, so that only the requests under test are
    released together. Any exception a call raised is raised here once every thread has finished.
    """
    barrier = threading.Barrier(len(calls))
    results: list[T | None] = [None] * len(calls)
    failures: list[BaseException] = []

    def run(index: int, call: Callable[[], T]) -> None:
        try:
            barrier.wait(timeout)
            results[index] = call()
        except BaseException as exc:  # reported to the test below, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if any(thread.is_alive() for thread in threads):
        raise TimeoutError(f"some of the {len(calls)} calls did not finish within {timeout} seconds")
    if failures:
        raise failures[0]
    return results  # type: ignore[return-value]  (every slot is filled when nothing failed)
