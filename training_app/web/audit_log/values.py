"""Audit values as people read them: no None or [] but a dash or "none", GOV.UK dates, Yes and No, pounds."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from ..filters import humanise, london_datetime, long_date, money

NOTHING = "—"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")
# A session day as the scheduling audit keeps it, in London wall-clock time: "2026-03-02 09:30-16:00".
DAY_SPAN = re.compile(r"(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2})-(\d{2}):(\d{2})")


def shown_fields(value: Any) -> list[tuple[str, str]] | None:
    """A recorded mapping as (label, text) pairs in key order; None for a value that is not a mapping."""
    if not isinstance(value, dict):
        return None
    return [(field_label(str(key)), shown(item, str(key))) for key, item in sorted(value.items())]


def field_label(key: str) -> str:
    """A recorded key for people: 'amount_pence' -> 'Amount', 'starts_on' -> 'Starts on'."""
    return humanise(key.removesuffix("_pence"))


def shown(value: Any, key: str = "") -> str:
    """One recorded value as text: '—' for nothing, 'none' for an empty list, Yes or No, a GOV.UK date."""
    if value is None or value == "":
        return NOTHING
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int) and key.endswith("_pence"):
        return money(value)
    if isinstance(value, list):
        return ", ".join(shown(item, key) for item in value) if value else "none"
    if isinstance(value, dict):
        return "; ".join(f"{field_label(str(k))}: {shown(v, str(k))}" for k, v in sorted(value.items())) or "none"
    if isinstance(value, str):
        return _dated(value)
    return str(value)


def _dated(text: str) -> str:
    try:
        if ISO_DATE.fullmatch(text):
            return long_date(date.fromisoformat(text))
        span = DAY_SPAN.fullmatch(text)
        if span:
            day, start_hour, start_minute, end_hour, end_minute = span.groups()
            start, end = _clock(int(start_hour), int(start_minute)), _clock(int(end_hour), int(end_minute))
            return f"{long_date(date.fromisoformat(day))}, {start} to {end}"
        if ISO_MOMENT.fullmatch(text):
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is not None:
                return london_datetime(moment)
            return f"{long_date(moment.date())}, {_clock(moment.hour, moment.minute)}"
    except ValueError:
        pass
    return text


def _clock(hour: int, minute: int) -> str:
    """A wall-clock time as the service writes it: '9:30am', '4pm'."""
    suffix = "am" if hour < 12 else "pm"
    return f"{hour % 12 or 12}{suffix}" if minute == 0 else f"{hour % 12 or 12}:{minute:02d}{suffix}"
