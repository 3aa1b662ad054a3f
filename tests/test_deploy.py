"""deploy/: the systemd units run commands that exist with settings the example environment file gives, the nightly
backup's wrapper keeps BACKUP_KEEP_DAYS days of files by the date in their names, and flask.sh reads the units'
environment file as systemd does."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from training_app import create_app

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
INSTALLED = "/opt/training-app/"  # where the units expect the repository


def _setting(unit: Path, key: str) -> list[str]:
    return [line.split("=", 1)[1] for line in unit.read_text().splitlines() if line.startswith(f"{key}=")]


def _example_variables() -> set[str]:
    lines = (DEPLOY / "training-app.env.example").read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}


@pytest.mark.parametrize(
    ("unit", "command"),
    [
        ("training-app-web.service", "gunicorn"),
        ("training-app-scheduler.service", "scheduler"),
        ("training-app-backup.service", "backup.sh"),
    ],
)
def test_each_unit_runs_a_command_of_this_repository(unit, command):
    path = DEPLOY / unit
    [start] = _setting(path, "ExecStart")
    program, *arguments = start.split()
    assert program.startswith(INSTALLED)
    assert (ROOT / program.removeprefix(INSTALLED)).exists(), program
    assert command in start
    if "--app" in arguments:  # a flask command: it is one the app has
        app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        assert arguments[arguments.index("--app") + 2] in app.cli.list_commands(app.app_context)  # type: ignore[arg-type]
    assert _setting(path, "EnvironmentFile") == ["/etc/training-app/training-app.env"]
    assert set(re.findall(r"\$\{(\w+)\}", start)) <= _example_variables()


def test_the_timer_starts_the_backup_nightly():
    timer = DEPLOY / "training-app-backup.timer"
    assert _setting(timer, "Unit") == ["training-app-backup.service"]
    assert _setting(timer, "OnCalendar") == ["*-*-* 01:45:00"]
    assert _setting(timer, "Persistent") == ["true"]


def test_the_example_environment_names_what_the_units_and_the_wrapper_read():
    assert {"DATABASE_URL", "SECRET_KEY", "AWARENESS_EVIDENCE_FOLDER", "CLAIM_EVIDENCE_FOLDER"} <= _example_variables()
    assert {"WEB_WORKERS", "WEB_BIND", "BACKUP_DIR", "BACKUP_KEEP_DAYS"} <= _example_variables()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_reads_the_units_without_complaint():
    units = sorted(str(path) for path in DEPLOY.glob("training-app-*.*"))
    done = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True)
    # The programs under /opt/training-app only exist on the server; anything else is a mistake in the units.
    complaints = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if line.strip() and not re.search(r"Command /opt/training-app/\S+ is not executable", line)
    ]
    assert complaints == []


def _stub_flask(folder: Path) -> Path:
    """A stand-in for `flask` that writes the file `backup --out FILE` names."""
    stub = folder / "flask"
    stub.write_text('#!/bin/bash\nwhile [[ $# -gt 0 ]]; do [[ $1 == --out ]] && echo backup > "$2"; shift; done\n')
    stub.chmod(0o755)
    return stub


def _run_wrapper(folder: Path, backups: Path, keep_days: str) -> subprocess.CompletedProcess[str]:
    environment = os.environ | {
        "BACKUP_DIR": str(backups),
        "BACKUP_KEEP_DAYS": keep_days,
        "FLASK": str(_stub_flask(folder)),
    }
    return subprocess.run([str(DEPLOY / "backup.sh")], capture_output=True, text=True, env=environment)


def test_the_wrapper_writes_a_dated_backup_and_removes_those_older_than_the_days_kept(tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    today = datetime.now(UTC).date()
    old = backups / f"training-app-{today - timedelta(days=15)}T014500Z.zip"
    kept = backups / f"training-app-{today - timedelta(days=13)}T014500Z.zip"
    other = backups / "keep-me.zip"
    for path in (old, kept, other):
        path.write_text("x")

    done = _run_wrapper(tmp_path, backups, "14")

    assert done.returncode == 0, done.stderr
    assert not old.exists()
    assert kept.exists() and other.exists()
    [new] = list(backups.glob(f"training-app-{today}T*Z.zip"))
    assert new.read_text() == "backup\n"
    assert f"removed {old.name}" in done.stdout


def test_the_wrapper_refuses_a_nonsense_number_of_days(tmp_path):
    backups = tmp_path / "backups"
    done = _run_wrapper(tmp_path, backups, "0")
    assert done.returncode == 1
    assert "BACKUP_KEEP_DAYS must be a whole number of days, 1 or more" in done.stderr
    assert not backups.exists()


def _run_flask_sh(folder: Path, env_text: str, **preset: str) -> subprocess.CompletedProcess[str]:
    """deploy/flask.sh with a stand-in for flask that prints its arguments and the settings it was given."""
    stub = folder / "flask"
    stub.write_text('#!/bin/bash\necho "args: $*"\necho "url: $DATABASE_URL"\necho "council: $COUNCIL_NAME"\n')
    stub.chmod(0o755)
    (folder / "training-app.env").write_text(env_text)
    clean = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "COUNCIL_NAME"}}
    environment = clean | {"TRAINING_APP_ENV": str(folder / "training-app.env"), "FLASK": str(stub)} | preset
    return subprocess.run(
        [str(DEPLOY / "flask.sh"), "restore", "a file.zip"], capture_output=True, text=True, env=environment
    )


def test_flask_sh_runs_flask_with_the_units_settings_read_as_systemd_reads_them(tmp_path):
    settings = "# a comment\n\nDATABASE_URL=postgresql://training@db/training\nCOUNCIL_NAME=Rutland and $HOME `x`\n"

    done = _run_flask_sh(tmp_path, settings)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "args: --app training_app restore a file.zip",
        "url: postgresql://training@db/training",
        "council: Rutland and $HOME `x`",
    ]


def test_flask_sh_lets_the_environment_override_the_file_and_refuses_a_line_it_cannot_read(tmp_path):
    settings = "DATABASE_URL=postgresql://training@db/training\n"
    done = _run_flask_sh(tmp_path, settings, DATABASE_URL="postgresql://training@db/restored")
    assert "url: postgresql://training@db/restored" in done.stdout

    refused = _run_flask_sh(tmp_path, settings + "export COUNCIL_NAME\n")
    assert refused.returncode == 1
    assert "training-app.env, line 2: expected VARIABLE=value" in refused.stderr
