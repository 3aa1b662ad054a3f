"""`flask export trained-by-area`, `attendance-by-authority`, `still-to-train`, `training-records`,
`awareness-sign-offs`, `presentations`, `claims` (the finance batch), `charges`, `evaluations`, `register` (one
session's) and `targets`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date

import click
from flask.cli import AppGroup
from xlsxwriter.exceptions import FileCreateError

from ..exports.attendance_by_authority import write_attendance_by_authority
from ..exports.awareness import write_presentation_totals, write_sign_off_register
from ..exports.charges import write_charges
from ..exports.claims import write_claims_batch
from ..exports.evaluations import write_evaluations
from ..exports.people_lists import write_still_to_train, write_training_records
from ..exports.register import write_register
from ..exports.targets import write_targets
from ..exports.trained_by_area import write_trained_by_area
from ..exports.xlsx import Progress
from ..runtime import freeze_startup_objects, unfreeze
from ..services.claims import funds
from ..services.common.calendar import DateProblem, DateProblemKind, london_today, parse_iso_date
from ..services.common.lookups import session_with_code
from ..services.reporting import report_lists


def _settle_process() -> None:
    """Before any export: the start-up objects out of the garbage collector's way (runtime), given back when the
    command ends (which matters only when it runs in-process, as in the tests)."""
    freeze_startup_objects()
    click.get_current_context().call_on_close(unfreeze)


export_cli = AppGroup("export", help="Write report workbooks.", callback=_settle_process)


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


def _period(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    """--from and --to as dates (either may be left out); a period ending before it starts is refused."""
    first = _parse_date("--from", start) if start else None
    last = _parse_date("--to", end) if end else None
    if first and last and first > last:
        raise click.ClickException(f"--from ({first.isoformat()}) must be on or before --to ({last.isoformat()})")
    return first, last


def is_terminal() -> bool:
    """Whether standard output is a terminal, where a progress bar helps (not a pipe or a log file)."""
    return sys.stdout.isatty()


def _with_progress(total: Callable[[], int], label: str, write: Callable[[Progress | None], object]) -> object:
    """Run a streaming writer, with a progress bar of `total()` rows when standard output is a terminal."""
    if not is_terminal():
        return write(None)
    with click.progressbar(length=total(), label=label) as bar:
        return write(bar.update)


@export_cli.command("attendance-by-authority")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The .xlsx file.")
@click.option("--from", "start", help="Only session days on or after this date (YYYY-MM-DD).")
@click.option("--to", "end", help="Only session days on or before this date (YYYY-MM-DD).")
@click.option("--session", "code", help="Only this session (its code).")
def attendance_by_authority_command(out: str, start: str | None, end: str | None, code: str | None) -> None:
    """Write attendees of a session or a period by the exact set of authorities they work for (SPEC 3.9)."""
    first, last = _period(start, end)
    session = None
    if code is not None:
        found = session_with_code(code)
        if found is None:
            raise click.ClickException(f"--session: there is no session with the code {code!r}")
        session = (found.id, found.code)
    _write(out, lambda: write_attendance_by_authority(out, first, last, session))


@export_cli.command("still-to-train")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The .xlsx file.")
@click.option("--as-of", "as_of", help="Who is still to train on this date (YYYY-MM-DD); today when not given.")
@click.option("--to", "end", help="The same as --as-of: who is still to train at the end of a period.")
def still_to_train_command(out: str, as_of: str | None, end: str | None) -> None:
    """Write everyone whose pathway requires the counts-as-trained course and who is not trained by the date."""
    dates = {_parse_date(option, value) for option, value in (("--as-of", as_of), ("--to", end)) if value}
    if len(dates) > 1:
        raise click.ClickException("--as-of and --to name different dates; give one")
    day = dates.pop() if dates else london_today()
    count = lambda: report_lists.count_rows(report_lists.still_to_train_query(day))  # noqa: E731
    _write(out, lambda: _with_progress(count, "Still to train", lambda bar: write_still_to_train(out, day, None, bar)))


@export_cli.command("training-records")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The .xlsx file.")
@click.option("--from", "start", help="Only records completed on or after this date (YYYY-MM-DD).")
@click.option("--to", "end", help="Only records completed on or before this date (YYYY-MM-DD).")
def training_records_command(out: str, start: str | None, end: str | None) -> None:
    """Write every training record completed in the period, with its expiry, source and certificate."""
    first, last = _period(start, end)
    count = lambda: report_lists.count_rows(report_lists.training_records_query(first, last))  # noqa: E731
    write = lambda bar: write_training_records(out, first, last, None, bar)  # noqa: E731
    _write(out, lambda: _with_progress(count, "Training records", write))


@export_cli.command("claims")
@click.option("--financial-year", "financial_year", required=True, type=int, help="2007 for 2007-08.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The .xlsx file.")
def claims_command(financial_year: int, out: str) -> None:
    """Write the finance batch for a fund: each school's approved, payable and paid totals, and the approved lines."""
    in_range = funds.MIN_FINANCIAL_YEAR <= financial_year <= funds.MAX_FINANCIAL_YEAR
    fund = funds.get_fund(financial_year) if in_range else None
    if fund is None:
        raise click.ClickException(f"--financial-year: there is no fund for financial year {financial_year}")
    _write(out, lambda: write_claims_batch(out, fund))


@export_cli.command("charges")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The .xlsx file.")
@click.option("--from", "start", help="Only charges for sessions starting on or after this date (YYYY-MM-DD).")
@click.option("--to", "end", help="Only charges for sessions starting on or before this date (YYYY-MM-DD).")
def charges_command(out: str, start: str | None, end: str | None) -> None:
    """Write late-cancellation and no-show charges per organisation, in pence and in pounds, waivers shown."""
    first, last = _period(start, end)
    _write(out, lambda: write_charges(out, first, last))


@export_cli.command("evaluations")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The .xlsx file.")
@click.option("--from", "start", help="Only sessions ending on or after this date (YYYY-MM-DD).")
@click.option("--to", "end", help="Only sessions ending on or before this date (YYYY-MM-DD).")
def evaluations_command(out: str, start: str | None, end: str | None) -> None:
    """Write each course's evaluation results: response rate, ratings with a chart, yes/no counts, comments."""
    first, last = _period(start, end)
    _write(out, lambda: write_evaluations(out, first, last))


@export_cli.command("register")
@click.option("--session", "code", required=True, help="The session's code, e.g. CAF-2008-014.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The .xlsx file.")
def register_command(code: str, out: str) -> None:
    """Write a session's register: each person on it with their mark, time and note for every day."""
    session = session_with_code(code)
    if session is None:
        raise click.ClickException(f"--session: there is no session with code {code!r}")
    _write(out, lambda: write_register(out, session))


@export_cli.command("targets")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The .xlsx file.")
@click.option("--as-of", "as_of", help="Progress on this date (YYYY-MM-DD); today when not given.")
def targets_command(out: str, as_of: str | None) -> None:
    """Write every target with its progress on a date (SPEC 3.10)."""
    day = _parse_date("--as-of", as_of) if as_of else london_today()
    _write(out, lambda: write_targets(out, day))
