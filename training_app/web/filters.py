"""Jinja filters: money from integer pence, and dates and times in London."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from ..services.common.calendar import to_london


def money(pence: int | None) -> str:
    """Integer pence as pounds: 123400 -> '£1,234.00', -50 -> '-£0.50'."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, remainder = divmod(abs(int(pence)), 100)
    return f"{sign}£{pounds:,}.{remainder:02d}"


def long_date(day: date | datetime | None) -> str:
    """A date as GOV.UK writes it: '1 October 2008'; datetimes are first put in London time."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = to_london(day)
    return f"{day.day} {day:%B %Y}"


def london_time(moment: datetime | None) -> str:
    """A UTC moment as a London wall-clock time: '9:30am', '12pm'."""
    if moment is None:
        return ""
    local = to_london(moment)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"


def london_datetime(moment: datetime | None) -> str:
    """A UTC moment in London: '1 October 2008, 9:30am'."""
    if moment is None:
        return ""
    return f"{long_date(moment)}, {london_time(moment)}"


def humanise(value: object) -> str:
    """An enum value for people: 'workforce_lead' -> 'Workforce lead'."""
    text = str(getattr(value, "value", value)).replace("_", " ")
    return text[:1].upper() + text[1:]


def register_filters(app: Flask) -> None:
    """Make the filters available to every template."""
    app.add_template_filter(money, "money")
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(london_time, "london_time")
    app.add_template_filter(london_datetime, "london_datetime")
    app.add_template_filter(humanise, "humanise")
