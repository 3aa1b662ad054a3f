"""Local time, financial years and working days: the calendar rules every other service uses."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")


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
