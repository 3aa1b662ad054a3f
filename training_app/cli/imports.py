"""`flask import KIND FILE`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..imports import KINDS, import_csv


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS), metavar="KIND")
@click.argument("path", type=click.Path(path_type=Path), metavar="FILE")
@with_appcontext
def import_command(kind: str, path: Path) -> None:
    """Import a CSV file of KIND, all or nothing: any bad row rejects the file with every error listed."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise click.ClickException(f"no such file: {path}") from None
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None
    result = import_csv(kind, data, actor="cli")
    if not result.ok:
        for error in result.errors:
            click.echo(error, err=True)
        click.echo("nothing was imported", err=True)
        sys.exit(1)
    click.echo(result.summary)
