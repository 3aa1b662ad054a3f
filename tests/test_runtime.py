"""runtime.freeze_startup_objects: what the long-lived processes do after start-up, and what a command gives back."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_gunicorn_worker_loading_wsgi_has_its_start_up_objects_out_of_the_collectors_way(tmp_path):
    script = "import gc, wsgi; print(gc.get_freeze_count())"
    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'wsgi.sqlite3'}", "SECRET_KEY": "test"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert int(result.stdout.split()[-1]) > 10_000  # the app, its models and SQLAlchemy's metadata


def test_an_export_runs_with_the_start_up_objects_frozen_and_gives_them_back_when_it_ends(app, tmp_path, monkeypatch):
    from training_app.cli import export

    frozen_while_writing = []
    write = export.write_trained_by_area

    def watched(*args, **kwargs):
        frozen_while_writing.append(gc.get_freeze_count())
        return write(*args, **kwargs)

    monkeypatch.setattr(export, "write_trained_by_area", watched)
    gc.unfreeze()
    result = app.test_cli_runner().invoke(
        args=["export", "trained-by-area", "--as-of", "2008-08-31", "--out", str(tmp_path / "t.xlsx")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "t.xlsx").exists()
    assert frozen_while_writing and frozen_while_writing[0] > 10_000
    assert gc.get_freeze_count() == 0
