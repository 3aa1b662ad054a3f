"""`flask export trained-by-area`."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup
from xlsxwriter.exceptions import FileCreateError

from ..exports.trained_by_area import write_trained_by_area
from ..services.calendar import DateProblem, DateProblemKind, parse_iso_date

export_cli = AppGroup("export", help="Write report workbooks.")


def _parse_date(option: str, value: str) -> date:
    """The option's YYYY-MM-DD date, or a ClickException in the command line's words."""
    try:
        return parse_iso_date(value)
    except DateProblem as problem:
        if problem.kind is DateProblemKind.OUT_OF_RANGE:
            raise click.ClickException(f"{option}: {value} {problem}") from None
        raise click.ClickException(f"{option}: {value!r} is not a real date in the form YYYY-MM-DD") from None


@export_cli.command("trained-by-area")
@click.option("--as-of", "as_of", required=True, help="Count training up to this date (YYYY-MM-DD).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The .xlsx file.")
def trained_by_area_command(as_of: str, out: str) -> None:
    """Write the trained-by-area workbook (SPEC 4.4) as of a date."""
    day = _parse_date("--as-of", as_of)
    if not out.lower().endswith(".xlsx"):
        raise click.ClickException("--out must name an .xlsx file")
    try:
        write_trained_by_area(out, day)
    except (OSError, FileCreateError) as error:
        cause = error.args[0] if error.args and isinstance(error.args[0], OSError) else error
        raise click.ClickException(f"could not write {out}: {getattr(cause, 'strerror', None) or cause}") from None
    click.echo(f"wrote {out}")
