"""Local time, financial years and working days: the calendar rules every other service uses."""

from __future__ import annotations

import enum
import re
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
# The dates the product accepts anywhere (forms, API, CSV, command line): wide enough for any record a
# partnership keeps, narrow enough that date arithmetic (expiry, next year, working days) cannot overflow.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
# ASCII digits only: `\d` would also let through Arabic-Indic or full-width digits, which nobody means as ISO.
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DIGITS = re.compile(r"[0-9]+")


class DateProblemKind(enum.Enum):
    """Why a date was refused, so each interface can word the message its own way."""

    FORMAT = "format"  # not written YYYY-MM-DD
    NOT_REAL = "not_real"  # no such day, like 30 February
    YEAR_DIGITS = "year_digits"  # a typed year that is not four digits
    OUT_OF_RANGE = "out_of_range"  # a real day outside EARLIEST_DATE to LATEST_DATE


class DateProblem(ValueError):
    """A date that cannot be accepted; the message says why, in words a person can act on."""

    def __init__(self, message: str, kind: DateProblemKind = DateProblemKind.FORMAT) -> None:
        super().__init__(message)
        self.kind = kind


def parse_iso_date(text: str) -> date:
    """A real date written exactly YYYY-MM-DD within the supported years; DateProblem otherwise."""
    if not isinstance(text, str) or not ISO_DATE.fullmatch(text):
        raise DateProblem("must be a date written YYYY-MM-DD, like 2008-08-31")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise DateProblem(f"{text} is not a real date", DateProblemKind.NOT_REAL) from None
    return check_supported(day)


def date_from_parts(day: str, month: str, year: str) -> date:
    """A date typed as day, month and year (GOV.UK's three boxes) within the supported years; DateProblem otherwise."""
    day, month, year = (str(part).strip() for part in (day, month, year))
    if not all(DIGITS.fullmatch(part) for part in (day, month, year)):
        raise DateProblem("must be a real date", DateProblemKind.NOT_REAL)
    if len(year) != 4:
        raise DateProblem("the year must include 4 numbers", DateProblemKind.YEAR_DIGITS)
    # A day or month of more than two digits is never real; refusing it here keeps huge numbers away from int().
    if len(day.lstrip("0")) > 2 or len(month.lstrip("0")) > 2:
        raise DateProblem("must be a real date", DateProblemKind.NOT_REAL)
    try:
        typed = date(int(year), int(month), int(day))
    except ValueError:
        raise DateProblem("must be a real date", DateProblemKind.NOT_REAL) from None
    return check_supported(typed)


def check_supported(day: date) -> date:
    """The day itself when it lies within the supported years; DateProblem otherwise."""
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise DateProblem(
            f"must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}", DateProblemKind.OUT_OF_RANGE
        )
    return day


def london_today() -> date:
    """Today's date in London."""
    return datetime.now(UTC).astimezone(LONDON).date()


def london_to_utc(day: date, at: time) -> datetime:
    """A wall-clock time in London on a day, as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


def to_london(moment: datetime) -> datetime:
    """An aware datetime shown in London time."""
    return moment.astimezone(LONDON)


def financial_year_of(day: date) -> int:
    """The financial year a day falls in: 2007 runs from 1 April 2007 to 31 March 2008."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(year: int) -> str:
    """2007 -> '2007-08'."""
    return f"{year}-{(year + 1) % 100:02d}"


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    """A bank holiday in England and Wales."""
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday."""
    return day.weekday() < 5 and not is_bank_holiday(day)


def working_days_before(day: date, count: int) -> date:
    """The date `count` working days before `day` (count 0 gives `day` itself)."""
    current = day
    while count > 0:
        current -= timedelta(days=1)
        if is_working_day(current):
            count -= 1
    return current
