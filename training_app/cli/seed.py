"""`flask seed demo`."""

from __future__ import annotations

import time

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..extensions import db
from ..models import Authority
from ..services.common.calendar import DateProblem, london_today, parse_iso_date

seed_cli = AppGroup("seed", help="Load demonstration data.")


@seed_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing, successfully, when the database already holds data.")
@click.option("--today", "today_text", metavar="YYYY-MM-DD", help="The day the live programme is built around.")
def seed_demo_command(if_empty: bool, today_text: str | None) -> None:
    """Load the demo partnership (SPEC 5) into an empty database."""
    from seeds import load_demo
    from seeds.live import EARLIEST_LIVE_DAY

    today = london_today()
    if today_text is not None:
        try:
            today = parse_iso_date(today_text)
        except DateProblem as problem:
            raise click.BadParameter(str(problem), param_hint="--today") from None
    if today < EARLIEST_LIVE_DAY:
        raise click.BadParameter(
            f"must be {EARLIEST_LIVE_DAY.isoformat()} or later, after the history", param_hint="--today"
        )

    if db.session.execute(sa.select(Authority.id).limit(1)).first():
        if if_empty:
            click.echo("the database already holds data: demo not loaded again")
            return
        raise click.ClickException("the database already holds authorities; seed demo needs an empty database")
    started = time.perf_counter()
    try:
        counts = load_demo(today)
    except Exception:
        db.session.rollback()
        raise
    elapsed = time.perf_counter() - started
    for kind, count in sorted(counts.items()):
        click.echo(f"{kind.replace('_', ' ')}: {count}")
    click.echo(f"demo partnership loaded in {elapsed:.1f} s")
