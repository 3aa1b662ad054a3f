"""`flask export trained-by-area`."""

from __future__ import annotations

import re
from datetime import date

import click
from flask.cli import AppGroup
from xlsxwriter.exceptions import FileCreateError

from ..exports.trained_by_area import write_trained_by_area

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

export_cli = AppGroup("export", help="Write report workbooks.")


def _parse_date(value: str) -> date:
    try:
        if not ISO_DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise click.ClickException(f"--as-of: {value!r} is not a real date in the form YYYY-MM-DD") from None


@export_cli.command("trained-by-area")
@click.option("--as-of", "as_of", required=True, help="Count training up to this date (YYYY-MM-DD).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The .xlsx file.")
def trained_by_area_command(as_of: str, out: str) -> None:
    """Write the trained-by-area workbook (SPEC 4.4) as of a date."""
    day = _parse_date(as_of)
    if not out.lower().endswith(".xlsx"):
        raise click.ClickException("--out must name an .xlsx file")
    try:
        write_trained_by_area(out, day)
    except (OSError, FileCreateError) as error:
        cause = error.args[0] if error.args and isinstance(error.args[0], OSError) else error
        raise click.ClickException(f"could not write {out}: {getattr(cause, 'strerror', None) or cause}") from None
    click.echo(f"wrote {out}")
