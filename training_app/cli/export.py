"""`flask export trained-by-area`, `awareness-sign-offs` and `presentations`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import click
from flask.cli import AppGroup
from xlsxwriter.exceptions import FileCreateError

from ..exports.awareness import write_presentation_totals, write_sign_off_register
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
    _write(out, lambda: write_trained_by_area(out, day))


def _write(out: str, write: Callable[[], object]) -> None:
    """Run a workbook writer for an .xlsx path, turning file errors into the command line's words."""
    if not out.lower().endswith(".xlsx"):
        raise click.ClickException("--out must name an .xlsx file")
    try:
        write()
    except (OSError, FileCreateError) as error:
        cause = error.args[0] if error.args and isinstance(error.args[0], OSError) else error
        raise click.ClickException(f"could not write {out}: {getattr(cause, 'strerror', None) or cause}") from None
    click.echo(f"wrote {out}")


@export_cli.command("awareness-sign-offs")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The .xlsx file.")
def awareness_sign_offs_command(out: str) -> None:
    """Write the awareness sign-off register in seed 000 Appendix B's layout (Service, Name of Contact, Completed)."""
    _write(out, lambda: write_sign_off_register(out))


@export_cli.command("presentations")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The .xlsx file.")
@click.option("--from", "start", help="Only presentations on or after this date (YYYY-MM-DD).")
@click.option("--to", "end", help="Only presentations on or before this date (YYYY-MM-DD).")
def presentations_command(out: str, start: str | None, end: str | None) -> None:
    """Write awareness presentations and people reached by year, sector and area."""
    first = _parse_date("--from", start) if start else None
    last = _parse_date("--to", end) if end else None
    _write(out, lambda: write_presentation_totals(out, first, last))
