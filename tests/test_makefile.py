"""`make run` serves on port 5000, or on the port PORT names (the README's first command)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run_commands(*variables: str) -> str:
    """What `make run` would do, printed and not done (`make -n`)."""
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", "-C", str(ROOT), "run", *variables],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(("variables", "port"), [((), "5000"), (("PORT=8123",), "8123")])
def test_make_run_serves_on_port_5000_or_the_one_given(variables, port):
    commands = _run_commands(*variables)

    assert f"--bind 127.0.0.1:{port} " in commands
    assert f"http://127.0.0.1:{port}" in commands  # the links in emails point at the same server


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_starts_the_scheduler_beside_the_server_and_stops_it_with_it():
    commands = _run_commands()

    scheduler = commands.index("--app training_app scheduler &")  # one background process, so reminders go out
    assert "trap 'kill $scheduler" in commands and "EXIT INT TERM" in commands  # stopped when gunicorn stops
    assert scheduler < commands.index("gunicorn")
