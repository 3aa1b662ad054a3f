"""`flask seed demo`."""

from __future__ import annotations

import time

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..extensions import db
from ..models import Authority

seed_cli = AppGroup("seed", help="Load demonstration data.")


@seed_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing, successfully, when the database already holds data.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo partnership (SPEC 5) into an empty database."""
    from seeds import load_demo

    if db.session.execute(sa.select(Authority.id).limit(1)).first():
        if if_empty:
            click.echo("the database already holds data: demo not loaded again")
            return
        raise click.ClickException("the database already holds authorities; seed demo needs an empty database")
    started = time.perf_counter()
    try:
        counts = load_demo()
    except Exception:
        db.session.rollback()
        raise
    elapsed = time.perf_counter() - started
    for kind, count in sorted(counts.items()):
        click.echo(f"{kind.replace('_', ' ')}: {count}")
    click.echo(f"demo partnership loaded in {elapsed:.1f} s")
