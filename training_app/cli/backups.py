"""`flask backup --out FILE` and `flask restore FILE` (SPEC 3.11)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..services.backups.archive import BackupError
from ..services.backups.restore import restore_backup
from ..services.backups.snapshot import take_backup


def _progress(verb: str) -> Callable[[str], None] | None:
    """A one-line progress note on a terminal (nothing when output goes to a file or a log)."""
    if not sys.stderr.isatty():
        return None

    def note(table: str) -> None:
        click.echo(f"\r\x1b[K{verb} {table}", nl=False, err=True)

    return note


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The file to write.")
@with_appcontext
def backup_command(out: Path) -> None:
    """Write one file holding a consistent snapshot of the database and the evidence folders."""
    if not out.parent.is_dir():
        raise click.ClickException(f"the folder {out.parent} does not exist")
    try:
        result = take_backup(out, _progress("reading"))
    except BackupError as problem:
        raise click.ClickException(str(problem)) from None
    finally:
        if sys.stderr.isatty():
            click.echo("\r\x1b[K", nl=False, err=True)
    manifest = result.manifest
    for name in result.missing_files:
        click.echo(f"warning: evidence file {name} is named by a record but was not found", err=True)
    click.echo(
        f"backup written to {out}: {manifest.total_rows} rows in {len(manifest.tables)} tables, "
        f"{len(manifest.files)} evidence files, {result.size / 1_000_000:.1f} MB (migration {manifest.schema_revision})"
    )


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path) -> None:
    """Load a backup into a new or empty database (SQLite or PostgreSQL, whichever the backup came from)."""
    try:
        result = restore_backup(path, _progress("restoring"))
    except BackupError as problem:
        raise click.ClickException(str(problem)) from None
    finally:
        if sys.stderr.isatty():
            click.echo("\r\x1b[K", nl=False, err=True)
    manifest = result.manifest
    if result.migrated:
        click.echo(f"built the new database at migration {manifest.schema_revision}")
    click.echo(
        f"restored {path} (taken {manifest.created_at} from {manifest.source_dialect}): {manifest.total_rows} rows in "
        f"{len(manifest.tables)} tables, {len(manifest.files)} evidence files"
    )
